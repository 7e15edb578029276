"""French and English messages for every error a spec can raise (pure: no Dash, no Flask).

A validator raises `spec_error(key, **params)`: a pydantic error whose type is the stable
`key` and whose message is the English template (the REST API's message). The pages show
`error_message(err, locale)` instead, read from `MESSAGES` by key. Pydantic's own errors
(`missing`, `extra_forbidden`, `string_type`, …) are translated by their type, under
`pydantic.<type>`.

Templates use `$name` placeholders filled with `string.Template.safe_substitute`; values
are inserted as text (never as a template), a user's values cut to `MAX_VALUE` characters
when the error is raised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from string import Template
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

MAX_VALUE = 60
"""Longest value (a field name, a user's text) quoted in a message."""

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (French, English). The English text is also the API's message.
    # --- queries and filters
    "spec.agg_needs_field": (
        "l'agrégat « $agg » a besoin d'un champ",
        "the aggregate '$agg' needs a field",
    ),
    "spec.op_takes_no_value": (
        "l'opérateur « $op » ne prend pas de valeur",
        "the operator '$op' takes no value",
    ),
    "spec.op_needs_list": (
        "l'opérateur « $op » a besoin d'une liste de valeurs non vide",
        "the operator '$op' needs a non-empty list of values",
    ),
    "spec.op_too_many_values": (
        "l'opérateur « $op » prend au plus $max valeurs",
        "the operator '$op' takes at most $max values",
    ),
    "spec.between_needs_two": (
        "l'opérateur « entre » a besoin d'une liste de deux valeurs [min, max]",
        "the operator 'between' needs a list of two values [low, high]",
    ),
    "spec.contains_needs_text": (
        "l'opérateur « contient » a besoin d'un texte non vide",
        "the operator 'contains' needs a non-empty text value",
    ),
    "spec.op_needs_value": (
        "l'opérateur « $op » a besoin d'une valeur",
        "the operator '$op' needs a value",
    ),
    "spec.filter_value_type": (
        "les valeurs d'un filtre sont du texte, des nombres, des booléens ou des dates, pas $value",
        "filter values must be text, numbers, booleans or dates, not $value",
    ),
    "spec.measure_asked_twice": (
        "la même mesure est demandée deux fois",
        "the same measure is asked for twice",
    ),
    "spec.query_empty": (
        "une requête a besoin d'au moins une dimension ou une mesure",
        "a query needs at least one dimension or one measure",
    ),
    "spec.query_sort_unknown": (
        "impossible de trier par « $field » : ce n'est ni une dimension ni une mesure",
        "cannot sort by '$field': it is neither a dimension nor a measure",
    ),
    # --- tiles
    "spec.target_needs_value": (
        "une ligne de référence « cible » a besoin d'une valeur",
        "a target reference line needs a value",
    ),
    "spec.average_no_value": (
        "une ligne de référence « moyenne » est calculée : ne donnez pas de valeur",
        "an average reference line is computed: give no value",
    ),
    "spec.measure_twice": (
        "la mesure « $key » est donnée deux fois",
        "the same measure '$key' is given twice",
    ),
    "spec.column_twice": (
        "la colonne « $key » est donnée deux fois",
        "the same column '$key' is given twice",
    ),
    "spec.placeholder_twice": (
        "la valeur dynamique « $key » est donnée deux fois",
        "the same placeholder '$key' is given twice",
    ),
    "spec.secondary_not_combo": (
        "les mesures secondaires sont réservées aux graphiques combinés, pas « $chart »",
        "'secondary' measures are for combo charts, not '$chart'",
    ),
    "spec.combo_needs_secondary": (
        "un graphique combiné a besoin d'au moins une mesure secondaire (la courbe)",
        "a combo chart needs at least one 'secondary' measure (the line)",
    ),
    "spec.scatter_options_only": (
        "les mesures horizontale et de taille sont réservées aux nuages de points, pas « $chart »",
        "'x_measure' and 'size_measure' are for scatter charts, not '$chart'",
    ),
    "spec.scatter_needs_x": (
        "un nuage de points a besoin d'une mesure horizontale",
        "a scatter chart needs an 'x_measure'",
    ),
    "spec.mode_not_stackable": (
        "la disposition « $mode » est réservée aux graphiques en colonnes, en barres et en "
        "aires, pas « $chart »",
        "mode '$mode' is for column, bar and area charts, not '$chart'",
    ),
    "spec.markers_not_line": (
        "les marqueurs sont réservés aux courbes, aires et graphiques combinés, pas « $chart »",
        "'markers' is for line, area and combo charts, not '$chart'",
    ),
    "spec.single_measure": (
        "un graphique « $chart » montre exactement une mesure",
        "a $chart chart shows exactly one measure",
    ),
    "spec.no_series": (
        "un graphique « $chart » ne peut pas être découpé en séries",
        "a $chart chart cannot be split into series",
    ),
    "spec.series_or_measures": (
        "découpez en séries selon un champ, ou montrez plusieurs mesures, mais pas les deux",
        "split into series by a field, or show several measures, not both",
    ),
    "spec.scatter_one_measure": (
        "un nuage de points montre exactement une mesure verticale",
        "a scatter chart shows exactly one vertical measure",
    ),
    "spec.top_n_time": (
        "« les N premiers » ne s'applique pas à un axe de temps",
        "'top_n' cannot apply to a time axis",
    ),
    "spec.top_n_scatter": (
        "« les N premiers » n'est pas disponible pour les nuages de points",
        "'top_n' is not available for scatter charts",
    ),
    "spec.others_not_additive": (
        "« Autres » additionne les valeurs, ce qui n'a pas de sens pour « $measure » : "
        "utilisez une somme ou un comptage, ou désactivez « Autres »",
        "'others' adds values up, which is meaningless for '$measure'; use a sum or count, "
        "or set 'others' to false",
    ),
    "spec.manual_needs_break": (
        "des classes manuelles ont besoin d'au moins une limite",
        "manual classes need at least one break",
    ),
    "spec.breaks_increasing": (
        "les limites des classes manuelles doivent être strictement croissantes",
        "manual breaks must be strictly increasing",
    ),
    "spec.breaks_not_manual": (
        "les limites ne servent qu'aux classes manuelles, pas à « $method »",
        "breaks are only used by manual classes, not '$method'",
    ),
    "spec.choropleth_needs": (
        "une carte choroplèthe a besoin de : $missing",
        "a choropleth map needs $missing",
    ),
    "spec.choropleth_no_points": (
        "les options des points (lat/lon, géométrie, regroupement, taille ou couleur selon "
        "la valeur) ne s'appliquent pas à une carte choroplèthe",
        "point options (lat/lon, geometry, cluster, size/colour by value) do not apply to a "
        "choropleth map",
    ),
    "spec.points_latlon_pair": (
        "les points ont besoin à la fois d'un champ latitude et d'un champ longitude",
        "points need both 'lat_field' and 'lon_field'",
    ),
    "spec.points_need_place": (
        "les points ont besoin soit des champs latitude et longitude, soit d'un champ géométrie",
        "points need either 'lat_field' and 'lon_field', or 'geometry_field'",
    ),
    "spec.points_no_choropleth": (
        "le champ du code et les contours sont réservés aux cartes choroplèthes",
        "'code_field' and 'boundaries' are for choropleth maps",
    ),
    "spec.points_value_needs_measure": (
        "pour dimensionner ou colorer les points selon la valeur, choisissez une mesure",
        "sizing or colouring points by value needs a 'measure'",
    ),
    "spec.points_cluster_no_value": (
        "des points regroupés ne peuvent pas être dimensionnés ou colorés selon la valeur",
        "clustered points cannot be sized or coloured by value",
    ),
    "spec.rule_between_two": (
        "« entre » a besoin d'une liste de deux valeurs [min, max]",
        "'between' needs a list of two values [low, high]",
    ),
    "spec.rule_one_number": (
        "l'opérateur « $op » a besoin d'un seul nombre, pas d'une liste",
        "the operator '$op' needs one number, not a list",
    ),
    "spec.group_column_needs_field": (
        "une colonne de regroupement a besoin d'un champ",
        "a grouping column needs a field",
    ),
    "spec.colors_measure_only": (
        "les couleurs conditionnelles ne s'appliquent qu'aux colonnes de mesure",
        "conditional colours apply to measure columns only",
    ),
    "spec.grain_group_only": (
        "un pas de temps s'applique aux colonnes de regroupement, pas aux mesures",
        "a time grain applies to grouping columns, not measures",
    ),
    "spec.table_sort_unknown": (
        "impossible de trier par « $field » : ce n'est pas une colonne du tableau "
        "(colonnes : $columns)",
        "cannot sort by '$field': it is not a column of the table (columns: $columns)",
    ),
    "spec.values_need_dataset": (
        "les valeurs dynamiques ont besoin d'un jeu de données",
        "live values need a 'dataset'",
    ),
    # --- dashboards
    "spec.grid_overflow": (
        "la tuile « $tile » dépasse de la grille : x=$x + l=$w fait plus de $columns colonnes",
        "tile '$tile' overflows the grid: x=$x + w=$w is more than $columns columns",
    ),
    "spec.version_current": (
        "schema_version doit valoir $version (utilisez $loader pour migrer une ancienne version)",
        "schema_version must be $version (use $loader to migrate an older spec)",
    ),
    "spec.tile_id_twice": (
        "l'identifiant de tuile « $key » est utilisé deux fois",
        "the tile id '$key' is used twice",
    ),
    "spec.filter_id_twice": (
        "l'identifiant de filtre « $key » est utilisé deux fois",
        "the filter id '$key' is used twice",
    ),
    "spec.section_id_twice": (
        "l'identifiant de section « $key » est utilisé deux fois",
        "the section id '$key' is used twice",
    ),
    "spec.layout_unknown_tile": (
        "disposition : « $tile » n'est pas une tuile de ce tableau de bord",
        "layout: '$tile' is not a tile of this dashboard",
    ),
    "spec.layout_tile_twice": (
        "disposition : la tuile « $tile » est placée deux fois",
        "layout: tile '$tile' is placed twice",
    ),
    "spec.layout_tile_unplaced": (
        "disposition : la tuile « $tile » n'a pas de place sur la grille",
        "layout: tile '$tile' has no place on the grid",
    ),
    "spec.section_unknown_tile": (
        "section « $section » : « $tile » n'est pas une tuile de ce tableau de bord",
        "section '$section': '$tile' is not a tile of this dashboard",
    ),
    "spec.tile_two_sections": (
        "la tuile « $tile » est dans deux sections (« $first » et « $second »)",
        "tile '$tile' is in two sections ('$first' and '$second')",
    ),
    # --- dashboard filter values (FilterValueError)
    "filter.value_too_long": (
        "filtre « $filter » : une valeur dépasse $max caractères",
        "filter '$filter': a value is longer than $max characters",
    ),
    "filter.value_type": (
        "filtre « $filter » : texte, nombre ou date attendu, pas $type",
        "filter '$filter': expected text, a number or a date, not $type",
    ),
    "filter.too_many": (
        "filtre « $filter » : au plus $max valeurs peuvent être choisies, pas $count",
        "filter '$filter': at most $max values can be chosen, not $count",
    ),
    "filter.bad_territory": (
        "filtre « $filter » : $value n'est pas un code de territoire "
        "(lettres et chiffres, en texte)",
        "filter '$filter': $value is not a territory code (letters and digits, as text)",
    ),
    "filter.range_shape": (
        "filtre « $filter » : une plage de dates, ce sont deux dates [début, fin]",
        "filter '$filter': a date range is two dates [start, end]",
    ),
    "filter.range_reversed": (
        "filtre « $filter » : la plage commence ($start) après sa fin ($end)",
        "filter '$filter': the range starts ($start) after it ends ($end)",
    ),
    "filter.bad_date": (
        "filtre « $filter » : $value n'est pas une date (format attendu : AAAA-MM-JJ)",
        "filter '$filter': $value is not a date (expected YYYY-MM-DD)",
    ),
    "filter.bad_period": (
        "filtre « $filter » : $value n'est pas une période (ex. : 2024, 2024-T1, 2024-03)",
        "filter '$filter': $value is not a period (e.g. 2024, 2024-T1, 2024-03)",
    ),
    "filter.values_mapping": (
        "filtre « $filter » : les valeurs des filtres doivent associer un identifiant de "
        "filtre à une valeur",
        "filter '$filter': filter values must be a mapping of filter id to value",
    ),
    "filter.cross_shape": (
        "filtre « $filter » : attendu : {'tile', 'field', 'value'}",
        "filter '$filter': expected {'tile', 'field', 'value'}",
    ),
    "filter.cross_unknown_tile": (
        "filtre « $filter » : $tile n'est pas une tuile de ce tableau de bord",
        "filter '$filter': $tile is not a tile of this dashboard",
    ),
    "filter.cross_field": (
        "filtre « $filter » : la tuile « $tile » ne montre pas $field",
        "filter '$filter': tile '$tile' does not show $field",
    ),
    "filter.cross_value": (
        "filtre « $filter » : la valeur doit être un seul texte, nombre ou booléen",
        "filter '$filter': the value must be one text, number or boolean",
    ),
    # --- versions and documents (SpecVersionError, SpecError)
    "spec.version_not_int": (
        "schema_version doit être un nombre entier, pas $version",
        "schema_version must be a whole number, not $version",
    ),
    "spec.version_newer.dashboard": (
        "ce tableau de bord a été enregistré par une version plus récente de Studio "
        "(schema_version $version) ; celle-ci lit jusqu'à $current",
        "this dashboard was saved by a newer Studio (schema_version $version); this one "
        "reads up to $current",
    ),
    "spec.version_newer.story": (
        "ce récit a été enregistré par une version plus récente de Studio "
        "(schema_version $version) ; celle-ci lit jusqu'à $current",
        "this story was saved by a newer Studio (schema_version $version); this one reads "
        "up to $current",
    ),
    "spec.version_too_old": (
        "schema_version $version est trop ancienne pour être lue",
        "schema_version $version is too old to be read",
    ),
    "spec.not_object.dashboard": (
        "un tableau de bord est un objet JSON",
        "a dashboard spec is a JSON object",
    ),
    "spec.not_object.story": ("un récit est un objet JSON", "a story spec is a JSON object"),
    "doc.not_object": ("doit être un objet JSON", "must be a JSON object"),
    "doc.bad_kind": ("doit valoir 'dashboard' ou 'story'", "must be 'dashboard' or 'story'"),
    "doc.not_export": (
        "ce n'est pas un fichier d'export Studio (format 1)",
        "this is not a Studio export file (format 1)",
    ),
    "doc.dataset_forbidden": (
        "vous n'avez pas accès au jeu de données n° $dataset : choisissez un jeu de données "
        "que vous pouvez consulter, ou demandez l'accès à son propriétaire",
        "you may not view dataset $dataset: choose a dataset you can see, or ask its owner "
        "for access",
    ),
    "doc.publisher_forbidden": (
        "le jeu de données n° $dataset ne vous est pas accessible : vous ne pouvez pas publier "
        "une tuile qui le lit",
        "you may not view dataset $dataset, so you may not publish a tile that reads it",
    ),
    "doc.body_not_object": (
        "envoyez la spécification sous forme d'objet JSON",
        "send the spec as a JSON object",
    ),
    # --- stories
    "spec.bad_period": (
        "$value n'est pas une période (ex. : 2024, 2024-T1, 2024-03)",
        "$value is not a period (e.g. 2024, 2024-T1, 2024-03)",
    ),
    "spec.highlight_too_long": (
        "une valeur mise en avant dépasse $max caractères",
        "a highlighted value is longer than $max characters",
    ),
    "spec.step_view_needs_map": (
        "étape $step : un cadrage de carte a besoin d'une tuile carte, pas d'une tuile $kind",
        "step $step: a map view needs a map tile, not a $kind tile",
    ),
    "spec.step_highlight_kind": (
        "étape $step : seuls un graphique ou une carte peuvent mettre des valeurs en avant, "
        "pas une tuile $kind",
        "step $step: only a chart or a map can highlight values, not a $kind tile",
    ),
    "spec.view_format": (
        "un cadrage de carte s'écrit « latitude ; longitude ; zoom », ex. 47,5 ; 2,1 ; 7",
        "a map view is written 'latitude ; longitude ; zoom', e.g. 47.5 ; 2.1 ; 7",
    ),
    "spec.chapter_id_twice": (
        "l'identifiant de chapitre « $key » est utilisé deux fois",
        "the chapter id '$key' is used twice",
    ),
    "spec.story_tile_id_twice": (
        "l'identifiant de tuile « $tile » est utilisé deux fois (chapitres « $first » et "
        "« $second »)",
        "the tile id '$tile' is used twice (chapters '$first' and '$second')",
    ),
    # --- pydantic's own errors, by type (English as pydantic words them)
    "pydantic.missing": ("champ obligatoire", "Field required"),
    "pydantic.extra_forbidden": (
        "clé inconnue : elle n'est pas permise ici (vérifiez son orthographe)",
        "Extra inputs are not permitted",
    ),
    "pydantic.string_type": ("un texte est attendu", "Input should be a valid string"),
    "pydantic.int_type": ("un nombre entier est attendu", "Input should be a valid integer"),
    "pydantic.int_parsing": (
        "un nombre entier est attendu",
        "Input should be a valid integer, unable to parse string as an integer",
    ),
    "pydantic.int_from_float": (
        "un nombre entier est attendu (sans décimales)",
        "Input should be a valid integer, got a number with a fractional part",
    ),
    "pydantic.float_type": ("un nombre est attendu", "Input should be a valid number"),
    "pydantic.float_parsing": (
        "un nombre est attendu",
        "Input should be a valid number, unable to parse string as a number",
    ),
    "pydantic.finite_number": ("un nombre fini est attendu", "Input should be a finite number"),
    "pydantic.bool_type": ("vrai ou faux est attendu", "Input should be a valid boolean"),
    "pydantic.bool_parsing": (
        "vrai ou faux est attendu",
        "Input should be a valid boolean, unable to interpret input",
    ),
    "pydantic.list_type": ("une liste est attendue", "Input should be a valid list"),
    "pydantic.dict_type": ("un objet est attendu", "Input should be a valid dictionary"),
    "pydantic.model_type": (
        "un objet est attendu",
        "Input should be a valid dictionary or instance of $class_name",
    ),
    "pydantic.model_attributes_type": (
        "un objet est attendu",
        "Input should be a valid dictionary or object to extract fields from",
    ),
    "pydantic.date_type": ("une date est attendue", "Input should be a valid date"),
    "pydantic.date_parsing": (
        "une date est attendue (AAAA-MM-JJ)",
        "Input should be a valid date in the format YYYY-MM-DD",
    ),
    "pydantic.date_from_datetime_parsing": (
        "une date est attendue (AAAA-MM-JJ)",
        "Input should be a valid date or datetime",
    ),
    "pydantic.datetime_parsing": (
        "une date et heure est attendue (AAAA-MM-JJTHH:MM)",
        "Input should be a valid datetime",
    ),
    "pydantic.datetime_type": (
        "une date et heure est attendue",
        "Input should be a valid datetime",
    ),
    "pydantic.literal_error": (
        "valeur non permise : choisissez parmi $expected",
        "Input should be $expected",
    ),
    "pydantic.enum": (
        "valeur non permise : choisissez parmi $expected",
        "Input should be $expected",
    ),
    "pydantic.greater_than": ("doit être supérieur à $gt", "Input should be greater than $gt"),
    "pydantic.greater_than_equal": (
        "doit être supérieur ou égal à $ge",
        "Input should be greater than or equal to $ge",
    ),
    "pydantic.less_than": ("doit être inférieur à $lt", "Input should be less than $lt"),
    "pydantic.less_than_equal": (
        "doit être inférieur ou égal à $le",
        "Input should be less than or equal to $le",
    ),
    "pydantic.too_short": (
        "trop court : au moins $min_length élément(s), pas $actual_length",
        "$field_type should have at least $min_length item(s) after validation, not $actual_length",
    ),
    "pydantic.too_long": (
        "trop long : au plus $max_length élément(s), pas $actual_length",
        "$field_type should have at most $max_length item(s) after validation, not $actual_length",
    ),
    "pydantic.string_too_short": (
        "au moins $min_length caractère(s) attendu(s)",
        "String should have at least $min_length character(s)",
    ),
    "pydantic.string_too_long": (
        "au plus $max_length caractères permis",
        "String should have at most $max_length characters",
    ),
    "pydantic.string_pattern_mismatch": (
        "format non valide : lettres, chiffres, « _ » et « - » seulement, sans espace",
        "String should match pattern '$pattern'",
    ),
    "pydantic.union_tag_invalid": (
        "type « $tag » inconnu : choisissez parmi $expected_tags",
        "Input tag '$tag' found using $discriminator does not match any of the expected "
        "tags: $expected_tags",
    ),
    "pydantic.union_tag_not_found": (
        "le type (clé $discriminator) est obligatoire",
        "Unable to extract tag using discriminator $discriminator",
    ),
    "pydantic.other": ("valeur non valide ($msg)", "$msg"),
}

