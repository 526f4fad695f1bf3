"""`verify`: fixity and structure of a whole archive; every problem names its file."""

from __future__ import annotations

import errno
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from archive_store.evidence.appendonly import torn_tail
from archive_store.evidence.exports import (
    check_custody_log,
    check_exports,
    evidence_notes,
    record_verified,
)
from archive_store.evidence.fixity import Manifest
from archive_store.evidence.tsa import check_timestamps
from archive_store.index.cdxj import check_cdxj
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.layout import (
    CUSTODY_NAME,
    IMPORTED_PREFIX,
    WARCS_DIR,
    ArchivePaths,
    is_imported_name,
    is_warc_name,
)
from archive_store.lock import ArchiveLock, ArchiveLocked
from archive_store.storage.remote import materialize, remote_only_files
from archive_store.storage.sidecars import fetch_sidecars
from archive_store.validate.validator import validate_collection
from archive_store.warc.members import BrokenMember, stream_record
from archive_store.warc.writer import OPEN_SUFFIX, file_sha256


@dataclass
class VerifyReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # reported, not failures (interrupted writes)
    files_checked: int = 0
    captures_checked: int = 0
    in_use: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_archive(root: Path, db_url: str | None = None) -> VerifyReport:
    paths = ArchivePaths(root)
    report = VerifyReport()
    lock = ArchiveLock(root)
    try:
        lock.acquire()
    except ArchiveLocked:
        report.in_use = True  # a run is writing: its .open file is legitimately unfinished
    try:
        closed = sorted(paths.warcs.glob("*.warc.gz"))
        # imported files (issue 17) are kept as other tools wrote them: fixity and the index's
        # records are checked, our own WARC rules are not theirs
        imported = sorted(p for p in paths.warcs.glob(f"{IMPORTED_PREFIX}*.warc*") if is_warc_name(p.name))
        closed = [p for p in closed if not is_imported_name(p.name)]
        report.files_checked = len(closed) + len(imported)
        if not report.in_use:
            report.problems += [
                f"{WARCS_DIR}/{p.name}: W-FILE-3: unfinished file left by a killed run "
                "(the next `archive` run recovers it)"
                for p in sorted(paths.warcs.glob(f"*{OPEN_SUFFIX}"))
            ]
        report.problems += _check_manifest(root, Manifest(paths.manifest), [*closed, *imported])
        report.problems += [str(p) for p in validate_collection(closed)]
        report.problems += _check_evidence(root, [p.name for p in closed], Manifest(paths.manifest))
        try:
            _check_with_index(root, db_url, report)
        except (SQLAlchemyError, OSError) as exc:
            report.problems.append(
                f"the index could not be read, so no capture was checked: {_index_error(exc)}"
            )
        report.notes += evidence_notes(root)
        _record_verified(root, report)
    finally:
        if not report.in_use:
            lock.release()
    return report


def _check_with_index(root: Path, db_url: str | None, report: VerifyReport) -> None:
    paths = ArchivePaths(root)
    index = ArchiveIndex(db_url or default_db_url(root), create=False)
    try:
        remote = _fetch_remote(root, index, report)  # scale-out: WARCs kept only in S3
        report.problems += check_timestamps(root, sorted(remote), Manifest(paths.manifest).entries())
        report.problems += _check_index(index, paths.warcs, report, remote)
        report.problems += check_cdxj(root, _capture_locations(index), report.in_use)
    finally:
        index.close()


