"""Write a large, deterministic district usage export (generic long layout) for the import bench.

Why: the issue sets goals for importing a big district's school year of usage (about 10M rows for
25,000 students and 40 tools). The generator is deterministic (same arguments, same bytes) so the
numbers in the closing note can be reproduced. Output goes to bench/out/ (gitignored).

    python bench/gen_large_district.py [--students 25000] [--tools 40] [--out bench/out/big.csv]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import duckdb

OUT_DIR = Path(__file__).resolve().parent / "out"
SCHOOL_YEAR_START = dt.date(2025, 8, 18)
SCHOOL_YEAR_END = dt.date(2026, 6, 5)
SCHOOLS = 12


def school_days(start: dt.date = SCHOOL_YEAR_START, end: dt.date = SCHOOL_YEAR_END) -> int:
    """Weekdays from start to end inclusive (holidays ignored: a generator, not a calendar)."""
    days = (end - start).days + 1
    return sum(1 for i in range(days) if (start + dt.timedelta(days=i)).weekday() < 5)


def generate(out: Path, *, students: int = 25_000, tools: int = 40, tools_per_day: int = 2) -> int:
    """Write the CSV; each student uses `tools_per_day` distinct tools on every school day."""
    out.parent.mkdir(parents=True, exist_ok=True)
    days = school_days()
    rows = students * days * tools_per_day
    con = duckdb.connect()
    try:
        con.execute(f"""
            COPY (
              WITH d AS (
                SELECT d AS day_no,
                       (DATE '{SCHOOL_YEAR_START}' + INTERVAL (d // 5 * 7 + d % 5) DAY)::DATE AS day
                FROM range({days}) t(d)),
              r AS (
                SELECT s.s AS s, d.day_no, d.day, k.k AS k
                FROM range({students}) s(s), d, range({tools_per_day}) k(k))
              SELECT 700000 + s AS student_id,
                     'Tool ' || lpad(((s * 7 + day_no + k * (1 + (s % ({tools} - 1)))) % {tools} + 1)::VARCHAR, 2, '0')
                       AS tool,
                     strftime(day, '%Y-%m-%d') AS date,
                     1 + hash(s, day_no, k) % 45 AS minutes,
                     1 + hash(k, s, day_no) % 3 AS sessions,
                     'School ' || lpad((s % {SCHOOLS} + 1)::VARCHAR, 2, '0') AS school,
                     s % 13 AS grade
              FROM r ORDER BY day_no, s, k
            ) TO '{out}' (HEADER, DELIMITER ',')
        """)
    finally:
        con.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=25_000)
    parser.add_argument("--tools", type=int, default=40)
    parser.add_argument("--out", type=Path, default=OUT_DIR / "big.csv")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = generate(args.out, students=args.students, tools=args.tools)
    print(
        f"wrote {rows:,} rows to {args.out} ({args.out.stat().st_size / 1e6:.0f} MB) "
        f"in {time.perf_counter() - started:.1f}s"
    )


if __name__ == "__main__":
    main()
