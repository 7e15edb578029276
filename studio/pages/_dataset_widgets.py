"""Pieces shared by the dataset pages: strings, formatting, schema editor, previews, alerts."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import ALL, dcc, html

from studio.components.format import format_date, format_number, format_value
from studio.datasources import DatasetError, FieldInfo
from studio.i18n import register, t
from studio.pages._ids import cid
from studio.spec.query import FIELD_TYPES

PARIS = ZoneInfo("Europe/Paris")
SAMPLE_ROWS = 20
PROBLEMS_SHOWN = 30

register(
    {
        # types
        "ds.type.text": ("Texte", "Text"),
        "ds.type.integer": ("Nombre entier", "Integer"),
        "ds.type.decimal": ("Nombre décimal", "Decimal"),
        "ds.type.date": ("Date", "Date"),
        "ds.type.datetime": ("Date et heure", "Date and time"),
        "ds.type.boolean": ("Oui / non", "Yes / no"),
        "ds.type.geometry": ("Géométrie", "Geometry"),
        "ds.type.commune": ("Code commune (INSEE)", "Commune code (INSEE)"),
        "ds.type.epci": ("Code EPCI (SIREN)", "EPCI code (SIREN)"),
        "ds.type.departement": ("Code département", "Département code"),
        "ds.type.region": ("Code région", "Région code"),
        "ds.kind.file": ("Fichier importé", "Uploaded file"),
        "ds.kind.url": ("Adresse web (URL)", "Web address (URL)"),
        "ds.kind.sql": ("Base de données SQL", "SQL database"),
        # common
        "ds.rows": ("$count lignes", "$count rows"),
        "ds.row": ("$count ligne", "$count row"),
        "ds.col.column": ("Colonne", "Column"),
        "ds.col.new_name": ("Nouveau nom", "New name"),
        "ds.col.label": ("Libellé", "Label"),
        "ds.col.description": ("Description", "Description"),
        "ds.col.type": ("Type", "Type"),
        "ds.col.stats": ("Statistiques", "Statistics"),
        "ds.stats.empty": ("$count vides", "$count empty"),
        "ds.stats.distinct": ("$count distinctes", "$count distinct"),
        "ds.stats.range": ("de $min à $max", "from $min to $max"),
        "ds.stats.top": ("Fréquentes : $values", "Frequent: $values"),
        "ds.sample": ("Aperçu des premières lignes", "First rows"),
        "ds.sample.none": ("Aucune ligne à afficher.", "No row to show."),
        "ds.problems.title": ("Valeurs non reconnues", "Unrecognised values"),
        "ds.problems.count": (
            "Colonne « $column » : $count valeur(s) ne correspondent pas au type $type.",
            "Column '$column': $count value(s) do not match the type $type.",
        ),
        "ds.problems.hint": (
            "Ces valeurs seraient enregistrées comme vides. Pour les garder telles quelles, "
            "passez la colonne en type « Texte » puis cliquez sur « Réanalyser ».",
            "These values would be saved as empty. To keep them as they are, set the column "
            "type to 'Text' then click 'Analyse again'.",
        ),
        "ds.problems.row": ("Ligne", "Row"),
        "ds.problems.raw": ("Valeur lue", "Raw value"),
        "ds.problems.expected": ("Type attendu", "Expected type"),
        "ds.problems.none": (
            "Toutes les valeurs correspondent au type de leur colonne.",
            "Every value matches its column's type.",
        ),
        "ds.error.title": ("Le fichier n'a pas pu être utilisé", "The file could not be used"),
        "ds.error.upload": (
            "Le contenu envoyé n'a pas pu être lu. Réessayez l'import du fichier.",
            "The uploaded content could not be read. Try uploading the file again.",
        ),
        "ds.error.too_large_client": (
            "Ce fichier dépasse la taille maximale autorisée ($limit Mo). Réduisez-le "
            "(filtrez les lignes ou les colonnes inutiles) ou demandez à un administrateur de "
            "relever la limite.",
            "This file is larger than the allowed maximum ($limit MB). Make it smaller "
            "(filter out rows or columns) or ask an administrator to raise the limit.",
        ),
    }
)


def field_id(page: str, prop: str, index: Any = ALL) -> dict[str, Any]:
    """The pattern-matching id of one column's input `prop` (index: the column)."""
    return {"type": cid(page, f"field-{prop}"), "index": index}


