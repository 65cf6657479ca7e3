"""Bench: the "Usage & outcomes" page's script run, cold and warm, on a small and a ~10M-row district.

Why: issue #7 sets goals for the monitoring page: <= 0.5 s warm, <= 3 s cold, and a 10M-row
district at most 3x slower than a 100k-row one. The districts are generated straight into DuckDB
with SQL `range()` (deterministic hashes, no CSV), with the same shape at both sizes: 40 tools,
each student using about 5 of them on ~45% of ~190 school days, fall/winter/spring math scores,
a roster, a plan and a contract for the tool under test ("Tool 01").

    .venv/bin/python bench/bench_monitoring.py [--students 25000] [--small-students 250] [--keep]

Each size runs in a fresh Python process under AppTest: "first" = the very first run (imports
Streamlit, plotly, statsmodels: paid once per server start); "cold" = a run after clearing
Streamlit's data cache (new data: every read and analysis recomputed); "warm" = a rerun with the
cached reads (keyed by the data version). Service-only timings (no Streamlit) are printed too.
Databases go to bench/out/ (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

TOOLS = 40
EMAIL = "bench.approver@district.test"


def generate(path: Path, students: int) -> int:
    """Write a migrated district with ~400 usage rows per student; returns the usage row count."""
    import duckdb

    from db.migrate import apply_migrations
    from etl.loaders import insert_usage

    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    apply_migrations(con)
    con.execute("INSERT INTO people (email, full_name) VALUES (?, 'Bench Approver')", [EMAIL])
    con.execute("INSERT INTO person_roles VALUES (1, 'approver')")
    con.execute("INSERT INTO vendors (name) VALUES ('Bench Vendor')")
    con.execute(
        f"INSERT INTO products (vendor_id, name, subjects) SELECT 1, printf('Tool %02d', t + 1), 'Math'"
        f" FROM range({TOOLS}) r(t)"
    )
    con.execute(
        "INSERT INTO contracts (product_id, vendor_id, start_date, end_date, annual_cost, quantity)"
        " VALUES (1, 1, DATE '2025-07-01', DATE '2026-06-30', 40000, ?)",
        [max(students // 6, 1)],
    )
    con.execute(
        "INSERT INTO implementation_plans (product_id, extent, recommended_minutes_per_week,"
        " recommended_weeks, active_user_min_minutes, meaningful_effect, decision_probability)"
        " VALUES (1, 'full', 45, 30, 5, 0.1, 0.8)"
    )
    con.execute(f"""INSERT INTO roster_students (student_key, school, grade, ell, iep, frl)
        SELECT printf('k%07d', s), printf('School %02d', s % 20), s % 9, hash(s * 7 + 1) % 9 = 1,
               hash(s * 11 + 3) % 7 = 2, hash(s * 13 + 5) % 5 < 2 FROM range({students}) r(s)""")
    insert_usage(
        con,
        f"""
        WITH pairs AS (SELECT s, t FROM range({students}) a(s), range({TOOLS}) b(t) WHERE hash(s, t) % 8 = 0),
        days AS (SELECT DATE '2025-08-18' + CAST(d AS INTEGER) AS day FROM range(300) c(d)
                 WHERE dayofweek(DATE '2025-08-18' + CAST(d AS INTEGER)) BETWEEN 1 AND 5)
        SELECT printf('k%07d', s) AS student_key, printf('Tool %02d', t + 1) AS tool, day AS usage_date,
               (5 + hash(s, t, day) % 30)::DOUBLE AS minutes, (1 + hash(s, day) % 2)::INTEGER AS sessions,
               printf('School %02d', s % 20) AS school, (s % 9)::INTEGER AS grade
        FROM pairs, days WHERE hash(s, t, day, 'u') % 100 < 45""",
    )
    con.execute(f"""INSERT INTO assessment_results (student_key, assessment, subject, term, test_date, scale_score, grade, school)
        WITH base AS (
            SELECT s, 150 + 9 * (s % 9) + 12 * (((hash(s, 'a') % 10000) / 10000.0) - 0.5) * 3.4 AS fall,
                   hash(s, 0) % 8 = 0 AS uses_tool_1
            FROM range({students}) r(s)),
        terms AS (SELECT * FROM (VALUES ('Fall', DATE '2025-09-15', 0.0), ('Winter', DATE '2026-01-20', 0.55),
                                        ('Spring', DATE '2026-05-12', 1.0)) v(term, day, share))
        SELECT printf('k%07d', s), 'NWEA MAP Growth', 'Math', term || ' 2025-2026', day,
               round(fall + share * (8 + CASE WHEN uses_tool_1 THEN 2.5 ELSE 0 END)
                     + CASE WHEN share > 0 THEN ((hash(s, term) % 1000) / 1000.0 - 0.5) * 12 ELSE 0 END),
               s % 9, printf('School %02d', s % 20)
        FROM base, terms""")
    con.execute("""INSERT INTO feedback_responses (tool, submitted_at, respondent_key, question, answer, score)
        SELECT 'Tool 01', TIMESTAMP '2025-10-15 15:00:00' + INTERVAL (r % 60) DAY, printf('t%03d', r % 80),
               'The tool helps', CAST(1 + hash(r) % 5 AS VARCHAR), 1 + hash(r) % 5 FROM range(400) x(r)""")
    rows = con.execute("SELECT count(*) FROM usage_daily").fetchone()[0]
    con.execute("CHECKPOINT")
    con.close()
    return int(rows)


def run_page_in_process(db: Path, repeats: int) -> dict[str, float]:
    """In a fresh interpreter: the first run ever ("first"), then a run with caches cleared after
    the modules are imported ("cold": what a running server pays for new data), then warm runs."""
    os.environ["EDTECH_DB"] = str(db)
    os.environ["EDTECH_ID_SECRET"] = "bench"
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    def page(tool: str | None = "1") -> AppTest:
        at = AppTest.from_file(str(ROOT / "pages" / "monitoring.py"), default_timeout=120)
        at.session_state["auth.person_id"] = 1
        if tool:
            at.query_params["tool"] = tool
        return at

    def timed(at: AppTest) -> float:
        started = time.perf_counter()
        at.run()
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        return time.perf_counter() - started

    first = timed(page())
    st.cache_data.clear()
    at = page()
    cold = timed(at)
    warm = min(timed(at) for _ in range(repeats))
    at.radio(key="monitoring.section").set_value("Outcomes")
    outcomes_cold = timed(at)  # matching + regressions run now, the first time this section opens
    outcomes_warm = min(timed(at) for _ in range(repeats))
    overview = page(None)  # all tools: one scan of every usage row
    overview_cold = timed(overview)
    overview_warm = min(timed(overview) for _ in range(repeats))
    return {
        "first": first,
        "cold": cold,
        "warm": warm,
        "outcomes_cold": outcomes_cold,
        "outcomes_warm": outcomes_warm,
        "overview_cold": overview_cold,
        "overview_warm": overview_warm,
    }


def services_only(db: Path) -> dict[str, float]:
    """The page's reads without Streamlit: setup, usage, outcomes, feedback (one cold pass)."""
    import duckdb

    from services import monitoring
    from services.metrics import SchoolYear

    con = duckdb.connect(str(db))
    started = time.perf_counter()
    setup = monitoring.tool_setup(con, 1, threshold=10)
    t_setup = time.perf_counter()
    monitoring.usage_section(con, setup, SchoolYear(2025))
    t_usage = time.perf_counter()
    monitoring.outcomes_section(con, setup, SchoolYear(2025), "Math")
    t_outcomes = time.perf_counter()
    monitoring.feedback_section(con, "Tool 01", 10)
    done = time.perf_counter()
    con.close()
    return {
        "setup": t_setup - started,
        "usage": t_usage - t_setup,
        "outcomes": t_outcomes - t_usage,
        "feedback": done - t_outcomes,
        "total": done - started,
    }