def _index_error(exc: BaseException) -> str:
    """Plain words for a database that cannot be opened or read."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip() or "unknown error"
    if "disk I/O error" in text or getattr(cause, "errno", None) == errno.ENOSPC:
        return (
            f"{text} (SQLite needs room for its shared-memory and log files even to read: "
            "is the disk full? free some space and run verify again)"
        )
    return text


def _record_verified(root: Path, report: VerifyReport) -> None:
    """The `verified` custody entry, appended after every check has only read. Not while the log
    ends in a line an interrupted write cut short (that repair is a writing command's job), and a
    full disk is a note: the verdict stands without the entry."""
    if torn_tail(root / CUSTODY_NAME) is not None:
        report.notes.append(f"this verification is not logged in {CUSTODY_NAME} (its last line is cut short)")
        return
    try:
        record_verified(root, report.ok, report.files_checked, report.captures_checked, len(report.problems))
    except OSError as exc:
        why = exc.strerror or str(exc)
        report.notes.append(f"this verification could not be logged in {CUSTODY_NAME}: {why}")


def _check_evidence(root: Path, closed: list[str], manifest: Manifest) -> list[str]:
    """The custody log parses, exports still match, RFC 3161 tokens verify."""
    return [
        *check_custody_log(root),
        *check_exports(root),
        *check_timestamps(root, closed, manifest.entries()),
    ]


def _capture_locations(index: ArchiveIndex) -> dict[str, dict[tuple[int, int], str]]:
    """WARC name -> (offset, length) -> URL of its captures, to compare with the CDXJ."""
    found: dict[str, dict[tuple[int, int], str]] = {}
    for capture in index.all_captures():
        found.setdefault(capture.warc_file, {})[(capture.warc_offset, capture.warc_length)] = capture.url
    return found


def _check_manifest(root: Path, manifest: Manifest, closed: Iterable[Path]) -> list[str]:
    problems = []
    entries = manifest.entries()
    for path in closed:
        name = f"{WARCS_DIR}/{path.name}"
        expected = entries.get(name)
        if expected is None:
            problems.append(f"{name}: not listed in {manifest.path.name} (no fixity record)")
        elif file_sha256(path) != expected:
            problems.append(
                f"{name}: SHA-256 differs from {manifest.path.name}: the file changed after it was closed"
            )
    for name in entries:
        if not (root / name).exists():
            problems.append(f"{name}: listed in {manifest.path.name} but missing from the archive")
    return problems


def _fetch_remote(root: Path, index: ArchiveIndex, report: VerifyReport) -> dict[str, Path]:
    """Closed WARCs this folder lacks but S3 holds: downloaded (SHA-256 checked against the index
    by `materialize`) and validated like local ones. Returns name -> local copy."""
    found: dict[str, Path] = {}
    for name in remote_only_files(index, root / WARCS_DIR):
        try:
            found[name] = materialize(root, [name], index)[0]
        except Exception as exc:  # StoreError, or S3 unreachable / object gone
            report.problems.append(f"{WARCS_DIR}/{name}: stored in S3 but cannot be read back: {exc}")
    fetch_sidecars(root, index, list(found))  # their RFC 3161 tokens (and CDXJ), stored beside them
    report.files_checked += len(found)
    report.problems += [str(p) for p in validate_collection(sorted(found.values()))]
    return found


def _check_index(
    index: ArchiveIndex, warc_dir: Path, report: VerifyReport, remote: dict[str, Path] | None = None
) -> list[str]:
    problems: list[str] = []
    missing: set[str] = set()
    remote = remote or {}
    for warc in index.files():
        if warc.status == "closed" and warc.filename in remote:
            continue
        if warc.status == "closed" and not (warc_dir / warc.filename).exists():
            missing.add(warc.filename)
            problems.append(f"{WARCS_DIR}/{warc.filename}: in the index but missing on disk")
    for capture in index.all_captures():
        report.captures_checked += 1
        path = remote.get(capture.warc_file) or warc_dir / capture.warc_file
        if capture.warc_file in missing:
            continue
        if not path.exists():
            if not (warc_dir / (capture.warc_file + OPEN_SUFFIX)).exists():
                missing.add(capture.warc_file)
                problems.append(f"{WARCS_DIR}/{capture.warc_file}: the index points at it but it is missing")
            continue
        where = f"{WARCS_DIR}/{capture.warc_file}@{capture.warc_offset}"
        try:
            # header kept, block streamed through: a whole record, in bounded memory
            record, block = stream_record(path, capture.warc_offset, capture.warc_length)
            for _piece in block:
                pass
        except (BrokenMember, ValueError, OSError) as exc:
            problems.append(
                f"{where}: index entry for {capture.url} does not point at a whole record ({exc})"
            )
            continue
        if record.record_id != capture.record_id:
            problems.append(f"{where}: index expects record {capture.record_id}, file has {record.record_id}")
        elif (record.get("WARC-Payload-Digest") or "") != capture.payload_digest:
            problems.append(f"{where}: payload digest differs from the index for {capture.url}")
    return problems