FIELD_PROPS = ("new_name", "label", "description", "type")


def type_label(type_: str, locale: str) -> str:
    """The type's name in the user's words."""
    return t(f"ds.type.{type_}", locale)


def type_options(locale: str) -> list[dict[str, str]]:
    """Options of a type dropdown (every field type, in the user's words)."""
    return [{"label": type_label(ft, locale), "value": ft} for ft in FIELD_TYPES]


def rows_text(count: int | None, locale: str) -> str:
    """ "1 234 lignes" (French thousands separator)."""
    count = count or 0
    key = "ds.row" if count in (0, 1) and locale != "en" or count == 1 else "ds.rows"
    return t(key, locale, count=format_number(count, locale))


def size_text(size: int | None, locale: str) -> str:
    """A file size in the user's units: "2,3 Mo" / "2.3 MB"."""
    size = size or 0
    units = ("o", "ko", "Mo", "Go") if locale != "en" else ("B", "kB", "MB", "GB")
    value = float(size)
    unit = units[0]
    for unit in units:
        if value < 1000 or unit == units[-1]:
            break
        value /= 1000
    if unit == units[0]:
        return f"{int(value)}\u00a0{unit}"
    text = f"{value:.1f}"
    return (text.replace(".", ",") if locale != "en" else text) + f"\u00a0{unit}"


def when_text(moment: datetime | None, locale: str) -> str:
    """A date and time in Paris time: dd/mm/yyyy HH:MM (ISO in English)."""
    if moment is None:
        return "–"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(PARIS)
    return local.strftime("%Y-%m-%d %H:%M" if locale == "en" else "%d/%m/%Y %H:%M")


def decode_upload(contents: str | None) -> bytes:
    """The bytes of a dcc.Upload `contents` data URL (raises DatasetError when unreadable)."""
    if not contents or "," not in contents:
        raise DatasetError("file.empty", {"filename": ""})
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=False)
    except (binascii.Error, ValueError) as exc:
        raise DatasetError("upload.unreadable") from exc


def error_alert(exc: DatasetError, locale: str, element_id: str) -> dbc.Alert:
    """A clear alert for an error the person can fix, saying what to do."""
    if exc.code == "upload.unreadable":
        text = t("ds.error.upload", locale)
    else:
        text = exc.message(locale)
    details = []
    if exc.row is not None or exc.column or exc.raw:
        parts = [
            f"{t('ds.problems.row', locale)} {exc.row}" if exc.row is not None else "",
            f"{t('ds.col.column', locale)} « {exc.column} »" if exc.column else "",
            f"{t('ds.problems.raw', locale)} : {exc.raw}" if exc.raw else "",
        ]
        details.append(html.Div(" · ".join(p for p in parts if p), className="small"))
    return dbc.Alert(
        [html.Strong(t("ds.error.title", locale)), html.Div(text), *details],
        color="danger",
        id=element_id,
    )


def max_file_bytes(limit_mb: int) -> int:
    """The largest file an upload callback can carry: base64 grows it by 4/3 in the request."""
    return int(limit_mb * 1024 * 1024 * 0.74)


def upload_zone(
    component_id: str, text: str, limit_mb: int, *, reject_large: bool = True
) -> dcc.Upload:
    """A drag-and-drop zone (`reject_large`: the browser ignores files over the limit)."""
    return dcc.Upload(
        id=component_id,
        children=html.Div(
            [
                html.Div(text, className="fw-semibold"),
                html.Div(
                    "CSV, TSV, XLSX, GeoJSON, Parquet · max. "
                    f"{max(1, round(max_file_bytes(limit_mb) / 1024 / 1024))} Mo",
                    className="small text-muted",
                ),
            ]
        ),
        accept=".csv,.tsv,.txt,.xlsx,.geojson,.json,.parquet",
        max_size=max_file_bytes(limit_mb) if reject_large else -1,
        multiple=False,
        className="ds-upload",
        className_active="ds-upload ds-upload-active",
        className_reject="ds-upload ds-upload-reject",
    )


