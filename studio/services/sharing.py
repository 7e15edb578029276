"""Sharing use cases: who sees and edits an object, row-level rules, and the actor's row filter.

Shared by the API, the "Partager" dialog, the dataset page and (for its embed actor) the
embed routes. Every function re-checks permission itself and audits what it changes.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from studio.datasources import DatasetError
from studio.datasources.plan import condition
from studio.i18n import register, t
from studio.security.origins import canonical_origin
from studio.security.policy import allowed, ensure
from studio.services.datasets import fields_of
from studio.spec import OPERATORS, Filter, RowFilter
from studio.spec.messages import SpecIssue
from studio.spec.sharing import VISIBILITIES
from studio.store import NotFound, audit
from studio.store import datasets as ds_repo
from studio.store import documents as doc_repo
from studio.store import sharing as repo
from studio.store.models import ROLES, Dataset, Document, Group, User

KINDS = ("dashboard", "story", "dataset")
MAX_ORIGINS = 20
MAX_CONDITIONS = 20

register(
    {
        "share.err.visibility": (
            "Visibilité inconnue : « $value ». Choisissez private, internal, groups ou public.",
            "Unknown visibility '$value'. Choose private, internal, groups or public.",
        ),
        "share.err.unknown": (
            "Clé inconnue : « $value ». Clés possibles : $known.",
            "Unknown key '$value'. Possible keys: $known.",
        ),
        "share.err.list": (
            "« $name » doit être une liste de textes.",
            "'$name' must be a list of texts.",
        ),
        "share.err.user": (
            "Aucun compte n'a l'adresse « $value ». Vérifiez l'adresse, ou demandez à un "
            "administrateur de créer le compte.",
            "No account has the address '$value'. Check it, or ask an administrator to create "
            "the account.",
        ),
        "share.err.group": (
            "Le groupe « $value » n'existe pas. Choisissez un groupe de la liste.",
            "There is no group '$value'. Choose a group from the list.",
        ),
        "share.err.role": (
            "Rôle inconnu : « $value ». Choisissez parmi admin, editor, viewer.",
            "Unknown role '$value'. Choose among admin, editor, viewer.",
        ),
        "share.err.roles_need_groups": (
            "Les rôles ne s'appliquent qu'à la visibilité « rôles ou groupes ».",
            "Roles only apply to the 'roles or groups' visibility.",
        ),
        "share.err.groups_empty": (
            "Avec la visibilité « rôles ou groupes », choisissez au moins un groupe ou un rôle.",
            "With the 'roles or groups' visibility, choose at least one group or role.",
        ),
        "share.err.viewer_editor": (
            "$value a le rôle lecteur : seuls les éditeurs peuvent modifier. Changez d'abord "
            "son rôle dans l'administration.",
            "$value has the viewer role: only editors can edit. Change their role in the "
            "administration first.",
        ),
        "share.err.origin": (
            "Origine invalide : « $value ». Écrivez schéma://hôte[:port], par exemple "
            "https://www.exemple.fr, sans chemin ni joker.",
            "Invalid origin '$value'. Write scheme://host[:port], e.g. https://www.example.org, "
            "with no path and no wildcard.",
        ),
        "share.err.too_many_origins": (
            "Au plus $max origines autorisées.",
            "At most $max allowed origins.",
        ),
        "share.err.no_origins": (
            "Un jeu de données ne s'intègre pas dans un site : pas d'origines autorisées.",
            "A dataset is not embedded in websites: it has no allowed origins.",
        ),
        "rule.err.group": (
            "Choisissez le groupe auquel la règle s'applique.",
            "Choose the group the rule applies to.",
        ),
        "rule.err.conditions": (
            "Une règle a entre 1 et $max conditions {champ, opérateur, valeur}.",
            "A rule has 1 to $max conditions {field, operator, value}.",
        ),
        "rule.err.field": (
            "Le champ « $value » n'existe pas dans ce jeu de données.",
            "This dataset has no field '$value'.",
        ),
        "rule.err.operator": (
            "Opérateur inconnu : « $value ».",
            "Unknown operator '$value'.",
        ),
        "rule.err.value": (
            "Condition sur « $name » : $detail",
            "Condition on '$name': $detail",
        ),
    }
)


class SharingError(ValueError):
    """Bad sharing or rule input; `field` names what to fix, `message(locale)` says how."""

    def __init__(self, field: str, key: str, **params: Any) -> None:
        super().__init__(f"{field}: {key}")
        self.field = field
        self.key = key
        self.params = params

    def message(self, locale: str = "fr") -> str:
        """The explanation in `locale`."""
        if self.key == "raw":
            return str(self.params.get("text", ""))
        params = {
            k: (v.message(locale) if isinstance(v, DatasetError | SpecIssue) else v)
            for k, v in self.params.items()
        }
        return t(self.key, locale, **params)


# --- loading the object -----------------------------------------------------------------


def load_object(s: Session, actor: Any, kind: str, object_id: int) -> Dataset | Document:
    """The dataset, dashboard or story the actor may view; NotFound otherwise."""
    if kind not in KINDS:
        raise NotFound(kind)
    obj: Any = (
        ds_repo.get_dataset(s, object_id)
        if kind == "dataset"
        else doc_repo.get_document(s, kind, object_id)
    )
    if not allowed(actor, "view", obj):
        raise NotFound(f"no {kind} {object_id}")
    return obj


# --- sharing ----------------------------------------------------------------------------


def describe_sharing(s: Session, actor: Any, obj: Any) -> dict[str, Any]:
    """The object's sharing as the API and the dialog show it (needs the "share" right).

    `editors` holds e-mails (users) and group names (no "@": group names cannot hold one).
    """
    ensure(actor, "share", obj)
    grants = repo.grants_of(s, obj.object_type, obj.id)
    users = _names(s, User, User.email, [g for g in grants if g.principal_type == "user"])
    groups = _names(s, Group, Group.name, [g for g in grants if g.principal_type == "group"])
    out: dict[str, Any] = {
        "visibility": obj.visibility,
        "groups": sorted(groups[g.principal] for g in grants if _is(g, "group", "view", groups)),
        "roles": sorted(g.principal for g in grants if g.principal_type == "role"),
        "users": sorted(users[g.principal] for g in grants if _is(g, "user", "view", users)),
        "editors": sorted(
            [users[g.principal] for g in grants if _is(g, "user", "edit", users)]
            + [groups[g.principal] for g in grants if _is(g, "group", "edit", groups)]
        ),
        "owner": obj.owner.email if obj.owner else None,
    }
    if obj.object_type != "dataset":
        out["allowed_origins"] = list(obj.allowed_origins or [])
    return out


def _is(grant: Any, principal_type: str, permission: str, names: dict[str, str]) -> bool:
    return (
        grant.principal_type == principal_type
        and grant.permission == permission
        and grant.principal in names
    )


def _names(s: Session, model: Any, column: Any, grants: list[Any]) -> dict[str, str]:
    ids = {int(g.principal) for g in grants if str(g.principal).isdigit()}
    if not ids:
        return {}
    rows = s.execute(select(model.id, column).where(model.id.in_(ids)))
    return {str(i): name for i, name in rows}


def update_sharing(
    s: Session, actor: Any, obj: Any, body: Any, address: str = ""
) -> dict[str, Any]:
    """Apply a sharing change (keys left out keep their value); audited. SharingError on bad
    input, before anything changes."""
    ensure(actor, "share", obj)
    if not isinstance(body, dict):
        raise SharingError("body", "raw", text="Send a JSON object.")
    current = describe_sharing(s, actor, obj)
    known = set(current) | {"allowed_origins"}
    unknown = sorted(set(body) - known)
    if unknown:
        raise SharingError(
            unknown[0],
            "share.err.unknown",
            value=unknown[0],
            known=", ".join(sorted(known - {"owner"})),
        )
    wanted = {key: body.get(key, current.get(key)) for key in current if key != "owner"}
    visibility = wanted["visibility"]
    if visibility not in VISIBILITIES:
        raise SharingError("visibility", "share.err.visibility", value=visibility)
    lists = {key: _text_list(wanted, key) for key in ("groups", "roles", "users", "editors")}
    grants: set[tuple[str, str, str]] = set()
    for email in lists["users"]:
        grants.add(("user", str(_user(s, email, "users").id), "view"))
    for name in lists["groups"]:
        grants.add(("group", str(_group(s, name, "groups").id), "view"))
    for role in lists["roles"]:
        if role not in ROLES:
            raise SharingError("roles", "share.err.role", value=role)
        if visibility != "groups":
            raise SharingError("roles", "share.err.roles_need_groups")
        grants.add(("role", role, "view"))
    if visibility == "groups" and not (lists["groups"] or lists["roles"]):
        raise SharingError("groups", "share.err.groups_empty")
    for entry in lists["editors"]:
        grants.add(_editor_grant(s, entry))
    origins = _origins(obj, body)
    repo.replace_grants(s, obj, obj.object_type, grants)
    obj.visibility = visibility
    if origins is not None:
        obj.allowed_origins = origins
    after = describe_sharing(s, actor, obj)
    audit.record(
        s,
        actor,
        f"{obj.object_type}_shared",
        obj.object_type,
        obj.id,
        {k: v for k, v in after.items() if k != "owner"},
        address,
    )
    return after


def _text_list(values: dict[str, Any], key: str) -> list[str]:
    raw = values.get(key) or []
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise SharingError(key, "share.err.list", name=key)
    return [x.strip() for x in raw if x.strip()]


def _user(s: Session, email: str, field: str) -> User:
    user = s.scalar(select(User).where(User.email == email.lower()))
    if user is None or user.disabled:
        raise SharingError(field, "share.err.user", value=email)
    return user


def _group(s: Session, name: str, field: str) -> Group:
    group = s.scalar(select(Group).where(Group.name == name))
    if group is None:
        raise SharingError(field, "share.err.group", value=name)
    return group


def _editor_grant(s: Session, entry: str) -> tuple[str, str, str]:
    """An edit grant for an e-mail (a user who may edit) or a group name."""
    if "@" in entry:
        user = _user(s, entry, "editors")
        if user.role not in ("editor", "admin"):
            raise SharingError("editors", "share.err.viewer_editor", value=user.email)
        return ("user", str(user.id), "edit")
    return ("group", str(_group(s, entry, "editors").id), "edit")


def _origins(obj: Any, body: dict[str, Any]) -> list[str] | None:
    """The validated allowed origins, or None when the body leaves them unchanged."""
    if "allowed_origins" not in body:
        return None
    raw = _text_list(body, "allowed_origins")
    if obj.object_type == "dataset":
        if raw:
            raise SharingError("allowed_origins", "share.err.no_origins")
        return None
    if len(raw) > MAX_ORIGINS:
        raise SharingError("allowed_origins", "share.err.too_many_origins", max=MAX_ORIGINS)
    return sorted({normalise_origin(o) for o in raw})


def normalise_origin(text: str) -> str:
    """`scheme://host[:port]` in lower case (see `canonical_origin`), or SharingError."""
    origin = canonical_origin(text)
    if origin is None:
        raise SharingError("allowed_origins", "share.err.origin", value=text)
    return origin


def share_choices(s: Session) -> dict[str, list[str]]:
    """What the dialog offers: active users' e-mails (and those who may edit), group names,
    roles."""
    rows = s.execute(
        select(User.email, User.role).where(User.disabled.is_(False)).order_by(User.email)
    ).all()
    groups = s.scalars(select(Group.name).order_by(Group.name))
    return {
        "users": [email for email, _role in rows],
        "editor_emails": [email for email, role in rows if role in ("editor", "admin")],
        "groups": list(groups),
        "roles": list(ROLES),
    }


# --- row-level rules --------------------------------------------------------------------


def row_filter_for(session: Session, actor: Any, dataset: Any) -> RowFilter | None:
    """The rows `actor` may read of `dataset`: None = all (admins, the dataset's owner, a
    dataset without rules), [] = none, else the OR of the rules of the actor's groups.

    `actor` needs `.id`, `.role` and `.group_ids` (a frozenset of group ids); the embed
    routes pass their own actor. Rules name fields checked when they were written; a rule
    whose field has since disappeared makes the query fail (never widens it).
    """
    if getattr(actor, "role", None) == "admin":
        return None
    if actor.id is not None and getattr(dataset, "owner_id", None) == actor.id:
        return None
    rules = repo.row_rules(session, dataset.id)
    if not rules:
        return None
    groups = frozenset(getattr(actor, "group_ids", None) or ())
    return [
        [Filter.model_validate(c) for c in rule.conditions]
        for rule in rules
        if rule.group_id in groups
    ]


def list_rules(s: Session, actor: Any, ds: Dataset) -> list[dict[str, Any]]:
    """The dataset's rules (admins only)."""
    ensure(actor, "manage", "users")
    names = dict(s.execute(select(Group.id, Group.name)).all())
    return [_rule_json(rule, names) for rule in repo.row_rules(s, ds.id)]


