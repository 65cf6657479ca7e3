"""Open a district export safely: checks, fingerprint, encoding and header, before DuckDB reads it.

Why a separate step: real exports arrive empty, binary, UTF-16 or Windows-1252 from Excel, with a BOM,
NUL bytes or a header whose names repeat. One streaming pass computes the file's fingerprint
(idempotency) and finds these; only files that are not clean UTF-8 are rewritten to a temporary
UTF-8 copy, so a big clean file is read by DuckDB in place. Every refusal is a `FileRefused` with a
one-line message that never quotes file content (it may hold student names).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl import bytescan
from etl.bytescan import CHUNK, SNIFF_BYTES
from models.errors import DomainError

MAX_FIELD_BYTES = 32 << 20  # DuckDB's max_line_size; a 3 MB field is read, a 40 MB one refused
DELIMITERS = ("\t", ",", ";", "|")
# The fingerprint that makes a second import of the same file a no-op (import_log.file_sha256, which
# kept its name: DuckDB cannot rename a column other tables reference). XXH3-128 hashes ~10 GB/s;
# SHA-256 took 0.4 s of CPU on a 450 MB export, which on two cores slowed the id pass running
# beside the scan (etl/fastpath.py). The prefix names the scheme: a file fingerprinted by SHA-256
# earlier is not recognised and is imported once more (the upsert replaces the same rows).
FINGERPRINT_PREFIX = "xxh3-128:"


class FileRefused(DomainError):
    """The file cannot be imported; nothing was written."""


@dataclass
class SourceFile:
    """A file ready for DuckDB: `read_path` is UTF-8 (the original, or a temporary copy)."""

    original: Path
    read_path: Path
    fingerprint: str
    size: int
    encoding: str
    delimiter: str
    header: list[str]
    warnings: list[str] = field(default_factory=list)
    # a '_' somewhere below the header line: DuckDB's typed reader would read '1_000' as 1000
    # (`staging.underscore_in_numbers`)
    underscore_in_rows: bool = True
    # what `staging.underscore_in_numbers` found, per set of number columns: the fast lane and then the
    # typed stage ask the same question of a file the fast lane declined
    underscore_checked: dict[tuple[str, ...], bool] = field(default_factory=dict)
    # what `while_scanning` returned, kept only when the file is read as it is (no transcoded copy)
    early: Any = None
    # the first MB as text (as read: after any transcoding), for sniffing how values are written
    sample: str = ""
    _tmp: tempfile.TemporaryDirectory | None = None

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))


def _looks_binary(sample: bytes) -> bool:
    """Control bytes other than tab/CR/LF in more than 1% of the first MB: not a text export.
    (Counted by deleting them in C: a Python loop over the MB took ~0.03 s of every import.)"""
    if not sample:
        return False
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample) > 0.01


_CP1252 = {
    b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def _decode_cp1252(data: bytes) -> str:
    """Windows-1252 as Excel writes it; the five undefined bytes fall back to Latin-1."""
    return data.decode("latin-1").translate(_CP1252)


def _cp1252_where_not_utf8(error: UnicodeError) -> tuple[str, int]:
    """Decode error handler: the bytes that are not UTF-8 are read as Windows-1252."""
    assert isinstance(error, UnicodeDecodeError)
    return _decode_cp1252(bytes(error.object[error.start : error.end])), error.end


codecs.register_error("etl-cp1252", _cp1252_where_not_utf8)


def _transcode(path: Path, encoding: str, target: Path) -> None:
    """Rewrite as UTF-8 without NUL bytes (files needing this are Excel saves: small).

    A "Windows-1252" file is decoded as UTF-8 wherever it is UTF-8 and as Windows-1252 elsewhere: a
    UTF-8 export with one pasted 1252 byte keeps its other accents, and a BOM before 1252 text is
    a BOM, not three letters of the first column's name."""
    data = path.read_bytes()
    if encoding == "utf-16":
        text = data.decode("utf-16", errors="replace")
    elif encoding == "windows-1252":
        text = data.decode("utf-8", errors="etl-cp1252")
    else:
        text = data.decode("utf-8", errors="replace")
    text = text.replace("\x00", "").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    target.write_text(text, encoding="utf-8", newline="")


