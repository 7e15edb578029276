"""Story embeds (/embed/stories/<id>): published only, tokens scoped to the story, locked
filters on every query (texts, tiles, each scroll step, public dashboard chapters), row rules
of the token, frame-ancestors per story."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest
from story_samples import story_spec
from test_dashboards_api import spec as board_spec
from test_datasets_api import upload
from test_embeds import _departements, _key_token, _show, _website_key

from studio.store.models import Dataset, Document, Group, RowRule, User

ALL = {"01", "2A", "971"}


@pytest.fixture
def story(login: Any, server: Any) -> dict[str, Any]:
    """A published private story (texts, tiles, a scroll sequence) owned by the editor."""
    editor = login("editor")
    ds_id = upload(editor).get_json()["id"]
    doc_id = editor.post("/api/v1/stories", json=story_spec(ds_id)).get_json()["id"]
    assert editor.post(f"/api/v1/stories/{doc_id}/publish").status_code == 200
    return {"editor": editor, "ds": ds_id, "doc": doc_id, "db": server.extensions["studio"]["db"]}


def _path(doc: int) -> str:
    return f"/embed/stories/{doc}"


def _set(db: Any, doc: int, **columns: Any) -> None:
    with db.session() as s:
        obj = s.get(Document, doc)
        for name, value in columns.items():
            setattr(obj, name, value)


def _token(story: dict[str, Any], **body: Any) -> str:
    response = story["editor"].post(
        f"/api/v1/stories/{story['doc']}/embed-tokens", json={"expires_in": 600, **body}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def _embed_dash(app: Any) -> Any:
    return app.server.extensions["studio"]["embed_dash"]


def _step(client: Any, app: Any, context: Any, chapter: str, step: Any) -> Any:
    """The embed's sticky redraw callback as the browser calls it after a scroll."""
    key = next(k for k in _embed_dash(app).callback_map if "story-sticky" in k)
    body = {
        "output": key,
        "outputs": {"id": {"type": "story-sticky", "chapter": chapter}, "property": "children"},
        "inputs": [
            {"id": {"type": "story-step", "chapter": chapter}, "property": "data", "value": step}
        ],
        "state": [{"id": "emb-ctx", "property": "data", "value": context}],
        "changedPropIds": [
            json.dumps({"chapter": chapter, "type": "story-step"}, separators=(",", ":")) + ".data"
        ],
    }
    return client.post(
        "/embed/_dash-update-component", data=json.dumps(body), content_type="application/json"
    )


def _context(shown: Any) -> dict[str, Any]:
    return shown.get_json()["response"]["emb-ctx"]["data"]


def test_public_story_embeds_without_token(story: dict[str, Any], client: Any, app: Any):
    path = _path(story["doc"])
    assert client.get(path).status_code == 401
    _set(story["db"], story["doc"], visibility="public", allowed_origins=["https://www.cd53.fr"])
    page = client.get(path)
    assert page.status_code == 200 and "_dash-config" in page.get_data(as_text=True)
    assert page.headers["Content-Security-Policy"].endswith("frame-ancestors https://www.cd53.fr")
    assert "X-Frame-Options" not in page.headers
    assert "/assets/story_scroll.js" in page.get_data(as_text=True)
    assert "/assets/story.css" in page.get_data(as_text=True)
    shown = _show(client, app, path, "")
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "Le RSA en 2024" in text and "story-title" in text
    assert "4\\u202f322,75" in text  # the live value of the intro text, French format
    assert "#chapitre-defile" in text and '"story-step"' in text  # TOC and scroll steps
    assert "story-doc" not in text  # the main app's store (and its callback) are not used
    assert _departements(shown) == ALL
    assert _context(shown) == {"kind": "story", "id": story["doc"], "token": None, "lang": "fr"}
    hidden = _show(client, app, path, "?title=0&lang=en").get_data(as_text=True)
    assert "story-title" not in hidden and "Made with Studio" in hidden
    assert "Contents" in hidden


def test_cover_image_is_left_out(story: dict[str, Any], client: Any, app: Any) -> None:
    data = story_spec(story["ds"])
    data["cover"]["image"] = "0123456789abcdef0123456789abcdef.png"
    data["cover"]["image_alt"] = "Une photo"
    editor = story["editor"]
    put = editor.put(f"/api/v1/stories/{story['doc']}", json=data, headers={"If-Match": '"v1"'})
    assert put.status_code == 200, put.get_json()
    assert editor.post(f"/api/v1/stories/{story['doc']}/publish").status_code == 200
    _set(story["db"], story["doc"], visibility="public")
    text = _show(client, app, _path(story["doc"]), "").get_data(as_text=True)
    assert "Le RSA en 2024" in text
    assert "story-cover-image" not in text and "/story-images/" not in text


