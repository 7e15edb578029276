"""The tile editor's form: flat form values <-> a tile spec (pure, no Dash, no database)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import ValidationError

from studio.spec import TILE_ADAPTER, Tile
from studio.spec.messages import error_message

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
    "secondary": [],
    "x_measure": None,
    "size_measure": None,
    "mode": "grouped",
    "markers": False,
    "sort": "none",
    "top_n": None,
    "others": True,
    "palette": "okabe_ito",
    "x_title": "",
    "y_title": "",
    "y2_title": "",
    "show_values": False,
    "ref_kind": "none",
    "ref_value": None,
    "ref_label": "",
    "layer": "choropleth",
    "code_field": None,
    "boundary_dataset": None,
    "boundary_code": None,
    "boundary_name": None,
    "classes_method": "quantiles",
    "classes_n": 5,
    "breaks": "",
    "map_palette": "blues",
    "legend": True,
    "lat": None,
    "lon": None,
    "label_field": None,
    "cluster": False,
    "size_by_value": False,
    "color_by_value": False,
    "period_field": None,
    "compare": "previous",
    "good_direction": "up",
    "change_as": "percent",
    "sparkline": True,
    "format_style": "number",
    "decimals": None,
    "compact": False,
    "unit": "",
    "ref_field": None,
    "ref_territory": "",
    "ref_territory_label": "",
    "target": None,
    "target_label": "",
    "group_columns": [],
    "column_settings": {},
    "totals": False,
    "page_size": 20,
    "markdown": "",
    "kept": {},
}
FORM_KEYS = tuple(FORM_DEFAULTS)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _opt(value: Any) -> Any:
    return None if _blank(value) else value


def _text(value: Any, limit: int = 200) -> str | None:
    """Stripped text cut to `limit`, or None when blank."""
    text = str(value or "").strip()[:limit]
    return text or None


def placeholder_name(field: str) -> str:
    """A placeholder name (`{{name}}`) derived from a field name: ASCII, underscores."""
    ascii_name = unicodedata.normalize("NFKD", field).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_name).strip("_") or "valeur"
    return ("_" + name if name[0].isdigit() else name)[:60]


def parse_numbers(text: Any) -> list[float | str]:
    """Numbers typed as "5 000 ; 12,5" (French or English marks), `;` between them.

    A part that is not a number is kept as its text, so that validation names it.
    """
    out: list[float | str] = []
    for part in str(text or "").split(";"):
        raw = re.sub(r"[\s\u00a0\u202f]+", "", part).replace("\u2212", "-").replace(",", ".")
        if not raw:
            continue
        try:
            out.append(float(raw))
        except ValueError:
            out.append(part.strip())
    return out


def numbers_text(values: list[float]) -> str:
    """The text `parse_numbers` reads back: "5000 ; 12,5"."""
    return " ; ".join(
        str(int(v)) if float(v).is_integer() else repr(float(v)).replace(".", ",") for v in values
    )


def _values(form: dict[str, Any], key: str = "measures") -> list[dict[str, Any]]:
    agg = form["agg"] or "sum"
    fields = form[key] or []
    if agg == "count" and not fields and key == "measures":
        return [{"field": None, "agg": "count"}]
    return [{"field": f, "agg": agg} for f in fields]


def _value(form: dict[str, Any], key: str) -> dict[str, Any] | None:
    field = form[key]
    return {"field": field, "agg": form["agg"] or "sum"} if field else None


def _number_format(form: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"style": form["format_style"] or "number"}
    if not _blank(form["decimals"]):
        out["decimals"] = form["decimals"]
    if form["compact"]:
        out["compact"] = True
    if form["unit"]:
        out["unit"] = str(form["unit"])[:20]
    return out


def _chart(form: dict[str, Any]) -> dict[str, Any]:
    chart = form["chart_type"] or "column"
    spec: dict[str, Any] = {
        "chart": chart,
        "dimension": {"field": form["dimension"], "grain": _opt(form["grain"])},
        "measures": _values(form),
        "sort": form["sort"] or "none",
        "palette": form["palette"] or "okabe_ito",
        "show_values": bool(form["show_values"]),
        "number_format": _number_format(form),
    }
    for key in ("x_title", "y_title"):
        spec[key] = _text(form[key])
    if chart in ("column", "bar", "area"):
        spec["mode"] = form["mode"] or "grouped"
    if chart in ("line", "area", "combo"):
        spec["markers"] = bool(form["markers"])
    if chart == "combo":
        spec["secondary"] = _values(form, "secondary")
        spec["y2_title"] = _text(form["y2_title"])
    if chart == "scatter":
        spec["x_measure"] = _value(form, "x_measure")
        spec["size_measure"] = _value(form, "size_measure")
    if form["series"] and chart not in ("pie", "donut"):
        spec["series"] = {"field": form["series"]}
    if form["top_n"]:
        spec["top_n"] = int(form["top_n"])
        spec["others"] = bool(form["others"])
    label = _text(form["ref_label"])
    if form["ref_kind"] == "average":
        spec["reference_line"] = {"kind": "average", "label": label}
    elif form["ref_kind"] == "target" and not _blank(form["ref_value"]):
        spec["reference_line"] = {
            "kind": "target",
            "value": float(form["ref_value"]),
            "label": label,
        }
    return spec


def _map(form: dict[str, Any]) -> dict[str, Any]:
    measure = _values(form)[:1]
    spec: dict[str, Any] = {
        "layer": form["layer"] or "choropleth",
        "measure": measure[0] if measure else None,
        "number_format": _number_format(form),
        "palette": form["map_palette"] or "blues",
        "legend": bool(form["legend"]),
        "classification": _classification(form),
    }
    if spec["layer"] == "points":
        spec.update(
            lat_field=form["lat"],
            lon_field=form["lon"],
            label_field=form["label_field"],
            cluster=bool(form["cluster"]),
            size_by_value=bool(form["size_by_value"]),
            color_by_value=bool(form["color_by_value"]),
        )
        if spec["measure"] is None:
            spec.pop("measure")
        return spec
    spec["code_field"] = form["code_field"]
    if form["boundary_dataset"]:
        spec["boundaries"] = {
            "dataset": form["boundary_dataset"],
            "code_field": form["boundary_code"],
            "name_field": form["boundary_name"],
        }
    return spec


def _classification(form: dict[str, Any]) -> dict[str, Any]:
    method = form["classes_method"] or "quantiles"
    out: dict[str, Any] = {"method": method, "classes": int(form["classes_n"] or 5)}
    if method == "manual":
        out["breaks"] = parse_numbers(form["breaks"])
    return out


def _kpi(form: dict[str, Any]) -> dict[str, Any]:
    measure = _values(form)[:1]
    spec: dict[str, Any] = {
        "measure": measure[0] if measure else None,
        "period_field": form["period_field"],
        "grain": form["grain"] or "month",
        "compare": form["compare"] or "previous",
        "good_direction": form["good_direction"] or "up",
        "change_as": form["change_as"] or "percent",
        "sparkline": bool(form["sparkline"]),
        "number_format": _number_format(form),
    }
    if form["ref_field"] and not _blank(form["ref_territory"]):
        spec["reference"] = {
            "field": form["ref_field"],
            "value": str(form["ref_territory"]),
            "label": _text(form["ref_territory_label"]),
        }
    if not _blank(form["target"]):
        spec["target"] = float(form["target"])
        spec["target_label"] = _text(form["target_label"])
    return spec


COLUMN_DEFAULTS: dict[str, Any] = {
    "label": "",
    "style": "number",
    "decimals": None,
    "unit": "",
    "rule_op": "",
    "rule_value": "",
    "rule_color": "#fde0dd",
    "more_rules": [],
}
"""Settings of one table measure column in the form (`column_settings[key]`)."""


def _rule(settings: dict[str, Any]) -> list[dict[str, Any]]:
    op = settings.get("rule_op")
    if not op:
        return []
    numbers = parse_numbers(settings.get("rule_value"))
    value: Any = numbers if op == "between" else (numbers[0] if len(numbers) == 1 else numbers)
    return [{"op": op, "value": value, "background": settings.get("rule_color") or "#fde0dd"}]


def _measure_column(value: dict[str, Any], settings: dict[str, Any] | None) -> dict[str, Any]:
    s = {**COLUMN_DEFAULTS, **(settings or {})}
    fmt: dict[str, Any] = {"style": s["style"] or "number"}
    if not _blank(s["decimals"]):
        fmt["decimals"] = s["decimals"]
    if s["unit"]:
        fmt["unit"] = str(s["unit"])[:20]
    return {
        **value,
        "label": _text(s["label"]),
        "number_format": fmt,
        "colors": _rule(s) + list(s["more_rules"] or []),
    }


def measure_key(value: dict[str, Any]) -> str:
    """Result column name of a form value (`<field>__<agg>`, or `count`)."""
    return f"{value['field']}__{value['agg']}" if value["field"] else "count"


def table_values(form: dict[str, Any]) -> list[dict[str, Any]]:
    """The value (measure) columns a table form asks for."""
    return _values(form) if (form["measures"] or form["agg"] == "count") else []


def _table(form: dict[str, Any]) -> dict[str, Any]:
    columns = [{"field": f} for f in form["group_columns"] or []]
    settings = form["column_settings"] or {}
    columns += [_measure_column(v, settings.get(measure_key(v))) for v in table_values(form)]
    return {
        "columns": columns,
        "totals": bool(form["totals"]),
        "page_size": None if _blank(form["page_size"]) else int(form["page_size"]),
    }


def _text_tile(form: dict[str, Any]) -> dict[str, Any]:
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


def placeholders(form: dict[str, Any]) -> list[str]:
    """The `{{name}}` placeholders a text form offers, one per chosen value."""
    values = {**FORM_DEFAULTS, **form}
    names = (values["kept"] or {}).get("names") or {}
    return [
        names.get(measure_key(v), placeholder_name(v["field"]))
        for v in _values(values)
        if v["field"]
    ]


BUILDERS = {"chart": _chart, "map": _map, "kpi": _kpi, "table": _table, "text": _text_tile}


def _drop_none(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec without unset options (`None` is a value for these few keys)."""
    keep = ("dataset", "measure", "page_size")
    return {k: v for k, v in spec.items() if v is not None or k in keep}