def count_lines(path: Path) -> int:
    """Lines in a UTF-8 file as `read_path` holds it (LF or CR LF endings)."""
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def record_lines(path: Path, delimiter: str) -> tuple[list[int], int | None]:
    """The line on which each record starts (the header's first), as DuckDB reads the file: empty
    lines are skipped and a quoted field may span lines. Also the line of a quote that opens a field
    and never closes (None when every one closes).

    A quote opens a quoted field only at the start of a field; inside one, "" is a quote and " closes
    it; elsewhere a quote is a plain character (Excel writes `The 5" School` unquoted). Lines without
    a quote are skipped over by a substring test, so this costs one pass of line reads.
    """
    starts: list[int] = []
    inside, opened_at = False, 0
    sep = delimiter.encode()
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not inside:
                if line in (b"\n", b"\r\n"):
                    continue
                starts.append(number)
            if b'"' in line:
                inside, opened, _ = _walk_line(line, sep, inside)
                if opened:
                    opened_at = number
    return starts, (opened_at if inside else None)


def _walk_line(line: bytes, sep: bytes, inside: bool) -> tuple[bool, bool, int]:
    """Walk one line from `inside` (a quoted field open at its start): whether a quoted field is
    still open at its end, whether a quoted field opened on this line, and the separators outside
    quoted fields. A quote opens a field only at the start of a field; inside one, "" is a quote."""
    i, n, opened, count = 0, len(line), False, 0
    field_start = not inside
    while i < n:
        if inside:
            j = line.find(b'"', i)
            if j < 0:
                return True, opened, count
            if line[j + 1 : j + 2] == b'"':
                i = j + 2
                continue
            inside, field_start, i = False, False, j + 1
        elif field_start and line[i : i + 1] == b'"':
            inside, opened, i = True, True, i + 1
        else:
            j = line.find(sep, i)
            if j < 0:
                return False, opened, count
            count, field_start, i = count + 1, True, j + 1
    return inside, opened, count


def _delimiter(text: str) -> str:
    """The delimiter that splits the header and the next lines into the same number of fields.

    Counting characters on the first line alone failed both ways: a quoted question with '; ' or
    '|' in a comma file, and a tab file whose column names hold commas ("Overall, how easy ..."),
    were read with the wrong delimiter. Ties go to tab, then comma."""
    unquoted = re.sub(r'"(?:[^"]|"")*"', '""', text)  # delimiters inside quotes do not count
    lines = [line for line in unquoted.split("\n")[:50] if line.strip()]
    if not lines:
        return ","

    def score(d: str) -> tuple[int, int]:
        width = lines[0].count(d)
        if not width:
            return (0, 0)
        return (sum(1 for line in lines[1:] if line.count(d) == width), width)

    best = max(DELIMITERS, key=lambda d: (score(d), -DELIMITERS.index(d)))
    return best if score(best)[1] else ","


# The day forms DuckDB's typed reader can take as they are: ISO, and US month-first with a four-digit
# year, slashes or dashes (1 or 2 digits for month and day). `cleaning.DATE_FORMATS` reads each the same.
READER_DATE_FORMATS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d"),
    (re.compile(r"\d{1,2}/\d{1,2}/\d{4}"), "%m/%d/%Y"),
    (re.compile(r"\d{1,2}-\d{1,2}-\d{4}"), "%m-%d-%Y"),
)


def sampled_date_format(src: SourceFile, position: int) -> str:
    """The `dateformat` for DuckDB's typed reader: the one form every date in the column `position`
    of the first MB is written in, else ISO (the typed reader then stops at the first other form, and
    the full parse reads the file). Why: a US export's dates ('9/14/2026') sent a whole 10M-row file
    through the full parse, ~3x slower, for dates the reader takes as they are with the right format."""
    lines = src.sample.split("\n")[1:-1]  # the last line of the sample may be cut
    values = set()
    for row in csv.reader(lines[:2000], delimiter=src.delimiter, quotechar='"'):
        if position < len(row) and row[position].strip():
            values.add(row[position].strip())
    for pattern, form in READER_DATE_FORMATS:
        if values and all(pattern.fullmatch(v) for v in values):
            return form
    return "%Y-%m-%d"


def parse_header(text: str) -> tuple[str, list[str]]:
    """The delimiter and the column names of the first record; duplicate names get _2, _3, ..."""
    delimiter = _delimiter(text.lstrip("\ufeff")[:65536])
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter, quotechar='"')
    try:
        names = next(reader)
    except (StopIteration, csv.Error):
        names = []
    header: list[str] = []
    seen: dict[str, int] = {}
    for raw in names:
        name = re.sub(r"\s+", " ", raw.replace("\ufeff", "")).strip()
        seen[name] = seen.get(name, 0) + 1
        header.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return delimiter, header


EarlyWork = Callable[[Path, str, list[str]], Any]


