"""The `DashboardSpec`: tiles, their places on a 12-column grid, sections (tabs) and filters.

A dashboard is data: it loads from JSON with `load_dashboard`, which first migrates a spec
saved by an older Studio (`schema_version`) and then validates it strictly, so a typo, a
tile placed twice or a filter default of the wrong shape is a precise error on load.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from studio.spec.base import MAX_ID, SCHEMA_VERSION, SpecModel
from studio.spec.messages import SpecMessageError, shown, spec_error
from studio.spec.query import FIELD_TYPES, GEO_CODE_TYPES, FieldName, Filter, Scalar
from studio.spec.tiles import ShortText, Tile, TileId

GRID_COLUMNS = 12
MAX_GRID_ROWS = 1000
MAX_TILES = 100
MAX_FILTERS = 20
MAX_CHOICES = 500
"""Most values a multiple choice (or territory) filter takes at once."""
MAX_TEXT_VALUE = 200

FilterId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")]
SectionId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")]
PeriodGrain = Literal["month", "quarter", "year"]

DATE_TYPES: tuple[str, ...] = ("date", "datetime")
CHOICE_TYPES: tuple[str, ...] = tuple(t for t in FIELD_TYPES if t != "geometry")
TERRITORY_CODE_RE = re.compile(r"^[0-9A-Za-z]{1,10}$")


class FilterValueError(SpecMessageError):
    """A filter value of the wrong shape (forged URL, stale bookmark, bad default).

    `key` is a `filter.*` message of `studio.spec.messages`; `message(locale)` says it.
    """

    def __init__(self, filter_id: str, key: str, /, **params: Any) -> None:
        super().__init__(key, filter=filter_id, **params)
        self.filter_id = filter_id


class SpecVersionError(SpecMessageError):
    """A spec whose `schema_version` this Studio cannot read."""


# --- grid and sections ---------------------------------------------------------------------


class GridItem(SpecModel):
    """Where one tile sits on the 12-column grid (x, w in columns; y, h in rows).

    Rows are counted within the tile's section (each tab is its own grid). Overlaps are not
    refused here: the grid component packs tiles, and a phone stacks them anyway.
    """

    tile: TileId
    x: int = Field(ge=0, lt=GRID_COLUMNS)
    y: int = Field(ge=0, lt=MAX_GRID_ROWS)
    w: int = Field(default=6, ge=1, le=GRID_COLUMNS)
    h: int = Field(default=4, ge=1, le=40)

    @model_validator(mode="after")
    def _inside_grid(self) -> GridItem:
        if self.x + self.w > GRID_COLUMNS:
            raise spec_error(
                "spec.grid_overflow", tile=self.tile, x=self.x, w=self.w, columns=GRID_COLUMNS
            )
        return self


class Section(SpecModel):
    """A tab of the dashboard and the tiles it shows."""

    id: SectionId
    title: ShortText = ""
    tiles: list[TileId] = Field(default_factory=list, max_length=MAX_TILES)


# --- dashboard filters ---------------------------------------------------------------------


class FilterBase(SpecModel):
    """What every dashboard filter has: the field it filters and where it applies.

    Values are "cleaned" by `clean` (raises FilterValueError on a bad shape); a cleaned
    value of `None` means "no filter". `default` is the value used when the URL says nothing.
    """

    id: FilterId
    label: ShortText = ""
    field: FieldName
    default: Any = None
    datasets: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        default=None, max_length=100
    )
    """Restrict the filter to these datasets; `None` reaches every dataset with the field."""

    field_types: ClassVar[tuple[str, ...]] = CHOICE_TYPES
    """Field types this kind of filter applies to."""

    @model_validator(mode="after")
    def _default_fits(self) -> FilterBase:
        self.clean(self.default)
        return self

    def clean(self, raw: Any) -> Any:
        """The value in canonical form, `None` for "no filter"; FilterValueError if bad."""
        raise NotImplementedError

    def conditions(self, value: Any, field_type: str) -> list[Filter]:
        """The query filters for a cleaned, non-None value on a field of `field_type`."""
        raise NotImplementedError

    def _fail(self, key: str, /, **params: Any) -> FilterValueError:
        return FilterValueError(self.id, key, **params)

    def _scalar(self, raw: Any) -> Scalar:
        if isinstance(raw, str):
            if len(raw) > MAX_TEXT_VALUE:
                raise self._fail("filter.value_too_long", max=MAX_TEXT_VALUE)
            return raw
        if isinstance(raw, bool | int | float) and raw == raw:  # NaN is no value
            return raw
        if isinstance(raw, date):
            return raw.isoformat()
        raise self._fail("filter.value_type", type=type(raw).__name__)

    def _choices(self, raw: Any, item: Callable[[Any], Any]) -> list[Any] | None:
        if raw is None or raw == "" or raw == []:
            return None
        items = raw if isinstance(raw, list | tuple) else [raw]
        if len(items) > MAX_CHOICES:
            raise self._fail("filter.too_many", max=MAX_CHOICES, count=len(items))
        return list(dict.fromkeys(item(v) for v in items))


class SelectFilter(FilterBase):
    """One value chosen in a dropdown: `field = value`."""

    kind: Literal["select"] = "select"

    def clean(self, raw: Any) -> Scalar | None:
        """The chosen value, or None."""
        if raw is None or raw == "":
            return None
        return self._scalar(raw)

    def conditions(self, value: Any, field_type: str) -> list[Filter]:
        """`field = value`."""
        return [Filter(field=self.field, op="=", value=value)]


class MultiSelectFilter(FilterBase):
    """Several values chosen in a list: `field in values`."""

    kind: Literal["multi_select"] = "multi_select"

    def clean(self, raw: Any) -> list[Scalar] | None:
        """The chosen values without repeats (a single value is a list of one), or None."""
        return self._choices(raw, self._scalar)

    def conditions(self, value: Any, field_type: str) -> list[Filter]:
        """`field in values`."""
        return [Filter(field=self.field, op="in", value=list(value))]


class TerritoryFilter(FilterBase):
    """Territories chosen by their INSEE code, on a field typed as a geographic code."""

    kind: Literal["territory"] = "territory"
    field_types: ClassVar[tuple[str, ...]] = GEO_CODE_TYPES

    def clean(self, raw: Any) -> list[str] | None:
        """The chosen codes as text (leading zeros kept), or None."""
        return self._choices(raw, self._code)

    def _code(self, raw: Any) -> str:
        if not isinstance(raw, str) or not TERRITORY_CODE_RE.match(raw):
            raise self._fail("filter.bad_territory", value=shown(raw))
        return raw.upper()

    def conditions(self, value: Any, field_type: str) -> list[Filter]:
        """`field = code` for one territory, `field in codes` for several."""
        if len(value) == 1:
            return [Filter(field=self.field, op="=", value=value[0])]
        return [Filter(field=self.field, op="in", value=list(value))]


class DateFilterBase(FilterBase):
    """A filter on a date or datetime field, expressed as an inclusive range of days."""

    field_types: ClassVar[tuple[str, ...]] = DATE_TYPES

    def bounds(self, value: Any) -> tuple[date | None, date | None]:
        """First and last day (inclusive; None is open) of a cleaned, non-None value."""
        raise NotImplementedError

    def conditions(self, value: Any, field_type: str) -> list[Filter]:
        """The range of days as query filters (see `date_range_filters`)."""
        start, end = self.bounds(value)
        return date_range_filters(self.field, start, end, field_type)


class DateRangeFilter(DateFilterBase):
    """A range of days, either end open: `[start, end]` as ISO dates (or None)."""

    kind: Literal["date_range"] = "date_range"

    def clean(self, raw: Any) -> list[str | None] | None:
        """`[start, end]` as ISO dates (None for an open end), or None for no range.

        Also reads the URL form `"2024-01-01..2024-06-30"` (either side may be empty).
        """
        if raw is None or raw == "" or raw == []:
            return None
        if isinstance(raw, str):
            raw = raw.split("..") if ".." in raw else None
        if not isinstance(raw, list | tuple) or len(raw) != 2:
            raise self._fail("filter.range_shape")
        start, end = (self._day(v) for v in raw)
        if start is None and end is None:
            return None
        if start is not None and end is not None and start > end:
            raise self._fail("filter.range_reversed", start=start, end=end)
        return [d.isoformat() if d else None for d in (start, end)]

    def _day(self, raw: Any) -> date | None:
        if raw is None or raw == "":
            return None
        day = parse_day(raw)
        if day is None:
            raise self._fail("filter.bad_date", value=shown(raw))
        return day

    def bounds(self, value: Any) -> tuple[date | None, date | None]:
        """The range's ends as dates."""
        start, end = value
        return (
            date.fromisoformat(start) if start else None,
            date.fromisoformat(end) if end else None,
        )


