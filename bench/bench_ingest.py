"""Benchmark: ingest of a generated 1-million-row French CSV vs pandas loading it.

Run with `.venv/bin/python bench/bench_ingest.py`. Each side runs in its own process so
that its peak RSS is measured alone. Data is generated once (fixed seed) under
$STUDIO_BENCH_DIR or ~/.cache/studio-bench, never in the repository.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_query import (  # bench/ is the script's folder, so it is importable
    bench_dir,
    generate_once,
)

ROOT = Path(__file__).resolve().parents[1]
ROWS = 1_000_000
TIME_TARGET_S = 10.0
RSS_TARGET_MB = 1024


def french_csv(path: Path) -> Path:
    """Return a 1M-row CSV with `;`, decimal commas, NBSP thousands, dd/mm/yyyy, codes."""
    return generate_once(
        path,
        f"""
          SELECT list_extract(['01','02','13','2A','2B','33','59','69D','75','93','971','974'],
                              1 + CAST(floor(random() * 12) AS INTEGER)) AS code_departement,
                 strftime(DATE '2015-01-01' + CAST(floor(random() * 3650) AS INTEGER), '%d/%m/%Y')
                   AS date_paiement,
                 list_extract(['RSA','AAH','ASS','Prime d''activité'],
                              1 + CAST(floor(random() * 4) AS INTEGER)) AS prestation,
                 list_extract(['seul','couple','famille'], 1 + CAST(floor(random() * 3) AS INTEGER))
                   AS public,
                 replace(replace(format('{{:,.2f}}', random() * 100000), ',', chr(160)), '.', ',')
                   AS montant,
                 CAST(floor(random() * 500) AS INTEGER) AS effectif,
                 replace(format('{{:.1f}}', random() * 100), '.', ',') || ' %' AS taux,
                 'Note ' || CAST(range AS VARCHAR) AS commentaire
          FROM range({ROWS})
        """,
        "FORMAT csv, DELIMITER ';', HEADER true, QUOTE ''",
    )


INGEST = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from studio.datasources import ingest
start = time.perf_counter()
result = ingest({path!r}, "bench.csv", dest_dir={dest!r})
elapsed = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
types = {{f.name: f.type for f in result.fields}}
print(json.dumps({{"seconds": elapsed, "rss_mb": rss, "rows": result.row_count,
                  "problems": sum(result.problem_counts.values()), "types": types}}))
"""

PANDAS = """
import json, resource, time
import pandas as pd
start = time.perf_counter()
frame = pd.read_csv({path!r}, sep=";", decimal=",", thousands="\\u00a0",
                    dtype={{"code_departement": str}})
frame["date_paiement"] = pd.to_datetime(frame["date_paiement"], format="%d/%m/%Y")
frame["taux"] = frame["taux"].str.rstrip(" %").str.replace(",", ".").astype(float)
frame.to_parquet({dest!r} + "/pandas.parquet")
elapsed = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "rss_mb": rss, "rows": len(frame)}}))
"""


def measure(script: str) -> dict:
    """Return the JSON figures printed by `script`, run in a fresh Python process."""
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    path = french_csv(bench_dir() / f"french-{ROWS}.csv")
    size_mb = path.stat().st_size / 1024**2
    with tempfile.TemporaryDirectory() as dest:
        ours = measure(INGEST.format(root=str(ROOT), path=str(path), dest=dest))
        theirs = measure(PANDAS.format(path=str(path), dest=dest))
    print(f"file: {path} ({size_mb:.0f} MB, {ROWS:,} rows)")
    print(f"types: {ours['types']}; rows {ours['rows']:,}; problems {ours['problems']}")
    ok_time = ours["seconds"] <= TIME_TARGET_S
    ok_rss = ours["rss_mb"] <= RSS_TARGET_MB
    print(
        f"studio ingest : {ours['seconds']:6.2f} s (target <= {TIME_TARGET_S} s) "
        f"{verdict(ok_time)}; peak RSS {ours['rss_mb']:6.0f} MB "
        f"(target < {RSS_TARGET_MB} MB) {verdict(ok_rss)}"
    )
    print(f"pandas        : {theirs['seconds']:6.2f} s; peak RSS {theirs['rss_mb']:6.0f} MB")
    print(f"ratio (studio / pandas time): {ours['seconds'] / theirs['seconds']:.2f}x")


if __name__ == "__main__":
    main()