def _early_header(path: Path) -> tuple[str, list[str]] | None:
    """Delimiter and header from the first MB, when the file can plainly be read as it is."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head or b"\x00" in head or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if not head.isascii():
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            return None  # Windows-1252 (or cut mid-character): wait for the scan
    delimiter, header = parse_header(head.decode("utf-8", errors="ignore"))
    return (delimiter, header) if any(header) else None


def _scan_while(path: Path, while_scanning: EarlyWork | None) -> tuple[tuple, Any, tuple | None]:
    """The byte scan, with `while_scanning(path, delimiter, header)` run meanwhile on this thread.

    Why: the scan is single-threaded Python; DuckDB's first pass over a big usage file (the fast
    lane's id pass) can run at the same time. Under `python -m etl` the scan of a big file has
    usually begun before this process loaded its code, in a child (`bytescan.start_for_command`),
    and the pass then has both cores to itself (1.0 s instead of 1.3 s on 10.5M rows)."""
    head_start = bytescan.claim(path)
    if while_scanning is None:
        return _scanned(head_start, path), None, None
    with ThreadPoolExecutor(max_workers=1) as pool:
        scanning = pool.submit(bytescan.scan, path) if head_start is None else None
        try:
            seen = _early_header(path)
            early = while_scanning(path, *seen) if seen else None
        finally:
            scanned = scanning.result() if scanning else _scanned(head_start, path)
    return scanned, early, seen


def _scanned(head_start: bytescan.HeadStart | None, path: Path) -> bytescan.Scan:
    """The head start's result, or the scan done here when there was none or its child failed."""
    return (head_start.result() if head_start else None) or bytescan.scan(path)


def open_source(path: str | Path, *, while_scanning: EarlyWork | None = None) -> SourceFile:
    """Check the file and prepare it for DuckDB, or raise FileRefused with a one-line reason.

    `while_scanning(path, delimiter, header)` may do read-only work on the file while it is being
    checked; its result is kept (as `early`) only when the file is then read as it is."""
    path = Path(path)
    if not path.exists():
        raise FileRefused(f"{path}: no such file.")
    if path.is_dir():
        raise FileRefused(f"{path}: is a folder; give a file (only rosters take a folder).")
    try:
        scanned, early, seen = _scan_while(path, while_scanning)
        fingerprint, size, nuls, utf8, head, mixed_endings, odd_quotes, underscore = scanned
    except OSError as exc:
        raise FileRefused(f"{path.name}: cannot be read ({exc.strerror}).") from exc
    if size == 0 or not head.strip(b"\x00\r\n\t \xef\xbb\xbf"):
        raise FileRefused(f"{path.name}: the file is empty; nothing was imported.")
    warnings: list[str] = []
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif _looks_binary(head.replace(b"\x00", b"")) or nuls > max(16, size // 100):
        raise FileRefused(f"{path.name}: this is not a text export (binary content); nothing was imported.")
    else:
        encoding = "utf-8" if utf8 else "windows-1252"
    if odd_quotes and encoding != "utf-16":  # an odd count may be plain quotes (`The 5" School`)
        unclosed = record_lines(path, parse_header(head.decode("latin-1"))[0])[1]
        if unclosed is not None:
            raise FileRefused(
                f"{path.name}: a quote opened on line {unclosed} is never closed; nothing was imported."
            )
    if nuls and encoding != "utf-16":
        warnings.append(f"{nuls} NUL byte(s) removed (damaged export).")
    tmp = None
    read_path = path
    if encoding != "utf-8" or nuls or mixed_endings:
        tmp = tempfile.TemporaryDirectory(prefix="etl-")
        read_path = Path(tmp.name) / "utf8.csv"
        _transcode(path, encoding, read_path)
        if encoding == "windows-1252":
            warnings.append("Read as Windows-1252 (an Excel save); accents kept.")
        head = read_path.read_bytes()[:SNIFF_BYTES]
    text = head.decode("utf-8", errors="ignore").replace("\x00", "")
    delimiter, header = parse_header(text)
    if not any(header):
        if tmp:
            tmp.cleanup()
        raise FileRefused(f"{path.name}: no header row found.")
    return SourceFile(
        original=path,
        read_path=read_path,
        fingerprint=fingerprint,
        size=size,
        encoding=encoding,
        delimiter=delimiter,
        header=header,
        warnings=warnings,
        underscore_in_rows=underscore,
        early=early if read_path == path and seen == (delimiter, header) else None,
        sample=text,
        _tmp=tmp,
    )
