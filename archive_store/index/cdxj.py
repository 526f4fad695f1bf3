"""CDXJ over each closed WARC (C-1): `indexes/<warc name>.cdxj`, written once, lines sorted bytewise.

Written by a file-closed hook (ARCHIVE_FILE_CLOSED_HOOKS) as each WARC closes; WARCs closed by crash
recovery, or written before this existed, get theirs from `fill_missing_cdxj` (called when a
session starts and before export/replay; it only lists two folders when nothing is missing).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import surt
from warcio.timeutils import iso_date_to_timestamp

from archive_store.hooks import FileClosedContext, count
from archive_store.layout import INDEXES_DIR, WARCS_DIR, closed_warc_names, local_warc
from archive_store.warc.recordbuilder import target_uri

if TYPE_CHECKING:
    from archive_store.index.database import ArchiveIndex
    from archive_store.warc.writer import ClosedFile

logger = logging.getLogger(__name__)

CDXJ_SUFFIX = ".cdxj"
# Only what replays. Metadata records carry the page's URL and the same second as the response, so a
# replay lookup could pick them instead of the page; request records are reached through responses.
INDEXED_RECORDS = "response,revisit"
_MIME_END = re.compile(r"[;\s]")  # cdxj-indexer's: the media type ends at a parameter or a space


@dataclass(frozen=True)
class CdxjEntry:
    urlkey: str
    timestamp: str
    fields: dict[str, Any]

    @property
    def offset(self) -> int:
        return int(self.fields["offset"])

    @property
    def length(self) -> int:
        return int(self.fields["length"])


def cdxj_path(root: Path, warc_name: str) -> Path:
    return root / INDEXES_DIR / (warc_name + CDXJ_SUFFIX)


def _indexer_class() -> Any:
    """cdxj-indexer, imported when first needed and quietly: through py3AMF it imports
    pkg_resources, whose deprecation warning on stderr would break quiet (cron) runs."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        from cdxj_indexer.main import CDXJIndexer  # noqa: PLC0415

    return CDXJIndexer


def cdxj_lines(warc: Path, filename: str | None = None) -> list[str]:
    """Sorted CDXJ lines for one WARC; `filename` is what the lines name (default: its own name)."""
    out = io.StringIO()
    indexer = _indexer_class()(out, [], records=INDEXED_RECORDS, filename=filename or warc.name)
    with warc.open("rb") as handle:
        indexer.process_one(handle, out, str(warc))
    return sort_bytewise(out.getvalue().splitlines())


def sort_bytewise(lines: Iterable[str]) -> list[str]:
    """The non-blank lines in the order of their UTF-8 bytes (CDXJ's order). UTF-8 keeps the order
    of code points, which is how Python compares text, so the lines are sorted as they are: a key
    of each line encoded was a second copy of them all (a 10 MB peak at the close of a WARC of
    20,000 pages)."""
    return sorted(line for line in lines if line.strip())


def cdxj_lines_from_index(index: ArchiveIndex, warc_name: str) -> list[str] | None:
    """The lines cdxj-indexer writes for a WARC this crawl just closed, built from its index rows
    instead of re-reading (and re-inflating) the file; None where a row might be indexed otherwise
    by the library (not GET, a non-ASCII or empty Content-Type), and the caller re-reads the file.
    tests/test_cdxj.py holds these lines equal to the library's."""
    lines = []
    for row in index.cdxj_rows(warc_name):
        content_type = row.content_type
        if row.method != "GET" or (
            content_type is not None and not (content_type.strip() and content_type.isascii())
        ):
            return None
        url = target_uri(row.url)
        fields: dict[str, str] = {"url": url}
        if row.record_type == "revisit":
            fields["mime"] = "warc/revisit"
        elif content_type is not None:
            fields["mime"] = _MIME_END.split(content_type, 1)[0].strip()
        fields["status"] = str(row.http_status)
        fields["digest"] = row.payload_digest
        fields["length"] = str(row.warc_length)
        fields["offset"] = str(row.warc_offset)
        fields["filename"] = warc_name
        lines.append(f"{_urlkey(url)} {iso_date_to_timestamp(row.warc_date)} {json.dumps(fields)}")
    return sort_bytewise(lines)


def _urlkey(url: str) -> str:
    try:
        return str(surt.surt(url))
    except Exception:  # what cdxj-indexer does with a URL surt cannot read
        return url


def write_cdxj(root: Path, warc_name: str, index: ArchiveIndex | None = None) -> Path:
    """Index one closed WARC; an existing CDXJ is kept (written once, like the WARC it indexes).
    With the crawl's `index`, lines come from its rows when they can (cdxj_lines_from_index)."""
    target = cdxj_path(root, warc_name)
    if target.exists():
        return target
    lines = cdxj_lines_from_index(index, warc_name) if index is not None else None
    if lines is None:
        lines = cdxj_lines(local_warc(root, warc_name), warc_name)
    # line by line (buffered), not joined: the whole text would be two more copies of the lines
    _write_new_file(target, ((line + "\n").encode("utf-8") for line in lines))
    return target