# --- the schema editor ------------------------------------------------------------------


def _stats_cell(stats: Any, type_: str, locale: str) -> html.Td:
    if stats is None:
        return html.Td()
    lines: list[Any] = [
        html.Div(
            t("ds.stats.empty", locale, count=format_number(stats.empty, locale))
            + " · "
            + t("ds.stats.distinct", locale, count=format_number(stats.distinct, locale))
        )
    ]
    if stats.min is not None and stats.max is not None:
        lines.append(
            html.Div(
                t(
                    "ds.stats.range",
                    locale,
                    min=_cell(stats.min, locale, type_),
                    max=_cell(stats.max, locale, type_),
                )
            )
        )
    if stats.histogram:
        lines.append(_histogram(stats.histogram))
    elif stats.top:
        shown = ", ".join(f"{_cell(v, locale, type_)} ({n})" for v, n in stats.top[:3])
        lines.append(html.Div(t("ds.stats.top", locale, values=shown)))
    return html.Td(lines, className="small text-muted ds-stats")


def _histogram(bins: list[Any]) -> html.Div:
    """A tiny bar chart of a numeric column (bars only, no library)."""
    peak = max((b[2] for b in bins), default=0) or 1
    bars = [
        html.Span(
            className="ds-bar",
            style={"height": f"{max(2, round(24 * b[2] / peak))}px"},
            title=f"{b[0]:g} – {b[1]:g} : {b[2]}",
        )
        for b in bins
    ]
    return html.Div(bars, className="ds-histogram", **{"aria-hidden": "true"})


def schema_editor(
    page: str,
    fields: list[FieldInfo],
    locale: str,
    *,
    index_of: dict[str, str] | None = None,
    stats: dict[str, Any] | None = None,
    editable: bool = True,
) -> dbc.Table:
    """One row per column: its name, then inputs for new name, label, description and type.

    `index_of` maps a column's current name to its index in the inputs' ids (the original
    name when the column was renamed on the upload page).
    """
    index_of = index_of or {}
    heads = ["ds.col.column", "ds.col.new_name", "ds.col.label", "ds.col.description",
             "ds.col.type"]
    if not editable:
        heads = ["ds.col.column", "ds.col.label", "ds.col.description", "ds.col.type"]
    if stats is not None:
        heads.append("ds.col.stats")
    rows = [
        _field_row(page, f, index_of.get(f.name, f.name), locale, stats, editable)
        for f in fields
    ]
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(t(h, locale), scope="col") for h in heads])),
         html.Tbody(rows)],
        size="sm",
        responsive=True,
        className="align-middle ds-schema",
        id=cid(page, "schema"),
    )


def _field_row(
    page: str, f: FieldInfo, index: str, locale: str, stats: dict[str, Any] | None,
    editable: bool,
) -> html.Tr:
    shown_name = html.Code(f.name)
    if index != f.name:
        shown_name = html.Span([html.Code(f.name), html.Span(f" ({index})", className="small")])
    label = f.label if f.label != f.name else ""
    if editable:
        cells = [
            html.Th(shown_name, scope="row"),
            _cell_input(f.name, "ds.col.new_name", locale, dbc.Input(
                id=field_id(page, "new_name", index), value=f.name if index != f.name else "",
                placeholder=f.name, size="sm")),
            _cell_input(f.name, "ds.col.label", locale, dbc.Input(
                id=field_id(page, "label", index), value=label, size="sm")),
            _cell_input(f.name, "ds.col.description", locale, dbc.Input(
                id=field_id(page, "description", index), value=f.description, size="sm")),
            _cell_input(f.name, "ds.col.type", locale, dbc.Select(
                id=field_id(page, "type", index), options=type_options(locale), value=f.type,
                size="sm")),
        ]
    else:
        cells = [
            html.Th(shown_name, scope="row"),
            html.Td(label),
            html.Td(f.description),
            html.Td(type_label(f.type, locale)),
        ]
    if stats is not None:
        cells.append(_stats_cell(stats.get(f.name), f.type, locale))
    return html.Tr(cells)


