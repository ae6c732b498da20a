"""Rows read for a before-and-after comparison, with the ORM's SQL compiled once.

A test that checks a request changed nothing reads the same few tables before and after
it (``snapshot`` in ``tests/integration/api/conftest.py`` and ``tests/integration/ui``).
Building and compiling each query set again costs the ORM about a quarter of a
millisecond a query, more than SQLite takes to run it, and the authorization matrix alone
takes some 4,500 snapshots. ``Rows`` compiles each query set (or a table's row count) once
per process and then runs its SQL as it is: the same rows, as the database returns them
(before and after are compared with each other, never with Python values).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet

__all__ = ["Rows"]


class Rows:
    """``Rows(Entry, Delegation.objects.order_by("pk").values_list(...), ...)()``: the
    row count of each model given (an ``int``) and the rows of each query set (a list of
    tuples), as a tuple."""

    def __init__(self, *parts: type[Model] | QuerySet[Any]) -> None:
        self._parts = parts
        self._sql: list[tuple[str, tuple[Any, ...]]] | None = None

    def _compiled(self) -> list[tuple[str, tuple[Any, ...]]]:
        if self._sql is None:
            sql = []
            for part in self._parts:
                if isinstance(part, QuerySet):
                    text, params = part.query.sql_with_params()
                    sql.append((text, tuple(params)))
                else:
                    table = connection.ops.quote_name(part._meta.db_table)
                    sql.append((f"SELECT COUNT(*) FROM {table}", ()))  # noqa: S608
            self._sql = sql
        return self._sql

    def __call__(self) -> tuple[Any, ...]:
        with connection.cursor() as cursor:
            rows: list[Any] = []
            for part, (text, params) in zip(self._parts, self._compiled(), strict=True):
                cursor.execute(text, params)
                found = cursor.fetchall()
                rows.append(found if isinstance(part, QuerySet) else found[0][0])
        return tuple(rows)
