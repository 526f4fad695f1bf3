"""`import FILE…`: other tools' WARC and WACZ files become part of the archive, unchanged.

Each WARC is copied byte for byte into `warcs/` as `imported-<its SHA-256, 12 hex>-<its name>`
(an uncompressed one keeps `.warc`; a WACZ gives each of its `archive/` WARCs, the WACZ itself is
not kept), listed in the fixity manifest at once, and named in a `file_imported` custody event
with the source file and its SHA-256. Its response and revisit records are indexed as third-party
captures (`capture_origins`, via `import`), their CDXJ written from what was read, and HTML pages
extracted like our own. Reading is lenient and recording exact: what was odd about the file is
counted in the summary (and kept per capture in `capture_origins.notes`); nothing raises.
Importing a file again (same SHA-256) adds nothing.
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
from typing import Any

from sqlalchemy import select
from warcio.timeutils import iso_date_to_timestamp

from archive_store.evidence.fixity import CustodyLog, Manifest
from archive_store.index.cdxj import _MIME_END, _urlkey, _write_new_file, cdxj_path, sort_bytewise
from archive_store.index.database import ArchiveIndex, utcnow
from archive_store.index.schema import Capture, CaptureOrigin, ImportedFile, Page
from archive_store.index.stored import initial_state, parse_warc_date
from archive_store.layout import CUSTODY_NAME, IMPORTED_PREFIX, MANIFEST_NAME, PLAIN_WARC_SUFFIX, WARC_SUFFIX
from archive_store.lock import ArchiveLock
from archive_store.storage.reader import decode_content
from archive_store.validate.warcdigest import digest_matches, sha1_base32
from archive_store.warc.foreign import ForeignRecord, TruncatedTail, iter_foreign
from archive_store.warc.httpmessage import ParsedResponse, parse_response

logger = logging.getLogger(__name__)
# the extraction library's analysis of one response (url, status, headers, content-decoded body)
# -> {"state", "reason", "page", "charset", …}: handed in by the caller, as archive_store never
# imports the pipelines (docs/architecture.md); None imports without extracting
Extractor = Callable[[str, int, list[tuple[str, str]], bytes], dict[str, Any]]
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_READ = 1 << 20


class ImportError_(Exception):  # noqa: N801 (ImportError is Python's own)
    """A file that cannot be imported at all (not a WARC, not a WACZ, unreadable)."""


@dataclass
class ImportResult:
    """The import summary of one file: what it held, and what was odd about it."""

    source: str
    sha256: str
    kind: str
    already_imported: bool = False
    stored_as: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "kind": self.kind,
            "already_imported": self.already_imported,
            "stored_as": self.stored_as,
            "counts": dict(sorted(self.counts.items())),
            "problems": self.problems,
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


def _copy_in(chunks: Iterator[bytes], target: Path) -> str:
    """Write beside, fsync, link into place (never replacing a file); returns the SHA-256 written."""
    digest = hashlib.sha256()
    fd, temp = tempfile.mkstemp(prefix=".import-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # the same bytes, imported before under a WACZ
            os.link(temp, target)
    finally:
        os.unlink(temp)
    return digest.hexdigest()


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(_READ):
            yield chunk


class Importer:
    """Imports files into one archive; hold its lock (see `import_files`)."""

    def __init__(self, root: Path, index: ArchiveIndex, *, extract: Extractor | None = None) -> None:
        self.root = root
        self.warcs = root / "warcs"
        self.index = index
        self.extract = extract
        self.manifest = Manifest(root / MANIFEST_NAME)
        self.custody = CustodyLog(root / CUSTODY_NAME)

    def import_file(self, path: Path) -> ImportResult:
        kind = file_kind(path)
        sha = file_sha256(path)
        result = ImportResult(str(path), sha, kind)
        with self.index.session() as s:
            before = s.scalars(select(ImportedFile).where(ImportedFile.sha256 == sha)).first()
        if before is not None:
            result.already_imported = True
            result.stored_as = json.loads(before.stored_as)
            return result
        self.warcs.mkdir(parents=True, exist_ok=True)
        if kind == "wacz":
            sources = list(self._wacz_warcs(path, result))
        else:
            sources = [(path.name, kind == "warc.gz", lambda: _file_chunks(path))]
        for name, gzipped, chunks in sources:
            member_sha = _sha_of(chunks())
            target = self.warcs / stored_name(member_sha, name, gzipped)
            if not target.exists():
                written = _copy_in(chunks(), target)
                if written != member_sha:  # the source changed while we read it
                    target.unlink()
                    raise ImportError_(f"{path}: changed while being copied in")
                self.manifest.add(f"warcs/{target.name}", member_sha)
            result.stored_as.append(target.name)
            self._index_warc(target, member_sha, path, sha, result)
        self._record(path, result)
        return result

    def _wacz_warcs(self, path: Path, result: ImportResult) -> Iterator[tuple[str, bool, Any]]:
        with zipfile.ZipFile(path) as package:
            names = [n for n in package.namelist() if n.startswith("archive/") and ".warc" in n]
        if not names:
            result.problems.append("the WACZ holds no archive/*.warc(.gz) file")
        for member in sorted(names):
            base = member.rsplit("/", 1)[-1]

            def chunks(member: str = member) -> Iterator[bytes]:
                with zipfile.ZipFile(path) as package, package.open(member) as handle:
                    while chunk := handle.read(_READ):
                        yield chunk

            with zipfile.ZipFile(path) as package, package.open(member) as handle:
                gzipped = handle.read(2) == b"\x1f\x8b"
            result.counts["wacz_warcs"] += 1
            yield base, gzipped, chunks

    # indexing --------------------------------------------------------------------------------
    def _index_warc(
        self, target: Path, sha: str, source: Path, source_sha: str, result: ImportResult
    ) -> None:
        counts = result.counts
        records: list[ForeignRecord] = []
        for item in iter_foreign(target):
            if isinstance(item, TruncatedTail):
                counts["odd/truncated_tail"] += 1
                result.problems.append(
                    f"{target.name}@{item.offset}: {item.reason} (records before it imported)"
                )
                break
            records.append(item)
        request_ids = {}
        in_file = {r.record.record_id for r in records}
        for item in records:
            if item.record.record_type == "request":
                request_ids[_strip(item.record.get("WARC-Concurrent-To") or "")] = item.record.record_id
        known = self.index.known_record_ids(r.record.record_id for r in records)
        lines: list[str] = []
        new_captures: list[tuple[Capture, ParsedResponse]] = []
        for item in records:
            record = item.record
            counts["records"] += 1
            counts[f"version/{item.version or 'unknown'}"] += 1
            counts[f"type/{record.record_type or 'none'}"] += 1
            if record.record_type not in ("response", "revisit"):
                continue
            if not record.record_id:
                counts["skipped/no_record_id"] += 1
                continue
            if record.record_id in known:
                counts["skipped/record_already_indexed"] += 1
                continue
            found = self._capture(item, target.name, request_ids, in_file, counts)
            if found is None:
                continue
            capture, parsed, notes, cdx_digest = found
            self.index.add_capture(capture)
            with self.index.session() as s:
                s.add(
                    CaptureOrigin(
                        capture_id=capture.id,
                        origin="third-party",
                        via="import",
                        source=str(source),
                        source_sha256=source_sha,
                        original_url=capture.url,
                        notes=json.dumps(notes) if notes else None,
                    )
                )
                s.commit()
            counts[f"indexed/{capture.record_type}"] += 1
            lines.append(_cdxj_line(capture, target.name, cdx_digest))
            if capture.record_type == "response":
                new_captures.append((capture, parsed))
        self.index.file_closed(target.name, target.stat().st_size, sha)
        if not cdxj_path(self.root, target.name).exists():  # empty when all were known: still indexed
            _write_new_file(
                cdxj_path(self.root, target.name), ((line + "\n").encode() for line in sort_bytewise(lines))
            )
        if self.extract is not None:
            for capture, parsed in new_captures:
                self._extract(capture, parsed, counts)

    def _capture(
        self,
        item: ForeignRecord,
        filename: str,
        request_ids: dict[str, str],
        in_file: set[str],
        counts: Counter[str],
    ) -> tuple[Capture, ParsedResponse, list[str], str] | None:
        record = item.record
        notes: list[str] = []
        raw_target = record.get("WARC-Target-URI") or ""
        url = _strip(raw_target)
        if url != raw_target:
            counts["odd/target_in_angle_brackets"] += 1  # WARC/1.0 grammar; 1.1 has plain URIs
            notes.append("target-uri-in-angle-brackets")
        if not url.lower().startswith(("http://", "https://")):
            counts["skipped/not_http"] += 1  # dns:, whois:, screenshot: … records
            return None
        parsed = parse_response(record.block)
        if parsed is None:
            counts["skipped/not_an_http_response"] += 1
            return None
        payload = parsed.payload
        if parsed.framing == "chunked":
            counts["odd/chunked_body"] += 1
            notes.append("chunked")
            if not parsed.complete:
                # the header says chunked but the body is stored de-chunked (W-HTTP-1)
                counts["odd/chunked_header_on_plain_body"] += 1
                notes.append("chunked-header-on-plain-body")
                payload = parsed.body_as_sent
        if any(name.lower().startswith(b"x-orig-") for name, _ in parsed.head.headers):
            counts["odd/decoded_body_x_orig_headers"] += 1
            notes.append("body-stored-decoded")
        declared = record.get("WARC-Payload-Digest") or ""
        computed = sha1_base32(payload)
        if record.record_type == "response":
            if not declared:
                counts["odd/payload_digest_missing"] += 1
                notes.append("payload-digest-missing")
            elif digest_matches(declared, payload) is False:
                counts["odd/payload_digest_wrong"] += 1
                notes.append(f"payload-digest-wrong: computed {computed}")
        if record.get("WARC-Truncated"):
            counts["odd/truncated_record"] += 1
        refers_to = _strip(record.get("WARC-Refers-To") or "") or None
        if record.record_type == "revisit":
            refers_to = self._original_of(record, url, refers_to, in_file)
            if refers_to is None:
                counts["odd/revisit_original_elsewhere"] += 1
                notes.append("revisit-original-not-in-archive")
        date = record.get("WARC-Date") or ""
        try:
            captured_at = parse_warc_date(date)
        except ValueError:
            counts["skipped/bad_warc_date"] += 1
            return None
        content_type = parsed.head.get(b"content-type")
        capture = Capture(
            run_id=None,
            url=url,
            method="GET",
            captured_at=captured_at,
            warc_date=date,
            http_status=parsed.status,
            record_type=record.record_type,
            record_id=record.record_id,
            request_record_id=request_ids.get(record.record_id),
            warc_file=filename,
            warc_offset=record.offset,
            warc_length=record.length,
            payload_digest=declared,  # as the record says (verify compares them)
            block_digest=record.get("WARC-Block-Digest") or "",
            payload_length=len(payload),
            content_type=content_type.decode("latin-1") if content_type is not None else None,
            truncated=record.get("WARC-Truncated"),
            chunked=parsed.framing == "chunked",
            ip_address=record.get("WARC-IP-Address"),
            refers_to=refers_to,
            # a revisit whose payload no file here holds replays nothing: never the page's content
            state="revisit:original-missing"
            if record.record_type == "revisit" and refers_to is None
            else initial_state(parsed.status, record.get("WARC-Truncated")),
            hop=0,
        )
        return capture, parsed, notes, declared or computed

    def _original_of(self, record: Any, url: str, refers_to: str | None, in_file: set[str]) -> str | None:
        """The record holding a revisit's payload: its WARC-Refers-To when this file or the archive
        has it, else a response of the same URL and payload digest already in the archive."""
        if refers_to and (refers_to in in_file or self.index.capture_by_record_id(refers_to)):
            return refers_to
        digest = record.get("WARC-Payload-Digest") or ""
        if not digest:
            return None
        with self.index.session() as s:
            stmt = select(Capture.record_id).where(
                Capture.url == url, Capture.payload_digest == digest, Capture.record_type == "response"
            )
            return s.scalars(stmt.order_by(Capture.id)).first()

    def _extract(self, capture: Capture, parsed: ParsedResponse, counts: Counter[str]) -> None:
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in parsed.head.headers]
        body = parsed.payload if parsed.complete or parsed.framing != "chunked" else parsed.body_as_sent
        encoding = (parsed.head.get(b"content-encoding") or b"").decode("latin-1").strip().lower()
        if encoding:
            body = decode_content(body, encoding)
        assert self.extract is not None
        result = self.extract(capture.url, capture.http_status, headers, body)
        if result.get("error"):
            counts["extract/errors"] += 1
            return
        if result.get("state"):
            self.index.set_state(capture.id, result["state"], result.get("reason"))
        page = result.get("page")
        if page is None:
            return
        self.index.save_page(Page.from_analysis(capture.id, capture.url, result))
        counts["extract/pages"] += 1

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


def _sha_of(chunks: Iterator[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _strip(value: str) -> str:
    """WARC/1.0 writes `<uri>` (and some tools still do in 1.1 files)."""
    value = value.strip()
    return value[1:-1].strip() if value.startswith("<") and value.endswith(">") else value


def _cdxj_line(capture: Capture, filename: str, digest: str) -> str:
    fields: dict[str, str] = {"url": capture.url}
    if capture.record_type == "revisit":
        fields["mime"] = "warc/revisit"
    elif capture.content_type:
        fields["mime"] = _MIME_END.split(capture.content_type, 1)[0].strip()
    fields["status"] = str(capture.http_status)
    if digest:
        fields["digest"] = digest
    fields["length"] = str(capture.warc_length)
    fields["offset"] = str(capture.warc_offset)
    fields["filename"] = filename
    timestamp = iso_date_to_timestamp(capture.warc_date)
    return f"{_urlkey(capture.url)} {timestamp} {json.dumps(fields, ensure_ascii=False)}"


def import_files(
    root: Path, paths: list[Path], db_url: str, *, extract: Extractor | None = None
) -> list[ImportResult]:
    """Import each file into the archive at `root` (under its lock); a file that cannot be read at
    all gives a result with a problem, the others go on."""
    results = []
    with ArchiveLock(root):
        index = ArchiveIndex(db_url)
        try:
            importer = Importer(root, index, extract=extract)
            for path in paths:
                try:
                    results.append(importer.import_file(path))
                except (ImportError_, OSError, zipfile.BadZipFile) as exc:
                    failed = ImportResult(str(path), "", "unknown")
                    failed.problems.append(str(exc))
                    results.append(failed)
        finally:
            index.close()
    return results
