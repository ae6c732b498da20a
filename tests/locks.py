"""The tables whose rows a block of code locks, in the order it first locks each.

Two transactions that lock the same rows in opposite orders deadlock on PostgreSQL (one is
aborted with "deadlock detected"). A service proves its order with ``row_locks``: it
records, from the ORM, each ``SELECT … FOR UPDATE`` (the tables it reads, or those of
``of=``) and each ``UPDATE`` (its table), whatever the database. SQLite leaves ``FOR
UPDATE`` out of its SQL, but the ORM asks for it all the same, so the order is the one
PostgreSQL would see. An ``INSERT`` locks only its new row (and shares the keys of the
rows it refers to), so it is not counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.db.models.sql.compiler import SQLCompiler, SQLUpdateCompiler

__all__ = ["row_locks"]


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
    return [join.table_name for join in query.alias_map.values()]


@contextmanager
def row_locks() -> Iterator[list[str]]:
    """``with row_locks() as locks: …``: ``locks`` lists each table once, in the order
    the block first locked a row of it."""
    locks: list[str] = []
    execute = SQLCompiler.execute_sql

    def spy(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        for table in _tables(self):
            if table not in locks:
                locks.append(table)
        return execute(self, *args, **kwargs)

    with mock.patch.object(SQLCompiler, "execute_sql", spy):
        yield locks
