"""The evidence files beside the WARCs survive a full disk: an append that does not fit leaves the
file as it was (never half a line), `verify` only reads while it checks and stays calm on a full
disk, and a last line cut short by an interrupted write is told apart from tampering."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from broken_warcs import write_good_warc
from small_disk import fill, mount_small_tmpfs

from archive_store.audit.verify import verify_archive
from archive_store.evidence import appendonly
from archive_store.evidence.custodychain import check_chain
from archive_store.evidence.exports import record_export
from archive_store.evidence.fixity import CustodyLog, Manifest
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.layout import CUSTODY_NAME, EXPORTS_MANIFEST_NAME, MANIFEST_NAME
from archive_store.warc.writer import file_sha256


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "disk"
    mount_small_tmpfs(mount_point, "2m")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _archive(root: Path) -> Path:
    archive = root / "archive"
    (archive / "warcs").mkdir(parents=True)
    ArchiveIndex(default_db_url(archive)).close()
    warc = write_good_warc(archive / "warcs" / "sk-20260101000000000-00000-host.warc.gz")
    Manifest(archive / MANIFEST_NAME).add(f"warcs/{warc.name}", file_sha256(warc))
    log = CustodyLog(archive / CUSTODY_NAME)
    for number in range(6):
        log.record("file_created", file=f"f{number}.warc.gz", note="案件" * 20)
    return archive


def test_a_full_disk_leaves_every_evidence_file_whole_and_verify_calm(small_disk):
    archive = _archive(small_disk)
    custody, manifest = archive / CUSTODY_NAME, archive / MANIFEST_NAME
    before = {path: path.read_bytes() for path in (custody, manifest)}
    filler = fill(small_disk)

    with pytest.raises(OSError) as raised:
        CustodyLog(custody).record("run_finished", summary={"text": "x" * 20_000})
    assert raised.value.errno == errno.ENOSPC
    with pytest.raises(OSError):
        Manifest(manifest).add("warcs/another.warc.gz", "0" * 64)
    with pytest.raises(OSError):
        record_export(archive, "wacz", small_disk / "filler")
    assert {path: path.read_bytes() for path in (custody, manifest)} == before
    assert (
        not (archive / EXPORTS_MANIFEST_NAME).exists()
        or (archive / EXPORTS_MANIFEST_NAME).read_bytes() == b""
    )

    # verify on the full disk: checks only read, its own log entry is a note, no exception;
    # SQLite cannot open even to read without room for its shared-memory file: said in plain words
    report = verify_archive(archive)
    assert report.problems == [
        "the index could not be read, so no capture was checked: disk I/O error (SQLite needs room "
        "for its shared-memory and log files even to read: is the disk full? free some space and "
        "run verify again)"
    ]
    assert any("could not be logged" in note for note in report.notes), report.notes
    assert custody.read_bytes() == before[custody]

    filler.unlink()
    report = verify_archive(archive)
    assert report.ok and not report.notes, (report.problems, report.notes)
    assert json.loads(custody.read_bytes().splitlines()[-1])["event"] == "verified"
    assert check_chain(custody).problem is None


def test_a_write_that_fails_part_way_is_cut_back(tmp_path, monkeypatch):
    log = CustodyLog(tmp_path / CUSTODY_NAME)
    log.record("run_started")
    before = log.path.read_bytes()
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(appendonly.os, "write", half_then_full)
    with pytest.raises(OSError):
        log.record("file_created", file="a.warc.gz")
    with pytest.raises(OSError):
        Manifest(tmp_path / MANIFEST_NAME).add("warcs/a.warc.gz", "f" * 64)
    monkeypatch.undo()
    assert log.path.read_bytes() == before
    assert (tmp_path / MANIFEST_NAME).read_bytes() == b""


def test_a_torn_custody_line_is_an_interrupted_write_not_tampering(tmp_path):
    archive = _archive(tmp_path)
    custody = archive / CUSTODY_NAME
    whole = custody.read_bytes()
    cut = CustodyLog(custody)
    cut.record("run_finished", status="finished")
    data = custody.read_bytes()
    custody.write_bytes(data[: len(whole) + 40])  # a process killed inside its write

    report = verify_archive(archive)
    assert report.ok, report.problems
    assert any(
        "line 7: cut short by an interrupted write" in n and "not tampering" in n for n in report.notes
    )
    assert custody.read_bytes() == data[: len(whole) + 40]  # verify did not write

    # the next writing command ends the line, and the repair is a chained entry naming it
    CustodyLog(custody).record("run_started")
    entries = [json.loads(line) for line in custody.read_bytes().splitlines()[7:]]
    assert entries[0]["event"] == "chain_started" and entries[0]["repaired"] == "interrupted write"
    assert entries[0]["cut_line"] == 7 and entries[0]["cut_bytes"] == 40
    report = verify_archive(archive)
    assert report.ok, report.problems
    assert any("line 7: an interrupted write, ended and covered" in n for n in report.notes)
    assert check_chain(custody).problem is None


def test_a_tampered_custody_line_still_fails(tmp_path):
    archive = _archive(tmp_path)
    custody = archive / CUSTODY_NAME
    lines = custody.read_bytes().splitlines(keepends=True)
    lines[3] = lines[3][:50] + b"\n"  # a whole line cut in the middle of the log
    custody.write_bytes(b"".join(lines))
    report = verify_archive(archive)
    assert not report.ok
    assert any(f"{CUSTODY_NAME} line 4" in p for p in report.problems), report.problems
    # an unchained line appended at the end, with its newline, is not an interrupted write
    custody.write_bytes(_archive(tmp_path / "b").joinpath(CUSTODY_NAME).read_bytes() + b'{"x": 1}\n')
    problem = check_chain(custody).problem
    assert problem is not None and "line 7" in problem


def test_a_torn_manifest_line_is_skipped_then_moved_into_the_custody_log(tmp_path):
    archive = _archive(tmp_path)
    manifest = archive / MANIFEST_NAME
    with manifest.open("ab") as handle:
        handle.write(b"ab" * 32 + b"  warcs/sk-2026")  # cut inside the file name
    report = verify_archive(archive)
    assert report.ok, report.problems
    assert any(
        n.startswith(f"{MANIFEST_NAME} line 2: cut short by an interrupted write") for n in report.notes
    )

    Manifest(manifest).add("warcs/next.warc.gz", "c" * 64)
    assert manifest.read_bytes().splitlines()[-1] == b"c" * 64 + b"  warcs/next.warc.gz"
    assert b"sk-2026\n" not in manifest.read_bytes()
    removed = [e for e in CustodyLog(archive / CUSTODY_NAME).events() if e["event"] == "torn_line_removed"]
    assert removed and removed[0]["file"] == MANIFEST_NAME and removed[0]["text"].endswith("warcs/sk-2026")
    assert check_chain(archive / CUSTODY_NAME).problem is None
