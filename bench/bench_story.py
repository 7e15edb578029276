"""Bench: reading the demo story, and the sticky visual redrawn at each scroll step.

Builds a temporary instance with `studio demo` (fictitious RSA data, 6 years × 101
départements × 4 household types × 4 age bands, and the shared département outlines), signs
in as an admin and POSTs to Dash as the browser does:

- the story page (`_pages_content`, every chapter's queries run), cold and warm;
- the `redraw_sticky` callback for every step of both scroll sequences, cold (query cache
  emptied before each call) and warm.

Prints p50/p95 and response sizes, and PASS/FAIL against the targets.
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

from bench_dashboard import BOUNDARIES, PASSWORD, percentile, sign_in

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REPEATS = 5
TARGETS = {"page_warm_p95_ms": 1500, "step_cold_p95_ms": 300, "step_warm_p95_ms": 100}


def build(root: Path) -> tuple[Any, int]:
    from studio import accounts, create_app
    from studio.services.demo import load_demo
    from studio.store import Database, migrate

    instance = root / "instance"
    instance.mkdir()
    url = f"sqlite:///{instance / 'studio.db'}"
    migrate(Database(url))
    app = create_app({"instance": instance, "database_url": url, "redis_url": "",
                      "secret_key": secrets.token_urlsafe(48), "boundaries": str(BOUNDARIES)})
    ext = app.server.extensions["studio"]
    with ext["db"].session() as s:
        user, _ = accounts.create_account(s, "admin@example.org", "admin", [], PASSWORD, "Admin")
        actor = accounts.actor_of(user)
    made = load_demo(ext["db"], ext["settings"], actor)
    return app, made["story"]


def page_body(app: Any, path: str) -> str:
    key = next(k for k in app.callback_map if "_pages_content.children" in k)
    spec = app.callback_map[key]
    values = {"pathname": path, "search": "", "hash": ""}
    outputs = [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True))
               for p in key[2:-2].split("...")]
    return json.dumps({
        "output": key, "outputs": outputs,
        "inputs": [dict(i, value=values.get(i["property"])) for i in spec["inputs"]],
        "state": [dict(i, value=None) for i in spec["state"]],
        "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"],
    })


def step_body(doc: int, chapter: str, step: int) -> str:
    return json.dumps({
        "output": '{"chapter":["MATCH"],"type":"story-sticky"}.children',
        "outputs": {"id": {"type": "story-sticky", "chapter": chapter}, "property": "children"},
        "inputs": [{"id": {"type": "story-step", "chapter": chapter}, "property": "data",
                    "value": step}],
        "state": [{"id": "story-doc", "property": "data", "value": {"id": doc}}],
        "changedPropIds": [json.dumps({"chapter": chapter, "type": "story-step"},
                                      separators=(",", ":")) + ".data"],
    })


def timed(client: Any, body: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = client.post("/_dash-update-component", data=body,
                           content_type="application/json")
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return elapsed, len(response.get_data())


def stats(name: str, samples: list[tuple[float, int]]) -> float:
    times = [t for t, _ in samples]
    sizes = [n for _, n in samples]
    p95 = percentile(times, 95)
    print(f"{name:<22} n={len(times):>3}  p50 {statistics.median(times):7.1f} ms  "
          f"p95 {p95:7.1f} ms  response median {statistics.median(sizes) / 1024:7.1f} KB, "
          f"max {max(sizes) / 1024:7.1f} KB")
    return p95


def main() -> None:
    if not BOUNDARIES.exists():
        sys.exit(f"{BOUNDARIES} is absent: the demo needs the département outlines")
    from studio.spec.story import load_story
    from studio.store import documents as repo

    with tempfile.TemporaryDirectory(prefix="studio-bench-story-") as tmp:
        app, doc = build(Path(tmp))
        ext = app.server.extensions["studio"]
        cache = ext["query_cache"]
        with ext["db"].session() as s:
            story = load_story(repo.get_document(s, "story", doc).spec)
        steps = [(c.id, i) for c in story.chapters if c.kind == "scroll"
                 for i in range(len(c.steps))]
        client = app.server.test_client()
        sign_in(client)
        page = page_body(app, f"/stories/{doc}")
        cache.clear()
        page_cold = [timed(client, page)]
        page_warm = [timed(client, page) for _ in range(REPEATS)]
        cold, warm = [], []
        for _ in range(REPEATS):
            for chapter, step in steps:
                cache.clear()
                cold.append(timed(client, step_body(doc, chapter, step)))
                warm.append(timed(client, step_body(doc, chapter, step)))
        print(f"demo story {doc}: {len(story.chapters)} chapters, {len(steps)} scroll steps")
        stats("page, cold", page_cold)
        figures = {
            "page_warm_p95_ms": stats("page, warm", page_warm),
            "step_cold_p95_ms": stats("scroll step, cold", cold),
            "step_warm_p95_ms": stats("scroll step, warm", warm),
        }
        for name, value in figures.items():
            ok = value <= TARGETS[name]
            print(f"{'PASS' if ok else 'FAIL'} {name} {value:.1f} <= {TARGETS[name]}")
        ext["db"].dispose()


if __name__ == "__main__":
    main()