_PLACEHOLDER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def shown(value: Any) -> str:
    """A user's value as quoted in a message: its repr, cut to `MAX_VALUE` characters."""
    return _show(repr(value))


def render(key: str, params: Mapping[str, Any] | None = None, locale: str | None = "fr") -> str:
    """The message `key` in `locale` ("en" for English, French otherwise), filled with
    `params` by safe substitution (a value is never read as a template)."""
    pair = MESSAGES.get(key) or MESSAGES["pydantic.other"]
    template = pair[1] if locale == "en" else pair[0]
    values = {k: str(v) for k, v in (params or {}).items()}  # cut when the error was raised
    if key not in MESSAGES:
        values.setdefault("msg", key)
    return Template(template).safe_substitute(values)


def spec_error(key: str, /, **params: Any) -> PydanticCustomError:
    """The error a validator raises: type `key`, message the English template filled in.

    Pydantic fills `{name}` placeholders by plain replacement (no format spec is read).
    """
    values = {k: _show(v) for k, v in params.items()}
    return PydanticCustomError(key, _PLACEHOLDER.sub(r"{\1}", MESSAGES[key][1]), values)


class SpecMessageError(ValueError):
    """A spec error raised outside pydantic's own validation, with a key and parameters."""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = {k: _show(v) for k, v in params.items()}
        super().__init__(self.message("en"))

    def message(self, locale: str | None = "fr") -> str:
        """The message in `locale` ("fr" by default, or "en")."""
        return render(self.key, self.params, locale)


