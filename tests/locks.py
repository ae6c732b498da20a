"""The tables whose rows a block of code locks, in the order it first locks each.

Two transactions that lock the same rows in opposite orders deadlock on PostgreSQL (one is
aborted with "deadlock detected"). A service proves its order with ``row_locks``: it
records, from the ORM, each ``SELECT … FOR UPDATE`` (the tables it reads, or those of
``of=``) and each ``UPDATE`` (its table), whatever the database. SQLite leaves ``FOR
UPDATE`` out of its SQL, but the ORM asks for it all the same, so the order is the one
PostgreSQL would see. An ``INSERT`` locks only its new row (and shares the keys of the
rows it refers to), so it is not counted.

``locks.exclusive`` names the tables a ``SELECT … FOR UPDATE`` locked in full rather than
``FOR NO KEY UPDATE``: a full lock also blocks the key-share lock with which PostgreSQL
checks, at commit, a new row that refers to the locked one (Django's foreign keys are
deferred), so a parent row that other transactions add children to is locked ``no_key``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.db.models.sql.compiler import SQLCompiler, SQLUpdateCompiler

__all__ = ["Locks", "row_locks"]


class Locks(list[str]):
    """The tables, in the order first locked; ``exclusive``: those locked ``FOR UPDATE``
    in full (not ``FOR NO KEY UPDATE``) by a ``SELECT``."""

    def __init__(self) -> None:
        super().__init__()
        self.exclusive: set[str] = set()


def _tables(compiler: SQLCompiler) -> list[str]:
    query = compiler.query
    if isinstance(compiler, SQLUpdateCompiler):
        return [query.get_meta().db_table]
    if not query.select_for_update:
        return []
    if query.select_for_update_of:
        # Only "self" is resolved here (what the services use); another name stays as is.
        return [
            query.get_meta().db_table if name == "self" else name
            for name in query.select_for_update_of
        ]
    # The tables in the FROM clause: a join the ORM made and then trimmed (a filter on a
    # foreign key's id) stays in ``alias_map`` with no reference, and locks nothing.
    return [
        join.table_name
        for alias, join in query.alias_map.items()
        if query.alias_refcount.get(alias, 0) > 0
    ]


@contextmanager
def row_locks() -> Iterator[Locks]:
    """``with row_locks() as locks: …``: ``locks`` lists each table once, in the order
    the block first locked a row of it."""
    locks = Locks()
    execute = SQLCompiler.execute_sql

    def spy(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        tables = _tables(self)
        for table in tables:
            if table not in locks:
                locks.append(table)
        if self.query.select_for_update and not self.query.select_for_no_key_update:
            locks.exclusive.update(tables)
        return execute(self, *args, **kwargs)

    with mock.patch.object(SQLCompiler, "execute_sql", spy):
        yield locks
