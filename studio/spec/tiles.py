"""The tiles a user builds without code: charts, maps, KPI tiles, tables and text.

Every tile is a strict pydantic model (unknown keys are an error) with a `kind`
discriminator, so a saved tile validates on load with a precise message. A tile never runs
anything: `queries()` returns the named `Query` objects it needs, and a renderer in
`studio.components` turns their results into Dash components.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter, field_validator, model_validator

from studio.spec.base import MAX_ID, SpecModel
from studio.spec.messages import spec_error
from studio.spec.query import (
    GEO_CODE_TYPES,
    MAX_LIMIT,
    Aggregate,
    Dimension,
    FieldName,
    Filter,
    Grain,
    Measure,
    Query,
    Scalar,
    Sort,
)

TileId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=2000)]
HexColor = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]
PlaceholderName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,59}$")]

NUMERIC_TYPES: tuple[str, ...] = ("integer", "decimal")
TIME_TYPES: tuple[str, ...] = ("date", "datetime")
CATEGORY_TYPES: tuple[str, ...] = (
    "text", "integer", "boolean", "date", "datetime", *GEO_CODE_TYPES,
)
GEO_CODE_SLOT_TYPES: tuple[str, ...] = (*GEO_CODE_TYPES, "text")
ADDITIVE_AGGREGATES: tuple[str, ...] = ("sum", "count")

Palette = Literal["okabe_ito", "tableau10", "blues", "greens", "oranges", "viridis"]
SequentialPalette = Literal["blues", "greens", "oranges", "purples", "viridis"]
ChartType = Literal[
    "column", "bar", "line", "area", "pie", "donut", "scatter", "combo", "treemap"
]


# --- shared parts ------------------------------------------------------------------------


class NumberFormat(SpecModel):
    """How a number is shown; shared by every tile and by `studio.components.format`.

    `style="percent"` expects a fraction (0.084 is shown as 8,4 %), like spreadsheets do;
    a rate already expressed in percent is a plain number with `unit="%"`.
    """

    style: Literal["number", "percent", "currency"] = "number"
    decimals: int | None = Field(default=None, ge=0, le=6)
    """Digits after the decimal mark; `None` chooses (up to 2, trailing zeros dropped)."""
    compact: bool = False
    """Abbreviate large numbers: 1,2 M€, 12,3 k."""
    unit: str | None = Field(default=None, max_length=20)
    """Text after the number, e.g. "foyers" or "%"."""


class ValueField(SpecModel):
    """A measure a tile shows: an aggregate over a field, with an optional display label."""

    field: FieldName | None = None
    agg: Aggregate = "sum"
    label: ShortText | None = None

    @model_validator(mode="after")
    def _field_required(self) -> ValueField:
        if self.field is None and self.agg != "count":
            raise spec_error("spec.agg_needs_field", agg=self.agg)
        return self

    @property
    def measure(self) -> Measure:
        """The query `Measure` this value is computed by."""
        return Measure(field=self.field, agg=self.agg)

    @property
    def key(self) -> str:
        """Column name of this value in a query result."""
        return self.measure.key


class GroupField(SpecModel):
    """A field to group by (a category, a territory code or a date with a time grain)."""

    field: FieldName
    grain: Grain | None = None
    label: ShortText | None = None

    @property
    def dimension(self) -> Dimension:
        """The query `Dimension` this group is computed by."""
        return Dimension(field=self.field, grain=self.grain)

    @property
    def key(self) -> str:
        """Column name of this group in a query result."""
        return self.field


class ReferenceLine(SpecModel):
    """A horizontal line on a chart: a fixed target or the average of the values shown."""

    kind: Literal["target", "average"] = "target"
    value: float | None = None
    label: ShortText | None = None

    @model_validator(mode="after")
    def _value_matches_kind(self) -> ReferenceLine:
        if self.kind == "target" and self.value is None:
            raise spec_error("spec.target_needs_value")
        if self.kind == "average" and self.value is not None:
            raise spec_error("spec.average_no_value")
        return self


class TileBase(SpecModel):
    """What every tile has: an id, a title, and the lines around its content."""

    id: TileId
    title: ShortText = ""
    subtitle: ShortText | None = None
    source: ShortText | None = None
    """Shown under the tile, e.g. "Source : CAF, 2024"."""
    notes: LongText | None = None

    def queries(self) -> dict[str, Query]:
        """Named queries this tile needs (none for the base class)."""
        return {}


def _unique(keys: list[str], message: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise spec_error(message, key=key)
        seen.add(key)


# --- chart ---------------------------------------------------------------------------------

_STACKABLE = ("column", "bar", "area")
_SINGLE_MEASURE = ("pie", "donut", "treemap")


class ChartTile(TileBase):
    """A chart: column, bar, line, area, pie, donut, scatter, combo (bar + line) or treemap.

    `dimension` is the category axis (point labels for scatter, slices for pie); `series`
    splits the values into several coloured series (the parent level for a treemap).
    """

    kind: Literal["chart"] = "chart"
    chart: ChartType
    dataset: int = Field(ge=1, le=MAX_ID)
    dimension: GroupField
    series: GroupField | None = None
    measures: list[ValueField] = Field(min_length=1, max_length=10)
    secondary: list[ValueField] = Field(default_factory=list, max_length=5)
    """Combo only: measures drawn as lines on a second axis."""
    x_measure: ValueField | None = None
    """Scatter only: the horizontal value (`measures[0]` is the vertical one)."""
    size_measure: ValueField | None = None
    """Scatter only: bubble size."""
    mode: Literal["grouped", "stacked", "percent"] = "grouped"
    """Column, bar and area: side by side, stacked, or stacked to 100 %."""
    markers: bool = False
    sort: Literal["none", "value_desc", "value_asc", "label"] = "none"
    top_n: int | None = Field(default=None, ge=1, le=100)
    others: bool = True
    """With `top_n`: gather the remaining categories into one "Autres" category."""
    palette: Palette = "okabe_ito"
    x_title: ShortText | None = None
    y_title: ShortText | None = None
    y2_title: ShortText | None = None
    number_format: NumberFormat = Field(default_factory=NumberFormat)
    show_values: bool = False
    reference_line: ReferenceLine | None = None
    filters: list[Filter] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _options_fit_chart(self) -> ChartTile:
        chart = self.chart
        if chart != "combo" and self.secondary:
            raise spec_error("spec.secondary_not_combo", chart=chart)
        if chart == "combo" and not self.secondary:
            raise spec_error("spec.combo_needs_secondary")
        if chart != "scatter" and (self.x_measure or self.size_measure):
            raise spec_error("spec.scatter_options_only", chart=chart)
        if chart == "scatter" and self.x_measure is None:
            raise spec_error("spec.scatter_needs_x")
        if self.mode != "grouped" and chart not in _STACKABLE:
            raise spec_error("spec.mode_not_stackable", mode=self.mode, chart=chart)
        if self.markers and chart not in ("line", "area", "combo"):
            raise spec_error("spec.markers_not_line", chart=chart)
        if chart in _SINGLE_MEASURE and len(self.measures) != 1:
            raise spec_error("spec.single_measure", chart=chart)
        if chart in ("pie", "donut") and self.series is not None:
            raise spec_error("spec.no_series", chart=chart)
        if self.series is not None and len(self.measures) > 1 and chart != "treemap":
            raise spec_error("spec.series_or_measures")
        if chart == "scatter" and len(self.measures) != 1:
            raise spec_error("spec.scatter_one_measure")
        self._check_top_n()
        _unique([v.key for v in self._all_values()], "spec.measure_twice")
        return self

    def _check_top_n(self) -> None:
        if self.top_n is None:
            return
        if self.dimension.grain is not None:
            raise spec_error("spec.top_n_time")
        if self.chart == "scatter":
            raise spec_error("spec.top_n_scatter")
        if self.others:
            bad = [v.key for v in self._all_values() if v.agg not in ADDITIVE_AGGREGATES]
            if bad:
                raise spec_error("spec.others_not_additive", measure=bad[0])

    def _all_values(self) -> list[ValueField]:
        extra = [v for v in (self.x_measure, self.size_measure) if v is not None]
        return [*self.measures, *self.secondary, *extra]

    def queries(self) -> dict[str, Query]:
        """`{"data": ...}`: grouped by the dimension (and series), every measure aggregated."""
        dims = [self.dimension.dimension]
        if self.series is not None:
            dims.append(self.series.dimension)
        sort = [Sort(field=self.dimension.key)] if self.dimension.grain else []
        return {
            "data": Query(
                dataset=self.dataset,
                dimensions=dims,
                measures=[v.measure for v in self._all_values()],
                filters=self.filters,
                sort=sort,
                limit=5000,
            )
        }


# --- map -----------------------------------------------------------------------------------


class Boundaries(SpecModel):
    """A boundary dataset: one row per territory with its code, name and GeoJSON geometry."""

    dataset: int = Field(ge=1, le=MAX_ID)
    code_field: FieldName
    name_field: FieldName
    geometry_field: FieldName = "geometry"


class Classification(SpecModel):
    """How values are cut into coloured classes."""

    method: Literal["quantiles", "equal", "manual"] = "quantiles"
    classes: int = Field(default=5, ge=2, le=9)
    breaks: list[float] = Field(default_factory=list, max_length=8)
    """Manual only: inner class limits, increasing (n breaks give n + 1 classes)."""

    @model_validator(mode="after")
    def _breaks_fit_method(self) -> Classification:
        if self.method == "manual":
            if not self.breaks:
                raise spec_error("spec.manual_needs_break")
            if any(b >= a for a, b in zip(self.breaks[1:], self.breaks, strict=False)):
                raise spec_error("spec.breaks_increasing")
        elif self.breaks:
            raise spec_error("spec.breaks_not_manual", method=self.method)
        return self


class MapTile(TileBase):
    """A map: a choropleth of a measure by territory, or points with optional clustering.

    Choropleth: `code_field` (in `dataset`) is joined to `boundaries.code_field`.
    Points: either `lat_field` + `lon_field`, or `geometry_field` holding GeoJSON points.
    """

    kind: Literal["map"] = "map"
    layer: Literal["choropleth", "points"] = "choropleth"
    dataset: int = Field(ge=1, le=MAX_ID)
    measure: ValueField | None = None
    filters: list[Filter] = Field(default_factory=list, max_length=50)
    number_format: NumberFormat = Field(default_factory=NumberFormat)
    palette: SequentialPalette = "blues"
    legend: bool = True
    # choropleth
    code_field: FieldName | None = None
    boundaries: Boundaries | None = None
    classification: Classification = Field(default_factory=Classification)
    # points
    lat_field: FieldName | None = None
    lon_field: FieldName | None = None
    geometry_field: FieldName | None = None
    label_field: FieldName | None = None
    cluster: bool = False
    size_by_value: bool = False
    color_by_value: bool = False

    @model_validator(mode="after")
    def _layer_fields(self) -> MapTile:
        if self.layer == "choropleth":
            self._check_choropleth()
        else:
            self._check_points()
        return self

    def _check_choropleth(self) -> None:
        missing = [n for n in ("code_field", "boundaries", "measure") if getattr(self, n) is None]
        if missing:
            raise spec_error(
                "spec.choropleth_needs", missing=", ".join(repr(m) for m in missing)
            )
        point_opts = ("lat_field", "lon_field", "geometry_field", "label_field")
        extra = [n for n in point_opts if getattr(self, n) is not None]
        if extra or self.cluster or self.size_by_value or self.color_by_value:
            raise spec_error("spec.choropleth_no_points")

    def _check_points(self) -> None:
        has_latlon = self.lat_field is not None and self.lon_field is not None
        if (self.lat_field is None) != (self.lon_field is None):
            raise spec_error("spec.points_latlon_pair")
        if has_latlon == (self.geometry_field is not None):
            raise spec_error("spec.points_need_place")
        if self.code_field is not None or self.boundaries is not None:
            raise spec_error("spec.points_no_choropleth")
        if (self.size_by_value or self.color_by_value) and self.measure is None:
            raise spec_error("spec.points_value_needs_measure")
        if self.cluster and (self.size_by_value or self.color_by_value):
            raise spec_error("spec.points_cluster_no_value")

    def point_fields(self) -> list[str]:
        """Fields that place and name a point, in result column order."""
        if self.geometry_field is not None:
            place = [self.geometry_field]
        else:
            place = [self.lat_field or "", self.lon_field or ""]
        return place + ([self.label_field] if self.label_field else [])

    def queries(self) -> dict[str, Query]:
        """Choropleth: `values` (code, measure) and `boundaries` (code, name, geometry).

        Points: `points`, grouped by the placing fields (and label), with the measure if any.
        """
        measures = [self.measure.measure] if self.measure else []
        if self.layer == "points":
            return {"points": Query(
                dataset=self.dataset,
                dimensions=[Dimension(field=f) for f in self.point_fields()],
                measures=measures, filters=self.filters, limit=10_000,
            )}
        assert self.boundaries is not None and self.code_field is not None
        b = self.boundaries
        return {
            "values": Query(
                dataset=self.dataset, dimensions=[Dimension(field=self.code_field)],
                measures=measures, filters=self.filters, limit=MAX_LIMIT,
            ),
            "boundaries": Query(
                dataset=b.dataset,
                dimensions=[Dimension(field=f) for f in (b.code_field, b.name_field,
                                                         b.geometry_field)],
                limit=MAX_LIMIT,
            ),
        }


# --- KPI -----------------------------------------------------------------------------------


class ReferenceTerritory(SpecModel):
    """A territory the KPI is compared with, e.g. France or the region."""

    field: FieldName
    value: Scalar
    label: ShortText | None = None


class KpiTile(TileBase):
    """A key figure: its latest value, its change, a comparison, a target and a sparkline."""

    kind: Literal["kpi"] = "kpi"
    dataset: int = Field(ge=1, le=MAX_ID)
    measure: ValueField
    period_field: FieldName
    grain: Grain = "month"
    compare: Literal["none", "previous", "year_ago"] = "previous"
    """Change vs the previous period, or vs the same period a year earlier."""
    good_direction: Literal["up", "down", "neutral"] = "up"
    """Whether a rise is good news (green) for this indicator, bad (red), or neither."""
    change_as: Literal["percent", "absolute"] = "percent"
    number_format: NumberFormat = Field(default_factory=NumberFormat)
    reference: ReferenceTerritory | None = None
    target: float | None = None
    target_label: ShortText | None = None
    sparkline: bool = True
    sparkline_points: int = Field(default=12, ge=2, le=120)
    filters: list[Filter] = Field(default_factory=list, max_length=50)

    def history_length(self) -> int:
        """Number of latest periods the tile needs to draw its change and sparkline."""
        year = {"day": 366, "week": 53, "month": 12, "quarter": 4, "year": 1}[self.grain]
        needed = 2 if self.compare == "previous" else year + 1
        return max(needed, self.sparkline_points if self.sparkline else 1)

    def queries(self) -> dict[str, Query]:
        """`series`: the measure by period, latest first; `reference` when compared.

        The reference query is the same series with the tile's filters on the territory
        field replaced by `field = value`.
        """
        base = Query(
            dataset=self.dataset,
            dimensions=[Dimension(field=self.period_field, grain=self.grain)],
            measures=[self.measure.measure],
            filters=self.filters,
            sort=[Sort(field=self.period_field, desc=True)],
            limit=self.history_length(),
        )
        out = {"series": base}
        if self.reference is not None:
            ref = self.reference
            filters = [f for f in self.filters if f.field != ref.field]
            filters.append(Filter(field=ref.field, op="=", value=ref.value))
            out["reference"] = base.model_copy(update={"filters": filters})
        return out


# --- table ---------------------------------------------------------------------------------


class ColorRule(SpecModel):
    """Colour a cell whose value meets a condition (first matching rule wins)."""

    op: Literal["<", "<=", ">", ">=", "=", "!=", "between"]
    value: float | list[float]
    background: HexColor
    color: HexColor | None = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> ColorRule:
        if self.op == "between":
            if not isinstance(self.value, list) or len(self.value) != 2:
                raise spec_error("spec.rule_between_two")
        elif isinstance(self.value, list):
            raise spec_error("spec.rule_one_number", op=self.op)
        return self


class TableColumn(SpecModel):
    """One table column: a grouping field (no `agg`) or a measure (with `agg`)."""

    field: FieldName | None = None
    agg: Aggregate | None = None
    grain: Grain | None = None
    label: ShortText | None = None
    number_format: NumberFormat = Field(default_factory=NumberFormat)
    colors: list[ColorRule] = Field(default_factory=list, max_length=10)
    width: int | None = Field(default=None, ge=40, le=1000)

    @model_validator(mode="after")
    def _shape(self) -> TableColumn:
        if self.agg is None:
            if self.field is None:
                raise spec_error("spec.group_column_needs_field")
            if self.colors:
                raise spec_error("spec.colors_measure_only")
        else:
            if self.grain is not None:
                raise spec_error("spec.grain_group_only")
            if self.field is None and self.agg != "count":
                raise spec_error("spec.agg_needs_field", agg=self.agg)
        return self

    @property
    def is_measure(self) -> bool:
        """True when the column aggregates values."""
        return self.agg is not None

    @property
    def key(self) -> str:
        """Column name of this column in a query result."""
        if self.agg is None:
            return self.field or ""
        return Measure(field=self.field, agg=self.agg).key


class TableTile(TileBase):
    """A table of aggregated rows: sortable, paginated, with colours and a totals row."""

    kind: Literal["table"] = "table"
    dataset: int = Field(ge=1, le=MAX_ID)
    columns: list[TableColumn] = Field(min_length=1, max_length=30)
    sortable: bool = True
    page_size: int | None = Field(default=20, ge=5, le=500)
    """Rows per page; `None` shows all rows without pagination."""
    totals: bool = False
    """Add a totals row (sums and counts are added up; other aggregates are left blank)."""
    sort: list[Sort] = Field(default_factory=list, max_length=5)
    filters: list[Filter] = Field(default_factory=list, max_length=50)
    limit: int = Field(default=1000, ge=1, le=10_000)

    @field_validator("columns")
    @classmethod
    def _unique_columns(cls, columns: list[TableColumn]) -> list[TableColumn]:
        _unique([c.key for c in columns], "spec.column_twice")
        return columns

    @model_validator(mode="after")
    def _sort_by_column(self) -> TableTile:
        keys = [c.key for c in self.columns]
        for s in self.sort:
            if s.field not in keys:
                raise spec_error(
                    "spec.table_sort_unknown", field=s.field, columns=", ".join(keys)
                )
        return self

    def queries(self) -> dict[str, Query]:
        """`{"rows": ...}`: grouped by the grouping columns, every measure column aggregated."""
        return {"rows": Query(
            dataset=self.dataset,
            dimensions=[Dimension(field=c.field or "", grain=c.grain)
                        for c in self.columns if not c.is_measure],
            measures=[Measure(field=c.field, agg=c.agg or "count")
                      for c in self.columns if c.is_measure],
            filters=self.filters, sort=self.sort, limit=self.limit,
        )}


# --- text ----------------------------------------------------------------------------------

PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,59})\s*\}\}")


class TextValue(SpecModel):
    """A live value named in the text as `{{name}}`."""

    name: PlaceholderName
    field: FieldName | None = None
    agg: Aggregate = "sum"
    number_format: NumberFormat = Field(default_factory=NumberFormat)

    @model_validator(mode="after")
    def _field_required(self) -> TextValue:
        if self.field is None and self.agg != "count":
            raise spec_error("spec.agg_needs_field", agg=self.agg)
        return self

    @property
    def key(self) -> str:
        """Column name of this value in a query result."""
        return Measure(field=self.field, agg=self.agg).key


class TextTile(TileBase):
    """Markdown text, with `{{name}}` placeholders filled with live values from one query."""

    kind: Literal["text"] = "text"
    markdown: str = Field(max_length=20_000)
    dataset: int | None = Field(default=None, ge=1, le=MAX_ID)
    values: list[TextValue] = Field(default_factory=list, max_length=30)
    filters: list[Filter] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _values_need_dataset(self) -> TextTile:
        if self.values and self.dataset is None:
            raise spec_error("spec.values_need_dataset")
        _unique([v.name for v in self.values], "spec.placeholder_twice")
        _unique([v.key for v in self.values], "spec.measure_twice")
        return self

    def placeholders(self) -> list[str]:
        """Names of the placeholders written in the text, in order of first use."""
        return list(dict.fromkeys(PLACEHOLDER_RE.findall(self.markdown)))

    def queries(self) -> dict[str, Query]:
        """`{"values": ...}` (one row, one column per value), or nothing for plain text."""
        if not self.values or self.dataset is None:
            return {}
        return {"values": Query(
            dataset=self.dataset,
            measures=[Measure(field=v.field, agg=v.agg) for v in self.values],
            filters=self.filters, limit=1,
        )}


# --- union and form slots ------------------------------------------------------------------

Tile = Annotated[
    ChartTile | MapTile | KpiTile | TableTile | TextTile, Field(discriminator="kind")
]
TILE_ADAPTER: TypeAdapter[Tile] = TypeAdapter(Tile)
TILE_KINDS: tuple[str, ...] = ("chart", "map", "kpi", "table", "text")

_ANY: tuple[str, ...] = ("text", "integer", "decimal", "date", "datetime", "boolean",
                         *GEO_CODE_TYPES)

FORM_SLOTS: dict[str, dict[str, tuple[str, ...]]] = {
    "chart": {
        "dimension": CATEGORY_TYPES,
        "series": CATEGORY_TYPES,
        "measures": NUMERIC_TYPES,
        "secondary": NUMERIC_TYPES,
        "x_measure": NUMERIC_TYPES,
        "size_measure": NUMERIC_TYPES,
    },
    "map": {
        "code_field": GEO_CODE_SLOT_TYPES,
        "measure": NUMERIC_TYPES,
        "boundaries.code_field": GEO_CODE_SLOT_TYPES,
        "boundaries.name_field": ("text",),
        "boundaries.geometry_field": ("geometry", "text"),
        "lat_field": ("decimal",),
        "lon_field": ("decimal",),
        "geometry_field": ("geometry", "text"),
        "label_field": ("text", *GEO_CODE_TYPES),
    },
    "kpi": {
        "measure": NUMERIC_TYPES,
        "period_field": TIME_TYPES,
        "reference.field": (*GEO_CODE_TYPES, "text"),
    },
    "table": {
        "columns.group": CATEGORY_TYPES,
        "columns.measure": NUMERIC_TYPES,
    },
    "text": {
        "values": NUMERIC_TYPES,
    },
}
"""Field types each form slot accepts, by tile kind (measure slots assume a numeric
aggregate; `count` and `count_distinct` accept any field, see `accepted_field_types`)."""


def accepted_field_types(kind: str, slot: str, agg: str | None = None) -> tuple[str, ...]:
    """Field types a tile's form slot accepts; counting aggregates accept every type.

    Raises `KeyError` for an unknown kind or slot.
    """
    types = FORM_SLOTS[kind][slot]
    if agg in ("count", "count_distinct") and types == NUMERIC_TYPES:
        return _ANY
    return types


def fields_for_slot(
    kind: str, slot: str, schema: dict[str, str], agg: str | None = None
) -> list[str]:
    """Names of the fields of `schema` (name -> field type) that fit a form slot, in order."""
    types = accepted_field_types(kind, slot, agg)
    return [name for name, ftype in schema.items() if ftype in types]