KEPT_FIELDS: dict[str, tuple[str, ...]] = {
    "chart": ("filters",),
    "map": ("filters", "geometry_field"),
    "kpi": ("filters", "sparkline_points"),
    "table": ("filters", "sortable", "sort", "limit"),
    "text": ("filters",),
}
"""Spec fields the form does not show, carried over unchanged when a tile is edited."""


def _kept(data: dict[str, Any]) -> dict[str, Any]:
    """What the form does not show of a saved tile: fields, labels, names, columns."""
    kind = data["kind"]
    labelled = [
        *data.get("measures", []),
        *data.get("secondary", []),
        data.get("measure"),
        data.get("x_measure"),
        data.get("size_measure"),
    ]
    labels = {measure_key(v): v["label"] for v in labelled if v and v.get("label")}
    for key in ("dimension", "series"):
        if data.get(key):
            labels[f"{key}:{data[key]['field']}"] = data[key].get("label")
            labels[f"{key}_grain:{data[key]['field']}"] = data[key].get("grain")
    columns = {  # measure column labels are edited in the form; group column ones are not
        (measure_key(c) if c.get("agg") else c["field"]): {
            k: c[k]
            for k in (("width",) if c.get("agg") else ("label", "grain", "width"))
            if c.get(k) is not None
        }
        for c in data.get("columns", [])
    }
    return {
        "kind": kind,
        "fields": {k: data[k] for k in KEPT_FIELDS[kind] if k in data},
        "labels": labels,
        "columns": columns,
        "names": {measure_key(v): v["name"] for v in data.get("values", [])},
        "boundary_geometry": (data.get("boundaries") or {}).get("geometry_field"),
    }


