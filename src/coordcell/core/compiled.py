"""Queries every request runs, compiled by the ORM once per process and run with new values.

Building a query set and compiling it to SQL costs the ORM a quarter of a millisecond to
a millisecond or more (a join costs more), several times what SQLite or PostgreSQL takes
to run it; and every request runs the same few queries (its session, its API token, its
reader's memberships), each with nothing new but a value or two. ``CompiledQuery`` lets
the ORM build and compile such a query set once per database, with a placeholder value
where each request's value goes, then runs that SQL with the request's values in place
of the placeholders: the same SQL and parameters as the ORM's, the same rows (through the
ORM's own converters) or the same model instances (``Model.from_db``, with the related
objects of ``select_related`` and the annotations), and the same query in the log and in
``assertNumQueries``. A value of another type than its placeholder (which the ORM might
prepare differently) goes through the ORM as before.

What a query's SQL depends on besides its values (a setting that adds a join, say) must
choose between two ``CompiledQuery`` objects: the SQL is never built again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

__all__ = ["CompiledQuery", "first"]

_M = TypeVar("_M", bound=Model)


def first(queryset: QuerySet[_M]) -> QuerySet[_M]:
    """The query set ``queryset.first()`` runs (ordered by pk unless already ordered)."""
    return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]


def _prepare(value: Any, connection: Any) -> Any:
    """A value as the ORM hands it to the driver (what a lookup's ``get_db_prep_value``
    makes of the placeholder's types: datetimes are adapted, ints and strings are not)."""
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _other(placeholder: Any) -> Any:
    """Another value of the placeholder's type, to tell its slots from the query's
    constants (``CompiledQuery._slots``)."""
    if isinstance(placeholder, bool) or not isinstance(placeholder, int | str | dt.datetime):
        raise TypeError(
            f"CompiledQuery placeholders are ints, strings or datetimes: {placeholder!r}"
        )
    if isinstance(placeholder, int):
        return placeholder - 1
    if isinstance(placeholder, str):
        return placeholder + "\x01"
    return placeholder + dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class _Plan:
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    #: For each placeholder, the indexes in ``params`` where its value goes.
    slots: tuple[tuple[int, ...], ...]
    converters: Any
    kind: type


class CompiledQuery:
    """``CompiledQuery(lambda user_id: Model.objects.filter(user_id=user_id)..., 0)``.

    ``build`` makes the query set from the values of one call; ``placeholders`` are
    values of the right types that no real call passes (each must appear among the
    compiled query's parameters). ``rows(*values)`` gives what iterating the query set
    built from ``values`` gives, for a ``values_list`` query set or a query set of model
    instances (``first`` makes the query set ``.first()`` would run).
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], *placeholders: Any) -> None:
        self._build = build
        self._placeholders = placeholders
        self._plans: dict[tuple[str, str], _Plan] = {}

    def _plan(self, alias: str) -> _Plan:
        connection = connections[alias]
        key = (alias, connection.vendor)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._compile(alias)
            self._plans[key] = plan
        return plan

    def _compile(self, alias: str) -> _Plan:
        queryset = self._build(*self._placeholders)
        kind = queryset._iterable_class
        if kind not in (ModelIterable, ValuesListIterable, FlatValuesListIterable):
            raise TypeError(f"CompiledQuery cannot run a {kind.__name__} query set")
        query = queryset.query
        if (
            query.extra_select
            or getattr(queryset, "_known_related_objects", None)
            or getattr(queryset, "_prefetch_related_lookups", None)
        ):
            raise TypeError("CompiledQuery runs plain query sets only")
        if kind is not ModelIterable and query.annotation_select:
            raise TypeError("CompiledQuery runs values_list() of fields only")
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if compiler.has_extra_select:
            raise TypeError("CompiledQuery runs plain query sets only")
        slots = self._slots(alias, sql, params)
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        return _Plan(
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            slots=slots,
            converters=compiler.get_converters(fields),
            kind=kind,
        )

    def _slots(self, alias: str, sql: str, params: Sequence[Any]) -> tuple[tuple[int, ...], ...]:
        """Where each placeholder's value goes among ``params``: found by compiling the
        query again with other values in the placeholders (``_other``) and taking the
        parameters that changed, so that a constant of the query that happens to equal a
        placeholder is never taken for it (the query is refused instead)."""
        others = tuple(_other(p) for p in self._placeholders)
        other_sql, other_params = self._build(*others).query.get_compiler(using=alias).as_sql()
        if other_sql != sql or len(other_params) != len(params):
            raise ValueError("the query's SQL depends on its values: it cannot be compiled once")
        connection = connections[alias]
        changed = {i for i, (a, b) in enumerate(zip(params, other_params, strict=True)) if a != b}
        slots = []
        for placeholder, other in zip(self._placeholders, others, strict=True):
            prepared, prepared_other = (
                _prepare(placeholder, connection),
                _prepare(other, connection),
            )
            found = tuple(
                i
                for i in sorted(changed)
                if type(params[i]) is type(prepared)
                and params[i] == prepared
                and other_params[i] == prepared_other
            )
            if not found:
                raise ValueError(f"placeholder {placeholder!r} is not among the query's values")
            if any(p == prepared and i not in changed for i, p in enumerate(params)):
                raise ValueError(f"placeholder {placeholder!r} equals a constant of the query")
            slots.append(found)
        if changed != {i for found in slots for i in found}:
            raise ValueError("a value of the query changed with no placeholder of its own")
        return tuple(slots)

    def rows(self, *values: Any, using: str = DEFAULT_DB_ALIAS) -> list[Any]:
        """What ``list(build(*values))`` gives, from SQL compiled once."""
        if len(values) != len(self._placeholders) or any(
            type(value) is not type(placeholder)
            for value, placeholder in zip(values, self._placeholders, strict=True)
        ):
            return list(self._build(*values).using(using))
        plan = self._plan(using)
        connection = connections[using]
        params = list(plan.params)
        for value, slots in zip(values, plan.slots, strict=True):
            prepared = _prepare(value, connection)
            for i in slots:
                params[i] = prepared
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            fetched: Sequence[Any] = cursor.fetchall()
        compiler = plan.compiler
        found: Any = fetched
        if plan.converters:
            found = compiler.apply_converters(found, plan.converters)
        if plan.kind is FlatValuesListIterable:
            return [row[0] for row in found]
        if plan.kind is ValuesListIterable:
            return [tuple(row) for row in found]
        return self._objects(plan, found, using)

    @staticmethod
    def _objects(plan: _Plan, found: Any, using: str) -> list[Any]:
        # What ModelIterable does with the rows of its compiler.
        compiler = plan.compiler
        select, klass_info, annotation_col_map = (
            compiler.select,
            compiler.klass_info,
            compiler.annotation_col_map,
        )
        model_cls = klass_info["model"]
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        # Django 5.2's signature (the stubs describe a later one's).
        populators = get_related_populators(klass_info, select, using)  # type: ignore[call-arg]
        objects = []
        for row in found:
            obj = model_cls.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            if annotation_col_map:
                for name, position in annotation_col_map.items():
                    setattr(obj, name, row[position])
            objects.append(obj)
        return objects
