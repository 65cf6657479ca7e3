"""The byte scan's head start under `python -m etl`: the child's result is the scan's, used only for
the very file it scanned, and no child outlives the command.

The forking checks run in fresh interpreters: a test process already holds DuckDB's threads, and a
fork is only safe before they exist (as in `python -m etl`)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from etl import bytescan
from tests.test_etl_cli import last_json, run

ROOT = Path(__file__).resolve().parents[1]


# the last line a fresh interpreter prints: whether a child process it forked is still unreaped
NO_CHILD_LEFT = """
import os
try:
    os.waitpid(-1, os.WNOHANG)
    print("a child is left")
except ChildProcessError:
    print("no child left")
"""


def _fresh(code: str, *args: str, report_children: bool = False) -> str:
    """Run `code` in a new interpreter (argv[1:] = args); its stdout."""
    script = textwrap.dedent(code) + (NO_CHILD_LEFT if report_children else "")
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _export(path: Path, rows: int) -> Path:
    lines = [f"{7000 + i % 300},MathQuest,2026-09-{1 + i % 28:02d},{i % 50},1" for i in range(rows)]
    path.write_text("student_id,tool,date,minutes,sessions\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("argv", "path"),
    [
        (["usage", "u.csv"], "u.csv"),
        (["usage", "--db", "x.duckdb", "u.csv", "--json"], "u.csv"),
        (["assessments", "--subject", "Math", "--json", "m.tsv"], "m.tsv"),
        (["feedback", "--tool=MathQuest", "f.csv"], "f.csv"),
        (["usage", "--js", "u.csv"], "u.csv"),  # argparse's abbreviation of --json takes no value
        (["usage", "--", "-odd name.csv"], "-odd name.csv"),
        (["roster", "oneroster.zip"], None),  # a folder or zip, read otherwise
        (["undo", "--json"], None),
        (["usage", "--db", "x.duckdb"], None),
        ([], None),
    ],
)
def test_the_path_is_read_from_the_command_as_argparse_reads_it(argv, path):
    assert bytescan.path_in_command(argv) == path


def test_a_small_file_gets_no_head_start(tmp_path):
    small = _export(tmp_path / "u.csv", 10)
    assert bytescan.start_for_command(["usage", str(small)]) is False


class TestForkedScan:
    def test_the_childs_result_is_the_scan_of_the_file(self, tmp_path):
        path = _export(tmp_path / "u.csv", 2000)
        out = _fresh(
            """
            import os, sys
            from pathlib import Path
            from etl import bytescan
            assert bytescan.start(sys.argv[1])
            got = bytescan.claim(sys.argv[1]).result()
            print(got == bytescan.scan(Path(sys.argv[1])), got[0][:9], got[1])
            """,
            str(path),
            report_children=True,
        )
        assert out.splitlines() == [f"True xxh3-128: {path.stat().st_size}", "no child left"]

    def test_a_file_changed_after_the_fork_is_scanned_again(self, tmp_path):
        path = _export(tmp_path / "u.csv", 2000)
        out = _fresh(
            """
            import sys, time
            from pathlib import Path
            from etl import bytescan, source
            path = Path(sys.argv[1])
            assert bytescan.start(path)
            time.sleep(0.05)
            with path.open("a") as f:
                f.write("9999,MathQuest,2026-09-30,5,1\\n")
            print(bytescan.claim(path) is None, source.open_source(path).fingerprint == bytescan.scan(path)[0])
            """,
            str(path),
        )
        assert out == "True True"

    def test_a_child_that_fails_leaves_the_scan_to_the_import(self, tmp_path):
        path = _export(tmp_path / "u.csv", 2000)
        out = _fresh(
            """
            import os, sys
            from pathlib import Path
            from etl import bytescan, source
            real = bytescan.scan
            bytescan.scan = lambda p: 1 / 0  # the child inherits the broken scan
            assert bytescan.start(sys.argv[1])
            bytescan.scan = real
            src = source.open_source(sys.argv[1])
            print(src.fingerprint == real(Path(sys.argv[1]))[0], src.header)
            """,
            str(path),
            report_children=True,
        )
        assert out.splitlines() == [
            "True ['student_id', 'tool', 'date', 'minutes', 'sessions']",
            "no child left",
        ]

    def test_an_unclaimed_child_is_stopped_at_exit(self, tmp_path):
        """A refused command (or one given another path) must not leave a scan running behind it."""
        path = _export(tmp_path / "u.csv", 2000)
        out = _fresh(
            """
            import sys, time
            from etl import bytescan
            bytescan.scan = lambda p: time.sleep(20)  # a scan still running when the command ends
            assert bytescan.start(sys.argv[1])
            print(next(iter(bytescan._started.values())).pid)
            """,
            str(path),
        )
        try:
            with pytest.raises(ProcessLookupError):
                os.kill(int(out), 0)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(out), 9)


def test_the_command_imports_a_big_file_with_the_childs_fingerprint(tmp_path):
    """`python -m etl` on a file past the head-start size: imported whole, and the fingerprint the child
    took is the one the app computes in process (the same file from the Import page is 'already
    imported')."""
    import datetime as dt

    import duckdb

    from etl.runner import run_import
    from models.imports import ImportRequest

    days = [(dt.date(2025, 8, 18) + dt.timedelta(d)).isoformat() for d in range(280)]
    big, rows = tmp_path / "big.csv", 0
    with big.open("w", encoding="utf-8") as f:
        f.write("student_id,tool,date,minutes,sessions\n")
        while big.stat().st_size <= bytescan.HEAD_START_BYTES:
            f.write(
                "".join(
                    f"{700000 + n // 280},MathQuest,{days[n % 280]},5,1\n" for n in range(rows, rows + 20000)
                )
            )
            f.flush()
            rows += 20000
    db = tmp_path / "d.duckdb"
    result = run("usage", str(big), "--json", db=db)
    assert result.returncode == 0, result.stderr
    assert (last_json(result)["rows_read"], last_json(result)["rows_imported"]) == (rows, rows)
    con = duckdb.connect(str(db))
    try:
        again = run_import(con, b"cli-secret", ImportRequest(kind="usage", path=big))
    finally:
        con.close()
    assert again.already_imported