def _rule_json(rule: Any, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": rule.id,
        "group": names.get(rule.group_id, ""),
        "group_id": rule.group_id,
        "conditions": rule.conditions,
        "created_by": rule.created_by,
        "created_at": rule.created_at.isoformat() if rule.created_at else None,
    }


def add_rule(s: Session, actor: Any, ds: Dataset, body: Any, address: str = "") -> dict[str, Any]:
    """Add a rule `{"group": name, "conditions": [{"field", "op", "value"}]}` (admins only);
    fields and operators are checked against the dataset, values typed. Audited."""
    ensure(actor, "manage", "users")
    if not isinstance(body, dict):
        raise SharingError("body", "raw", text="Send a JSON object.")
    name = body.get("group")
    if not isinstance(name, str) or not name.strip():
        raise SharingError("group", "rule.err.group")
    group = _group(s, name.strip(), "group")
    conditions = check_conditions(ds, body.get("conditions"))
    rule = repo.add_row_rule(s, ds.id, group.id, conditions, actor.email)
    audit.record(
        s,
        actor,
        "row_rule_added",
        "dataset",
        ds.id,
        {"rule": rule.id, "group": group.name, "conditions": conditions},
        address,
    )
    return _rule_json(rule, {group.id: group.name})


def check_conditions(ds: Dataset, raw: Any) -> list[dict[str, Any]]:
    """The conditions in stored form (values of the field's type, JSON-ready), or
    SharingError naming the condition at fault."""
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CONDITIONS:
        raise SharingError("conditions", "rule.err.conditions", max=MAX_CONDITIONS)
    types = {f.name: f.type for f in fields_of(ds)}
    out = []
    for i, item in enumerate(raw):
        where = f"conditions.{i}"
        if not isinstance(item, dict) or set(item) - {"field", "op", "value"}:
            raise SharingError(where, "rule.err.conditions", max=MAX_CONDITIONS)
        if item.get("field") not in types:
            raise SharingError(f"{where}.field", "rule.err.field", value=item.get("field"))
        if item.get("op", "=") not in OPERATORS:
            raise SharingError(f"{where}.op", "rule.err.operator", value=item.get("op"))
        try:
            flt = Filter.model_validate(item)
            planned = condition(flt, types)
        except DatasetError as exc:
            part = "op" if exc.code == "query.bad_operator" else "value"
            raise SharingError(
                f"{where}.{part}", "rule.err.value", name=item.get("field"), detail=exc
            ) from None
        except ValidationError as exc:
            raise SharingError(
                f"{where}.value",
                "rule.err.value",
                name=item.get("field"),
                detail=SpecIssue.from_error(exc.errors()[0]),
            ) from None
        except ValueError as exc:
            detail = str(exc).splitlines()[-1].removeprefix("  Value error, ")
            raise SharingError(
                f"{where}.value", "rule.err.value", name=item.get("field"), detail=detail
            ) from None
        values = [_jsonable(v) for v in planned.values]
        value: Any = None
        if flt.op in ("in", "not_in", "between"):
            value = values
        elif values:
            value = values[0]
        out.append({"field": flt.field, "op": flt.op, "value": value})
    return out


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def delete_rule(s: Session, actor: Any, ds: Dataset, rule_id: int, address: str = "") -> None:
    """Remove one rule (admins only). Audited."""
    ensure(actor, "manage", "users")
    rule = repo.delete_row_rule(s, ds.id, rule_id)
    audit.record(
        s,
        actor,
        "row_rule_deleted",
        "dataset",
        ds.id,
        {"rule": rule_id, "group_id": rule.group_id, "conditions": rule.conditions},
        address,
    )
