"""`import FILE…`: other tools' WARC and WACZ files become part of the archive, unchanged.

Each WARC is copied byte for byte into `warcs/` as `imported-<its SHA-256, 12 hex>-<its name>`
(an uncompressed one keeps `.warc`; a WACZ gives each of its `archive/` WARCs, the WACZ itself is
not kept; the same bytes under several names are stored once), listed in the fixity manifest, and
named in a `file_imported` custody event with the source file and its SHA-256. Its response and
revisit records are indexed as third-party captures (`capture_origins`, via `import`), their CDXJ
written from what was read, and HTML pages extracted like our own. Reading is lenient and
recording exact: what was odd about the file is counted in the summary (and kept per capture in
`capture_origins.notes`); a damaged stretch in the middle is skipped and named.

Bounded and all-or-nothing: memory does not grow with a record's size (blocks are streamed, see
`archive_store.warc.foreign`); a file that breaks a limit (`ImportLimits`), is not a WARC, or fails
while it is being stored leaves nothing behind — no file in `warcs/`, no manifest line, no CDXJ,
no index row — so the archive still verifies. Importing a file again (same SHA-256) adds nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from warcio.timeutils import iso_date_to_timestamp

from archive_store.evidence.fixity import CustodyLog, Manifest
from archive_store.index.baselines import monitor_urls
from archive_store.index.cdxj import _MIME_END, _urlkey, _write_new_file, cdxj_path, sort_bytewise
from archive_store.index.database import ArchiveIndex, utcnow
from archive_store.index.origins import imported_urls
from archive_store.index.schema import Capture, CaptureOrigin, ImportedFile, Page, WarcFile
from archive_store.index.search_setup import backfill_state, index_page, unindex_page
from archive_store.index.stored import initial_state, parse_warc_date
from archive_store.layout import CUSTODY_NAME, IMPORTED_PREFIX, MANIFEST_NAME, PLAIN_WARC_SUFFIX, WARC_SUFFIX
from archive_store.lock import ArchiveLock
from archive_store.storage.reader import decode_content
from archive_store.validate.warcdigest import parse_digest
from archive_store.warc.foreign import (
    RATIO_FLOOR,
    FileRefused,
    ForeignRecord,
    ReadLimits,
    Skipped,
    TruncatedTail,
    iter_foreign,
)
from archive_store.warc.httpmessage import ResponseFacts, measure_response, parse_response
from archive_store.warc.members import BrokenMember, read_record

logger = logging.getLogger(__name__)
# the extraction library's analysis of one response (url, status, headers, content-decoded body)
# -> {"state", "reason", "page", "charset", …}: handed in by the caller, as archive_store never
# imports the pipelines (docs/architecture.md); None imports without extracting
Extractor = Callable[[str, int, list[tuple[str, str]], bytes], dict[str, Any]]
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_READ = 1 << 20
_BATCH = 1000  # captures inserted (and pages saved) per flush


class ImportError_(Exception):  # noqa: N801 (ImportError is Python's own)
    """A file that cannot be imported at all (not a WARC, not a WACZ, over a limit, unreadable)."""


@dataclass(frozen=True)
class ImportLimits:
    """The ARCHIVE_IMPORT_* settings; 0 means no limit."""

    max_record: int = 0  # inflated bytes of one record
    max_file: int = 0  # bytes of a file given, and of each WARC inside a WACZ
    max_ratio: float = 0  # inflated / compressed bytes of a gzip member or a WACZ member
    max_extract: int = 16 << 20  # responses with a bigger record are indexed, not extracted


@dataclass
class ImportResult:
    """The import summary of one file: what it held, and what was odd about it."""

    source: str
    sha256: str
    kind: str
    already_imported: bool = False
    failed: bool = False  # nothing of the file was kept
    stored_as: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    # `import --monitor`: the file's URLs that `recheck` and `report` cover (None: not asked)
    monitored: list[str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "kind": self.kind,
            "already_imported": self.already_imported,
            "failed": self.failed,
            "stored_as": self.stored_as,
            "counts": dict(sorted(self.counts.items())),
            "problems": self.problems,
            "monitored": self.monitored,
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_READ):
            digest.update(chunk)
    return digest.hexdigest()


def file_kind(path: Path) -> str:
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic.startswith(b"PK") and zipfile.is_zipfile(path):
        return "wacz"
    if magic.startswith(b"\x1f\x8b"):
        return "warc.gz"
    if magic.startswith(b"WARC"):
        return "warc"
    raise ImportError_(f"{path}: neither a WARC (WARC/…, or gzip) nor a WACZ (zip) file")


def stored_name(sha256: str, source_name: str, gzipped: bool) -> str:
    """`imported-<sha12>-<name>`: never a path (S-5), always our WARC suffixes."""
    stem = source_name
    for suffix in (".gz", ".warc", ".open"):
        stem = stem.removesuffix(suffix)
    stem = _SAFE.sub("_", stem).strip("._")[:80] or "warc"
    return f"{IMPORTED_PREFIX}{sha256[:12]}-{stem}{WARC_SUFFIX if gzipped else PLAIN_WARC_SUFFIX}"


@dataclass(slots=True)
class _Found:
    """One response or revisit record to index: the capture's columns, without its body."""

    values: dict[str, Any]
    notes: list[str]
    cdx_digest: str
    extract: bool