class PeriodFilter(DateFilterBase):
    """One month, quarter or year; its value is the period's first day as an ISO date.

    The first day is what a query grouped by that grain returns, so the choices of the
    dropdown and the value in the URL are the same text. `clean` also reads "2024",
    "2024-03", "2024-T1" / "2024-Q1" and any day inside the period.
    """

    kind: Literal["period"] = "period"
    grain: PeriodGrain = "month"

    def clean(self, raw: Any) -> str | None:
        """The first day of the period, as an ISO date, or None."""
        if raw is None or raw == "":
            return None
        day = parse_period(raw)
        if day is None:
            raise self._fail("filter.bad_period", value=shown(raw))
        return period_start(day, self.grain).isoformat()

    def bounds(self, value: Any) -> tuple[date | None, date | None]:
        """First and last day of the period."""
        start = date.fromisoformat(value)
        return start, period_end(start, self.grain)


DashboardFilter = Annotated[
    SelectFilter | MultiSelectFilter | DateRangeFilter | PeriodFilter | TerritoryFilter,
    Field(discriminator="kind"),
]
FILTER_KINDS: tuple[str, ...] = ("select", "multi_select", "date_range", "period", "territory")


def date_range_filters(
    field: str, start: date | None, end: date | None, field_type: str
) -> list[Filter]:
    """Query filters keeping the days from `start` to `end` (inclusive, None is open).

    On a date field both ends are given as `between [start, end]` (or `>=` / `<=` for an
    open end). On a datetime field the end is `< the next day`, so the last day's hours
    are kept.
    """
    if field_type == "datetime":
        out = [] if start is None else [Filter(field=field, op=">=", value=start.isoformat())]
        if end is not None:
            out.append(Filter(field=field, op="<", value=(end + timedelta(days=1)).isoformat()))
        return out
    if start is not None and end is not None:
        return [Filter(field=field, op="between", value=[start.isoformat(), end.isoformat()])]
    if start is not None:
        return [Filter(field=field, op=">=", value=start.isoformat())]
    return [] if end is None else [Filter(field=field, op="<=", value=end.isoformat())]


