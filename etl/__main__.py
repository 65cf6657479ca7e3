"""`python -m etl ...`: see etl/cli.py.

The byte scan of a big file starts first, in a child, while this process loads the import code
(etl/bytescan.py: why, and why it is safe here and only here)."""

import atexit
import contextlib
import os
import sys

from etl import bytescan

bytescan.start_for_command(sys.argv[1:])

from etl.cli import main  # noqa: E402  (after the fork: the import code starts DuckDB's threads)

code = main()
# Leave without the interpreter's teardown of every loaded module (~0.035 s of a 10M-row import):
# the database is closed and the output flushed here, and the exit hooks (the head start's child,
# temporary files) run first. An argument error or an exception never gets here: it exits as usual.
for stream in (sys.stdout, sys.stderr):
    with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can be said
        stream.flush()
atexit._run_exitfuncs()
os._exit(code or 0)
