"""Benchmark: what an embed costs over the signed-in dashboard view, on the demo dashboard.

Run with `.venv/bin/python bench/bench_embed.py` (about 30 s). A temporary instance (SQLite,
in-memory query cache) gets the demo workspace (boundaries from
../shared/data/departements-version-simplifiee.geojson) with its dashboard made public.

Figures (medians, and p95 of the callbacks):

- `verify`: `security.embed.verify` of one token (pure HS256 check), per call;
- `open`: `services.embeds.open_embed` with a Studio-issued token (key lookup, signature,
  issuer re-check, published spec and schemas), against `services.dashboards.open_dashboard`
  for the signed-in owner;
- `refilter`: a filter change POSTed to the embed's `/embed/_dash-update-component`
  (token re-verified, locked filter `code_departement=53` added) against the same change on
  the dashboard view's `/_dash-update-component`, warm (each combination once before).

Target: the embed callback within 1.3x the view's (p95), and verify under 1 ms.
"""

from __future__ import annotations

import json
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

BOUNDARIES = ROOT.parent / "shared" / "data" / "departements-version-simplifiee.geojson"
YEARS = ["2021", "2022", "2023", "2024"]
TYPES = [[], ["Personne seule"], ["Couple avec enfants"]]


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered) * 1000:7.2f} ms, p95 {p95 * 1000:7.2f} ms"


def _timed(fn: Any, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    response = client.post(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


def _refilter_body(
    app: Any,
    filter_type: str,
    tile_type: str,
    tiles: list[str],
    values: dict[str, Any],
    state: list[dict[str, Any]],
    extra_in: list,
) -> dict:
    key = next(k for k in app.callback_map if tile_type in k)
    outputs = [{"id": {"type": tile_type, "tile": t}, "property": "children"} for t in tiles]
    return {
        "output": key,
        "outputs": outputs if not extra_in else [outputs, *extra_in[1]],
        "inputs": [
            [
                {"id": {"type": filter_type, "filter": f}, "property": "value", "value": v}
                for f, v in values.items()
            ],
            *(extra_in[0] if extra_in else []),
        ],
        "state": state,
        "changedPropIds": [],
    }


def main() -> None:
    from conftest import PASSWORD, sign_in

    from studio import accounts, create_app
    from studio.security import embed as tokens
    from studio.services import dashboards, embeds
    from studio.services.demo import load_demo
    from studio.store import Database, migrate
    from studio.store.models import Document

    work = Path(tempfile.mkdtemp(prefix="studio-bench-embed-"))
    url = f"sqlite:///{work / 'studio.db'}"
    migrate(Database(url))
    app = create_app(
        {
            "instance": work / "instance",
            "database_url": url,
            "secret_key": secrets.token_urlsafe(48),
            "boundaries": str(BOUNDARIES),
        }
    )
    server = app.server
    studio = server.extensions["studio"]
    db, settings = studio["db"], studio["settings"]
    with db.session() as s:
        user, _ = accounts.create_account(s, "admin@example.org", "admin", [], PASSWORD, "Admin")
        admin = accounts.actor_of(user)
    demo = load_demo(db, settings, admin)
    doc_id = demo["dashboard"]
    client = server.test_client()
    sign_in(client, "admin@example.org")
    token = client.post(
        f"/api/v1/dashboards/{doc_id}/embed-tokens",
        json={"expires_in": 3600, "locked_filters": {"code_departement": "53"}},
    ).get_json()["token"]
    with db.session() as s:
        s.get(Document, doc_id).visibility = "public"
        view = embeds.open_embed(s, "dashboard", doc_id, token)
        tiles = [tile.id for tile in view.spec.tiles]
        secret = embeds.active_secret(s, tokens.key_id_of(token))

    verify = _timed(lambda: tokens.verify(token, lambda _k: secret, "dashboard", doc_id), 2000)

    def open_embed() -> None:
        with db.session() as s:
            embeds.open_embed(s, "dashboard", doc_id, token)

    def open_view() -> None:
        with db.session() as s:
            dashboards.open_dashboard(s, admin, doc_id)

    opened_embed, opened_view = _timed(open_embed, 200), _timed(open_view, 200)

    combos = [{"annee": y, "type": t} for y in YEARS for t in TYPES]
    embed_dash = studio["embed_dash"]
    context = {"kind": "dashboard", "id": doc_id, "token": token, "lang": "fr"}
    anonymous = server.test_client()

    def embed_call(values: dict[str, Any]) -> Any:
        body = _refilter_body(
            embed_dash,
            "emb-filter",
            "emb-tile",
            tiles,
            values,
            [{"id": "emb-ctx", "property": "data", "value": context}],
            [],
        )
        return _post(anonymous, "/embed/_dash-update-component", body)

    def view_call(values: dict[str, Any]) -> Any:
        body = _refilter_body(
            app,
            "dv-filter",
            "dv-tile",
            tiles,
            {"territoire": ["53"], **values},
            [{"id": "dv-doc", "property": "data", "value": {"id": doc_id}}],
            [
                [{"id": "dv-cross", "property": "data", "value": None}],
                [{"id": "dv-url", "property": "search"}, {"id": "dv-chip", "property": "children"}],
            ],
        )
        return _post(client, "/_dash-update-component", body)

    for values in combos:  # warm both caches with every combination
        embed_call(values), view_call(values)
    embed_times, view_times, embed_bytes, view_bytes = [], [], [], []
    for _ in range(3):
        for values in combos:
            start = time.perf_counter()
            embed_bytes.append(len(embed_call(values).data))
            embed_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            view_bytes.append(len(view_call(values).data))
            view_times.append(time.perf_counter() - start)

    p95 = lambda xs: sorted(xs)[max(0, int(len(xs) * 0.95) - 1)]  # noqa: E731
    ratio = p95(embed_times) / p95(view_times)
    print(f"demo dashboard: {len(tiles)} tiles, {len(combos)} filter combinations x 3, warm")
    print(f"verify token          {_ms(verify)}")
    print(f"open_embed            {_ms(opened_embed)}")
    print(f"open_dashboard (view) {_ms(opened_view)}")
    kb = lambda xs: f"{statistics.median(xs) / 1024:.0f} KB"  # noqa: E731
    print(f"refilter embed        {_ms(embed_times)}  ({kb(embed_bytes)})")
    print(f"refilter view         {_ms(view_times)}  ({kb(view_bytes)})")
    ok_ratio, ok_verify = ratio <= 1.3, statistics.median(verify) < 0.001
    print(f"embed/view p95 ratio  {ratio:.2f}  {'PASS' if ok_ratio else 'FAIL'} (target <= 1.3)")
    print(f"verify < 1 ms         {'PASS' if ok_verify else 'FAIL'}")
    db.dispose()


if __name__ == "__main__":
    main()