def error_key(err: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(message key, parameters) of one pydantic error (an item of `ValidationError.errors()`)."""
    kind = str(err.get("type", ""))
    ctx = dict(err.get("ctx") or {})
    if kind in MESSAGES and not kind.startswith("pydantic."):
        return kind, ctx
    cause = ctx.get("error")
    if isinstance(cause, SpecMessageError):
        return cause.key, dict(cause.params)
    if isinstance(cause, ValidationError) and cause.errors():
        return error_key(cause.errors()[0])
    if f"pydantic.{kind}" in MESSAGES and kind != "value_error":
        # pydantic's own parameters are Studio's constants, except a union tag
        return f"pydantic.{kind}", {k: _show(v) if k == "tag" else v for k, v in ctx.items()}
    return "pydantic.other", {"msg": str(err.get("msg", "")).removeprefix("Value error, ")}


@dataclass(frozen=True)
class SpecIssue:
    """One validation problem, sayable in French or English: a message key, its parameters
    and the English text the API answers with."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    english: str = ""

    @classmethod
    def from_error(cls, err: Mapping[str, Any]) -> SpecIssue:
        """The issue of one pydantic error (an item of `ValidationError.errors()`)."""
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, ValidationError) and cause.errors():
            return cls.from_error(cause.errors()[0])  # a model validated inside a validator
        key, params = error_key(err)
        return cls(key, params, str(err.get("msg", "")).removeprefix("Value error, "))

    def message(self, locale: str | None = "fr") -> str:
        """The problem in `locale` ("fr" by default, or "en")."""
        if locale == "en" and self.english:
            return self.english
        params = self.params
        if self.key in _CHOICE_KEYS and locale != "en":
            params = {k: str(v).replace(" or ", " ou ") for k, v in params.items()}
        return render(self.key, params, locale)