def measure(db: Path) -> dict:
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(db)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=25_000)
    parser.add_argument("--small-students", type=int, default=250)
    parser.add_argument("--keep", action="store_true", help="reuse databases already in bench/out/")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = {
            "page": run_page_in_process(Path(args.child), repeats=4),
            "services": services_only(Path(args.child)),
        }
        print(json.dumps(result))
        return
    results = {}
    for label, students in (("small", args.small_students), ("large", args.students)):
        db = OUT / f"monitoring-{label}.duckdb"
        started = time.perf_counter()
        if args.keep and db.exists():
            import duckdb

            con = duckdb.connect(str(db), read_only=True)
            rows = con.execute("SELECT count(*) FROM usage_daily").fetchone()[0]
            con.close()
        else:
            rows = generate(db, students)
        built = time.perf_counter() - started
        results[label] = {
            "students": students,
            "usage_rows": rows,
            "generate_s": round(built, 1),
            **measure(db),
        }
        r = results[label]
        print(
            f"{label:>5}: {rows:>11,} usage rows ({students:,} students, built in {built:.1f} s): "
            f"page first {r['page']['first']:.2f} s, cold {r['page']['cold']:.2f} s, warm {r['page']['warm']:.3f} s, "
            f"outcomes section cold {r['page']['outcomes_cold']:.2f} s, warm {r['page']['outcomes_warm']:.3f} s;"
            " services " + ", ".join(f"{k} {v:.2f} s" for k, v in r["services"].items())
        )
    small, large = results["small"]["page"], results["large"]["page"]
    ratio = large["cold"] / small["cold"]
    print(
        f"outcomes section: cold {large['outcomes_cold']:.2f} s, warm {large['outcomes_warm']:.3f} s, "
        f"large/small cold {large['outcomes_cold'] / small['outcomes_cold']:.2f}x"
    )
    print(
        f"all-tools overview: cold {large['overview_cold']:.2f} s, warm {large['overview_warm']:.3f} s, "
        f"large/small cold {large['overview_cold'] / small['overview_cold']:.2f}x"
    )
    print(
        f"goals: warm {large['warm']:.3f} s (<= 0.5): {'met' if large['warm'] <= 0.5 else 'MISSED'}; "
        f"cold {large['cold']:.2f} s (<= 3): {'met' if large['cold'] <= 3 else 'MISSED'}; "
        f"large/small cold {ratio:.2f}x (<= 3): {'met' if ratio <= 3 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
