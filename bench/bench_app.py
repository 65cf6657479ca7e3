"""App speed with the demo district: cold start to healthy (goal <= 5 s) and each page's script run
(goal <= 1 s), measured, not asserted.

    .venv/bin/python bench/bench_app.py            # builds a demo database in bench/out/ if missing
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
DB = OUT / "bench_demo.duckdb"
os.environ["EDTECH_DB"] = str(DB)
os.environ["EDTECH_ID_SECRET"] = "bench-secret"

# page -> role that sees it with content
PAGE_ROLES = {
    "pages/home.py": "approver",
    "pages/request.py": "approver",
    "pages/new_request.py": "requester",
    "pages/people.py": "admin",
    "pages/audit.py": "admin",
}


def ensure_demo() -> float | None:
    if DB.exists():
        return None
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "init"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def cold_start() -> float:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait()


def page_runs(pages: dict[str, str], repeats: int = 5) -> dict[str, tuple[float, float]]:
    from tests.apphelp import run_page

    results = {}
    for page, role in pages.items():
        if not (ROOT / page).exists():
            continue
        at = run_page(page, as_role=role)  # first run: imports and caches
        assert not at.exception, (page, at.exception)
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            at.run()
            timings.append(time.perf_counter() - started)
        results[page] = (statistics.median(timings), max(timings))
    return results


def main() -> None:
    seeded = ensure_demo()
    if seeded is not None:
        print(f"demo district seeded (manage.py init, fresh process): {seeded:.2f} s (goal < 60 s)")
    starts = [cold_start() for _ in range(3)]
    print(
        f"cold start to healthy: median {statistics.median(starts):.2f} s, max {max(starts):.2f} s (goal <= 5 s)"
    )
    extra = {str(p.relative_to(ROOT)): "approver" for p in sorted((ROOT / "pages").glob("*.py"))}
    pages = {**extra, **PAGE_ROLES}
    print("page script runs (AppTest, warm; median / max of 5), goal <= 1 s:")
    for page, (median, worst) in page_runs(pages).items():
        flag = "" if median <= 1.0 else "  <-- over goal"
        print(f"  {page:<28} {median * 1000:7.0f} ms / {worst * 1000:7.0f} ms{flag}")


if __name__ == "__main__":
    main()