_CHOICE_KEYS = ("pydantic.literal_error", "pydantic.enum", "pydantic.union_tag_invalid")


def error_message(err: Mapping[str, Any], locale: str | None = "fr") -> str:
    """One pydantic error in `locale`: our key's text, pydantic's own English otherwise."""
    return SpecIssue.from_error(err).message(locale)


# --- where the error is, in the user's words ----------------------------------------------

NOUNS: dict[str, tuple[str, str]] = {
    # a list's name -> (French, English) name of one item, numbered from 1
    "tiles": ("tuile", "tile"),
    "layout": ("emplacement", "layout item"),
    "sections": ("section", "section"),
    "filters": ("filtre", "filter"),
    "chapters": ("chapitre", "chapter"),
    "steps": ("étape", "step"),
    "measures": ("mesure", "measure"),
    "secondary": ("mesure secondaire", "secondary measure"),
    "dimensions": ("dimension", "dimension"),
    "columns": ("colonne", "column"),
    "colors": ("règle de couleur", "colour rule"),
    "values": ("valeur dynamique", "live value"),
    "breaks": ("limite", "break"),
    "sort": ("tri", "sort"),
    "highlight": ("valeur mise en avant", "highlighted value"),
}
FIELDS: dict[str, tuple[str, str]] = {
    "title": ("titre", "title"),
    "tiles": ("tuiles", "tiles"),
    "layout": ("disposition", "layout"),
    "sections": ("sections", "sections"),
    "filters": ("filtres", "filters"),
    "chapters": ("chapitres", "chapters"),
    "steps": ("étapes", "steps"),
    "measures": ("mesures", "measures"),
    "secondary": ("mesures secondaires", "secondary measures"),
    "dimensions": ("dimensions", "dimensions"),
    "columns": ("colonnes", "columns"),
    "colors": ("couleurs conditionnelles", "conditional colours"),
    "values": ("valeurs dynamiques", "live values"),
    "breaks": ("limites des classes", "class breaks"),
    "sort": ("tri", "sort"),
    "highlight": ("valeurs mises en avant", "highlighted values"),
    "subtitle": ("sous-titre", "subtitle"),
    "description": ("description", "description"),
    "source": ("source", "source"),
    "notes": ("notes", "notes"),
    "dataset": ("jeu de données", "dataset"),
    "dimension": ("dimension", "dimension"),
    "series": ("séries", "series"),
    "field": ("champ", "field"),
    "agg": ("agrégat", "aggregate"),
    "chart": ("type de graphique", "chart type"),
    "kind": ("type", "kind"),
    "id": ("identifiant", "id"),
    "label": ("libellé", "label"),
    "number_format": ("format des nombres", "number format"),
    "decimals": ("décimales", "decimals"),
    "unit": ("unité", "unit"),
    "style": ("style", "style"),
    "classification": ("classes", "classification"),
    "method": ("méthode", "method"),
    "classes": ("nombre de classes", "number of classes"),
    "boundaries": ("contours", "boundaries"),
    "code_field": ("champ du code", "code field"),
    "name_field": ("champ du nom", "name field"),
    "geometry_field": ("champ géométrie", "geometry field"),
    "lat_field": ("champ latitude", "latitude field"),
    "lon_field": ("champ longitude", "longitude field"),
    "label_field": ("champ libellé", "label field"),
    "measure": ("mesure", "measure"),
    "x_measure": ("mesure horizontale", "horizontal measure"),
    "size_measure": ("mesure de taille", "size measure"),
    "period_field": ("champ de période", "period field"),
    "grain": ("pas de temps", "time grain"),
    "value": ("valeur", "value"),
    "op": ("opérateur", "operator"),
    "default": ("valeur par défaut", "default value"),
    "markdown": ("texte", "text"),
    "text": ("texte", "text"),
    "cover": ("couverture", "cover"),
    "top_n": ("N premiers", "top N"),
    "reference_line": ("ligne de référence", "reference line"),
    "reference": ("territoire de référence", "reference territory"),
    "target": ("cible", "target"),
    "page_size": ("lignes par page", "rows per page"),
    "limit": ("nombre de lignes", "row limit"),
    "palette": ("palette", "palette"),
    "mode": ("disposition", "mode"),
    "tile": ("tuile", "tile"),
    "period": ("période", "period"),
    "view": ("cadrage de la carte", "map view"),
    "zoom": ("zoom", "zoom"),
    "image": ("image", "image"),
    "image_alt": ("texte alternatif", "alternative text"),
    "author": ("auteur", "author"),
    "date": ("date", "date"),
}
_KIND_TAGS = frozenset(
    (
        "chart",
        "map",
        "kpi",
        "table",
        "text",
        "tiles",
        "scroll",
        "dashboard",
        "select",
        "multi_select",
        "date_range",
        "period",
        "territory",
    )
)