def _restore(spec: dict[str, Any], kept: dict[str, Any]) -> None:
    """Put back into `spec` what the form kept of the tile being edited (same kind only)."""
    if kept.get("kind") != spec["kind"]:
        return
    spec.update(kept.get("fields") or {})
    labels = kept.get("labels") or {}
    for key in ("dimension", "series"):
        group = spec.get(key)
        if group:
            group.setdefault("label", labels.get(f"{key}:{group['field']}"))
            if key == "series":
                group.setdefault("grain", labels.get(f"series_grain:{group['field']}"))
    for value in [
        *spec.get("measures", []),
        *spec.get("secondary", []),
        spec.get("measure"),
        spec.get("x_measure"),
        spec.get("size_measure"),
    ]:
        if value and not value.get("label"):
            value["label"] = labels.get(measure_key(value))
    columns = kept.get("columns") or {}
    for column in spec.get("columns", []):
        key = measure_key(column) if column.get("agg") else column["field"]
        for name, value in columns.get(key, {}).items():
            if not column.get(name):
                column[name] = value
    if spec["kind"] == "table" and spec.get("sort"):
        present = {measure_key(c) if c.get("agg") else c["field"] for c in spec["columns"]}
        spec["sort"] = [s for s in spec["sort"] if s["field"] in present]
    names = kept.get("names") or {}
    for value in spec.get("values", []):
        value["name"] = names.get(measure_key(value), value["name"])
    if spec.get("boundaries") and kept.get("boundary_geometry"):
        spec["boundaries"]["geometry_field"] = kept["boundary_geometry"]


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
    _restore(spec, values["kept"] or {})
    return _drop_none(spec)