def test_tokens_are_scoped_to_kind_and_id(
    story: dict[str, Any], client: Any, app: Any, login: Any
) -> None:
    doc = story["doc"]
    key = _website_key(login)
    board = story["editor"].post("/api/v1/dashboards", json=board_spec(story["ds"]))
    board_id = board.get_json()["id"]
    story["editor"].post(f"/api/v1/dashboards/{board_id}/publish")
    cases = {
        "dashboard token on a story": (_key_token(key, doc, kind="dashboard"), 403),
        "story token of another id": (_key_token(key, doc + 1000, kind="story"), 403),
        "unknown locked field": (_key_token(key, doc, "story", locked_filters={"x": "1"}), 403),
        "no token": ("", 401),
    }
    for name, (token, status) in cases.items():
        response = client.get(f"{_path(doc)}?token={token}")
        assert response.status_code == status, name
        assert "Le RSA" not in response.get_data(as_text=True), name
        shown = _show(client, app, _path(doc), f"?token={token}").get_data(as_text=True)
        assert "embed-refused" in shown and "Le RSA" not in shown, name
    # and the other way round: a story token does not open a dashboard with the same id
    story_token = _key_token(key, board_id, kind="story")
    assert client.get(f"/embed/dashboards/{board_id}?token={story_token}").status_code == 403
    good = _key_token(key, doc, kind="story")
    assert client.get(f"{_path(doc)}?token={good}").status_code == 200
    assert "Le RSA en 2024" in _show(client, app, _path(doc), f"?token={good}").get_data(
        as_text=True
    )


def test_drafts_are_never_embedded(
    story: dict[str, Any], client: Any, app: Any, login: Any
) -> None:
    editor, doc = story["editor"], story["doc"]
    token = _token(story)
    draft = editor.put(
        f"/api/v1/stories/{doc}",
        json=story_spec(story["ds"], "Brouillon secret"),
        headers={"If-Match": '"v1"'},
    )
    assert draft.status_code == 200
    shown = _show(client, app, _path(doc), f"?token={token}").get_data(as_text=True)
    assert "Le RSA en 2024" in shown and "Brouillon secret" not in shown
    never = editor.post("/api/v1/stories", json=story_spec(story["ds"], "Jamais publié"))
    never_id = never.get_json()["id"]
    _set(story["db"], never_id, visibility="public")
    key = _website_key(login)
    assert client.get(_path(never_id)).status_code == 404
    assert (
        client.get(f"{_path(never_id)}?token={_key_token(key, never_id, 'story')}").status_code
        == 404
    )
    refused = editor.post(f"/api/v1/stories/{never_id}/embed-tokens", json={})
    assert refused.status_code == 409 and "publish" in refused.get_json()["error"]


def test_locked_filter_reaches_texts_tiles_and_every_step(
    story: dict[str, Any], client: Any, app: Any
) -> None:
    token = _token(story, locked_filters={"code_departement": "2A"})
    shown = _show(client, app, _path(story["doc"]), f"?token={token}")
    text = shown.get_data(as_text=True)
    assert _departements(shown) == {"2A"}  # the chapter tile and the sticky visual at step 0
    assert "4\\u202f322,75" not in text  # the text's live value too: Corse-du-Sud's
    assert '["\\u221212"]' in text
    context = _context(shown)
    assert context["token"] == token
    step0 = _step(client, app, context, "defile", 0)
    assert step0.status_code == 200 and _departements(step0) == {"2A"}
    # step 1 filters on the Ain: locked to Corse-du-Sud, nothing is left (AND, never OR)
    step1 = _step(client, app, context, "defile", 1)
    assert '"data-step":"1"' in step1.get_data(as_text=True) and _departements(step1) == set()
    step2 = _step(client, app, context, "defile", 2)
    assert '"data-step":"2"' in step2.get_data(as_text=True) and _departements(step2) == {"2A"}
    clamped = _step(client, app, context, "defile", 99)
    assert '"data-step":"2"' in clamped.get_data(as_text=True) and _departements(clamped) == {"2A"}
    for forged_step in ("1; DROP TABLE", {"x": 1}, None, True):
        response = _step(client, app, context, "defile", forged_step)
        assert response.status_code == 200 and _departements(response) == {"2A"}
    for chapter in ("intro", "nope", "../x"):  # not scroll chapters
        assert _step(client, app, context, chapter, 1).status_code == 204


