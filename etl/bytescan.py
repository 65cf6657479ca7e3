"""The byte scan of an export (fingerprint, NUL bytes, UTF-8, line endings, quotes), and a head start
for it when `python -m etl` imports a file.

Why a head start: the scan is single-threaded Python (~0.3 s on a 450 MB usage export). Run beside the
fast lane's id pass (etl/fastpath.py), it took one of the two cores DuckDB was using, and the pass
took ~1.3 s instead of ~1.0 s. Meanwhile the command spends ~0.2-0.4 s loading its own code on one core.
So `python -m etl` forks a child that scans the file before anything else is loaded (one thread, no
DuckDB yet: a fork is safe), and the import takes the child's result when it needs it. The child
is matched to the file by device, inode, size and modification time: a file changed since, a path
given differently or a child that failed means the scan runs in the process, as it always did.
The app never forks: its imports scan in the process.

This module imports only what the scan needs, so the child starts at once.
"""

from __future__ import annotations

import atexit
import codecs
import contextlib
import os
import pickle
import signal
import stat
from pathlib import Path

import xxhash

CHUNK = 1 << 22
SNIFF_BYTES = 1 << 20
# The fingerprint that makes a second import of the same file a no-op (import_log.file_sha256, which
# kept its name: DuckDB cannot rename a column other tables reference). XXH3-128 hashes ~10 GB/s;
# SHA-256 took 0.4 s of CPU on a 450 MB export, which on two cores slowed the id pass running
# beside the scan (etl/fastpath.py). The prefix names the scheme: a file fingerprinted by SHA-256
# earlier is not recognised and is imported once more (the upsert replaces the same rows).
FINGERPRINT_PREFIX = "xxh3-128:"
# Smaller files are scanned in the process: their scan takes milliseconds.
HEAD_START_BYTES = 16 << 20
# The kinds whose PATH is one file (a roster is a folder or a zip, read otherwise).
FILE_KINDS = ("usage", "assessments", "feedback")

Scan = tuple[str, int, int, bool, bytes, bool, bool, bool]


def scan(path: Path) -> Scan:
    """One pass: fingerprint, size, NUL count, valid UTF-8?, the first MB, mixed line endings?, odd
    quotes?, an underscore after the first line (`SourceFile.underscore_in_rows`)?

    Why it looks like this: on a 450 MB usage export this pass was ~1.2 s of a ~10 s import. Bytes are
    counted only in chunks that contain them (a memchr first), and the fingerprint is XXH3 (~0.05 s).
    """
    digest = xxhash.xxh3_128()
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = nuls = crlf = lf = cr = quotes = 0
    utf8, bare_lf, underscore = True, False, False
    head = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            if chunk.endswith(b"\r"):  # keep a CR LF pair in one chunk
                chunk += handle.read(1)
            digest.update(chunk)
            if not underscore:  # the header's names ('student_id') do not count
                underscore = chunk.find(b"_", 0 if head else chunk.find(b"\n") + 1) >= 0
            if not head:
                head = chunk[:SNIFF_BYTES]
            size += len(chunk)
            if b"\x00" in chunk:
                nuls += chunk.count(b"\x00")
            if b"\r" in chunk:
                crlf += chunk.count(b"\r\n")
                cr += chunk.count(b"\r")
                lf += chunk.count(b"\n")
            elif b"\n" in chunk:
                bare_lf = True
            if b'"' in chunk:
                quotes += chunk.count(b'"')
            if utf8 and not chunk.isascii():
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    mixed = cr > 0 and (bare_lf or not (crlf == cr == lf))
    return FINGERPRINT_PREFIX + digest.hexdigest(), size, nuls, utf8, head, mixed, quotes % 2 == 1, underscore


class HeadStart:
    """A scan running in a forked child; `result()` waits for it (None if the child failed)."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self._pipe = pid, pipe

    def result(self) -> Scan | None:
        try:
            with os.fdopen(self._pipe, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(self.pid, 0)
            return pickle.loads(data) if status == 0 and data else None
        except (OSError, EOFError, pickle.UnpicklingError):
            return None

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self._pipe)


_started: dict[tuple, HeadStart] = {}


def _identity(path: str | Path) -> tuple | None:
    """The file as it is now, or None for anything but a regular file that can be stat'ed."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def start(path: str | Path) -> bool:
    """Begin scanning `path` in a forked child. Only while this process has one thread (a fork copies
    no other thread, and a lock another thread held would stay locked in the child)."""
    identity = _identity(path)
    if identity is None or not hasattr(os, "fork") or identity in _started:
        return False
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: scan, send the result, and leave without running the parent's exit hooks
        code = 1
        try:
            os.close(read_end)
            data = pickle.dumps(scan(Path(path)), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    if not _started:
        atexit.register(_discard_all)
    _started[identity] = HeadStart(pid, read_end)
    return True


def claim(path: str | Path) -> HeadStart | None:
    """The head start begun for this very file (same device, inode, size and modification time)."""
    identity = _identity(path)
    return _started.pop(identity, None) if identity is not None else None


def _discard_all() -> None:
    """At exit: stop any child whose result was never claimed (a refused command, another path)."""
    while _started:
        _started.popitem()[1].discard()


def path_in_command(argv: list[str]) -> str | None:
    """The PATH of `python -m etl KIND PATH [options]` for a one-file kind, read without argparse
    (which comes with the import code this head start runs before). None when unsure: the import
    then scans in the process."""
    if not argv or argv[0] not in FILE_KINDS:
        return None
    rest = iter(argv[1:])
    for arg in rest:
        if arg == "--":
            return next(rest, None)
        if arg.startswith("-") and arg != "-":
            if "=" in arg:
                continue
            if arg in ("-h", "--help") or (len(arg) > 3 and "--json".startswith(arg)):
                continue
            next(rest, None)  # --db PATH, --tool NAME, ...
            continue
        return arg
    return None


def start_for_command(argv: list[str]) -> bool:
    """`python -m etl`'s first step: give a big file's scan a head start."""
    path = path_in_command(argv)
    if path is None or (_identity(path) or (0, 0, 0))[2] < HEAD_START_BYTES:
        return False
    return start(path)
