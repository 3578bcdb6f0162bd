"""Queries whose SQL is built once a process: `Prepared` and its `Param`s.

Django builds a query's SQL afresh every time the query runs. For a join of a few tables that costs more than
the database takes to answer: building SQL was about 40% of the live problems check's processor time, and
most of a stored-problems refresh's. A prepared query is written once as a queryset with `Param("name", field)`
where its values go; its SQL is built the first time it runs on a database, and every later call binds its
values to the same SQL and reads the rows back as the queryset would (model instances with their related
rows, values or values_list). On PostgreSQL the same SQL text is what lets psycopg prepare the statement
(`POSTGRES_PREPARED_STATEMENTS`).

    clashes = Prepared(lambda: Assignment.objects.filter(visit__date=Param("day", DateField())))
    clashes(day=date(2027, 1, 12))  # a list of assignments

A call returns a list, not a queryset: a further filter would not be in the SQL already built. A value may not
be None (an SQL comparison with NULL is never true, where Django would have written IS NULL), and a `Param`
stands for one value, not a list (write a subquery instead of `__in=[…]`). An integer `Param` is for equality
(keys, years): a value the database's column cannot hold equals no row, so the call returns none, as Django's
own lookups do (an address such as /visits/99999999999999999999/ is a 404, not a database error).

`ByKeys` asks for the rows with a few keys (`pk__in`), prepared once for each number of keys: the length of an
IN list is part of its SQL.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from django.db import connections
from django.db.models import BigIntegerField, Expression, Field, IntegerField, QuerySet


class Param(Expression):
    """Where a prepared query's value goes, with the field that says how the database is given it."""

    def __init__(self, name: str, output_field: Field) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [_Slot(self)]


def Key(name: str) -> Param:  # noqa: N802 (written as the expression it makes)
    """A row's key (every table's is a BigAutoField)."""
    return Param(name, BigIntegerField())


class _NoRows(Exception):
    """A value no row can equal."""


class _Slot:
    """A `Param`'s place in the built SQL's parameters."""

    def __init__(self, param: Param) -> None:
        self.param = param

    def bind(self, values: dict[str, Any], connection) -> Any:
        value = values[self.param.name]
        if value is None:
            raise ValueError(f"The prepared query's {self.param.name!r} is None: ask for it without the query.")
        field = self.param.output_field
        bound = field.get_db_prep_value(value, connection, prepared=False)
        if isinstance(field, IntegerField):
            low, high = connection.ops.integer_field_range(field.get_internal_type())
            if (low is not None and bound < low) or (high is not None and bound > high):
                raise _NoRows
        return bound


class Prepared:
    """A query built once a process (on each database) and run with new values: see the module's docstring."""

    def __init__(self, build: Callable[[], QuerySet]) -> None:
        self._build = build
        self._building = threading.Lock()
        self._built: dict[tuple[str, str], tuple[Any, str, tuple, frozenset[str]]] = {}

    @cached_property
    def queryset(self) -> QuerySet:
        """The query as written (never run itself; a copy of it is, with the SQL built from it)."""
        return self._build()

    def sql(self, using: str | None = None) -> tuple[Any, str, tuple, frozenset[str]]:
        """The compiler that built the SQL, the SQL, its parameters (slots where the values go) and the names
        of the values it needs, built the first time for each database."""
        using = using or self.queryset.db
        key = (using, connections[using].vendor)
        built = self._built.get(key)
        if built is None:
            with self._building:  # building changes the query written; two threads of a server may ask at once
                built = self._built.get(key)
                if built is None:
                    compiler = self.queryset.query.get_compiler(using=using)
                    sql, params = compiler.as_sql()
                    names = frozenset(p.param.name for p in params if isinstance(p, _Slot))
                    built = self._built[key] = (compiler, sql, tuple(params), names)
        return built

    def __call__(self, **values: Any) -> list:
        queryset = self.queryset._chain()
        using = queryset.db
        compiler, sql, params, names = self.sql(using)
        if names != set(values):
            raise TypeError(f"The prepared query takes {sorted(names)}, not {sorted(values)}.")
        connection = connections[using]  # this thread's: the SQL was perhaps built in another
        try:
            bound_params = tuple(p.bind(values, connection) if isinstance(p, _Slot) else p for p in params)
        except _NoRows:
            return []
        bound = copy.copy(compiler)  # what the SQL selects, to read the rows back with; nothing is built again
        bound.connection = connection
        bound.as_sql = lambda *args, **kwargs: (sql, bound_params)
        queryset.query.get_compiler = lambda *args, **kwargs: bound
        return list(queryset)


class ByKeys:
    """The rows with some keys, `build(keys)` being the query with `pk__in=keys`: prepared once for each number
    of keys up to `most` (given `Key`s to stand for them), and written with the keys themselves, built as any
    query, beyond that."""

    def __init__(self, build: Callable[[list], QuerySet], most: int) -> None:
        self._build, self.most = build, most
        self._by_count: dict[int, Prepared] = {}

    def __call__(self, keys: Sequence[int]) -> list:
        keys = list(keys)
        if not keys:
            return []
        if len(keys) > self.most:
            return list(self._build(keys))
        prepared = self._by_count.get(len(keys))
        if prepared is None:
            names = [f"key{i}" for i in range(len(keys))]
            prepared = self._by_count[len(keys)] = Prepared(lambda: self._build([Key(name) for name in names]))
        return prepared(**{f"key{i}": key for i, key in enumerate(keys)})
