"""The declarative `Query` a tile runs against a dataset.

A query never carries SQL: it names fields (checked against the dataset's schema by the
engine), aggregates and operators from fixed lists, and values that are always bound as
parameters.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, field_validator, model_validator

from studio.spec.base import MAX_ID, SpecModel
from studio.spec.messages import shown, spec_error

Grain = Literal["day", "week", "month", "quarter", "year"]
Aggregate = Literal["count", "count_distinct", "sum", "avg", "min", "max", "median"]
Operator = Literal[
    "=", "!=", "in", "not_in", "<", "<=", ">", ">=", "between", "contains", "is_null", "not_null"
]
FieldType = Literal[
    "text",
    "integer",
    "decimal",
    "date",
    "datetime",
    "boolean",
    "geometry",
    "commune",
    "epci",
    "departement",
    "region",
]

GRAINS: tuple[str, ...] = get_args(Grain)
AGGREGATES: tuple[str, ...] = get_args(Aggregate)
OPERATORS: tuple[str, ...] = get_args(Operator)
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)
GEO_CODE_TYPES: tuple[str, ...] = ("commune", "epci", "departement", "region")

FieldName = Annotated[str, Field(min_length=1, max_length=200)]
Scalar = str | int | float | bool | date | datetime

MAX_LIMIT = 50_000
LIST_OPERATORS = ("in", "not_in")
NULL_OPERATORS = ("is_null", "not_null")


class Dimension(SpecModel):
    """A field to group by, optionally truncated to a time grain."""

    field: FieldName
    grain: Grain | None = None

    @property
    def key(self) -> str:
        """Column name of this dimension in a result."""
        return self.field


class Measure(SpecModel):
    """An aggregate over a field; `count` may omit the field (count of rows)."""

    field: FieldName | None = None
    agg: Aggregate = "sum"

    @model_validator(mode="after")
    def _field_required(self) -> Measure:
        if self.field is None and self.agg != "count":
            raise spec_error("spec.agg_needs_field", agg=self.agg)
        return self

    @property
    def key(self) -> str:
        """Column name of this measure in a result: `count`, or `<field>__<agg>`."""
        if self.field is None:
            return "count"
        return f"{self.field}__{self.agg}"


class Filter(SpecModel):
    """A condition on one field. The shape of `value` depends on the operator."""

    field: FieldName
    op: Operator = "="
    value: Any = None

    @model_validator(mode="after")
    def _value_fits_operator(self) -> Filter:
        op, value = self.op, self.value
        if op in NULL_OPERATORS:
            if value is not None:
                raise spec_error("spec.op_takes_no_value", op=op)
        elif op in LIST_OPERATORS:
            if not isinstance(value, list) or not value:
                raise spec_error("spec.op_needs_list", op=op)
            if len(value) > 1000:
                raise spec_error("spec.op_too_many_values", op=op, max=1000)
            _check_scalars(value)
        elif op == "between":
            if not isinstance(value, list) or len(value) != 2:
                raise spec_error("spec.between_needs_two")
            _check_scalars(value)
        elif op == "contains":
            if not isinstance(value, str) or not value:
                raise spec_error("spec.contains_needs_text")
        else:
            if value is None:
                raise spec_error("spec.op_needs_value", op=op)
            _check_scalars([value])
        return self


def _check_scalars(values: list[Any]) -> None:
    for v in values:
        if not isinstance(v, Scalar):
            raise spec_error("spec.filter_value_type", value=shown(v))


class Sort(SpecModel):
    """Order of result rows: a dimension key or a measure key."""

    field: FieldName
    desc: bool = False


RowFilter = list[list[Filter]]
"""Row-level restriction: rows allowed by ANY of the alternatives, each a list of filters
that ALL hold. `None` (no restriction) is distinct from `[]` (no rows at all)."""


class Query(SpecModel):
    """What a tile asks of one dataset: group by dimensions, aggregate measures."""

    dataset: int = Field(ge=1, le=MAX_ID)
    dimensions: list[Dimension] = Field(default_factory=list, max_length=10)
    measures: list[Measure] = Field(default_factory=list, max_length=20)
    filters: list[Filter] = Field(default_factory=list, max_length=50)
    sort: list[Sort] = Field(default_factory=list, max_length=10)
    limit: int = Field(default=1000, ge=1, le=MAX_LIMIT)

    @field_validator("measures")
    @classmethod
    def _unique_measures(cls, measures: list[Measure]) -> list[Measure]:
        keys = [m.key for m in measures]
        if len(set(keys)) != len(keys):
            raise spec_error("spec.measure_asked_twice")
        return measures

    @model_validator(mode="after")
    def _something_to_compute(self) -> Query:
        if not self.dimensions and not self.measures:
            raise spec_error("spec.query_empty")
        keys = {d.key for d in self.dimensions} | {m.key for m in self.measures}
        for s in self.sort:
            if s.field not in keys:
                raise spec_error("spec.query_sort_unknown", field=s.field)
        return self

    @property
    def columns(self) -> list[str]:
        """Column names of the result, in order: dimensions then measures."""
        return [d.key for d in self.dimensions] + [m.key for m in self.measures]

    @property
    def fields_used(self) -> set[str]:
        """Every dataset field this query reads (for schema checks and filter reach)."""
        used = {d.field for d in self.dimensions}
        used |= {m.field for m in self.measures if m.field}
        used |= {f.field for f in self.filters}
        return used


class QueryResult(SpecModel):
    """What running a `Query` gives back: small, aggregated, JSON-ready rows."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool = False
    """True when more rows matched than the query's limit allowed."""

    def column(self, name: str) -> list[Any]:
        """Values of one column, in row order."""
        i = self.columns.index(name)
        return [row[i] for row in self.rows]
