"""Benchmark: a filter change on an 8-tile dashboard over 10 million rows, end to end.

Run with `.venv/bin/python bench/bench_dashboard.py` (about 1-2 minutes on 2 cores). It reuses (or
generates, fixed seed) the 10-million-row Parquet file of `bench_query.py`, under
$STUDIO_BENCH_DIR or ~/.cache/studio-bench, never in the repository.

Child processes, so that each peak RSS is its own:

- studio: a temporary instance (SQLite, in-memory query cache) with an admin, the Parquet
  as Studio's ingest writes a dataset that large (sorted by territory then date, see
  `as_ingested`) registered as a dataset, the département boundaries ingested from
  ../shared/data/departements-version-simplifiee.geojson, and a published dashboard of
  4 charts, 2 KPI tiles, a choropleth map, a table and 3 filters (territory, select, year).
  Signed in with the Flask test client, each filter change is a POST of the `refilter`
  callback to /_dash-update-component: COLD (a combination not seen before, and the query
  cache emptied first) and WARM (the same combinations again, answered from the cache).
- baseline: the same dashboard built the way most Dash apps are: the Parquet loaded into a
  pandas DataFrame, and a callback that filters the frame and builds the 8 figures with
  plotly express (charts from the raw rows where plotly can aggregate them: histogram and
  pie; a groupby where it cannot: line, map, KPIs, table), POSTed the same way. It has no
  cache, so its "warm" pass is the same work again.
- with `--before REV` (e.g. `--before 872a830`), Studio as of that git revision too (its
  own code, extracted to a temporary directory, on the raw Parquet, as it had no sorting
  ingest), in the same run, so that before/after are compared on the same machine load.

The choropleth's outlines are served once per page by their own URL (not a callback
response) and revalidated with an ETag; a filter change sends only the map's values.

Both are measured through the real callback endpoint, so latencies include JSON
serialisation and the byte counts are the response bodies (for the baseline, essentially
the `fig.to_json()` of each figure).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from bench_query import ROWS, bench_dir, dataset  # noqa: E402

BOUNDARIES = ROOT.parent / "shared" / "data" / "departements-version-simplifiee.geojson"
CHANGES = 20
SEED = 7
COLD_P95_MS = 300.0
WARM_P95_MS = 30.0
BYTES_TARGET = 300 * 1024
RSS_TARGET_MB = 600.0
WARM_REPEATS = 2
DEPS = [
    "01",
    "02",
    "13",
    "2A",
    "2B",
    "33",
    "59",
    "69D",
    "69M",
    "75",
    "93",
    "971",
    "972",
    "973",
    "974",
    "976",
]
PRESTATIONS = ["RSA", "AAH", "ASS", "PA", "APL"]
YEARS = list(range(2015, 2025))
PASSWORD = "correct horse battery staple"
FILTER_IDS = ("dep", "prestation", "annee")
FIELDS = [
    ("d", "date", "Date"),
    ("dep", "departement", "Département"),
    ("prestation", "text", "Prestation"),
    ("public", "text", "Public"),
    ("effectif", "integer", "Effectif"),
    ("montant", "decimal", "Montant"),
]


def as_ingested(raw: Path) -> Path:
    """The 10M rows as Studio's ingest writes a dataset that large: sorted by its cluster
    columns (`studio.datasources.tabular.cluster_columns`: territory, then date), with the
    same row-group size. Written once next to the raw file (5-20 s), named by sort order.

    Ingesting the file itself would take minutes (every column is re-read as text and its
    type inferred); the sort order and row groups, which are what queries feel, are the same.
    """
    import duckdb

    from studio.datasources.tabular import ROW_GROUP_SIZE, cluster_columns

    order = [FIELDS[i][0] for i in cluster_columns([t for _, t, _ in FIELDS])]
    path = raw.with_name(f"{raw.stem}-by-{'-'.join(order)}-rg{ROW_GROUP_SIZE}.parquet")
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    con = duckdb.connect(config={"threads": 2, "memory_limit": "600MB"})
    sort = ", ".join(f'"{name}" NULLS LAST' for name in order)
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{raw}') ORDER BY {sort}) TO '{partial}' "
        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
    )
    con.close()
    partial.rename(path)
    return path


# --- the filter changes ---------------------------------------------------------------------


def filter_changes(count: int, seed: int) -> list[dict[str, Any]]:
    """`count` distinct combinations of the 3 filters (1-3 départements, a prestation, a year).

    Each change sets every filter, so that the baseline's raw-row figures stay around
    10-40 thousand rows (unfiltered, they would hold millions); Studio's queries scan the
    10 million rows whatever the filters.
    """
    rng = random.Random(seed)
    seen: set[tuple[Any, ...]] = set()
    out: list[dict[str, Any]] = []
    while len(out) < count:
        deps = sorted(rng.sample(DEPS, rng.randint(1, 3)))
        change = {"dep": deps, "prestation": rng.choice(PRESTATIONS), "annee": rng.choice(YEARS)}
        key = (tuple(deps), change["prestation"], change["annee"])
        if key not in seen:
            seen.add(key)
            out.append(change)
    return out


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB.

    Linux's VmHWM, read first, is this program's own; `ru_maxrss` (the fallback, in KiB)
    also keeps the peak of the parent process this one was forked from."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the closest ranks."""
    data = sorted(values)
    pos = (len(data) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


def summary(times: list[float], sizes: list[int]) -> dict[str, float]:
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": percentile(times, 95),
        "max_ms": max(times),
        "bytes_median": statistics.median(sizes),
        "bytes_max": max(sizes),
    }