def location_text(loc: Sequence[Any] | str, locale: str | None = "fr") -> str:
    """Where an error is, in words: `("tiles", 0, "chart", "measures", 1, "field")` gives
    "tuile 1 › mesure 2 › champ" (unknown names are shown as they are)."""
    parts = loc.split(".") if isinstance(loc, str) else list(loc)
    parts = [int(p) if isinstance(p, str) and p.isdigit() else p for p in parts]
    en = locale == "en"
    words: list[str] = []
    for i, part in enumerate(parts):
        before = parts[i - 1] if i else None
        if isinstance(part, int):
            noun = NOUNS.get(str(before))
            if noun is not None and words:
                words[-1] = f"{noun[1] if en else noun[0]} {part + 1}"
            else:
                words.append(str(part + 1))
        elif part in _KIND_TAGS and _is_tag(before, parts[i + 1 : i + 2]):
            continue  # the tag pydantic adds for a tagged union
        else:
            pair = FIELDS.get(str(part))
            word = (pair[1] if en else pair[0]) if pair else _show(part)
            if not words or words[-1] != word:  # a story text's "text › markdown"
                words.append(word)
    return " › ".join(words)


def _is_tag(before: Any, after: list[Any]) -> bool:
    if before is None:  # a tile validated alone: its location starts with its kind
        return bool(after) and isinstance(after[0], str)
    return isinstance(before, int) or before == "tile"