REQUIRED = "required"
"""The problem text of a choice left empty (the page names the form row instead)."""
_EMPTY_ERRORS = ("missing", "string_type", "dict_type", "model_type", "int_type", "too_short")


def validate_tile(
    spec: dict[str, Any], locale: str | None = "en"
) -> tuple[Tile | None, list[str]]:
    """The validated tile, or None and problems (one per line, "where: what"): `where` is
    the spec path, `what` is said in `locale`."""
    try:
        return TILE_ADAPTER.validate_python(spec), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"][1:]) or "tile"
            empty = err["type"] in _EMPTY_ERRORS and err.get("input") in (None, [])
            what = REQUIRED if empty else error_message(err, locale)
            problems.append(f"{where}: {what}")
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
    _fill_format(form, data.get("number_format"))
    _FILLERS[data["kind"]](form, data)
    form["kept"] = _kept(data)
    return form


def _fill_format(form: dict[str, Any], fmt: dict[str, Any] | None) -> None:
    fmt = fmt or {}
    form.update(
        format_style=fmt.get("style", "number"),
        decimals=fmt.get("decimals"),
        compact=fmt.get("compact", False),
        unit=fmt.get("unit") or "",
    )


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
        secondary=[v["field"] for v in d.get("secondary") or [] if v.get("field")],
        x_measure=(d.get("x_measure") or {}).get("field"),
        size_measure=(d.get("size_measure") or {}).get("field"),
        mode=d.get("mode", "grouped"),
        markers=d.get("markers", False),
        sort=d.get("sort", "none"),
        top_n=d.get("top_n"),
        others=d.get("others", True),
        palette=d.get("palette", "okabe_ito"),
        x_title=d.get("x_title") or "",
        y_title=d.get("y_title") or "",
        y2_title=d.get("y2_title") or "",
        show_values=d.get("show_values", False),
    )
    _fill_measures(form, d["measures"])
    ref = d.get("reference_line")
    if ref:
        form.update(
            ref_kind=ref["kind"], ref_value=ref.get("value"), ref_label=ref.get("label") or ""
        )


