"""Usage import speed and memory against DuckDB's own CSV load of the same file (issue 6 goals).

Why: the goals are relative (import <= 1.5x a plain `CREATE TABLE t AS SELECT * FROM read_csv(...)`,
both as fresh processes) and absolute (peak memory < 1.5 GB at ~10M rows). Each run starts fresh
processes; peak memory is the process's resident set sampled with psutil every 20 ms (children
included). The import is timed twice per run: into a copy of an empty, migrated database (as a
district imports into the app's database: the ratio the goal is judged on) and into a new file
(creating the schema, 62 migrations, adds ~0.1 s). The baseline always writes a new file.

    python bench/bench_import.py [--csv bench/out/big.csv] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
MIGRATE = (
    "import sys, duckdb; from db.migrate import apply_migrations; "
    "con = duckdb.connect(sys.argv[1]); apply_migrations(con); con.close()"
)
BASELINE = (
    "import sys, duckdb; con = duckdb.connect(sys.argv[1]); "
    "con.execute('CREATE TABLE t AS SELECT * FROM read_csv(?)', [sys.argv[2]]); con.close()"
)


def measure(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB, and stdout of one fresh process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    handle = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            rss = handle.memory_info().rss + sum(c.memory_info().rss for c in handle.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()[-500:]}")
    return elapsed, peak / 1e6, out


def _import_cmd(csv: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "etl", "usage", str(csv), "--db", str(db), "--json"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=OUT / "big.csv")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.csv.exists():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "gen_large_district.py"), "--out", str(args.csv)],
            check=True,
        )
    rows = sum(1 for _ in args.csv.open("rb")) - 1
    baseline, etl, fresh = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-", dir=OUT) as tmp:
        empty = Path(tmp) / "empty.duckdb"
        subprocess.run([sys.executable, "-c", MIGRATE, str(empty)], cwd=ROOT, check=True)
        for i in range(args.repeat):
            base_db, etl_db, new_db = (Path(tmp) / f"{name}{i}.duckdb" for name in ("base", "etl", "new"))
            shutil.copyfile(empty, etl_db)
            baseline.append(measure([sys.executable, "-c", BASELINE, str(base_db), str(args.csv)]))
            etl.append(measure(_import_cmd(args.csv, etl_db)))
            fresh.append(measure(_import_cmd(args.csv, new_db)))
            for db in (base_db, etl_db, new_db):
                db.unlink()
    results = [json.loads(out.strip().splitlines()[-1]) for _, _, out in etl]
    result = results[-1]
    steps = sorted({step for r in results for step in r.get("step_seconds", {})})
    base_s = statistics.median(t for t, _, _ in baseline)
    etl_s = statistics.median(t for t, _, _ in etl)
    summary = {
        "rows": rows,
        "file_mb": round(args.csv.stat().st_size / 1e6),
        "repeat": args.repeat,
        "baseline_seconds": [round(t, 2) for t, _, _ in baseline],
        "import_seconds": [round(t, 2) for t, _, _ in etl],
        "ratio_median": round(etl_s / base_s, 2),
        "ratio_goal": 1.5,
        "import_into_new_file_seconds": [round(t, 2) for t, _, _ in fresh],
        "ratio_into_new_file_median": round(statistics.median(t for t, _, _ in fresh) / base_s, 2),
        "baseline_peak_mb": round(max(m for _, m, _ in baseline)),
        "import_peak_mb": round(max(m for _, m, _ in etl + fresh)),
        "peak_goal_mb": 1500,
        "rows_imported": result["rows_imported"],
        # where the import's time goes (median per step; see `step_seconds` in docs/IMPORTS.md)
        "step_seconds_median": {
            step: round(statistics.median(r.get("step_seconds", {}).get(step, 0.0) for r in results), 2)
            for step in steps
        },
        "cpus": psutil.cpu_count(),
        "load_average": [round(x, 1) for x in psutil.getloadavg()],
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
