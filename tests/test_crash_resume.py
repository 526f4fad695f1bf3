"""SIGKILL mid-run, then the same command again: recovered files, nothing lost, nothing refetched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from archive_helpers import FAST, ROOT, all_records, run_cli, warc_files

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.warc.members import iter_records

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)

PAGES = 40


def _seed_file(tmp_path: Path, mocksite, tag: str, ms: int = 150) -> Path:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("\n".join(mocksite.url(f"/unique?i={tag}{i}&ms={ms}") for i in range(PAGES)))
    return seeds


def _start_archive(archive: Path, seeds: Path) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-m",
        "sourcekeeper",
        "archive",
        "--archive",
        str(archive),
        "--seeds",
        str(seeds),
        "--no-extract",
        *FAST,
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=2",
    ]
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _hits_for(mocksite, tag: str) -> dict[str, int]:
    return {t: n for t, n in mocksite.hits().items() if f"i={tag}" in t}


def test_sigkill_then_rerun_recovers_and_resumes(mocksite, tmp_path):
    archive = tmp_path / "archive"
    seeds = _seed_file(tmp_path, mocksite, "k")
    proc = _start_archive(archive, seeds)
    deadline = time.monotonic() + 60
    while len(_hits_for(mocksite, "k")) < PAGES // 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list((archive / "warcs").glob("*.warc.gz.open")), "the killed run left no .open file"
    hits_before = _hits_for(mocksite, "k")
    assert len(hits_before) < PAGES, "the crawl finished before it could be killed"

    result = run_cli("archive", "--archive", archive, "--seeds", seeds, "--no-extract", *FAST)
    assert result.returncode == 0, result.stderr

    assert not list((archive / "warcs").glob("*.open"))
    for path in warc_files(archive):
        subprocess.run(["gzip", "-t", str(path)], check=True)
    # nothing lost: every seed has exactly one response record across all files
    responses = [r for r in all_records(archive) if r.record_type == "response"]
    urls = sorted(r.get("WARC-Target-URI") for r in responses)
    assert urls == sorted(set(urls)) and len(urls) == PAGES
    # what was fully written before the kill was not fetched again
    index = ArchiveIndex(default_db_url(archive), create=False)
    recovered = [
        p
        for p in warc_files(archive)
        if any(e.get("event") == "file_recovered" and e.get("file") == p.name for e in _custody(archive))
    ]
    assert recovered, "no file was recovered"
    kept = {
        r.get("WARC-Target-URI") for p in recovered for r in iter_records(p) if r.record_type == "response"
    }
    hits_after = _hits_for(mocksite, "k")
    for url in kept:
        target = url.split(mocksite.base_url, 1)[1]
        assert hits_after[target] == hits_before[target] == 1, target
    # one run, resumed, and the index points only at whole records
    runs = {c.run_id for c in index.all_captures()}
    assert len(runs) == 1
    index.close()
    verify = run_cli("verify", "--archive", archive)
    assert verify.returncode == 0, verify.stderr


def test_a_finished_run_rerun_is_a_new_capture_of_revisits(mocksite, tmp_path):
    archive = tmp_path / "archive"
    seeds = _seed_file(tmp_path, mocksite, "f")
    first = run_cli("archive", "--archive", archive, "--seeds", seeds, "--no-extract", *FAST)
    second = run_cli("archive", "--archive", archive, "--seeds", seeds, "--no-extract", *FAST)
    assert first.returncode == second.returncode == 0, second.stderr
    assert f"{PAGES} captured, 0 revisits" in first.stderr
    assert f"0 captured, {PAGES} revisits" in second.stderr
    assert len(warc_files(archive)) == 2
    assert all(n == 2 for n in _hits_for(mocksite, "f").values())


def test_second_writer_is_refused_with_its_own_exit_code(mocksite, tmp_path):
    archive = tmp_path / "archive"
    # very slow pages: the first run still holds the lock however long the second takes to start
    # on a busy machine (40 pages of 5 s, 2 at a time: 100 s); it is killed once the second is done
    seeds = _seed_file(tmp_path, mocksite, "l", ms=5000)
    proc = _start_archive(archive, seeds)
    deadline = time.monotonic() + 30
    while not _hits_for(mocksite, "l") and time.monotonic() < deadline:
        time.sleep(0.05)
    second = run_cli("archive", "--archive", archive, mocksite.url("/plain"))
    assert proc.poll() is None, "the first run ended before the second was refused"
    proc.kill()
    proc.wait(timeout=30)
    assert second.returncode == 75
    assert "in use" in second.stderr


def _custody(archive: Path) -> list[dict]:
    import json

    return [json.loads(line) for line in (archive / "custody.jsonl").read_text().splitlines()]


def test_captures_killed_before_their_index_batch_was_committed_are_indexed_again(mocksite, tmp_path):
    """A crawl commits its captures to the index in batches (up to a second apart). SIGKILL while
    a batch is open: the WARC holds records the index has not got; the rerun's recovery indexes
    them from the `.open` file, and none of those pages is fetched again."""
    for attempt in range(5):  # a kill can land just after a commit (~1 time in 40): again, then
        archive, tag = tmp_path / f"archive-{attempt}", f"b{attempt}-"
        seeds = _seed_file(tmp_path, mocksite, tag, ms=50)
        proc = _start_archive(archive, seeds)
        deadline = time.monotonic() + 60
        while len(_hits_for(mocksite, tag)) < PAGES // 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        (open_file,) = (archive / "warcs").glob("*.warc.gz.open")
        written = {r.get("WARC-Target-URI") for r in iter_records(open_file) if r.record_type == "response"}
        index = ArchiveIndex(default_db_url(archive), create=False)
        indexed = {c.url for c in index.all_captures()}
        index.close()
        if written - indexed:
            break
    assert written - indexed, "every kill came between batches: nothing uncommitted to recover"
    hits_before = _hits_for(mocksite, tag)

    result = run_cli("archive", "--archive", archive, "--seeds", seeds, "--no-extract", *FAST)
    assert result.returncode == 0, result.stderr
    index = ArchiveIndex(default_db_url(archive), create=False)
    assert written <= {c.url for c in index.all_captures()}
    index.close()
    hits_after = _hits_for(mocksite, tag)
    for url in written:
        target = url.split(mocksite.base_url, 1)[1]
        assert hits_after[target] == hits_before[target] == 1, target