def _write_new_file(target: Path, chunks: Iterable[bytes]) -> None:
    """Write beside, fsync, then link into place: a reader never sees half a file, and a file that
    appeared meanwhile (a concurrent back-fill) is left alone rather than replaced."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.writelines(chunks)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temp_name, target)
    finally:
        os.unlink(temp_name)


def missing_cdxj(root: Path) -> list[str]:
    """Closed WARCs that have no CDXJ yet."""
    folder = root / INDEXES_DIR
    have = {p.name for p in folder.glob(f"*{CDXJ_SUFFIX}")} if folder.is_dir() else set()
    return [name for name in closed_warc_names(root) if name + CDXJ_SUFFIX not in have]


def fill_missing_cdxj(root: Path) -> list[str]:
    """Write the CDXJ of every closed WARC that lacks one; returns their names. A WARC that cannot
    be indexed (damaged: `verify` names it) is logged and skipped, so the others still replay."""
    written = []
    for name in missing_cdxj(root):
        try:
            write_cdxj(root, name)
        except Exception as exc:  # cdxj-indexer raises whatever a damaged WARC makes it raise
            logger.warning("cannot index %s/%s: %s", WARCS_DIR, name, exc)
            continue
        written.append(name)
        logger.info("wrote the missing CDXJ index of %s", name)
    return written


def read_cdxj(path: Path) -> list[CdxjEntry]:
    return parse_cdxj(path.read_text("utf-8"), path.name)


def parse_cdxj(text: str, name: str) -> list[CdxjEntry]:
    """Parse CDXJ lines; raises ValueError naming the line that is not `key SP ts SP {json}`."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        urlkey, _, rest = line.partition(" ")
        timestamp, _, data = rest.partition(" ")
        try:
            fields = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{name} line {number}: not CDXJ ({exc})") from exc
        if not (urlkey and timestamp.isdigit() and isinstance(fields, dict)):
            raise ValueError(f"{name} line {number}: not CDXJ")
        entries.append(CdxjEntry(urlkey, timestamp, fields))
    return entries


# hooks ---------------------------------------------------------------------------------------
def cdxj_for_closed_file(context: FileClosedContext, closed: ClosedFile) -> None:
    """ARCHIVE_FILE_CLOSED_HOOKS entry: index the WARC that just closed."""
    write_cdxj(context.paths.root, closed.filename, context.index)
    count(context, "archive/cdxj_written")


def fill_missing_cdxj_for_context(context: FileClosedContext) -> None:
    """At session start (after crash recovery): index WARCs that were closed without the hook.
    A failure is logged and counted; the crawl goes on (export and replay fill in again)."""
    try:
        written = fill_missing_cdxj(context.paths.root)
    except Exception:  # a broken old WARC must not stop new captures
        logger.exception("could not write the missing CDXJ indexes")
        count(context, "archive/cdxj_errors")
        return
    if written:
        count(context, "archive/cdxj_written", len(written))


# verify ---------------------------------------------------------------------------------------
Location = tuple[int, int]  # offset, length of one gzip member


def check_cdxj(root: Path, captures: dict[str, dict[Location, str]], in_use: bool) -> list[str]:
    """C-1 for every CDXJ file, and agreement with the index: the same members, no more, no less.
    `captures` maps a WARC name to its captures' (offset, length) -> URL, as the index has them."""
    problems: list[str] = []
    folder = root / INDEXES_DIR
    if not folder.is_dir():
        return problems  # an archive from before CDXJ (or built by hand): nothing to compare
    if not in_use:  # a running crawl may be between closing a WARC and indexing it
        problems += [
            f"{WARCS_DIR}/{name}: no CDXJ index (C-1); `replay`, `export` or the next run writes it"
            for name in missing_cdxj(root)
        ]
    for path in sorted(folder.glob(f"*{CDXJ_SUFFIX}")):
        problems += _check_one_cdxj(path, captures.get(path.name.removesuffix(CDXJ_SUFFIX), {}))
    return problems


def _check_one_cdxj(path: Path, expected: dict[Location, str]) -> list[str]:
    where = f"{INDEXES_DIR}/{path.name}"
    warc_name = path.name.removesuffix(CDXJ_SUFFIX)
    try:
        entries = read_cdxj(path)
    except (ValueError, UnicodeDecodeError) as exc:
        return [f"{where}: {exc}"]
    lines = path.read_text("utf-8").splitlines()
    problems = [] if lines == sort_bytewise(lines) else [f"{where}: C-1: lines are not sorted bytewise"]
    found: dict[Location, str] = {}
    for entry in entries:
        if entry.fields.get("filename") != warc_name:
            problems.append(f"{where}: an entry names {entry.fields.get('filename')!r}, not {warc_name}")
            continue
        found[(entry.offset, entry.length)] = str(entry.fields.get("url"))
    problems += [
        f"{where}: entry for {url} at offset {location[0]} matches no capture in the index"
        for location, url in sorted(found.items())
        if location not in expected
    ]
    problems += [
        f"{where}: the capture of {url} at offset {location[0]} is missing from the CDXJ"
        for location, url in sorted(expected.items())
        if location not in found
    ]
    return problems
