"""`verify` flags every deliberately broken WARC, fixity breaks and index/WARC disagreements."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from archive_helpers import archive_cli, cli_here, warc_files
from broken_warcs import BROKEN_CASES, write_good_warc

from archive_store.audit.verify import verify_archive
from archive_store.evidence.fixity import Manifest
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.warc.writer import file_sha256


def _archive_with(tmp_path: Path, build) -> tuple[Path, Path]:
    archive = tmp_path / "archive"
    (archive / "warcs").mkdir(parents=True)
    ArchiveIndex(default_db_url(archive)).close()
    path = build(archive / "warcs")
    if path.name.endswith(".warc.gz"):
        Manifest(archive / "manifest-sha256.txt").add(f"warcs/{path.name}", file_sha256(path))
    return archive, path


def test_a_good_archive_verifies(tmp_path):
    archive, _ = _archive_with(
        tmp_path, lambda d: write_good_warc(d / "sk-20260101000000000-00000-host.warc.gz")
    )
    report = verify_archive(archive)
    assert report.ok, report.problems


@pytest.mark.parametrize("case", sorted(BROKEN_CASES))
def test_every_broken_warc_is_flagged_by_name(tmp_path, case):
    build, rule = BROKEN_CASES[case]
    archive, path = _archive_with(tmp_path, build)
    report = verify_archive(archive)
    assert not report.ok
    assert any(path.name in p and rule in p for p in report.problems), report.problems


@pytest.fixture(scope="module")
def crawled(mocksite, tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("verify") / "archive"
    result = archive_cli(archive, mocksite.url("/plain"), mocksite.url("/gzip"), "--no-extract")
    assert result.returncode == 0, result.stderr
    return archive


def _copy(archive: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "copy"
    shutil.copytree(archive, target, ignore=shutil.ignore_patterns(".lock"))
    return target


@pytest.mark.slow
def test_cli_verify_exit_codes_and_names(crawled, tmp_path):
    archive = _copy(crawled, tmp_path)
    assert cli_here("verify", "--archive", archive).returncode == 0
    warc = warc_files(archive)[0]
    data = bytearray(warc.read_bytes())
    data[len(data) // 2] ^= 0xFF
    warc.write_bytes(bytes(data))
    result = cli_here("verify", "--archive", archive)
    assert result.returncode == 1
    assert f"warcs/{warc.name}: SHA-256 differs" in result.stderr


@pytest.mark.slow
def test_a_missing_file_is_named(crawled, tmp_path):
    archive = _copy(crawled, tmp_path)
    warc = warc_files(archive)[0]
    warc.unlink()
    problems = verify_archive(archive).problems
    assert any(f"warcs/{warc.name}" in p and "missing" in p for p in problems), problems


@pytest.mark.slow
def test_an_index_entry_that_points_nowhere_is_named(crawled, tmp_path):
    archive = _copy(crawled, tmp_path)
    with sqlite3.connect(archive / "index.sqlite3") as db:
        db.execute("UPDATE captures SET warc_offset = warc_offset + 7 WHERE id = 1")
    problems = verify_archive(archive).problems
    assert any("does not point at a whole record" in p for p in problems), problems


@pytest.mark.slow
def test_an_unrecovered_open_file_is_named(crawled, tmp_path):
    archive = _copy(crawled, tmp_path)
    warc = warc_files(archive)[0]
    leftover = warc.with_name(warc.name.replace("-00000-", "-00001-") + ".open")
    leftover.write_bytes(warc.read_bytes()[:100])
    problems = verify_archive(archive).problems
    assert any(leftover.name in p and "killed run" in p for p in problems), problems
