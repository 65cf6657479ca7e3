"""`python -m etl ...`: see etl/cli.py.

The byte scan of a big file starts first, in a child, while this process loads the import code
(etl/bytescan.py: why, and why it is safe here and only here)."""

import sys

from etl import bytescan

bytescan.start_for_command(sys.argv[1:])

from etl.cli import main  # noqa: E402  (after the fork: the import code starts DuckDB's threads)

raise SystemExit(main())
