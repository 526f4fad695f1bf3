"""The custody log is a hash chain: an edited, deleted or moved entry is named by line number;
an old unchained log is upgraded by appending, never rewritten; the manifest carries the heads."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from archive_helpers import archive_cli, run_cli

from archive_store.evidence.custodychain import check_chain, entry_digest
from archive_store.evidence.exports import check_custody_chain
from archive_store.evidence.fixity import CustodyLog, Manifest
from archive_store.layout import CUSTODY_NAME, MANIFEST_NAME


def _log_of(tmp_path: Path, entries: int = 5) -> Path:
    log = CustodyLog(tmp_path / CUSTODY_NAME)
    for number in range(entries):
        log.record("file_created", file=f"f{number}.warc.gz", note="案件")
    return log.path


def _lines(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines(keepends=True)


def test_a_fresh_log_chains_from_its_first_line(tmp_path):
    path = _log_of(tmp_path)
    entries = [json.loads(line) for line in _lines(path)]
    assert entries[0]["prev_sha256"] is None
    for before, after in itertools.pairwise(entries):
        assert after["prev_sha256"] == before["entry_sha256"]
    assert [e["line"] for e in entries] == [1, 2, 3, 4, 5]
    assert check_chain(path).problem is None


def test_an_edited_entry_is_named_by_its_line(tmp_path):
    path = _log_of(tmp_path)
    lines = _lines(path)
    lines[2] = lines[2].replace("f2.warc.gz", "f9.warc.gz")
    path.write_text("".join(lines), "utf-8")
    problem = check_chain(path).problem
    assert problem is not None and problem.startswith("line 3:") and "changed" in problem


def test_an_edit_with_a_recomputed_digest_breaks_the_next_link(tmp_path):
    path = _log_of(tmp_path)
    lines = _lines(path)
    entry = json.loads(lines[2])
    entry["file"] = "forged.warc.gz"
    entry["entry_sha256"] = entry_digest(entry)
    lines[2] = json.dumps(entry, ensure_ascii=False) + "\n"
    path.write_text("".join(lines), "utf-8")
    problem = check_chain(path).problem
    assert problem is not None and problem.startswith("line 4:"), problem


def test_a_deleted_entry_is_named_by_its_line(tmp_path):
    path = _log_of(tmp_path)
    lines = _lines(path)
    del lines[1]
    path.write_text("".join(lines), "utf-8")
    problem = check_chain(path).problem
    assert problem is not None and problem.startswith("line 2:"), problem


def test_the_first_entry_deleted_is_caught(tmp_path):
    path = _log_of(tmp_path)
    path.write_text("".join(_lines(path)[1:]), "utf-8")
    problem = check_chain(path).problem
    assert problem is not None and problem.startswith("line 1:"), problem


def test_reordered_entries_are_named_by_line(tmp_path):
    path = _log_of(tmp_path)
    lines = _lines(path)
    lines[3], lines[4] = lines[4], lines[3]
    path.write_text("".join(lines), "utf-8")
    problem = check_chain(path).problem
    assert problem is not None and problem.startswith("line 4:"), problem


def test_an_old_log_is_upgraded_by_appending_a_chain_start(tmp_path):
    path = tmp_path / CUSTODY_NAME
    old = [{"time": "2025-01-01T00:00:00+00:00", "event": "run_started", "n": n} for n in range(3)]
    old_bytes = "".join(json.dumps(e) + "\n" for e in old).encode()
    path.write_bytes(old_bytes)
    CustodyLog(path).record("file_created", file="a.warc.gz")
    data = path.read_bytes()
    assert data.startswith(old_bytes)  # never rewritten
    start, entry = (json.loads(line) for line in data[len(old_bytes) :].splitlines())
    assert start["event"] == "chain_started" and start["line"] == 4
    assert start["covers_lines"] == 3 and start["covers_bytes"] == len(old_bytes)
    import hashlib

    assert start["prev_sha256"] == hashlib.sha256(old_bytes).hexdigest()
    assert entry["prev_sha256"] == start["entry_sha256"] and entry["line"] == 5
    assert check_chain(path).problem is None
    # an old line edited after the upgrade breaks the chain start's cover
    path.write_bytes(data.replace(b'"n": 1', b'"n": 7'))
    problem = check_chain(path).problem
    assert problem is not None and problem.startswith("line 4:"), problem


def test_a_line_cut_short_by_a_crash_is_kept_and_covered(tmp_path):
    path = _log_of(tmp_path, 2)
    with path.open("ab") as handle:
        handle.write(b'{"time": "2026')
    CustodyLog(path).record("file_created", file="after.warc.gz")
    lines = path.read_bytes().splitlines()
    assert lines[2] == b'{"time": "2026'
    assert json.loads(lines[3])["event"] == "chain_started"
    assert check_chain(path).problem is None


def test_a_line_appended_without_a_link_is_caught(tmp_path):
    path = _log_of(tmp_path, 3)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"time": "x", "event": "forged"}) + "\n")
    problem = check_chain(path).problem
    assert problem is not None and problem.startswith("line 4:"), problem


def test_a_cut_tail_is_caught_by_the_manifest_head(tmp_path):
    path = _log_of(tmp_path, 3)
    head = CustodyLog(path).record("file_closed", file="a.warc.gz")
    Manifest(tmp_path / MANIFEST_NAME).add("warcs/a.warc.gz", "0" * 64)
    Manifest(tmp_path / MANIFEST_NAME).add_head("warcs/a.warc.gz", head)
    CustodyLog(path).record("verified")
    assert check_custody_chain(tmp_path) == []
    path.write_text("".join(_lines(path)[:3]), "utf-8")  # the last two entries cut away
    problems = check_custody_chain(tmp_path)
    assert problems and "line 4" in problems[0] and "warcs/a.warc.gz" in problems[0], problems


@pytest.fixture(scope="module")
def crawled(mocksite, tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("custody") / "archive"
    result = archive_cli(archive, mocksite.url("/plain"), "--no-extract")
    assert result.returncode == 0, result.stderr
    return archive


@pytest.mark.slow
def test_a_crawl_writes_heads_that_sha256sum_skips(crawled):
    manifest = Manifest(crawled / MANIFEST_NAME)
    heads = manifest.heads()
    assert set(heads) == set(manifest.entries()) and heads
    for name, head in heads.items():
        line = _lines(crawled / CUSTODY_NAME)[head.line - 1]
        entry = json.loads(line)
        assert entry["entry_sha256"] == head.sha256 and f"warcs/{entry['file']}" == name
    if shutil.which("sha256sum"):
        checked = subprocess.run(
            ["sha256sum", "-c", "--strict", MANIFEST_NAME], cwd=crawled, capture_output=True, check=False
        )
        assert checked.returncode == 0, checked.stderr
        assert b"improperly formatted" not in checked.stderr


@pytest.mark.slow
@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder"])
def test_verify_names_the_broken_line(crawled, tmp_path, tamper):
    archive = tmp_path / "copy"
    shutil.copytree(crawled, archive, ignore=shutil.ignore_patterns(".lock"))
    path = archive / CUSTODY_NAME
    lines = _lines(path)
    assert len(lines) >= 4
    if tamper == "edit":
        lines[1] = lines[1].replace('"event": "', '"event": "x', 1)
    elif tamper == "delete":
        del lines[1]
    else:
        lines[1], lines[2] = lines[2], lines[1]
    path.write_text("".join(lines), "utf-8")
    result = run_cli("verify", "--archive", archive)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{CUSTODY_NAME} line 2:" in result.stdout + result.stderr