def _relocked(token: str) -> str:
    """The token with its locked filter changed and its signature kept (forged)."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["locked_filters"] = {"code_departement": ["01", "2A", "971"]}
    raw = json.dumps(claims, separators=(",", ":")).encode()
    return ".".join([header, base64.urlsafe_b64encode(raw).rstrip(b"=").decode(), signature])


def test_forged_step_callbacks_are_refused(
    story: dict[str, Any], client: Any, app: Any, login: Any
) -> None:
    token = _token(story, locked_filters={"code_departement": "2A"})
    context = {"kind": "story", "id": story["doc"], "token": token, "lang": "fr"}
    other = story["editor"].post("/api/v1/stories", json=story_spec(story["ds"], "Autre"))
    other_id = other.get_json()["id"]
    story["editor"].post(f"/api/v1/stories/{other_id}/publish")
    for ctx in (
        {**context, "id": other_id},
        {**context, "kind": "dashboard"},
        {**context, "token": None},
        {**context, "token": _relocked(token)},
        {**context, "id": str(story["doc"])},
        "not a dict",
    ):
        response = _step(client, app, ctx, "defile", 0)
        assert response.status_code == 403, ctx
        assert "Montant" not in response.get_data(as_text=True)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(_relocked(token), "x" * 64, algorithms=["HS256"])
    # the dashboard filter callback refuses a story's context
    from test_embeds import _refilter

    assert _refilter(client, app, context, {"f1": None}, ["c1"]).status_code == 403


def _rule_for_cd53(story: dict[str, Any], value: str) -> None:
    with story["db"].session() as s:
        group = s.query(Group).filter_by(name="CD53").one()
        s.add(
            RowRule(
                dataset_id=story["ds"],
                group_id=group.id,
                conditions=[{"field": "code_departement", "op": "=", "value": value}],
            )
        )


def test_row_rules_follow_the_token(
    story: dict[str, Any], client: Any, app: Any, login: Any
) -> None:
    path = _path(story["doc"])
    _rule_for_cd53(story, "971")
    token = _token(story)  # the editor owns the dataset: every row
    shown = _show(client, app, path, f"?token={token}")
    assert _departements(shown) == ALL
    with story["db"].session() as s:  # the editor (in CD53) no longer owns the dataset
        admin = s.query(User).filter_by(role="admin").one()
        dataset = s.get(Dataset, story["ds"])
        dataset.owner_id, dataset.visibility = admin.id, "internal"
    shown = _show(client, app, path, f"?token={token}")
    assert _departements(shown) == {"971"}
    assert _departements(_step(client, app, _context(shown), "defile", 0)) == {"971"}
    key = _website_key(login)
    with_group = _key_token(key, story["doc"], "story", groups=["CD53"])
    assert _departements(_show(client, app, path, f"?token={with_group}")) == {"971"}
    for claims in ({}, {"groups": ["Inconnu"]}):
        other = _key_token(key, story["doc"], "story", **claims)
        shown = _show(client, app, path, f"?token={other}")
        assert _departements(shown) == set(), claims
        assert _departements(_step(client, app, _context(shown), "defile", 0)) == set()
    _set(story["db"], story["doc"], visibility="public")
    assert _departements(_show(client, app, path, "")) == set()  # anonymous: no ruled rows


def test_dashboard_chapters_show_public_dashboards_only(
    story: dict[str, Any], client: Any, app: Any
) -> None:
    editor = story["editor"]
    board = editor.post("/api/v1/dashboards", json=board_spec(story["ds"], "Tableau interne"))
    board_id = board.get_json()["id"]
    assert editor.post(f"/api/v1/dashboards/{board_id}/publish").status_code == 200
    _set(story["db"], board_id, visibility="internal")
    data = story_spec(story["ds"], "Avec tableau", dashboard_id=board_id)
    doc = editor.post("/api/v1/stories", json=data).get_json()["id"]
    assert editor.post(f"/api/v1/stories/{doc}/publish").status_code == 200
    _set(story["db"], doc, visibility="public")
    missing = "n'est pas disponible"
    text = _show(client, app, _path(doc), "").get_data(as_text=True)
    assert missing in text and "Tableau interne" not in text
    _set(story["db"], board_id, visibility="public")
    text = _show(client, app, _path(doc), "").get_data(as_text=True)
    assert missing not in text and "Tableau interne" in text
    link = json.dumps(_show(client, app, _path(doc), "").get_json())
    assert f'"href": "/embed/dashboards/{board_id}", "rel": "noopener", "target": "_blank"' in link
    # the story's locks reach the dashboard chapter's tiles too
    token = editor.post(
        f"/api/v1/stories/{doc}/embed-tokens",
        json={"locked_filters": {"code_departement": "971"}},
    ).get_json()["token"]
    assert _departements(_show(client, app, _path(doc), f"?token={token}")) == {"971"}


def test_token_api_validates_locks_against_the_story(story: dict[str, Any], client: Any):
    url = f"/api/v1/stories/{story['doc']}/embed-tokens"
    assert client.post(url, json={}).status_code == 401
    for body, fragment in [
        ({"locked_filters": {"nope": "1"}}, "nope"),
        ({"locked_filters": {"code_departement": {"$gt": ""}}}, "locked filter"),
        ({"expires_in": 5}, "expires_in"),
    ]:
        response = story["editor"].post(url, json=body)
        assert response.status_code == 400 and fragment in response.get_json()["error"], body
    ok = story["editor"].post(url, json={"locked_filters": {"code_departement": "01"}})
    assert ok.status_code == 201
    body = ok.get_json()
    assert body["url"].endswith(f"/embed/stories/{story['doc']}?token={body['token']}")


def test_frame_ancestors_per_story(story: dict[str, Any], client: Any) -> None:
    _set(story["db"], story["doc"], visibility="public")
    path = _path(story["doc"])
    empty = client.get(path)
    assert "frame-ancestors 'none'" in empty.headers["Content-Security-Policy"]
    updated = story["editor"].put(
        f"/api/v1/stories/{story['doc']}/sharing",
        json={"allowed_origins": ["https://a.fr", "http://127.0.0.1:9000"]},
    )
    assert updated.status_code == 200, updated.get_json()
    listed = client.get(path).headers["Content-Security-Policy"]
    assert listed.endswith("frame-ancestors http://127.0.0.1:9000 https://a.fr")
    assert "X-Frame-Options" not in client.get(path).headers
    preview = client.get(path + "?preview=1").headers["Content-Security-Policy"]
    assert preview.endswith("frame-ancestors 'self'")
    reader = story["editor"].get(f"/stories/{story['doc']}")
    assert reader.headers["X-Frame-Options"] == "DENY"


# --- the story editor's "Intégrer" dialog --------------------------------------------------------


def test_story_dialog_offered_to_those_who_may_share(
    story: dict[str, Any], app: Any, login: Any
) -> None:
    from conftest import render_page

    path = f"/stories/{story['doc']}/edit"
    body = json.dumps(render_page(story["editor"], app, path).get_json(), ensure_ascii=False)
    assert "se-embed-open" in body and "Intégrer ce récit" in body
    assert '"value": "code_departement"' in body  # a lockable field of the story's data
    assert "se-embed-open" in render_page(login("admin"), app, path).get_data(as_text=True)
    # a co-editor may change the story, not widen who sees it: no dialog
    from test_embeds import _other_editor

    co_editor = _other_editor(story, app)
    shared = story["editor"].put(
        f"/api/v1/stories/{story['doc']}/sharing", json={"editors": ["editor2@example.org"]}
    )
    assert shared.status_code == 200, shared.get_json()
    page = render_page(co_editor, app, path).get_data(as_text=True)
    assert "se-draft" in page and "se-embed-open" not in page


def test_story_dialog_saves_origins_issues_a_token_and_builds_the_snippet(
    story: dict[str, Any], app: Any, client: Any, login: Any
) -> None:
    from conftest import call_callback

    doc = {"id": story["doc"]}
    out = "se-embed-origins-message.children"
    bad = call_callback(story["editor"], app, out, [1], ["https://a.fr/page", doc])
    assert "n'est pas une origine" in json.dumps(bad.get_json(), ensure_ascii=False)
    ok = call_callback(story["editor"], app, out, [1], ["https://a.fr", doc])
    assert ok.get_json()["response"]["se-embed-origins"]["value"] == "https://a.fr"
    with story["db"].session() as s:
        assert s.get(Document, story["doc"]).allowed_origins == ["https://a.fr"]
    issued = call_callback(
        story["editor"], app, "se-embed-token.data", [1], ["86400", "code_departement", "2A", doc]
    )
    token = issued.get_json()["response"]["se-embed-token"]["data"]
    assert _departements(_show(client, app, _path(story["doc"]), f"?token={token}")) == {"2A"}
    for c in (login("viewer"), login("anonymous")):
        forged = call_callback(c, app, "se-embed-token.data", [1], ["3600", "", "", doc])
        assert forged.status_code in (401, 403, 404)
        forged = call_callback(c, app, out, [1], ["https://evil.example", doc])
        assert forged.status_code in (401, 403, 404)
    response = call_callback(
        story["editor"],
        app,
        "se-embed-snippet.value",
        [["title"], "dark", "en", token, True],
        [doc],
    ).get_json()["response"]
    code = response["se-embed-snippet"]["value"]
    assert f"/embed/stories/{story['doc']}?token={token}&amp;title=0&amp;theme=dark" in code
    assert "height:85vh" in code and "embed.js" not in code  # scrolls inside a fixed frame
    preview = response["se-embed-preview"]["src"]
    assert preview.startswith(f"/embed/stories/{story['doc']}?token=") and "preview=1" in preview
    assert client.get(preview).headers["Content-Security-Policy"].endswith("frame-ancestors 'self'")