@dataclass
class _Staged:
    """One WARC copied beside its final name and read through, not yet part of the archive."""

    label: str  # the name it had in the file given (a WACZ member's path)
    temp: Path
    sha256: str
    size: int
    name: str  # its name in warcs/
    found: list[_Found] = field(default_factory=list)
    request_ids: dict[str, str] = field(default_factory=dict)  # response id -> its request's id
    capture_ids: list[int] = field(default_factory=list)


class Importer:
    """Imports files into one archive; hold its lock (see `import_files`)."""

    def __init__(
        self,
        root: Path,
        index: ArchiveIndex,
        *,
        extract: Extractor | None = None,
        limits: ImportLimits | None = None,
    ) -> None:
        self.root = root
        self.warcs = root / "warcs"
        self.index = index
        self.extract = extract
        self.limits = limits or ImportLimits()
        self._search_index: bool | None = None  # the bigram search index exists (looked up once)
        self.manifest = Manifest(root / MANIFEST_NAME)
        self.custody = CustodyLog(root / CUSTODY_NAME)

    def import_file(self, path: Path) -> ImportResult:
        kind = file_kind(path)
        size = path.stat().st_size
        if self.limits.max_file and size > self.limits.max_file:
            raise ImportError_(
                f"{path}: {size} bytes, more than ARCHIVE_IMPORT_MAX_FILE_SIZE ({self.limits.max_file})"
            )
        sha = file_sha256(path)
        result = ImportResult(str(path), sha, kind)
        with self.index.session() as s:
            before = s.scalars(select(ImportedFile).where(ImportedFile.sha256 == sha)).first()
        if before is not None:
            result.already_imported = True
            result.stored_as = json.loads(before.stored_as)
            return result
        self.warcs.mkdir(parents=True, exist_ok=True)
        staged: list[_Staged] = []
        try:
            held = {digest: name for name, digest in self.manifest.entries().items()}
            for label, gzipped, opener in self._sources(path, kind, result):
                one = self._stage(path, label, gzipped, opener)
                twin = next((s for s in staged if s.sha256 == one.sha256), None)
                if twin is not None:  # the same bytes under another name in a WACZ
                    one.temp.unlink()
                    result.counts["skipped/duplicate_warc"] += 1
                    result.problems.append(f"{label}: the same bytes as {twin.label}, stored once")
                    continue
                if one.sha256 in held:  # these bytes are in the archive already
                    one.temp.unlink()
                    result.counts["skipped/warc_already_stored"] += 1
                    result.stored_as.append(held[one.sha256].removeprefix("warcs/"))
                    continue
                staged.append(one)
                self._read(one, result)
            self._commit(path, staged, result)
        finally:
            for one in staged:
                one.temp.unlink(missing_ok=True)
        return result

    # reading ---------------------------------------------------------------------------------
    def _sources(
        self, path: Path, kind: str, result: ImportResult
    ) -> Iterator[tuple[str, bool, Callable[[], IO[bytes]]]]:
        if kind != "wacz":
            yield path.name, kind == "warc.gz", lambda: path.open("rb")
            return
        with zipfile.ZipFile(path) as package:
            infos = [
                i for i in package.infolist() if i.filename.startswith("archive/") and ".warc" in i.filename
            ]
        if not infos:
            result.problems.append("the WACZ holds no archive/*.warc(.gz) file")
        for info in sorted(infos, key=lambda i: i.filename):
            self._check_member(path, info)
            result.counts["wacz_warcs"] += 1

            def opener(info: zipfile.ZipInfo = info) -> IO[bytes]:
                return _ZipMember(path, info)  # type: ignore[return-value]

            with opener() as handle:
                gzipped = handle.read(2) == b"\x1f\x8b"
            yield info.filename, gzipped, opener

    def _check_member(self, path: Path, info: zipfile.ZipInfo) -> None:
        limits = self.limits
        if limits.max_file and info.file_size > limits.max_file:
            raise ImportError_(
                f"{path}: {info.filename} inflates to {info.file_size} bytes, more than "
                f"ARCHIVE_IMPORT_MAX_FILE_SIZE ({limits.max_file})"
            )
        if _bomb(info.file_size, info.compress_size, limits.max_ratio):
            raise ImportError_(
                f"{path}: {info.filename} inflates {info.file_size} bytes from {info.compress_size} "
                f"(more than {limits.max_ratio:g} times: a decompression bomb? ARCHIVE_IMPORT_MAX_RATIO)"
            )

    def _stage(self, path: Path, label: str, gzipped: bool, opener: Callable[[], IO[bytes]]) -> _Staged:
        """Copy beside the final name (fsynced), hashing and counting what is written; a WACZ
        member is held to the limits on what it really inflates to, whatever its entry says."""
        digest = hashlib.sha256()
        fd, temp = tempfile.mkstemp(prefix=".import-", suffix=".tmp", dir=self.warcs)
        written = 0
        limit = self.limits.max_file
        try:
            with os.fdopen(fd, "wb") as out, opener() as source:
                while chunk := source.read(_READ):
                    written += len(chunk)
                    if limit and written > limit:
                        raise ImportError_(
                            f"{path}: {label} is more than ARCHIVE_IMPORT_MAX_FILE_SIZE ({limit}) bytes"
                        )
                    compressed = getattr(source, "compressed", written)
                    if _bomb(written, compressed, self.limits.max_ratio):
                        raise ImportError_(
                            f"{path}: {label} inflates more than {self.limits.max_ratio:g} times "
                            "(a decompression bomb? ARCHIVE_IMPORT_MAX_RATIO)"
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            os.unlink(temp)
            raise
        sha = digest.hexdigest()
        return _Staged(label, Path(temp), sha, written, stored_name(sha, label.rsplit("/", 1)[-1], gzipped))

    def _read(self, one: _Staged, result: ImportResult) -> None:
        """Read the copy through: what each record is, what was odd, what was damaged. Refuses a
        file whose first record does not read (not a WARC) or that breaks a limit."""
        counts = result.counts
        limits = ReadLimits(self.limits.max_record, self.limits.max_ratio, spool_dir=self.warcs)
        in_file: set[str] = set()
        first = True
        try:
            for item in iter_foreign(one.temp, limits):
                if first and not isinstance(item, ForeignRecord):
                    raise ImportError_(f"{one.label}: not a WARC file ({item.reason} at offset 0)")
                first = False
                if isinstance(item, TruncatedTail):
                    counts["odd/truncated_tail"] += 1
                    result.problems.append(
                        f"{one.name}@{item.offset}: {item.reason} (records before it imported)"
                    )
                    break
                if isinstance(item, Skipped):
                    counts["odd/damaged_bytes_skipped"] += 1
                    result.problems.append(
                        f"{one.name}@{item.offset}: {item.reason}: {item.length} bytes skipped, "
                        "the records after them imported"
                    )
                    continue
                self._note(item, one, in_file, counts)
        except FileRefused as exc:
            raise ImportError_(f"{one.label}: {exc.reason}") from exc
        if first:
            raise ImportError_(f"{one.label}: not a WARC file (it is empty)")
        self._settle(one, in_file, counts)

    def _note(self, item: ForeignRecord, one: _Staged, in_file: set[str], counts: Counter[str]) -> None:
        counts["records"] += 1
        counts[f"version/{item.version or 'unknown'}"] += 1
        counts[f"type/{item.record_type or 'none'}"] += 1
        in_file.add(item.record_id)
        if item.record_type == "request":
            one.request_ids[_strip(item.get("WARC-Concurrent-To") or "")] = item.record_id
        if item.record_type not in ("response", "revisit"):
            return
        if not item.record_id:
            counts["skipped/no_record_id"] += 1
            return
        found = self._capture(item, one.name, counts)
        if found is not None:
            one.found.append(found)

    def _settle(self, one: _Staged, in_file: set[str], counts: Counter[str]) -> None:
        """What only the whole file tells: records indexed before, requests after their
        responses, revisits whose original is elsewhere."""
        known = self.index.known_record_ids(f.values["record_id"] for f in one.found)
        kept = []
        for found in one.found:
            values = found.values
            if values["record_id"] in known:
                counts["skipped/record_already_indexed"] += 1
                continue
            values["request_record_id"] = one.request_ids.get(values["record_id"])
            if values["record_type"] == "revisit":
                refers_to = self._original_of(values, in_file)
                values["refers_to"] = refers_to
                if refers_to is None:
                    counts["odd/revisit_original_elsewhere"] += 1
                    found.notes.append("revisit-original-not-in-archive")
                    # a revisit whose payload no file here holds replays nothing: never content
                    values["state"] = "revisit:original-missing"
            counts[f"indexed/{values['record_type']}"] += 1
            kept.append(found)
        one.found = kept

    def _capture(self, item: ForeignRecord, filename: str, counts: Counter[str]) -> _Found | None:
        notes: list[str] = []
        raw_target = item.get("WARC-Target-URI") or ""
        url = _strip(raw_target)
        if url != raw_target:
            counts["odd/target_in_angle_brackets"] += 1  # WARC/1.0 grammar; 1.1 has plain URIs
            notes.append("target-uri-in-angle-brackets")
        if not url.lower().startswith(("http://", "https://")):
            counts["skipped/not_http"] += 1  # dns:, whois:, screenshot: … records
            return None
        declared = item.get("WARC-Payload-Digest") or ""
        wanted = parse_digest(declared) if declared else None
        algorithms = ["sha1"] + ([wanted.algorithm] if wanted and wanted.algorithm else [])
        parsed = measure_response(item.block_chunks(), algorithms)
        if parsed is None:
            counts["skipped/not_an_http_response"] += 1
            return None
        self._oddities(item, parsed, declared, counts, notes)
        date = item.get("WARC-Date") or ""
        try:
            captured_at = parse_warc_date(date)
        except ValueError:
            counts["skipped/bad_warc_date"] += 1
            return None
        computed = "sha1:" + _b32(parsed.digests["sha1"])
        content_type = parsed.head.get(b"content-type")
        refers_to = _strip(item.get("WARC-Refers-To") or "") or None
        values = {
            "run_id": None,
            "url": url,
            "method": "GET",
            "captured_at": captured_at,
            "warc_date": date,
            "http_status": parsed.status,
            "record_type": item.record_type,
            "record_id": item.record_id,
            "warc_file": filename,
            "warc_offset": item.offset,
            "warc_length": item.length,
            "payload_digest": declared,  # as the record says (verify compares them)
            "block_digest": item.get("WARC-Block-Digest") or "",
            "payload_length": parsed.payload_length,
            "content_type": content_type.decode("latin-1") if content_type is not None else None,
            "truncated": item.get("WARC-Truncated"),
            "chunked": parsed.framing == "chunked",
            "ip_address": item.get("WARC-IP-Address"),
            "refers_to": refers_to,
            "state": initial_state(parsed.status, item.get("WARC-Truncated")),
            "hop": 0,
        }
        extract = item.record_type == "response" and item.length <= self.limits.max_extract
        if item.record_type == "response" and not extract:
            counts["skipped/too_big_to_extract"] += 1
        return _Found(values, notes, declared or computed, extract)

    @staticmethod
    def _oddities(
        item: ForeignRecord, parsed: ResponseFacts, declared: str, counts: Counter[str], notes: list[str]
    ) -> None:
        if parsed.framing == "chunked":
            counts["odd/chunked_body"] += 1
            notes.append("chunked")
            if not parsed.complete:
                # the header says chunked but the body is stored de-chunked (W-HTTP-1)
                counts["odd/chunked_header_on_plain_body"] += 1
                notes.append("chunked-header-on-plain-body")
        if any(name.lower().startswith(b"x-orig-") for name, _ in parsed.head.headers):
            counts["odd/decoded_body_x_orig_headers"] += 1
            notes.append("body-stored-decoded")
        if item.record_type == "response":
            wanted = parse_digest(declared) if declared else None
            if not declared:
                counts["odd/payload_digest_missing"] += 1
                notes.append("payload-digest-missing")
            elif wanted and wanted.algorithm and wanted.raw:
                if parsed.digests[wanted.algorithm] == wanted.raw:
                    return _truncation(item, counts)
                counts["odd/payload_digest_wrong"] += 1
                notes.append(f"payload-digest-wrong: computed sha1:{_b32(parsed.digests['sha1'])}")
        _truncation(item, counts)

    def _original_of(self, values: dict[str, Any], in_file: set[str]) -> str | None:
        """The record holding a revisit's payload: its WARC-Refers-To when this file or the archive
        has it, else a response of the same URL and payload digest already in the archive."""
        refers_to = values["refers_to"]
        if refers_to and (refers_to in in_file or self.index.capture_by_record_id(refers_to)):
            return str(refers_to)
        digest = values["payload_digest"]
        if not digest:
            return None
        with self.index.session() as s:
            stmt = select(Capture.record_id).where(
                Capture.url == values["url"],
                Capture.payload_digest == digest,
                Capture.record_type == "response",
            )
            return s.scalars(stmt.order_by(Capture.id)).first()

    # storing, all or nothing -----------------------------------------------------------------
    def _commit(self, path: Path, staged: list[_Staged], result: ImportResult) -> None:
        """Link the copies into place, write their CDXJ, index them in one transaction, extract,
        then list them in the manifest. Anything failing before the manifest line is undone."""
        made: list[Path] = []
        listed = False
        try:
            for one in staged:
                target = self.warcs / one.name
                os.link(one.temp, target)  # fails rather than replace a file
                made.append(target)
            for one in staged:
                cdxj = cdxj_path(self.root, one.name)
                lines = [_cdxj_line(f.values, one.name, f.cdx_digest) for f in one.found]
                _write_new_file(cdxj, ((line + "\n").encode() for line in sort_bytewise(lines)))
                made.append(cdxj)
            self._index(path, staged, result)
            if self.extract is not None:
                self._extract_all(staged, result.counts)
            for one in staged:
                self.manifest.add(f"warcs/{one.name}", one.sha256)
                listed = True
        except BaseException:
            if not listed:
                self._undo(staged, made)
            raise
        result.stored_as += [one.name for one in staged]
        self._record(path, result)

    def _index(self, path: Path, staged: list[_Staged], result: ImportResult) -> None:
        with self.index.session() as s:
            for one in staged:
                for start in range(0, len(one.found), _BATCH):
                    batch = one.found[start : start + _BATCH]
                    captures = [Capture(**f.values) for f in batch]
                    s.add_all(captures)
                    s.flush()
                    s.add_all(
                        CaptureOrigin(
                            capture_id=capture.id,
                            origin="third-party",
                            via="import",
                            source=str(path),
                            source_sha256=result.sha256,
                            original_url=capture.url,
                            notes=json.dumps(f.notes) if f.notes else None,
                        )
                        for capture, f in zip(captures, batch, strict=True)
                    )
                    s.flush()
                    one.capture_ids += [capture.id for capture in captures]
                    s.expunge_all()
                now = utcnow()
                s.add(
                    WarcFile(
                        filename=one.name,
                        status="closed",
                        run_id=None,
                        created_at=now,
                        closed_at=now,
                        size=one.size,
                        sha256=one.sha256,
                    )
                )
            s.commit()

    def _extract_all(self, staged: list[_Staged], counts: Counter[str]) -> None:
        """Each response read back from its stored file (only one record in memory at a time);
        pages and states are saved in batches. A record the extractor fails on is counted."""
        with self.index.session() as s:
            pending = 0
            for one in staged:
                target = self.warcs / one.name
                for found, capture_id in zip(one.found, one.capture_ids, strict=True):
                    if not found.extract:
                        continue
                    pending += self._extract(s, target, found.values, capture_id, counts)
                    if pending >= _BATCH:
                        s.commit()
                        pending = 0
            s.commit()

    def _extract(
        self, s: Session, target: Path, values: dict[str, Any], capture_id: int, counts: Counter[str]
    ) -> int:
        assert self.extract is not None
        try:
            record = read_record(target, values["warc_offset"], values["warc_length"])
            parsed = parse_response(record.block)
            if parsed is None:
                return 0
            body = parsed.payload if parsed.complete or parsed.framing != "chunked" else parsed.body_as_sent
            del record
            encoding = (parsed.head.get(b"content-encoding") or b"").decode("latin-1").strip().lower()
            if encoding:
                body = decode_content(body, encoding)
            headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in parsed.head.headers]
            analysis = self.extract(values["url"], values["http_status"], headers, body)
        except (BrokenMember, ValueError, MemoryError, RecursionError) as exc:
            logger.info("import: extraction of %s failed: %s", values["url"], exc)
            counts["extract/errors"] += 1
            return 0
        if analysis.get("error"):
            counts["extract/errors"] += 1
            return 0
        if analysis.get("state"):
            s.execute(
                update(Capture)
                .where(Capture.id == capture_id)
                .values(state=analysis["state"], state_reason=analysis.get("reason"))
            )
        if analysis.get("page") is None:
            return 1
        page = Page.from_analysis(capture_id, values["url"], analysis)
        s.merge(page)
        if self._search_index is None:
            self._search_index = backfill_state(s.connection()) is not None
        if self._search_index:  # the page is found by `search` like a crawled one
            index_page(s.connection(), capture_id, page.title, page.text)
        counts["extract/pages"] += 1
        return 1

    def _undo(self, staged: list[_Staged], made: list[Path]) -> None:
        """Take back what a failed import had written: index rows, CDXJ, the stored copies."""
        ids = [capture_id for one in staged for capture_id in one.capture_ids]
        try:
            with self.index.session() as s:
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    for page in s.scalars(select(Page).where(Page.capture_id.in_(chunk))):
                        unindex_page(s.connection(), page.capture_id, page.title, page.text)
                    s.execute(delete(Page).where(Page.capture_id.in_(chunk)))
                    s.execute(delete(CaptureOrigin).where(CaptureOrigin.capture_id.in_(chunk)))
                    s.execute(delete(Capture).where(Capture.id.in_(chunk)))
                s.execute(delete(WarcFile).where(WarcFile.filename.in_([one.name for one in staged])))
                s.commit()
        finally:
            for made_path in made:
                with contextlib.suppress(OSError):
                    made_path.unlink()

    def _record(self, path: Path, result: ImportResult) -> None:
        with self.index.session() as s:
            s.add(
                ImportedFile(
                    sha256=result.sha256,
                    source=str(path),
                    kind=result.kind,
                    size=path.stat().st_size,
                    imported_at=utcnow(),
                    stored_as=json.dumps(result.stored_as),
                    summary=json.dumps(result.to_json(), ensure_ascii=False),
                )
            )
            s.commit()
        self.custody.record(
            "file_imported",
            source=str(path.resolve()),
            source_sha256=result.sha256,
            kind=result.kind,
            stored_as=result.stored_as,
            counts=dict(result.counts),
            problems=result.problems,
        )