def _cell_input(column: str, key: str, locale: str, control: Any) -> html.Td:
    """A table cell whose control is labelled for screen readers ("Type — foyers")."""
    hidden = html.Span(f"{t(key, locale)} — {column}", className="visually-hidden")
    return html.Td(html.Label([hidden, control], className="w-100 mb-0"))


def field_values(
    indexes: list[Any], new_names: list[Any], labels: list[Any], descriptions: list[Any],
    types: list[Any],
) -> list[dict[str, str]]:
    """The schema editor's inputs, one dict per column (index, new_name, label, …)."""
    out = []
    for index, new_name, label, description, type_ in zip(
        indexes, new_names, labels, descriptions, types, strict=False
    ):
        out.append(
            {
                "index": str(index),
                "new_name": (new_name or "").strip(),
                "label": (label or "").strip(),
                "description": (description or "").strip(),
                "type": type_ or "",
            }
        )
    return out


def indexes_of(states: list[dict[str, Any]]) -> list[Any]:
    """The column indexes of a pattern-matching state list (from `dash.ctx.states_list`)."""
    return [item["id"]["index"] for item in states]


# --- previews ---------------------------------------------------------------------------


def sample_table(fields: list[FieldInfo], rows: list[list[Any]], locale: str,
                 element_id: str) -> html.Div:
    """The first rows as a read-only table (values in the user's number/date format)."""
    columns = [f.name for f in fields]
    types = [f.type for f in fields]
    if not rows:
        return html.Div(t("ds.sample.none", locale), id=element_id, className="text-muted")
    body = [
        html.Tr([html.Td(_cell(v, locale, ty)) for v, ty in zip(row, types, strict=False)])
        for row in rows[:SAMPLE_ROWS]
    ]
    return html.Div(
        dbc.Table(
            [html.Thead(html.Tr([html.Th(c, scope="col") for c in columns])), html.Tbody(body)],
            size="sm",
            striped=True,
            responsive=True,
            className="ds-sample small",
        ),
        id=element_id,
    )


def _cell(value: Any, locale: str, type_: str = "text") -> str:
    """A value as the person reads it: French numbers and dates, long texts shortened."""
    if type_ == "date" and isinstance(value, str):
        return format_date(value, locale)
    if isinstance(value, dict | list):
        text = str(value)
        return text if len(text) <= 60 else text[:59] + "…"
    if isinstance(value, str):
        return value if len(value) <= 120 else value[:119] + "…"
    return format_value(value, locale)


def problems_panel(
    problems: list[Any], counts: dict[str, int], fields: list[FieldInfo], locale: str,
    element_id: str,
) -> html.Div:
    """What could not be read: counts per column, examples (row, column, raw), and the fix."""
    if not counts and not problems:
        return html.Div(
            dbc.Alert(t("ds.problems.none", locale), color="success", className="py-2"),
            id=element_id,
        )
    type_of = {f.name: f.type for f in fields}
    summary = [
        html.Li(
            t("ds.problems.count", locale, column=column, count=format_number(count, locale),
              type=type_label(type_of.get(column, "text"), locale))
        )
        for column, count in counts.items()
    ]
    head = html.Thead(
        html.Tr(
            [html.Th(t(k, locale), scope="col") for k in
             ("ds.problems.row", "ds.col.column", "ds.problems.raw", "ds.problems.expected")]
        )
    )
    body = html.Tbody(
        [
            html.Tr([html.Td(str(p.row)), html.Td(p.column), html.Td(html.Code(p.raw)),
                     html.Td(type_label(p.expected_type, locale))])
            for p in problems[:PROBLEMS_SHOWN]
        ]
    )
    return html.Div(
        dbc.Alert(
            [
                html.H3(t("ds.problems.title", locale), className="h6"),
                html.Ul(summary, className="mb-2"),
                html.P(t("ds.problems.hint", locale), className="mb-2"),
                dbc.Table([head, body], size="sm", className="mb-0 bg-white small"),
            ],
            color="warning",
        ),
        id=element_id,
    )