# --- studio ---------------------------------------------------------------------------------


def dashboard_spec(ds: int, geo: int | None) -> dict[str, Any]:
    """4 charts, 2 KPI tiles, a choropleth (when boundaries exist), a table and 3 filters."""
    effectif = {"field": "effectif", "agg": "sum", "label": "Effectif"}
    montant = {"field": "montant", "agg": "sum", "label": "Montant"}
    tiles: list[dict[str, Any]] = [
        {
            "id": "k1",
            "kind": "kpi",
            "title": "Effectif du mois",
            "dataset": ds,
            "measure": effectif,
            "period_field": "d",
            "grain": "month",
            "compare": "previous",
        },
        {
            "id": "k2",
            "kind": "kpi",
            "title": "Montant moyen",
            "dataset": ds,
            "measure": {"field": "montant", "agg": "avg", "label": "Montant moyen"},
            "period_field": "d",
            "grain": "month",
            "compare": "year_ago",
            "sparkline_points": 24,
            "number_format": {"style": "currency"},
        },
        {
            "id": "c1",
            "kind": "chart",
            "chart": "line",
            "title": "Effectif par mois",
            "dataset": ds,
            "dimension": {"field": "d", "grain": "month", "label": "Mois"},
            "series": {"field": "public", "label": "Public"},
            "measures": [effectif],
        },
        {
            "id": "c2",
            "kind": "chart",
            "chart": "column",
            "title": "Montant par département",
            "dataset": ds,
            "dimension": {"field": "dep", "label": "Département"},
            "measures": [montant],
            "sort": "value_desc",
        },
        {
            "id": "c3",
            "kind": "chart",
            "chart": "donut",
            "title": "Effectif par public",
            "dataset": ds,
            "dimension": {"field": "public", "label": "Public"},
            "measures": [effectif],
        },
        {
            "id": "c4",
            "kind": "chart",
            "chart": "bar",
            "mode": "stacked",
            "title": "Montant par prestation",
            "dataset": ds,
            "dimension": {"field": "prestation", "label": "Prestation"},
            "series": {"field": "public", "label": "Public"},
            "measures": [montant],
        },
        {
            "id": "t1",
            "kind": "table",
            "title": "Détail",
            "dataset": ds,
            "totals": True,
            "page_size": 20,
            "columns": [
                {"field": "dep", "label": "Département"},
                {"field": "prestation", "label": "Prestation"},
                {"field": "effectif", "agg": "sum", "label": "Effectif"},
                {"field": "montant", "agg": "avg", "label": "Montant moyen"},
            ],
            "sort": [{"field": "effectif__sum", "desc": True}],
        },
    ]
    layout = [
        ("k1", 0, 0, 3, 3),
        ("k2", 3, 0, 3, 3),
        ("c1", 6, 0, 6, 6),
        ("c2", 0, 3, 6, 5),
        ("c3", 0, 8, 4, 5),
        ("c4", 4, 8, 4, 5),
        ("t1", 0, 13, 12, 8),
    ]
    if geo is not None:
        tiles.append(
            {
                "id": "m1",
                "kind": "map",
                "layer": "choropleth",
                "title": "Effectif par département",
                "dataset": ds,
                "code_field": "dep",
                "measure": effectif,
                "boundaries": {
                    "dataset": geo,
                    "code_field": "code",
                    "name_field": "nom",
                    "geometry_field": "geometry",
                },
            }
        )
        layout.append(("m1", 8, 8, 4, 5))
    return {
        "title": "Bench : 10 millions de lignes",
        "tiles": tiles,
        "layout": [{"tile": t, "x": x, "y": y, "w": w, "h": h} for t, x, y, w, h in layout],
        "filters": [
            {"id": "dep", "label": "Département", "kind": "territory", "field": "dep"},
            {"id": "prestation", "label": "Prestation", "kind": "select", "field": "prestation"},
            {"id": "annee", "label": "Année", "kind": "period", "grain": "year", "field": "d"},
        ],
    }


