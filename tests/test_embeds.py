"""Embeds: tokens, keys, the /embed/ page and its callbacks, frame-ancestors, drafts."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from test_dashboards_api import spec
from test_datasets_api import upload

from studio.security import embed as tokens
from studio.services import embeds as service
from studio.store.models import AuditEvent, Document, EmbedKey, Group, RowRule, User

# --- the token module (pure) -----------------------------------------------------------------

SECRET = "s" * 64


def _secret_of(kid: str) -> str | None:
    return SECRET if kid == "k1" else None


def _sign(claims: dict[str, Any], secret: str = SECRET, kid: str = "k1", alg: str = "HS256"):
    return jwt.encode(claims, secret, algorithm=alg, headers={"kid": kid})


def _claims(**over: Any) -> dict[str, Any]:
    now = int(time.time())
    # A week: the tokens are made when the tests are collected, maybe long before they run.
    base = {"resource": {"type": "dashboard", "id": 7}, "iat": now, "exp": now + 7 * 86400}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def test_issued_token_verifies_for_its_object_only() -> None:
    token = tokens.issue(SECRET, "k1", "dashboard", 7, 600, {"code_departement": "53"}, sub=3)
    claims = tokens.verify(token, _secret_of, "dashboard", 7)
    assert claims.locked_filters == {"code_departement": ["53"]} and claims.sub == 3
    with pytest.raises(tokens.EmbedTokenError) as other:
        tokens.verify(token, _secret_of, "dashboard", 8)
    assert other.value.status == 403
    with pytest.raises(tokens.EmbedTokenError) as story:
        tokens.verify(token, _secret_of, "story", 7)
    assert story.value.status == 403


def test_story_tokens_are_accepted_for_stories() -> None:
    token = _sign(_claims(resource={"type": "story", "id": 7}))
    assert tokens.verify(token, _secret_of, "story", 7).resource_type == "story"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (_sign(_claims(), secret="another secret of the right length......"), "signature"),
        (_sign(_claims(), kid="unknown"), "unknown or revoked"),
        (jwt.encode(_claims(), None, algorithm="none", headers={"kid": "k1"}), "HS256"),
        (_sign(_claims(), alg="HS512"), "HS256"),
        (_sign(_claims(exp=int(time.time()) - 120)), "expired"),
        (_sign(_claims(exp=None)), "exp"),
        (_sign(_claims(iat=None)), "'iat'"),
        (_sign(_claims(iat=int(time.time()) + 3600, exp=int(time.time()) + 4000)), "future"),
        (_sign(_claims(exp=int(time.time()) + 90 * 86400)), "at most"),
        (_sign(_claims(resource={"type": "dashboard", "id": "7"})), "resource"),
        (_sign(_claims(resource=None)), "resource"),
        (_sign(_claims(locked_filters={"f": {"$ne": 1}})), "locked filter"),
        (_sign(_claims(groups="CD53")), "groups"),
        ("not.a.token", "malformed"),
        (jwt.encode(_claims(), SECRET, algorithm="HS256"), "kid"),
    ],
    ids=[
        "wrong-key",
        "unknown-kid",
        "alg-none",
        "other-alg",
        "expired",
        "missing-exp",
        "missing-iat",
        "iat-in-future",
        "too-long",
        "id-not-int",
        "no-resource",
        "forged-lock",
        "groups-not-list",
        "malformed",
        "no-kid",
    ],
)
def test_bad_tokens_are_refused(token: str, reason: str) -> None:
    with pytest.raises(tokens.EmbedTokenError) as refused:
        tokens.verify(token, _secret_of, "dashboard", 7)
    assert reason in refused.value.reason and refused.value.status == 401


def test_issue_bounds_lifetime() -> None:
    for seconds in (0, -5, tokens.MAX_LIFETIME + 1):
        with pytest.raises(tokens.EmbedTokenError):
            tokens.issue(SECRET, "k1", "dashboard", 1, seconds)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://www.Example.fr", "https://www.example.fr"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("https://a.fr:443", "https://a.fr:443"),
        ("https://a.fr/path", None),
        ("javascript:alert(1)", None),
        ("https://*.a.fr", None),
        ("a.fr", None),
        ("https://user@a.fr", None),
        ("https://a.fr:99999", None),
        ("'none'", None),
    ],
)
def test_origins_are_validated(text: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(service.EmbedError):
            service.normalise_origin(text)
    else:
        assert service.normalise_origin(text) == expected


def test_locked_values_take_their_field_type() -> None:
    schemas = {
        1: {"annee": "integer", "taux": "decimal", "code": "departement"},
        2: {"g": "geometry"},
    }
    assert service.typed_locks({"annee": ["2024", 2023.0], "code": ["53"]}, schemas) == {
        "annee": [2024, 2023],
        "code": ["53"],
    }
    assert service.typed_locks({"taux": ["12,5".replace(",", ".")]}, schemas) == {"taux": [12.5]}
    for locks in (
        {"annee": ["5.5"]},
        {"annee": [True]},
        {"taux": ["nan"]},
        {"annee": ["x"]},
        {"nope": ["1"]},
        {"g": ["x"]},
    ):
        with pytest.raises(service.EmbedError) as refused:
            service.typed_locks(locks, schemas)
        assert refused.value.status == 403, locks


# --- through the app ---------------------------------------------------------------------------


@pytest.fixture
def board(login: Any, server: Any) -> dict[str, Any]:
    """A published private dashboard (chart by département + text) owned by the editor."""
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    doc_id = editor.post("/api/v1/dashboards", json=spec(ds_id)).get_json()["id"]
    assert editor.post(f"/api/v1/dashboards/{doc_id}/publish").status_code == 200
    return {"editor": editor, "ds": ds_id, "doc": doc_id, "db": server.extensions["studio"]["db"]}


def _website_key(login: Any) -> tuple[str, str]:
    body = login("admin").post("/api/v1/embed-keys", json={"name": "Site du CD53"}).get_json()
    return body["key_id"], body["secret"]


def _key_token(key: tuple[str, str], doc: int, kind: str = "dashboard", **claims: Any) -> str:
    now = int(time.time())
    payload = {"resource": {"type": kind, "id": doc}, "iat": now, "exp": now + 600, **claims}
    return jwt.encode(payload, key[1], algorithm="HS256", headers={"kid": key[0]})


def _studio_token(board: dict[str, Any], **body: Any) -> str:
    response = board["editor"].post(
        f"/api/v1/dashboards/{board['doc']}/embed-tokens", json={"expires_in": 600, **body}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def _set(board: dict[str, Any], **columns: Any) -> None:
    with board["db"].session() as s:
        doc = s.get(Document, board["doc"])
        for name, value in columns.items():
            setattr(doc, name, value)


def _embed_dash(app: Any) -> Any:
    return app.server.extensions["studio"]["embed_dash"]


def _show(client: Any, app: Any, path: str, search: str) -> Any:
    """POST the embed's first callback as the browser does (address → content)."""
    key = next(k for k in _embed_dash(app).callback_map if "emb-root" in k)
    body = {
        "output": key,
        "outputs": [
            {"id": "emb-root", "property": "children"},
            {"id": "emb-ctx", "property": "data"},
        ],
        "inputs": [{"id": "emb-url", "property": "pathname", "value": path}],
        "state": [{"id": "emb-url", "property": "search", "value": search}],
        "changedPropIds": ["emb-url.pathname"],
    }
    return client.post(
        "/embed/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def _refilter(client: Any, app: Any, context: Any, filters: dict[str, Any], tiles: list[str]):
    """POST the embed's filter callback with any filter values, context and tile ids."""
    key = next(k for k in _embed_dash(app).callback_map if "emb-tile" in k)
    body = {
        "output": key,
        "outputs": [{"id": {"type": "emb-tile", "tile": t}, "property": "children"} for t in tiles],
        "inputs": [
            [
                {"id": {"type": "emb-filter", "filter": f}, "property": "value", "value": v}
                for f, v in filters.items()
            ]
        ],
        "state": [{"id": "emb-ctx", "property": "data", "value": context}],
        "changedPropIds": [],
    }
    return client.post(
        "/embed/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def _departements(response: Any) -> set[str]:
    text = response.get_data(as_text=True)
    return {code for code in ("01", "2A", "971") if f'"{code}"' in text}


def test_public_dashboard_embeds_without_token(board: dict[str, Any], client: Any, app: Any):
    path = f"/embed/dashboards/{board['doc']}"
    assert client.get(path).status_code == 401
    _set(board, visibility="public", allowed_origins=["https://www.cd53.fr"])
    page = client.get(path)
    assert page.status_code == 200 and "_dash-config" in page.get_data(as_text=True)
    assert "frame-ancestors https://www.cd53.fr" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers
    shown = _show(client, app, path, "")
    assert shown.status_code == 200
    assert "Montant par d" in shown.get_data(as_text=True)
    assert _departements(shown) == {"01", "2A", "971"}
    assert '"emb-filter"' in shown.get_data(as_text=True) and "Réalisé avec Studio" in str(
        shown.get_json()
    )
    options = _show(client, app, path, "?filters=0&lang=en&title=0").get_json()["response"]
    assert '"emb-filter"' not in json.dumps(options) and "emb-title" not in json.dumps(options)
    assert "Made with Studio" in json.dumps(options)


def test_frame_ancestors_per_object_and_deny_elsewhere(
    board: dict[str, Any], client: Any, login: Any
) -> None:
    _set(board, visibility="public")
    path = f"/embed/dashboards/{board['doc']}"
    empty = client.get(path)
    assert "frame-ancestors 'none'" in empty.headers["Content-Security-Policy"]
    assert empty.headers["X-Frame-Options"] == "DENY"
    _set(board, allowed_origins=["https://a.fr", "http://127.0.0.1:9000"])
    listed = client.get(path).headers["Content-Security-Policy"]
    assert listed.endswith("frame-ancestors https://a.fr http://127.0.0.1:9000")
    _set(board, allowed_origins=["https://a.fr", "https://b.fr; script-src *", "*", None])
    forged = client.get(path).headers["Content-Security-Policy"]
    assert forged.endswith("frame-ancestors https://a.fr")
    preview = client.get(path + "?preview=1").headers["Content-Security-Policy"]
    assert preview.endswith("frame-ancestors 'self'")
    editor = board["editor"]
    for c, url in [
        (client, "/login"),
        (editor, "/"),
        (editor, "/api/v1/me"),
        (editor, f"/dashboards/{board['doc']}"),
        (client, "/embed.js"),
    ]:
        response = c.get(url)
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url


def test_studio_token_applies_locked_filters(board: dict[str, Any], client: Any, app: Any):
    token = _studio_token(board, locked_filters={"code_departement": "2A"})
    path = f"/embed/dashboards/{board['doc']}"
    assert client.get(f"{path}?token={token}").status_code == 200
    shown = _show(client, app, path, f"?token={token}&title=0")
    assert _departements(shown) == {"2A"}
    out = shown.get_json()["response"]
    assert "emb-title" not in json.dumps(out["emb-root"])  # title=0
    # the filter on the locked field is not offered to the visitor
    assert '"emb-filter"' not in json.dumps(out["emb-root"])
    context = out["emb-ctx"]["data"]
    assert context["token"] == token
    # a forged callback changing the locked field's filter is clamped
    forged = _refilter(client, app, context, {"f1": ["01", "971"]}, ["c1"])
    assert forged.status_code == 200 and _departements(forged) == {"2A"}
    # filter values in the address are not read by embeds
    in_url = _show(client, app, path, f"?token={token}&f1=01&code_departement=01")
    assert _departements(in_url) == {"2A"}
    # a hand-written query in place of a value is ignored
    query = {"dataset": board["ds"], "measures": [{"agg": "count"}]}
    hand = _refilter(client, app, context, {"f1": query, "sql": "select 1"}, ["c1"])
    assert hand.status_code == 200 and _departements(hand) == {"2A"}


def test_forged_callbacks_are_refused(board: dict[str, Any], client: Any, app: Any, login: Any):
    token = _studio_token(board, locked_filters={"code_departement": "2A"})
    context = {"kind": "dashboard", "id": board["doc"], "token": token, "lang": "fr"}
    # another dashboard (same owner, same dataset) with the same token
    other = board["editor"].post("/api/v1/dashboards", json=spec(board["ds"], "Autre"))
    other_id = other.get_json()["id"]
    board["editor"].post(f"/api/v1/dashboards/{other_id}/publish")
    for ctx in (
        {**context, "id": other_id},
        {**context, "kind": "story"},
        {**context, "token": None},
        {**context, "token": token[:-4] + "AAAA"},
        {**context, "id": str(board["doc"])},
        "not a dict",
    ):
        response = _refilter(client, app, ctx, {"f1": None}, ["c1"])
        assert response.status_code == 403, ctx
        assert "Montant" not in response.get_data(as_text=True)
    # another dashboard's tile id gets nothing
    unknown = _refilter(client, app, context, {}, ["c1", "zz"])
    assert unknown.status_code == 200
    rows = unknown.get_json()["response"]
    assert "Montant" in json.dumps(rows['{"tile":"c1","type":"emb-tile"}'])
    assert rows.get('{"tile":"zz","type":"emb-tile"}', {}).get("children") is None
    # another dataset: an embed runs only the datasets its published tiles use
    ds2 = upload(board["editor"], name="Autre").get_json()["id"]
    with board["db"].session() as s:
        view = service.open_embed(s, "dashboard", board["doc"], token)
    from studio.security.policy import PermissionDenied
    from studio.spec import Measure, Query

    with pytest.raises(PermissionDenied), board["db"].session() as s:
        service.run_query(
            s,
            app.server.extensions["studio"]["settings"],
            None,
            view,
            Query(dataset=ds2, measures=[Measure(agg="count")]),
        )


def _page_status(client: Any, doc: int, token: str) -> int:
    response = client.get(f"/embed/dashboards/{doc}?token={token}")
    if response.status_code != 200:
        assert "embed-refused" in response.get_data(as_text=True)
        assert "Montant" not in response.get_data(as_text=True)
    return response.status_code


def test_token_failures_render_nothing(
    board: dict[str, Any], client: Any, app: Any, login: Any
) -> None:
    doc = board["doc"]
    key = _website_key(login)
    now = int(time.time())
    cases = {
        "wrong key": (_key_token((key[0], "x" * 64), doc), 401),
        "alg none": (
            jwt.encode(
                {"resource": {"type": "dashboard", "id": doc}, "exp": now + 60},
                None,
                algorithm="none",
                headers={"kid": key[0]},
            ),
            401,
        ),
        "expired": (_key_token(key, doc, exp=now - 300), 401),
        "missing exp": (
            jwt.encode(
                {"resource": {"type": "dashboard", "id": doc}},
                key[1],
                algorithm="HS256",
                headers={"kid": key[0]},
            ),
            401,
        ),
        "swapped id": (_key_token(key, doc + 1000), 403),
        "story token": (_key_token(key, doc, kind="story"), 403),
        "unknown locked field": (_key_token(key, doc, locked_filters={"password": "x"}), 403),
    }
    for name, (token, status) in cases.items():
        assert _page_status(client, doc, token) == status, name
        shown = _show(client, app, f"/embed/dashboards/{doc}", f"?token={token}")
        assert "embed-refused" in shown.get_data(as_text=True), name
        assert "Montant" not in shown.get_data(as_text=True), name
    good = _key_token(key, doc, locked_filters={"code_departement": ["01", "971"]})
    assert _page_status(client, doc, good) == 200
    assert _departements(_show(client, app, f"/embed/dashboards/{doc}", f"?token={good}")) == {
        "01",
        "971",
    }
    admin = login("admin")
    assert admin.delete(f"/api/v1/embed-keys/{key[0]}").status_code == 200
    assert _page_status(client, doc, good) == 401
    assert "embed-refused" in _show(
        client, app, f"/embed/dashboards/{doc}", f"?token={good}"
    ).get_data(as_text=True)


def test_studio_tokens_stop_with_the_issuer_or_the_internal_key(
    board: dict[str, Any], client: Any, login: Any, users: dict
) -> None:
    doc = board["doc"]
    token = _studio_token(board)
    assert _page_status(client, doc, token) == 200
    # the issuer loses the right to see it (ownership moves to the admin, object private)
    _set(board, owner_id=users["admin"]["id"])
    assert _page_status(client, doc, token) == 403
    _set(board, owner_id=users["editor"]["id"])
    with board["db"].session() as s:
        s.get(User, users["editor"]["id"]).disabled = True
    assert _page_status(client, doc, token) == 403
    with board["db"].session() as s:
        s.get(User, users["editor"]["id"]).disabled = False
    assert _page_status(client, doc, token) == 200
    # revoking the internal key rotates it: old tokens stop, new ones work
    admin = login("admin")
    internal = [k for k in admin.get("/api/v1/embed-keys").get_json() if k["internal"]]
    assert len(internal) == 1
    assert admin.delete(f"/api/v1/embed-keys/{internal[0]['key_id']}").status_code == 200
    assert _page_status(client, doc, token) == 401
    assert _page_status(client, doc, _studio_token(board)) == 200


def test_drafts_are_never_embedded(board: dict[str, Any], client: Any, app: Any, login: Any):
    editor, doc = board["editor"], board["doc"]
    token = _studio_token(board)
    response = editor.put(
        f"/api/v1/dashboards/{doc}",
        json=spec(board["ds"], "Brouillon secret"),
        headers={"If-Match": '"v1"'},
    )
    assert response.status_code == 200
    shown = _show(client, app, f"/embed/dashboards/{doc}", f"?token={token}")
    assert "Observatoire" in shown.get_data(as_text=True)
    assert "Brouillon secret" not in shown.get_data(as_text=True)
    # a dashboard never published has no embed, even with a valid website token
    draft = editor.post("/api/v1/dashboards", json=spec(board["ds"], "Jamais publié"))
    draft_id = draft.get_json()["id"]
    _set({**board, "doc": draft_id}, visibility="public")
    key = _website_key(login)
    assert _page_status(client, draft_id, _key_token(key, draft_id)) == 404
    assert _page_status(client, draft_id, "") == 404
    refused = editor.post(f"/api/v1/dashboards/{draft_id}/embed-tokens", json={})
    assert refused.status_code == 409 and "publish" in refused.get_json()["error"]


def _rule_for_cd53(board: dict[str, Any], value: str) -> None:
    with board["db"].session() as s:
        group = s.query(Group).filter_by(name="CD53").one()
        s.add(
            RowRule(
                dataset_id=board["ds"],
                group_id=group.id,
                conditions=[{"field": "code_departement", "op": "=", "value": value}],
            )
        )


def test_row_rules_follow_the_token_issuer(board: dict[str, Any], client: Any, app: Any) -> None:
    """A Studio token shows what its issuer may see: the dataset's owner everything, a member
    of a ruled group only that group's rows."""
    path = f"/embed/dashboards/{board['doc']}"
    _rule_for_cd53(board, "2A")
    token = _studio_token(board)
    assert _departements(_show(client, app, path, f"?token={token}")) == {"01", "2A", "971"}
    from studio.store.models import Dataset

    with board["db"].session() as s:  # the editor (in CD53) no longer owns the dataset
        admin = s.query(User).filter_by(role="admin").one()
        dataset = s.get(Dataset, board["ds"])
        dataset.owner_id, dataset.visibility = admin.id, "internal"
    assert _departements(_show(client, app, path, f"?token={token}")) == {"2A"}
    with board["db"].session() as s:  # private to the admin now: the issuer lost access
        s.get(Dataset, board["ds"]).visibility = "private"
    assert _departements(_show(client, app, path, f"?token={token}")) == set()


def test_row_rules_on_website_key_tokens_follow_the_groups_claim(
    board: dict[str, Any], client: Any, app: Any, login: Any
) -> None:
    path = f"/embed/dashboards/{board['doc']}"
    key = _website_key(login)
    _rule_for_cd53(board, "971")
    with_group = _key_token(key, board["doc"], groups=["CD53"])
    assert _departements(_show(client, app, path, f"?token={with_group}")) == {"971"}
    for claims in ({}, {"groups": ["Inconnu"]}):
        token = _key_token(key, board["doc"], **claims)
        assert _departements(_show(client, app, path, f"?token={token}")) == set(), claims


def test_token_api_permissions_and_validation(
    board: dict[str, Any], login: Any, client: Any
) -> None:
    url = f"/api/v1/dashboards/{board['doc']}/embed-tokens"
    _set(board, visibility="internal")
    assert client.post(url, json={}).status_code == 401
    assert login("viewer").post(url, json={}).status_code == 403
    editor = board["editor"]
    for body, fragment in [
        ({"expires_in": 31 * 86400}, "expires_in"),
        ({"expires_in": "600"}, "expires_in"),
        ({"locked_filters": {"nope": "1"}}, "nope"),
        ({"locked_filters": {"code_departement": {"$gt": ""}}}, "locked filter"),
    ]:
        response = editor.post(url, json=body)
        assert response.status_code == 400, body
        assert fragment in response.get_json()["error"], body
    ok = editor.post(url, json={"expires_in": 600, "locked_filters": {"code_departement": "01"}})
    body = ok.get_json()
    assert ok.status_code == 201
    assert body["url"].endswith(f"/embed/dashboards/{board['doc']}?token={body['token']}")
    with board["db"].session() as s:
        events = s.query(AuditEvent).filter_by(action="embed_token_issued").all()
        assert [e.details["locked_filters"] for e in events] == [{"code_departement": ["01"]}]


def test_embed_keys_api(login: Any, server: Any) -> None:
    for role in ("viewer", "editor"):
        assert login(role).get("/api/v1/embed-keys").status_code == 403
        assert login(role).post("/api/v1/embed-keys", json={"name": "x"}).status_code == 403
    admin = login("admin")
    assert admin.post("/api/v1/embed-keys", json={}).status_code == 400
    created = admin.post("/api/v1/embed-keys", json={"name": "Site"}).get_json()
    assert created["key_id"].startswith("ek_") and len(created["secret"]) >= 40
    listed = admin.get("/api/v1/embed-keys").get_json()
    assert [k["name"] for k in listed] == ["Site"] and "secret" not in listed[0]
    assert admin.delete("/api/v1/embed-keys/ek_nope").status_code == 404
    revoked = admin.delete(f"/api/v1/embed-keys/{created['key_id']}").get_json()
    assert revoked["revoked_at"]
    with server.extensions["studio"]["db"].session() as s:
        assert s.query(EmbedKey).one().revoked_at is not None
        actions = [e.action for e in s.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions[-2:] == ["embed_key_created", "embed_key_revoked"]


# --- the editor's "Intégrer" dialog ------------------------------------------------------------


def test_dialog_is_offered_to_those_who_may_share(board: dict[str, Any], app: Any, login: Any):
    from conftest import render_page

    path = f"/dashboards/{board['doc']}/edit"
    assert "de-embed-open" in render_page(board["editor"], app, path).get_data(as_text=True)
    assert "de-embed-open" in render_page(login("admin"), app, path).get_data(as_text=True)
    _set(board, visibility="internal")
    assert "de-embed-open" not in render_page(login("viewer"), app, path).get_data(as_text=True)


def _other_editor(board: dict[str, Any], app: Any) -> Any:
    """A signed-in editor who does not own the dashboard."""
    from conftest import PASSWORD, sign_in

    from studio import accounts

    with board["db"].session() as s:
        accounts.create_account(s, "editor2@example.org", "editor", [], PASSWORD, "Autre")
    client = app.server.test_client()
    assert sign_in(client, "editor2@example.org").status_code == 302
    return client


def test_dialog_saves_valid_origins_only(board: dict[str, Any], app: Any, login: Any) -> None:
    from conftest import call_callback

    doc = {"id": board["doc"]}
    out = "de-embed-origins-message.children"
    bad = call_callback(board["editor"], app, out, [1], ["https://a.fr\nhttps://b.fr/page", doc])
    message = json.dumps(bad.get_json(), ensure_ascii=False)
    assert "https://b.fr/page" in message and "n'est pas une origine" in message
    with board["db"].session() as s:
        assert s.get(Document, board["doc"]).allowed_origins == []
    ok = call_callback(board["editor"], app, out, [1], ["HTTPS://A.fr/\n\nhttp://x.fr:8080", doc])
    assert ok.status_code == 200
    assert ok.get_json()["response"]["de-embed-origins"]["value"] == (
        "https://a.fr\nhttp://x.fr:8080"
    )
    with board["db"].session() as s:
        assert s.get(Document, board["doc"]).allowed_origins == ["https://a.fr", "http://x.fr:8080"]
        assert s.query(AuditEvent).filter_by(action="embed_origins_changed").count() == 1
    _set(board, visibility="internal")
    for c in (login("viewer"), _other_editor(board, app), login("anonymous")):
        forged = call_callback(c, app, out, [1], ["https://evil.example", doc])
        assert forged.status_code in (401, 403)
    with board["db"].session() as s:
        assert s.get(Document, board["doc"]).allowed_origins == ["https://a.fr", "http://x.fr:8080"]


def test_dialog_issues_a_token_and_builds_the_snippet(
    board: dict[str, Any], app: Any, client: Any, login: Any
) -> None:
    from conftest import call_callback

    doc = {"id": board["doc"]}
    out = "de-embed-token.data"
    issued = call_callback(board["editor"], app, out, [1], ["86400", "code_departement", "2A", doc])
    token = issued.get_json()["response"]["de-embed-token"]["data"]
    assert _departements(
        _show(client, app, f"/embed/dashboards/{board['doc']}", f"?token={token}")
    ) == {"2A"}
    missing = call_callback(board["editor"], app, out, [1], ["86400", "code_departement", " ", doc])
    assert "au moins une valeur" in missing.get_data(as_text=True)
    for c in (login("viewer"), _other_editor(board, app)):
        assert call_callback(c, app, out, [1], ["3600", "", "", doc]).status_code in (403, 404)
    response = call_callback(
        board["editor"],
        app,
        "de-embed-snippet.value",
        [["title"], "dark", "en", token, True],
        [doc],
    ).get_json()["response"]
    snippet = response["de-embed-snippet"]["value"]
    preview = response["de-embed-preview"]["src"]
    assert preview.startswith(f"/embed/dashboards/{board['doc']}?token=") and "preview=1" in preview
    assert client.get(preview).headers["Content-Security-Policy"].endswith("frame-ancestors 'self'")
    # before a token is issued, a private dashboard's snippet has a placeholder, no preview
    before = call_callback(
        board["editor"], app, "de-embed-snippet.value", [[], "light", "fr", None, True], [doc]
    ).get_json()["response"]
    assert "token=TOKEN" in before["de-embed-snippet"]["value"]
    assert before["de-embed-preview"]["src"] is None
    assert (
        f"/embed/dashboards/{board['doc']}?token={token}&amp;title=0&amp;theme=dark&amp;lang=en"
        in snippet
    )
    # built from the configured public address (STUDIO_PUBLIC_URL), never the Host header
    assert '<script src="http://127.0.0.1:8050/embed.js" async></script>' in snippet


# --- the admin page's embed keys section -------------------------------------------------------


def test_admin_section_creates_shows_secret_once_and_revokes(
    app: Any, login: Any, server: Any
) -> None:
    from conftest import call_callback, render_page

    admin = login("admin")
    assert "admin-ek-section" in render_page(admin, app, "/admin").get_data(as_text=True)
    empty = call_callback(admin, app, "admin-ek-message.children", [1], ["  "])
    assert "Donnez un nom" in json.dumps(empty.get_json(), ensure_ascii=False)
    created = call_callback(admin, app, "admin-ek-message.children", [1], ["Site du CD53"])
    body = json.dumps(created.get_json(), ensure_ascii=False)
    with server.extensions["studio"]["db"].session() as s:
        key = s.query(EmbedKey).one()
        kid, secret = key.key_id, key.secret
    assert secret in body and kid in body
    page = render_page(admin, app, "/admin").get_data(as_text=True)
    assert kid in page and secret not in page  # listed, secret never shown again
    for role in ("viewer", "editor"):
        forged = call_callback(login(role), app, "admin-ek-message.children", [1], ["x"])
        assert forged.status_code == 403
    revoke_key = next(k for k in app.callback_map if "admin-ek-table.children@" in k)
    spec_ = app.callback_map[revoke_key]
    request_body = {
        "output": revoke_key,
        "outputs": [
            {"id": "admin-ek-message", "property": "children@" + revoke_key.split("@")[1][:-2]},
            {"id": "admin-ek-table", "property": "children@" + revoke_key.split("@")[-1]},
        ],
        "inputs": [
            [{"id": {"type": "admin-ek-revoke", "key": kid}, "property": "n_clicks", "value": 1}]
        ],
        "state": [],
        "changedPropIds": [
            json.dumps({"key": kid, "type": "admin-ek-revoke"}, separators=(",", ":")) + ".n_clicks"
        ],
    }
    assert spec_["inputs"][0]["id"].startswith("{")
    for role, status in (("editor", 403), ("admin", 200)):
        response = login(role).post(
            "/_dash-update-component",
            data=json.dumps(request_body),
            content_type="application/json",
        )
        assert response.status_code == status, response.get_data(as_text=True)[:300]
    with server.extensions["studio"]["db"].session() as s:
        assert s.query(EmbedKey).one().revoked_at is not None


def test_sections_are_tabs_in_embeds(board: dict[str, Any], client: Any, app: Any) -> None:
    data = spec(board["ds"])
    data["sections"] = [
        {"id": "s1", "title": "Vue d'ensemble", "tiles": ["c1"]},
        {"id": "s2", "title": "Notes", "tiles": ["x1"]},
    ]
    editor = board["editor"]
    assert (
        editor.put(
            f"/api/v1/dashboards/{board['doc']}", json=data, headers={"If-Match": '"v1"'}
        ).status_code
        == 200
    )
    editor.post(f"/api/v1/dashboards/{board['doc']}/publish")
    _set(board, visibility="public")
    shown = _show(client, app, f"/embed/dashboards/{board['doc']}", "").get_data(as_text=True)
    assert "emb-tabs" in shown and "Vue d'ensemble" in shown and "Notes" in shown
    assert "Montant par d" in shown


def test_embed_urls_come_from_the_public_url_not_the_host_header(make_app: Any) -> None:
    from conftest import PASSWORD, sign_in
    from test_datasets_api import upload

    from studio import accounts

    app = make_app(public_url="https://studio.cd53.fr/")
    server = app.server
    with server.extensions["studio"]["db"].session() as s:
        accounts.create_account(s, "ed@example.org", "editor", [], PASSWORD, "Ed")
    editor = server.test_client()
    assert sign_in(editor, "ed@example.org").status_code == 302
    ds_id = upload(editor).get_json()["id"]
    doc = editor.post("/api/v1/dashboards", json=spec(ds_id)).get_json()["id"]
    assert editor.post(f"/api/v1/dashboards/{doc}/publish").status_code == 200
    response = editor.post(
        f"/api/v1/dashboards/{doc}/embed-tokens",
        json={"expires_in": 600},
        headers={"X-Forwarded-Host": "evil.example.com", "Forwarded": "host=evil.example.com"},
    )
    assert response.status_code == 201, response.get_json()
    url = response.get_json()["url"]
    assert url.startswith(f"https://studio.cd53.fr/embed/dashboards/{doc}?token=")
    assert "evil" not in url
