"""The tile editor's form: flat form values <-> a tile spec (pure, no Dash, no database)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import ValidationError

from studio.spec import TILE_ADAPTER, Tile

FORM_DEFAULTS: dict[str, Any] = {
    "kind": "chart",
    "dataset": None,
    "title": "",
    "subtitle": "",
    "source": "",
    "notes": "",
    "chart_type": "column",
    "dimension": None,
    "grain": None,
    "series": None,
    "measures": [],
    "agg": "sum",
    "mode": "grouped",
    "sort": "none",
    "top_n": None,
    "show_values": False,
    "ref_kind": "none",
    "ref_value": None,
    "layer": "choropleth",
    "code_field": None,
    "boundary_dataset": None,
    "boundary_code": None,
    "boundary_name": None,
    "classes_method": "quantiles",
    "classes_n": 5,
    "lat": None,
    "lon": None,
    "cluster": False,
    "period_field": None,
    "compare": "previous",
    "good_direction": "up",
    "format_style": "number",
    "unit": "",
    "ref_field": None,
    "ref_territory": "",
    "target": None,
    "group_columns": [],
    "totals": False,
    "markdown": "",
}
FORM_KEYS = tuple(FORM_DEFAULTS)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _opt(value: Any) -> Any:
    return None if _blank(value) else value


def placeholder_name(field: str) -> str:
    """A placeholder name (`{{name}}`) derived from a field name: ASCII, underscores."""
    ascii_name = unicodedata.normalize("NFKD", field).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_name).strip("_") or "valeur"
    return ("_" + name if name[0].isdigit() else name)[:60]


def _values(form: dict[str, Any]) -> list[dict[str, Any]]:
    agg = form["agg"] or "sum"
    fields = form["measures"] or []
    if agg == "count" and not fields:
        return [{"field": None, "agg": "count"}]
    return [{"field": f, "agg": agg} for f in fields]


def _number_format(form: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"style": form["format_style"] or "number"}
    if form["unit"]:
        out["unit"] = str(form["unit"])[:20]
    return out


def _chart(form: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "chart": form["chart_type"] or "column",
        "dimension": {"field": form["dimension"], "grain": _opt(form["grain"])},
        "measures": _values(form),
        "sort": form["sort"] or "none",
        "show_values": bool(form["show_values"]),
        "number_format": _number_format(form),
    }
    if form["chart_type"] in ("column", "bar", "area"):
        spec["mode"] = form["mode"] or "grouped"
    if form["series"] and form["chart_type"] not in ("pie", "donut"):
        spec["series"] = {"field": form["series"]}
    if form["top_n"]:
        spec["top_n"] = int(form["top_n"])
    if form["ref_kind"] == "average":
        spec["reference_line"] = {"kind": "average"}
    elif form["ref_kind"] == "target" and form["ref_value"] is not None:
        spec["reference_line"] = {"kind": "target", "value": float(form["ref_value"])}
    return spec


def _map(form: dict[str, Any]) -> dict[str, Any]:
    measure = _values(form)[:1]
    spec: dict[str, Any] = {
        "layer": form["layer"] or "choropleth",
        "measure": measure[0] if measure else None,
        "number_format": _number_format(form),
    }
    if spec["layer"] == "points":
        spec.update(lat_field=form["lat"], lon_field=form["lon"], cluster=bool(form["cluster"]))
        if spec["measure"] is None:
            spec.pop("measure")
        return spec
    spec["code_field"] = form["code_field"]
    spec["classification"] = {
        "method": form["classes_method"] or "quantiles",
        "classes": int(form["classes_n"] or 5),
    }
    if form["boundary_dataset"]:
        spec["boundaries"] = {
            "dataset": form["boundary_dataset"],
            "code_field": form["boundary_code"],
            "name_field": form["boundary_name"],
        }
    return spec


def _kpi(form: dict[str, Any]) -> dict[str, Any]:
    measure = _values(form)[:1]
    spec: dict[str, Any] = {
        "measure": measure[0] if measure else None,
        "period_field": form["period_field"],
        "grain": form["grain"] or "month",
        "compare": form["compare"] or "previous",
        "good_direction": form["good_direction"] or "up",
        "number_format": _number_format(form),
    }
    if form["ref_field"] and not _blank(form["ref_territory"]):
        spec["reference"] = {"field": form["ref_field"], "value": str(form["ref_territory"])}
    if form["target"] is not None and form["target"] != "":
        spec["target"] = float(form["target"])
    return spec


def _table(form: dict[str, Any]) -> dict[str, Any]:
    columns = [{"field": f} for f in form["group_columns"] or []]
    if form["measures"] or form["agg"] == "count":
        columns += [dict(v, number_format=_number_format(form)) for v in _values(form)]
    return {"columns": columns, "totals": bool(form["totals"])}


def _text(form: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {"markdown": form["markdown"] or ""}
    values = [v for v in _values(form) if v["field"]]
    if values:
        spec["values"] = [
            {
                "name": placeholder_name(v["field"]),
                "field": v["field"],
                "agg": v["agg"],
                "number_format": _number_format(form),
            }
            for v in values
        ]
    if not form["dataset"] or not values:
        spec["dataset"] = None
    return spec


BUILDERS = {"chart": _chart, "map": _map, "kpi": _kpi, "table": _table, "text": _text}


def form_to_spec(tile_id: str, form: dict[str, Any]) -> dict[str, Any]:
    """The tile spec (as a dict) the form describes; validate it with `validate_tile`."""
    values = {**FORM_DEFAULTS, **{k: v for k, v in form.items() if k in FORM_DEFAULTS}}
    kind = values["kind"] if values["kind"] in BUILDERS else "chart"
    spec: dict[str, Any] = {
        "kind": kind,
        "id": tile_id,
        "title": (values["title"] or "")[:200],
        "dataset": values["dataset"],
    }
    for key in ("subtitle", "source", "notes"):
        if values[key]:
            spec[key] = values[key]
    spec.update(BUILDERS[kind](values))
    return spec


def validate_tile(spec: dict[str, Any]) -> tuple[Tile | None, list[str]]:
    """The validated tile, or None and readable problems (one per line)."""
    try:
        return TILE_ADAPTER.validate_python(spec), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"][1:]) or "tile"
            problems.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
        return None, problems


def spec_to_form(tile: Tile) -> dict[str, Any]:
    """The form values that show an existing tile in the editor."""
    data = tile.model_dump(mode="json")
    form = dict(FORM_DEFAULTS)
    form.update(
        kind=data["kind"],
        dataset=data.get("dataset"),
        title=data.get("title") or "",
        subtitle=data.get("subtitle") or "",
        source=data.get("source") or "",
        notes=data.get("notes") or "",
    )
    fmt = data.get("number_format") or {}
    form.update(format_style=fmt.get("style", "number"), unit=fmt.get("unit") or "")
    _FILLERS[data["kind"]](form, data)
    return form


def _fill_measures(form: dict[str, Any], values: list[dict[str, Any]]) -> None:
    form["measures"] = [v["field"] for v in values if v.get("field")]
    if values:
        form["agg"] = values[0].get("agg") or "sum"


def _fill_chart(form: dict[str, Any], d: dict[str, Any]) -> None:
    form.update(
        chart_type=d["chart"],
        dimension=d["dimension"]["field"],
        grain=d["dimension"].get("grain"),
        series=(d.get("series") or {}).get("field"),
        mode=d.get("mode", "grouped"),
        sort=d.get("sort", "none"),
        top_n=d.get("top_n"),
        show_values=d.get("show_values", False),
    )
    _fill_measures(form, d["measures"])
    ref = d.get("reference_line")
    if ref:
        form.update(ref_kind=ref["kind"], ref_value=ref.get("value"))


def _fill_map(form: dict[str, Any], d: dict[str, Any]) -> None:
    form.update(
        layer=d.get("layer", "choropleth"),
        code_field=d.get("code_field"),
        lat=d.get("lat_field"),
        lon=d.get("lon_field"),
        cluster=d.get("cluster", False),
    )
    _fill_measures(form, [d["measure"]] if d.get("measure") else [])
    b = d.get("boundaries") or {}
    form.update(
        boundary_dataset=b.get("dataset"),
        boundary_code=b.get("code_field"),
        boundary_name=b.get("name_field"),
    )
    c = d.get("classification") or {}
    form.update(classes_method=c.get("method", "quantiles"), classes_n=c.get("classes", 5))


def _fill_kpi(form: dict[str, Any], d: dict[str, Any]) -> None:
    _fill_measures(form, [d["measure"]])
    form.update(
        period_field=d["period_field"],
        grain=d.get("grain", "month"),
        compare=d.get("compare", "previous"),
        good_direction=d.get("good_direction", "up"),
        target=d.get("target"),
    )
    ref = d.get("reference") or {}
    form.update(ref_field=ref.get("field"), ref_territory=ref.get("value") or "")


def _fill_table(form: dict[str, Any], d: dict[str, Any]) -> None:
    cols = d["columns"]
    form["group_columns"] = [c["field"] for c in cols if not c.get("agg")]
    _fill_measures(form, [c for c in cols if c.get("agg")])
    form["totals"] = d.get("totals", False)
    measure_cols = [c for c in cols if c.get("agg")]
    if measure_cols:
        fmt = measure_cols[0].get("number_format") or {}
        form.update(format_style=fmt.get("style", "number"), unit=fmt.get("unit") or "")


def _fill_text(form: dict[str, Any], d: dict[str, Any]) -> None:
    form["markdown"] = d.get("markdown", "")
    _fill_measures(form, d.get("values") or [])
    values = d.get("values") or []
    if values:
        fmt = values[0].get("number_format") or {}
        form.update(format_style=fmt.get("style", "number"), unit=fmt.get("unit") or "")


_FILLERS = {
    "chart": _fill_chart,
    "map": _fill_map,
    "kpi": _fill_kpi,
    "table": _fill_table,
    "text": _fill_text,
}
