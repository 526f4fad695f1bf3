"""A killed `recheck` resumes: the next run the same day skips the sources the killed run already
re-checked (unless --again), and its report names every source once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from archive_helpers import FAST, ROOT, archive_cli, run_cli

pytestmark = pytest.mark.slow
THREAD = ("-s", "EXTRACT_PROCESSES=0")
SLOW = ("-s", "CONCURRENT_REQUESTS=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
COUNT = 8


def _query(archive: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(archive / "index.sqlite3") as db:
        return list(db.execute(sql, args))


def _recheck_killed_after(archive: Path, events: int) -> None:
    """Start a re-check and SIGKILL it once `events` sources have their event in the index."""
    before = _query(archive, "select count(*) from recheck_events")[0][0]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sourcekeeper", "recheck", "--archive", str(archive), *FAST, *THREAD, *SLOW],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while _query(archive, "select count(*) from recheck_events")[0][0] < before + events:
        assert proc.poll() is None, "the re-check ended before it could be killed"
        assert time.monotonic() < deadline, "no re-check events appeared"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def _recheck(archive: Path, *args: str) -> tuple[list[dict[str, object]], str]:
    result = run_cli("recheck", "--archive", archive, "--json", *FAST, *THREAD, *SLOW, *args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr


@pytest.fixture
def archive(mocksite, tmp_path) -> tuple[Path, list[str]]:
    urls = [mocksite.url(f"/unique?i={i}&ms=300") for i in range(COUNT)]
    path = tmp_path / "archive"
    result = archive_cli(path, *urls, *THREAD)
    assert result.returncode == 0, result.stderr
    return path, urls


def test_a_killed_recheck_resumes_and_counts_each_source_once(archive):
    path, urls = archive
    _recheck_killed_after(path, 3)
    killed_run, status = _query(path, "select id, status from runs where kind = 'recheck'")[0]
    assert status == "running"  # SIGKILL: it never closed
    done = {row[0] for row in _query(path, "select url from recheck_events where run_id = ?", killed_run)}
    assert 3 <= len(done) < COUNT

    events, stderr = _recheck(path)
    assert sorted(e["url"] for e in events) == sorted(urls)  # every source once, none twice
    assert f"{COUNT} unchanged" in stderr, stderr
    (resumed_run,) = _query(path, "select id from runs where kind = 'recheck' and id != ?", killed_run)
    fetched_again = {
        row[0] for row in _query(path, "select url from captures where run_id = ?", resumed_run[0])
    }
    assert fetched_again and not fetched_again & done  # what the killed run checked is not fetched
    assert _query(path, "select status from runs where id = ?", killed_run) == [("resumed",)]
    runs = sorted(path.glob("runs/*.json"), key=lambda f: int(f.stem))
    counts = json.loads(runs[-1].read_text())
    assert counts["recheck"]["unchanged"] == COUNT and counts["continues"] == [killed_run]

    # the killed run is finished with now: the next run the same day checks everything again
    again, _ = _recheck(path)
    assert sorted(e["url"] for e in again) == sorted(urls)


def test_again_checks_what_the_killed_run_already_checked(archive):
    path, urls = archive
    _recheck_killed_after(path, 2)
    events, stderr = _recheck(path, "--again")
    assert sorted(e["url"] for e in events) == sorted(urls)
    assert f"{COUNT} unchanged" in stderr, stderr
    runs = _query(path, "select status from runs where kind = 'recheck' order by id")
    assert runs == [("running",), ("finished",)]  # --again continues nothing