# --- periods -------------------------------------------------------------------------------

_PERIOD_RE = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|[TQ]([1-4]))(?:-(\d{1,2}))?)?$", re.I)


def parse_day(raw: Any) -> date | None:
    """The date of an ISO text (`YYYY-MM-DD`, a time part is ignored) or date, else None."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def parse_period(raw: Any) -> date | None:
    """A day inside the period written as `2024`, `2024-03`, `2024-T1`, `2024-Q1` or a date."""
    day = parse_day(raw)
    if day is not None or not isinstance(raw, str):
        return day
    match = _PERIOD_RE.match(raw.strip())
    if not match or match.group(4):
        return None
    year, month, quarter = match.group(1), match.group(2), match.group(3)
    month_number = int(month) if month else (int(quarter) - 1) * 3 + 1 if quarter else 1
    if not 1 <= month_number <= 12 or int(year) < 1:
        return None
    return date(int(year), month_number, 1)


def period_start(day: date, grain: str) -> date:
    """First day of the day, week (Monday), month, quarter or year that holds `day`."""
    if grain == "year":
        return date(day.year, 1, 1)
    if grain == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "day":
        return day
    return date(day.year, day.month, 1)


def period_end(start: date, grain: str) -> date:
    """Last day of the period of this grain that begins on `start`."""
    if grain in ("day", "week"):
        return start + timedelta(days=0 if grain == "day" else 6)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


# --- the dashboard -------------------------------------------------------------------------


class DashboardSpec(SpecModel):
    """A dashboard: tiles placed on a 12-column grid, split into sections, with filters.

    After validation every tile is in exactly one section: with no sections given there is
    one section holding every tile, and a tile listed in no section joins the first one.
    """

    schema_version: int = SCHEMA_VERSION
    title: ShortText = Field(min_length=1)
    description: Annotated[str, Field(max_length=2000)] = ""
    tiles: list[Tile] = Field(default_factory=list, max_length=MAX_TILES)
    layout: list[GridItem] = Field(default_factory=list, max_length=MAX_TILES)
    sections: list[Section] = Field(default_factory=list, max_length=20)
    filters: list[DashboardFilter] = Field(default_factory=list, max_length=MAX_FILTERS)

    @field_validator("schema_version")
    @classmethod
    def _current_version(cls, version: int) -> int:
        if version != SCHEMA_VERSION:
            raise spec_error(
                "spec.version_current", version=SCHEMA_VERSION, loader="load_dashboard"
            )
        return version

    @field_validator("tiles")
    @classmethod
    def _unique_tile_ids(cls, tiles: list[Tile]) -> list[Tile]:
        _no_repeats([t.id for t in tiles], "spec.tile_id_twice")
        return tiles

    @field_validator("filters")
    @classmethod
    def _unique_filter_ids(cls, filters: list[DashboardFilter]) -> list[DashboardFilter]:
        _no_repeats([f.id for f in filters], "spec.filter_id_twice")
        return filters

    @field_validator("sections")
    @classmethod
    def _unique_section_ids(cls, sections: list[Section]) -> list[Section]:
        _no_repeats([s.id for s in sections], "spec.section_id_twice")
        return sections

    @model_validator(mode="after")
    def _layout_and_sections(self) -> DashboardSpec:
        ids = [t.id for t in self.tiles]
        _check_layout(ids, self.layout)
        _check_sections(ids, self.sections)
        # Set through __dict__: assigning would validate the whole model again.
        self.__dict__["sections"] = _complete_sections(ids, self.sections)
        return self

    def tile(self, tile_id: str) -> Tile | None:
        """The tile with this id, or None."""
        return next((t for t in self.tiles if t.id == tile_id), None)

    def grid_item(self, tile_id: str) -> GridItem:
        """Where the tile sits on the grid (every tile has a place once validated)."""
        return next(item for item in self.layout if item.tile == tile_id)

    def section_of(self, tile_id: str) -> Section:
        """The section showing the tile."""
        return next(s for s in self.sections if tile_id in s.tiles)

    def filter(self, filter_id: str) -> DashboardFilter | None:
        """The dashboard filter with this id, or None."""
        return next((f for f in self.filters if f.id == filter_id), None)


def _no_repeats(keys: list[str], message: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise spec_error(message, key=key)
        seen.add(key)


def _check_layout(tile_ids: list[str], layout: list[GridItem]) -> None:
    known = set(tile_ids)
    placed: set[str] = set()
    for item in layout:
        if item.tile not in known:
            raise spec_error("spec.layout_unknown_tile", tile=item.tile)
        if item.tile in placed:
            raise spec_error("spec.layout_tile_twice", tile=item.tile)
        placed.add(item.tile)
    missing = [tid for tid in tile_ids if tid not in placed]
    if missing:
        raise spec_error("spec.layout_tile_unplaced", tile=missing[0])


def _check_sections(tile_ids: list[str], sections: list[Section]) -> None:
    known = set(tile_ids)
    seen: dict[str, str] = {}
    for section in sections:
        for tid in section.tiles:
            if tid not in known:
                raise spec_error("spec.section_unknown_tile", section=section.id, tile=tid)
            if tid in seen:
                raise spec_error(
                    "spec.tile_two_sections", tile=tid, first=seen[tid], second=section.id
                )
            seen[tid] = section.id


def _complete_sections(tile_ids: list[str], sections: list[Section]) -> list[Section]:
    if not sections:
        return [Section(id="main", title="", tiles=list(tile_ids))]
    listed = {tid for s in sections for tid in s.tiles}
    orphans = [tid for tid in tile_ids if tid not in listed]
    if not orphans:
        return sections
    first = sections[0].model_copy(update={"tiles": [*sections[0].tiles, *orphans]})
    return [first, *sections[1:]]


def stacked_order(dashboard: DashboardSpec, section_id: str | None = None) -> list[str]:
    """Tile ids in the order they stack on a phone: by row (y), then column (x).

    With `section_id`, only that section's tiles; otherwise every tile, section by section.
    """
    sections = [s for s in dashboard.sections if section_id in (None, s.id)]
    places = {item.tile: item for item in dashboard.layout}
    return [
        tid for s in sections for tid in sorted(s.tiles, key=lambda t: (places[t].y, places[t].x))
    ]


# --- loading and migrations ----------------------------------------------------------------


def _v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    """v0 (before Studio 1.0) named a grid item's tile `i`, as react-grid-layout does."""
    layout = data.get("layout", [])
    if isinstance(layout, list):
        data["layout"] = [_rename(item, "i", "tile") for item in layout]
    return data