class _ZipMember:
    """A WACZ member read as a stream, counting the compressed bytes consumed (for the ratio)."""

    def __init__(self, path: Path, info: zipfile.ZipInfo) -> None:
        self.package = zipfile.ZipFile(path)
        self.handle = self.package.open(info)
        self.info = info

    @property
    def compressed(self) -> int:
        # ZipExtFile's own count of compressed bytes not read yet (CPython's, stable since 3.x)
        left = getattr(self.handle, "_compress_left", 0)
        return max(self.info.compress_size - int(left), 1)

    def read(self, size: int = -1) -> bytes:
        return self.handle.read(size)

    def __enter__(self) -> _ZipMember:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()
        self.package.close()


def _truncation(item: ForeignRecord, counts: Counter[str]) -> None:
    if item.get("WARC-Truncated"):
        counts["odd/truncated_record"] += 1


def _bomb(inflated: int, compressed: int, ratio: float) -> bool:
    return bool(ratio) and inflated > RATIO_FLOOR and inflated > ratio * max(compressed, 1)


def _b32(digest: bytes) -> str:
    import base64  # noqa: PLC0415

    return base64.b32encode(digest).decode("ascii")


def _strip(value: str) -> str:
    """WARC/1.0 writes `<uri>` (and some tools still do in 1.1 files)."""
    value = value.strip()
    return value[1:-1].strip() if value.startswith("<") and value.endswith(">") else value


