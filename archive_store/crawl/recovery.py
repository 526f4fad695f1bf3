"""After a crash: cut leftover `.open` WARCs back to their last whole record, close and index them."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from archive_store.evidence.fixity import CustodyLog, Manifest
from archive_store.index.database import ArchiveIndex
from archive_store.index.stored import capture_from_record
from archive_store.layout import WARCS_DIR
from archive_store.warc.members import BrokenMember, iter_members, parse_record
from archive_store.warc.record import StoredRecord
from archive_store.warc.writer import OPEN_SUFFIX, file_sha256

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecoveredFile:
    filename: str
    records: int
    bytes_cut: int
    reindexed: int


def _whole_records(path: Path) -> tuple[list[StoredRecord], int]:
    records: list[StoredRecord] = []
    good_end = 0
    try:
        for member in iter_members(path):
            try:
                records.append(parse_record(member.data, member.offset, member.length))
            except ValueError:
                break  # a member that is whole gzip but not a whole record: stop before it
            good_end = member.offset + member.length
    except BrokenMember as broken:
        logger.info("%s: %s", path.name, broken)
    return records, good_end


def _run_id_of(records: list[StoredRecord]) -> int | None:
    for record in records:
        if record.record_type == "warcinfo":
            for line in record.block.decode("utf-8", "replace").splitlines():
                name, _, value = line.partition(":")
                if name.strip() == "run-id" and value.strip().isdigit():
                    return int(value.strip())
    return None


def reindex_records(index: ArchiveIndex, filename: str, records: list[StoredRecord]) -> int:
    """Add index rows for records on disk that the index does not know (killed before commit)."""
    run_id = _run_id_of(records)
    request_ids = {
        r.get("WARC-Concurrent-To") or "": r.record_id for r in records if r.record_type == "request"
    }
    known = index.known_record_ids(r.record_id for r in records)
    added = 0
    for record in records:
        if record.record_id in known:
            continue
        capture = capture_from_record(record, filename, run_id, request_ids)
        if capture is not None:
            index.add_capture(capture)
            added += 1
    return added


def recover_open_files(
    warc_dir: Path, index: ArchiveIndex, manifest: Manifest, custody: CustodyLog
) -> list[RecoveredFile]:
    recovered: list[RecoveredFile] = []
    for open_path in sorted(warc_dir.glob(f"*.warc.gz{OPEN_SUFFIX}")):
        filename = open_path.name[: -len(OPEN_SUFFIX)]
        records, good_end = _whole_records(open_path)
        size = open_path.stat().st_size
        if good_end == 0:
            # not even a whole warcinfo record: nothing was archived in it
            open_path.unlink()
            custody.record("file_discarded", file=filename, reason="no whole record", bytes=size)
            continue
        with open_path.open("r+b") as handle:
            handle.truncate(good_end)
            handle.flush()
            os.fsync(handle.fileno())
        # indexed while still `.open`: an index that refuses (its disk is full) leaves the file
        # to the next run's recovery, never a closed WARC whose records nothing lists
        reindexed = reindex_records(index, filename, records)
        final_path = warc_dir / filename
        os.link(open_path, final_path)  # fails rather than overwrite an existing WARC
        open_path.unlink()
        digest = file_sha256(final_path)
        manifest.add(f"{WARCS_DIR}/{filename}", digest)
        index.file_closed(filename, good_end, digest)
        head = custody.record(
            "file_recovered",
            file=filename,
            records=len(records),
            bytes_cut=size - good_end,
            reindexed=reindexed,
            sha256=digest,
        )
        manifest.add_head(f"{WARCS_DIR}/{filename}", head)
        logger.warning(
            "recovered %s: %d whole records kept, %d bytes of an unfinished record cut",
            filename,
            len(records),
            size - good_end,
        )
        recovered.append(RecoveredFile(filename, len(records), size - good_end, reindexed))
    return recovered