def build_instance(root: Path, parquet: Path) -> tuple[Any, int, list[str], str | None]:
    """(app, dashboard id, tile ids, note): a fresh instance holding the bench dashboard."""
    from studio import accounts, create_app
    from studio.datasources import FieldInfo, fields_to_json
    from studio.services import datasets as dataset_service
    from studio.services import documents
    from studio.store import Database, migrate
    from studio.store import datasets as ds_repo

    instance = root / "instance"
    instance.mkdir()
    url = f"sqlite:///{instance / 'studio.db'}"
    migrate(Database(url))
    config = {
        "instance": instance,
        "database_url": url,
        "redis_url": "",
        "secret_key": secrets.token_urlsafe(48),
    }
    app = create_app(config)
    ext = app.server.extensions["studio"]
    db, settings = ext["db"], ext["settings"]
    fields = [FieldInfo(name, type_, label) for name, type_, label in FIELDS]
    note = None
    with db.session() as s:
        user, _ = accounts.create_account(s, "admin@example.org", "admin", [], PASSWORD, "Admin")
        actor = accounts.actor_of(user)
        ds = ds_repo.add_dataset(
            s,
            name="Bench 10M",
            owner_id=user.id,
            kind="file",
            fields=fields_to_json(fields),
            row_count=ROWS,
            version=1,
            source={"filename": parquet.name},
        )
        target = settings.data_dir / str(ds.id) / "v1" / "data.parquet"
        target.parent.mkdir(parents=True)
        target.symlink_to(parquet)
        ds.storage_path = str(target.relative_to(settings.data_dir))
        ds.size_bytes = parquet.stat().st_size
        geo_id = None
        if BOUNDARIES.exists():
            geo, _ = dataset_service.create_from_upload(
                s,
                settings,
                actor,
                "departements.geojson",
                BOUNDARIES.read_bytes(),
                "Départements (contours simplifiés)",
            )
            geo_id = geo.id
        else:
            note = f"map tile skipped: {BOUNDARIES} is absent (7 tiles instead of 8)"
        spec = dashboard_spec(ds.id, geo_id)
        doc = documents.create(s, "dashboard", actor, spec)
        documents.publish(s, actor, doc)
        doc_id = doc.id
    return app, doc_id, [t["id"] for t in spec["tiles"]], note