def _cdxj_line(values: dict[str, Any], filename: str, digest: str) -> str:
    fields: dict[str, str] = {"url": values["url"]}
    if values["record_type"] == "revisit":
        fields["mime"] = "warc/revisit"
    elif values["content_type"]:
        fields["mime"] = _MIME_END.split(values["content_type"], 1)[0].strip()
    fields["status"] = str(values["http_status"])
    if digest:
        fields["digest"] = digest
    fields["length"] = str(values["warc_length"])
    fields["offset"] = str(values["warc_offset"])
    fields["filename"] = filename
    timestamp = iso_date_to_timestamp(values["warc_date"])
    return f"{_urlkey(values['url'])} {timestamp} {json.dumps(fields, ensure_ascii=False)}"


def import_files(
    root: Path,
    paths: list[Path],
    db_url: str,
    *,
    extract: Extractor | None = None,
    limits: ImportLimits | None = None,
    monitor: bool = False,
) -> list[ImportResult]:
    """Import each file into the archive at `root` (under its lock); a file that cannot be
    imported gives a failed result naming why (and leaves nothing behind), the others go on.
    With `monitor`, the URLs each file holds (imported now or before) become monitored sources:
    `recheck` and `report` cover them."""
    results = []
    with ArchiveLock(root):
        index = ArchiveIndex(db_url)
        try:
            importer = Importer(root, index, extract=extract, limits=limits)
            for path in paths:
                try:
                    result = importer.import_file(path)
                    if monitor and not result.failed:
                        result.monitored = imported_urls(index, result.sha256)
                        monitor_urls(index, result.monitored, "import", str(path))
                    results.append(result)
                except (
                    ImportError_,
                    OSError,
                    zipfile.BadZipFile,
                    EOFError,
                    MemoryError,
                    SQLAlchemyError,
                    NotImplementedError,  # a ZIP compression method Python lacks
                    RuntimeError,  # an encrypted ZIP member
                ) as exc:
                    failed = ImportResult(str(path), "", "unknown", failed=True)
                    failed.problems.append(_plain(exc))
                    results.append(failed)
        finally:
            index.close()
    return results


def _plain(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "ran out of memory (lower ARCHIVE_IMPORT_MAX_RECORD_SIZE); nothing of the file was kept"
    if isinstance(exc, SQLAlchemyError):
        cause = getattr(exc, "orig", None) or exc
        return f"the index could not be written ({cause}); nothing of the file was kept"
    if isinstance(exc, zipfile.BadZipFile | EOFError):
        return f"the WACZ (zip) file is damaged: {exc}"
    if isinstance(exc, NotImplementedError | RuntimeError):
        return f"the WACZ (zip) file cannot be read: {exc}"
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"could not be stored: {exc.strerror}{where}; nothing of the file was kept"
    return str(exc)
