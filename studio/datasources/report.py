"""The ingest report as sentences: what was set aside or changed, in French or English."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studio.datasources.models import IngestReport, TotalRow

MAX_LISTED = 8


def number(value: Any, locale: str = "fr") -> str:
    """Return a number written the way the locale reads it (1 909 894 / 1,909,894)."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}"
    else:
        text = f"{int(value):,}"
    if locale == "en":
        return text
    return text.replace(",", "\u202f").replace(".", ",")


def _quoted(items: list[str], locale: str) -> str:
    shown = items[:MAX_LISTED]
    more = len(items) - len(shown)
    if locale == "en":
        text = ", ".join(f"“{i}”" for i in shown)
        return text + (f" and {more} more" if more else "")
    text = ", ".join(f"« {i} »" for i in shown)
    return text + (f" et {more} autres" if more else "")


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def report_lines(report: IngestReport, locale: str = "fr") -> list[str]:
    """Return one sentence per thing the ingest did that the person should know."""
    lines: list[str] = []
    lines += _totals_lines(report, locale)
    lines += _notes_lines(report, locale)
    for column, markers in report.missing.items():
        total = sum(markers.values())
        detail = ", ".join(
            f"{m} : {number(n, locale)}" if locale != "en" else f"{m}: {n:,}"
            for m, n in markers.items()
        )
        if locale == "en":
            lines.append(
                f"“{column}”: {total:,} secret or missing value{'s' if total > 1 else ''} "
                f"read as empty ({detail}); the column stays numeric."
            )
        else:
            word = _plural(
                total,
                "valeur secrète ou manquante lue comme vide",
                "valeurs secrètes ou manquantes lues comme vides",
            )
            lines.append(
                f"« {column} » : {number(total, locale)} {word} ({detail}) ; "
                "la colonne reste numérique."
            )
    for item in report.renamed:
        lines.append(_renamed_line(item, locale))
    if report.wide:
        lines.append(_wide_line(report.wide, locale))
    return lines


def _wide_line(wide: dict[str, Any], locale: str) -> str:
    columns = wide["columns"]
    n = len(columns)
    shown = _quoted([columns[0], columns[-1]] if n > 2 else columns, locale)
    if wide.get("applied"):
        names = wide.get("names", {})
        new = _quoted(list(names.values()), locale)
        if locale == "en":
            return f"{n} columns turned into rows ({shown}…): the table now has {new}."
        return f"{n} colonnes mises en lignes ({shown}…) : le tableau a maintenant {new}."
    if locale == "en":
        return (
            f"The years (months, quarters) are in columns ({n}: {shown}…): tick “put the "
            "periods in rows” to chart them over time."
        )
    return (
        f"Les années (mois, trimestres) sont en colonnes ({n} : {shown}…) : cochez « mettre les "
        "périodes en lignes » pour les suivre dans le temps."
    )


def _totals_lines(report: IngestReport, locale: str) -> list[str]:
    if not report.totals:
        return []
    n = len(report.totals)
    labels = _quoted([t.label for t in report.totals], locale)
    if locale == "en":
        verb = "kept as rows" if report.totals_kept else "set aside"
        lines = [f"{n} total row{'s' if n > 1 else ''} {verb}: {labels}."]
        if not report.totals_kept:
            lines[0] += " Tick “keep total rows” to keep them."
    else:
        if report.totals_kept:
            head = _plural(n, "ligne de total gardée", "lignes de total gardées")
            lines = [f"{n} {head} parmi les lignes : {labels}."]
        else:
            head = _plural(n, "ligne de total écartée", "lignes de total écartées")
            lines = [
                f"{n} {head} : {labels}. Cochez « garder les lignes de total » pour les garder."
            ]
    for total in report.totals[:MAX_LISTED]:
        lines += [_check_line(total, check, locale) for check in total.checks[:1]]
    return lines


def _check_line(total: TotalRow, check: dict[str, Any], locale: str) -> str:
    value, rows_sum = number(check["total"], locale), number(check["sum"], locale)
    status = check["status"]
    if locale == "en":
        verdict = {
            "equal": "they match",
            "close": f"they match within {check['gap_pct']:.1f} %",
            "subtotal": "it is a subtotal (part of the rows)",
        }.get(status, "they do not match")
        return (
            f"Check: “{total.label}” (line {total.line}), {check['column']} = {value}; "
            f"the other rows add up to {rows_sum}: {verdict}."
        )
    verdict = {
        "equal": "elles concordent",
        "close": f"elles concordent à {check['gap_pct']:.1f} % près".replace(".", ","),
        "subtotal": "c'est un sous-total (une partie des lignes)",
    }.get(status, "elles ne concordent pas")
    return (
        f"Contrôle : « {total.label} » (ligne {total.line}), {check['column']} = {value} ; "
        f"la somme des autres lignes donne {rows_sum} : {verdict}."
    )


def _notes_lines(report: IngestReport, locale: str) -> list[str]:
    lines: list[str] = []
    for notes, where in ((report.notes_before, "before"), (report.notes_after, "after")):
        if not notes:
            continue
        n = len(notes)
        if locale == "en":
            place = "above the table (title)" if where == "before" else "below the table (notes)"
            lines.append(
                f"{n} line{'s' if n > 1 else ''} {place} set aside: {_quoted(notes, locale)}."
            )
        else:
            place = (
                "avant le tableau (titre)"
                if where == "before"
                else "après le tableau (notes, sources)"
            )
            word = _plural(n, "ligne", "lignes")
            aside = _plural(n, "mise de côté", "mises de côté")
            lines.append(f"{n} {word} {place} {aside} : {_quoted(notes, locale)}.")
    if report.citation:
        if locale == "en":
            lines.append(f"Source offered for the dataset: “{report.citation}”.")
        else:
            lines.append(f"Source proposée pour le jeu de données : « {report.citation} ».")
    return lines


def _renamed_line(item: dict[str, Any], locale: str) -> str:
    position, name, new = item["position"], item["name"], item["new_name"]
    if locale == "en":
        if not name:
            return f"Column {position} had no name: it is called “{new}”."
        return f"Column {position} “{name}” repeats a name: it is called “{new}”."
    if not name:
        return f"La colonne n° {position} n'avait pas de nom : elle s'appelle « {new} »."
    return (
        f"La colonne n° {position} « {name} » répète un nom déjà pris : elle s'appelle « {new} »."
    )