def sign_in(client: Any) -> None:
    """Post the sign-in form like a browser does (see tests/conftest.py)."""
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on /login"
    response = client.post(
        "/login",
        data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def refilter_body(
    app: Any, doc: int, tiles: list[str], change: dict[str, Any], changed: str
) -> str:
    """The JSON the browser posts when filter `changed` moves to the values of `change`."""
    key = next(k for k in app.callback_map if "dv-url.search" in k)
    values = {
        "dep": change["dep"],
        "prestation": change["prestation"],
        "annee": f"{change['annee']}-01-01",
    }
    body = {
        "output": key,
        "outputs": [
            [{"id": {"type": "dv-tile", "tile": t}, "property": "children"} for t in tiles],
            {"id": "dv-url", "property": "search"},
            {"id": "dv-chip", "property": "children"},
        ],
        "inputs": [
            [
                {"id": {"type": "dv-filter", "filter": f}, "property": "value", "value": values[f]}
                for f in FILTER_IDS
            ],
            {"id": "dv-cross", "property": "data", "value": None},
        ],
        "state": [{"id": "dv-doc", "property": "data", "value": {"id": doc}}],
        "changedPropIds": [
            json.dumps({"filter": changed, "type": "dv-filter"}, separators=(",", ":")) + ".value"
        ],
    }
    return json.dumps(body)


def check_response(response: Any, tiles: list[str]) -> dict[str, int]:
    """Bytes of each tile in a 200 response that holds every tile and no error message."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    out = response.get_json()["response"]
    tile_out = {json.loads(k)["tile"]: v for k, v in out.items() if k.startswith("{")}
    assert sorted(tile_out) == sorted(tiles), sorted(out)
    assert "annee=" in out["dv-url"]["search"], out["dv-url"]
    for tid, body in tile_out.items():
        assert "studio-tile-message" not in json.dumps(body), f"tile {tid} shows a message"
    return {t: len(json.dumps(v)) for t, v in tile_out.items()}


def run_studio(parquet: Path, changes: list[dict[str, Any]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="studio-bench-dash-") as tmp:
        start = time.perf_counter()
        app, doc, tiles, note = build_instance(Path(tmp), parquet)
        setup_s = time.perf_counter() - start
        client = app.server.test_client()
        sign_in(client)
        cache = app.server.extensions["studio"]["query_cache"]

        def post(change: dict[str, Any], changed: str) -> tuple[float, Any]:
            body = refilter_body(app, doc, tiles, change, changed)
            t0 = time.perf_counter()
            response = client.post(
                "/_dash-update-component", data=body, content_type="application/json"
            )
            return (time.perf_counter() - t0) * 1000, response

        # the process's very first filter change (imports, DuckDB start, OS page cache)
        first_ms, response = post({"dep": ["75"], "prestation": "RSA", "annee": 2015}, "dep")
        check_response(response, tiles)
        cold_t, cold_b, warm_t, warm_b = [], [], [], []
        per_tile: dict[str, list[int]] = {t: [] for t in tiles}
        for i, change in enumerate(changes):
            changed = FILTER_IDS[i % 3]
            cache.clear()
            ms, response = post(change, changed)
            for tid, size in check_response(response, tiles).items():
                per_tile[tid].append(size)
            cold_t.append(ms)
            cold_b.append(len(response.data))
            for _ in range(WARM_REPEATS):
                ms, response = post(change, changed)
                assert response.status_code == 200
                warm_t.append(ms)
                warm_b.append(len(response.data))
        app.server.extensions["studio"]["db"].dispose()
        return {
            "setup_s": setup_s,
            "note": note,
            "tiles": len(tiles),
            "first_ms": first_ms,
            "cold": summary(cold_t, cold_b),
            "warm": summary(warm_t, warm_b),
            "per_tile_bytes": {t: statistics.median(v) for t, v in per_tile.items()},
            "peak_rss_mb": peak_rss_mb(),
        }


# --- baseline: a typical Dash app -----------------------------------------------------------


def baseline_app(df: Any, geojson: dict[str, Any] | None) -> Any:
    """The same dashboard as most Dash apps write it: a DataFrame and plotly express."""
    import dash
    import pandas as pd
    import plotly.express as px
    import plotly.graph_objects as go
    from dash import Input, Output, dash_table, dcc, html

    graphs = ["k1", "k2", "c1", "c2", "c3", "c4"] + (["m1"] if geojson else [])
    app = dash.Dash(__name__)
    app.layout = html.Div(
        [
            dcc.Dropdown(id="dep", options=DEPS, multi=True),
            dcc.Dropdown(id="prestation", options=PRESTATIONS),
            dcc.Dropdown(id="annee", options=YEARS),
            *[dcc.Graph(id=g) for g in graphs],
            dash_table.DataTable(id="t1", page_size=20, sort_action="native"),
        ]
    )

    def kpi(series: Any, title: str, reference_lag: int) -> go.Figure:
        last = series.iloc[-1] if len(series) else None
        ref = series.iloc[-1 - reference_lag] if len(series) > reference_lag else None
        return go.Figure(
            go.Indicator(
                mode="number+delta",
                value=last,
                title={"text": title},
                delta={"reference": ref, "relative": True},
            )
        )

    @app.callback(
        *[Output(g, "figure") for g in graphs],
        Output("t1", "data"),
        Input("dep", "value"),
        Input("prestation", "value"),
        Input("annee", "value"),
    )
    def update(deps, prestation, annee):  # noqa: ANN001, ANN202
        dff = df
        if deps:
            dff = dff[dff["dep"].isin(deps)]
        if prestation:
            dff = dff[dff["prestation"] == prestation]
        if annee:
            dff = dff[dff["d"].dt.year == int(annee)]
        monthly = dff.groupby(pd.Grouper(key="d", freq="MS"))
        figs = [
            kpi(monthly["effectif"].sum(), "Effectif du mois", 1),
            kpi(monthly["montant"].mean(), "Montant moyen", 12),
            px.line(
                dff.groupby([pd.Grouper(key="d", freq="MS"), "public"])["effectif"]
                .sum()
                .reset_index(),
                x="d",
                y="effectif",
                color="public",
                title="Effectif par mois",
            ),
            px.histogram(
                dff, x="dep", y="montant", histfunc="sum", title="Montant par département"
            ).update_xaxes(categoryorder="total descending"),
            px.pie(dff, names="public", values="effectif", hole=0.5, title="Effectif par public"),
            px.histogram(
                dff,
                y="prestation",
                x="montant",
                color="public",
                histfunc="sum",
                orientation="h",
                barmode="stack",
                title="Montant par prestation",
            ),
        ]
        if geojson:
            by_dep = dff.groupby("dep", as_index=False)["effectif"].sum()
            figs.append(
                px.choropleth(
                    by_dep,
                    geojson=geojson,
                    locations="dep",
                    featureidkey="properties.code",
                    color="effectif",
                    fitbounds="locations",
                    title="Effectif par département",
                )
            )
        table = (
            dff.groupby(["dep", "prestation"], as_index=False)
            .agg(effectif=("effectif", "sum"), montant=("montant", "mean"))
            .sort_values("effectif", ascending=False)
        )
        return (*figs, table.to_dict("records"))

    return app, graphs


def run_baseline(parquet: Path, changes: list[dict[str, Any]]) -> dict[str, Any]:
    import pandas as pd

    start = time.perf_counter()
    df = pd.read_parquet(parquet)
    df["d"] = pd.to_datetime(df["d"])
    load_s = time.perf_counter() - start
    geojson = json.loads(BOUNDARIES.read_text(encoding="utf-8")) if BOUNDARIES.exists() else None
    app, graphs = baseline_app(df, geojson)
    client = app.server.test_client()
    client.get("/_dash-layout")
    key = next(k for k in app.callback_map if "t1.data" in k)
    outputs = [{"id": g, "property": "figure"} for g in graphs] + [{"id": "t1", "property": "data"}]

    def post(change: dict[str, Any], changed: str) -> tuple[float, Any]:
        body = json.dumps(
            {
                "output": key,
                "outputs": outputs,
                "inputs": [{"id": f, "property": "value", "value": change[f]} for f in FILTER_IDS],
                "changedPropIds": [f"{changed}.value"],
            }
        )
        t0 = time.perf_counter()
        response = client.post(
            "/_dash-update-component", data=body, content_type="application/json"
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return (time.perf_counter() - t0) * 1000, response

    first_ms, _ = post({"dep": ["75"], "prestation": "RSA", "annee": 2015}, "dep")
    cold_t, cold_b = [], []
    for i, change in enumerate(changes):
        ms, response = post(change, FILTER_IDS[i % 3])
        cold_t.append(ms)
        cold_b.append(len(response.data))
    warm_t, warm_b = [], []
    for i, change in enumerate(changes):
        ms, response = post(change, FILTER_IDS[i % 3])
        warm_t.append(ms)
        warm_b.append(len(response.data))
    last = response.get_json()["response"]
    figure_bytes = {g: len(json.dumps(last[g]["figure"])) for g in graphs}
    figure_bytes["t1"] = len(json.dumps(last["t1"]["data"]))
    return {
        "load_s": load_s,
        "tiles": len(graphs) + 1,
        "first_ms": first_ms,
        "cold": summary(cold_t, cold_b),
        "warm": summary(warm_t, warm_b),
        "last_figure_bytes": figure_bytes,
        "peak_rss_mb": peak_rss_mb(),
    }


# --- the report -----------------------------------------------------------------------------


def child(
    kind: str, parquet: Path, changes: list[dict[str, Any]], script: Path | None = None
) -> dict[str, Any]:
    """Run one side in its own process (with `script`: another checkout's copy of this
    file, so its own `studio`); return what it measured."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(changes, f)
        changes_path = f.name
    out_path = changes_path + ".out"
    try:
        subprocess.run(
            [
                sys.executable,
                str(script or __file__),
                "--child",
                kind,
                "--parquet",
                str(parquet),
                "--changes-file",
                changes_path,
                "--out",
                out_path,
            ],
            check=True,
        )
        return json.loads(Path(out_path).read_text(encoding="utf-8"))
    finally:
        for path in (changes_path, out_path):
            Path(path).unlink(missing_ok=True)


def checkout(rev: str, into: Path) -> Path:
    """This repository's files at `rev`, extracted under `into` (with `shared` beside them,
    as the code expects); returns the path of that revision's bench script."""
    root = into / "before"
    root.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    (into / "shared").symlink_to(ROOT.parent / "shared")
    return root / "bench" / "bench_dashboard.py"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(
    studio: dict[str, Any],
    base: dict[str, Any],
    count: int,
    load: float,
    before: dict[str, Any] | None = None,
    rev: str | None = None,
) -> None:
    kb = 1024
    print()
    print(
        f"{count} distinct filter changes; warm = the same changes again "
        f"(studio: {WARM_REPEATS} times each, right after its cold request; baseline: once "
        f"more, it has no cache)"
    )
    print(
        f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after, on "
        f"{os.cpu_count()} CPUs (figures are noisy when other jobs share the machine; "
        f"compare the columns of one run)"
    )
    if studio["note"]:
        print(f"NOTE: {studio['note']}")
    print(
        f"studio setup {studio['setup_s']:.1f} s; baseline Parquet -> pandas "
        f"{base['load_s']:.1f} s; first request: studio {studio['first_ms']:.0f} ms, "
        f"baseline {base['first_ms']:.0f} ms"
    )
    if before is not None:
        print(
            f"before = Studio at {rev} (its own code, the raw unsorted Parquet), same changes, "
            f"same run; first request {before['first_ms']:.0f} ms"
        )
    print()
    sides = ([("before", before)] if before is not None else []) + [
        ("studio", studio),
        ("baseline", base),
    ]
    header = f"{'':24}" + "".join(f"{name:>11}" for name, _ in sides)
    header += f"{'base/studio':>13}   target (studio)"
    print(header)
    print("-" * len(header))
    rows = [
        ("cold p50 (ms)", "cold", "p50_ms", None),
        ("cold p95 (ms)", "cold", "p95_ms", COLD_P95_MS),
        ("cold max (ms)", "cold", "max_ms", None),
        ("warm p50 (ms)", "warm", "p50_ms", None),
        ("warm p95 (ms)", "warm", "p95_ms", WARM_P95_MS),
        ("warm max (ms)", "warm", "max_ms", None),
    ]
    for label, phase, key, target in rows:
        s, b = studio[phase][key], base[phase][key]
        tail = f"<= {target:.0f} ms  {verdict(s <= target)}" if target else ""
        cells = "".join(f"{side[phase][key]:11.1f}" for _, side in sides)
        print(f"{label:24}{cells}{b / s:12.1f}x   {tail}")
    for label, key, target in (
        ("response KB, median", "bytes_median", None),
        ("response KB, max", "bytes_max", BYTES_TARGET),
    ):
        s, b = studio["cold"][key] / kb, base["cold"][key] / kb
        tail = f"<= {target / kb:.0f} KB  {verdict(s * kb <= target)}" if target else ""
        cells = "".join(f"{side['cold'][key] / kb:11.1f}" for _, side in sides)
        print(f"{label:24}{cells}{b / s:12.1f}x   {tail}")
    s, b = studio["peak_rss_mb"], base["peak_rss_mb"]
    cells = "".join(f"{side['peak_rss_mb']:11.0f}" for _, side in sides)
    print(
        f"{'peak RSS (MB)':24}{cells}{b / s:12.1f}x   "
        f"<= {RSS_TARGET_MB:.0f} MB  {verdict(s <= RSS_TARGET_MB)}"
    )
    print()
    for name, side in sides[:-1]:
        print(
            f"{name} bytes per tile (median, KB): "
            + ", ".join(f"{t} {v / kb:.1f}" for t, v in side["per_tile_bytes"].items())
        )
    print(
        "baseline bytes per figure (last change, KB): "
        + ", ".join(f"{t} {v / kb:.1f}" for t, v in base["last_figure_bytes"].items())
    )
    print(
        "studio: the map's outlines are fetched once by the browser "
        "(/dashboards/<id>/outlines/<tile>.geojson, not counted above); a change sends its values"
    )
    queries = studio["cold"]["p50_ms"] - studio["warm"]["p50_ms"]
    print(
        f"studio cold p50 - warm p50 = {queries:.0f} ms (queries on 10M rows and drawing); warm "
        f"p50 {studio['warm']['p50_ms']:.0f} ms is the permission checks, the cache of drawn "
        f"tiles and the JSON of the response"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=CHANGES, help="distinct filter changes")
    parser.add_argument("--child", choices=("studio", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--parquet", help=argparse.SUPPRESS)
    parser.add_argument("--changes-file", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--before",
        metavar="REV",
        help="also run Studio as of this git revision (e.g. 872a830), in the same run",
    )
    args = parser.parse_args()
    if args.child:
        changes = json.loads(Path(args.changes_file).read_text(encoding="utf-8"))
        run = run_studio if args.child == "studio" else run_baseline
        result = run(Path(args.parquet), changes)
        Path(args.out).write_text(json.dumps(result), encoding="utf-8")
        return
    if args.prepare:
        raw = dataset(bench_dir() / f"bench-{ROWS}.parquet")
        print(json.dumps([str(raw), str(as_ingested(raw))]))
        return
    # generated in a child: a parent's peak memory is inherited by the children it forks
    prepared = subprocess.run(
        [sys.executable, __file__, "--prepare"], check=True, capture_output=True, text=True
    )
    path, ingested = (Path(p) for p in json.loads(prepared.stdout.strip().splitlines()[-1]))
    load = os.getloadavg()[0]
    changes = filter_changes(args.changes, SEED)
    print(f"dataset: {path} ({ROWS:,} rows); as ingested: {ingested.name}")
    before = None
    with tempfile.TemporaryDirectory(prefix="studio-bench-before-") as tmp:
        if args.before:
            print(f"running studio at {args.before} (its own process) ...", flush=True)
            before = child("studio", path, changes, checkout(args.before, Path(tmp)))
        print("running studio (its own process) ...", flush=True)
        studio = child("studio", ingested, changes)
    print("running baseline: pandas + plotly express (its own process) ...", flush=True)
    base = child("baseline", path, changes)
    report(studio, base, len(changes), load, before, args.before)


if __name__ == "__main__":
    main()