def _rename(item: Any, old: str, new: str) -> Any:
    if not isinstance(item, dict) or old not in item or new in item:
        return item
    return {(new if key == old else key): value for key, value in item.items()}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _v0_to_v1}
"""`MIGRATIONS[n]` turns a version-n spec into a version-(n + 1) spec."""


def migrate_spec(
    data: dict[str, Any],
    migrations: dict[int, Callable[[dict[str, Any]], dict[str, Any]]],
    noun: str,
) -> dict[str, Any]:
    """A copy of a raw `noun` spec brought up to SCHEMA_VERSION by `migrations`.

    A spec without `schema_version` is taken as current; SpecVersionError if impossible.
    """
    version = data.get("schema_version", SCHEMA_VERSION)
    if isinstance(version, bool) or not isinstance(version, int):
        raise SpecVersionError("spec.version_not_int", version=shown(version))
    if version > SCHEMA_VERSION:
        raise SpecVersionError(
            f"spec.version_newer.{noun}", version=version, current=SCHEMA_VERSION
        )
    if version < min(migrations, default=SCHEMA_VERSION):
        raise SpecVersionError("spec.version_too_old", version=version)
    out = dict(data)
    for step in range(version, SCHEMA_VERSION):
        out = migrations[step](out)
    out["schema_version"] = SCHEMA_VERSION
    return out


def migrate_dashboard(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of the raw spec brought up to SCHEMA_VERSION; SpecVersionError if impossible.

    A spec without `schema_version` is taken as current.
    """
    return migrate_spec(data, MIGRATIONS, "dashboard")


def load_dashboard(data: dict[str, Any]) -> DashboardSpec:
    """The validated dashboard of a raw (JSON) spec, migrated from older versions first.

    Raises SpecVersionError for a version it cannot read, and pydantic's ValidationError
    (whose `errors()` locate the bad key) for anything else.
    """
    if not isinstance(data, dict):
        raise SpecVersionError("spec.not_object.dashboard")
    return DashboardSpec.model_validate(migrate_dashboard(data))


def dump_dashboard(dashboard: DashboardSpec) -> dict[str, Any]:
    """The JSON-ready form of the dashboard, as saved and exported."""
    return dashboard.model_dump(mode="json")