def _fill_map(form: dict[str, Any], d: dict[str, Any]) -> None:
    form.update(
        layer=d.get("layer", "choropleth"),
        code_field=d.get("code_field"),
        lat=d.get("lat_field"),
        lon=d.get("lon_field"),
        label_field=d.get("label_field"),
        cluster=d.get("cluster", False),
        size_by_value=d.get("size_by_value", False),
        color_by_value=d.get("color_by_value", False),
        map_palette=d.get("palette", "blues"),
        legend=d.get("legend", True),
    )
    _fill_measures(form, [d["measure"]] if d.get("measure") else [])
    b = d.get("boundaries") or {}
    form.update(
        boundary_dataset=b.get("dataset"),
        boundary_code=b.get("code_field"),
        boundary_name=b.get("name_field"),
    )
    c = d.get("classification") or {}
    form.update(
        classes_method=c.get("method", "quantiles"),
        classes_n=c.get("classes", 5),
        breaks=numbers_text(c.get("breaks") or []),
    )


def _fill_kpi(form: dict[str, Any], d: dict[str, Any]) -> None:
    _fill_measures(form, [d["measure"]])
    form.update(
        period_field=d["period_field"],
        grain=d.get("grain", "month"),
        compare=d.get("compare", "previous"),
        good_direction=d.get("good_direction", "up"),
        change_as=d.get("change_as", "percent"),
        sparkline=d.get("sparkline", True),
        target=d.get("target"),
        target_label=d.get("target_label") or "",
    )
    ref = d.get("reference") or {}
    form.update(
        ref_field=ref.get("field"),
        ref_territory=ref.get("value") or "",
        ref_territory_label=ref.get("label") or "",
    )


def _column_settings(column: dict[str, Any]) -> dict[str, Any]:
    fmt = column.get("number_format") or {}
    rules = column.get("colors") or []
    settings = {
        **COLUMN_DEFAULTS,
        "label": column.get("label") or "",
        "style": fmt.get("style", "number"),
        "decimals": fmt.get("decimals"),
        "unit": fmt.get("unit") or "",
        "more_rules": rules[1:],
    }
    if rules:
        value = rules[0]["value"]
        settings.update(
            rule_op=rules[0]["op"],
            rule_value=numbers_text(value if isinstance(value, list) else [value]),
            rule_color=rules[0]["background"],
        )
        if rules[0].get("color"):  # a text colour the form does not edit: keep it as is
            settings["rule_op"] = ""
            settings["more_rules"] = rules
    return settings


def _fill_table(form: dict[str, Any], d: dict[str, Any]) -> None:
    cols = d["columns"]
    form["group_columns"] = [c["field"] for c in cols if not c.get("agg")]
    measure_cols = [c for c in cols if c.get("agg")]
    _fill_measures(form, measure_cols)
    form["totals"] = d.get("totals", False)
    form["page_size"] = d.get("page_size")
    form["column_settings"] = {
        measure_key({"field": c.get("field"), "agg": c["agg"]}): _column_settings(c)
        for c in measure_cols
    }
    if measure_cols:
        _fill_format(form, measure_cols[0].get("number_format"))


def _fill_text(form: dict[str, Any], d: dict[str, Any]) -> None:
    form["markdown"] = d.get("markdown", "")
    values = d.get("values") or []
    _fill_measures(form, values)
    if values:
        _fill_format(form, values[0].get("number_format"))


_FILLERS = {
    "chart": _fill_chart,
    "map": _fill_map,
    "kpi": _fill_kpi,
    "table": _fill_table,
    "text": _fill_text,
}
