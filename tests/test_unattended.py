"""Cron and systemd: one run per archive (exit 75), silence with --quiet, JSON log lines, exit 3 on
new removals, a progress bar only on a terminal, and a run summary file in the archive."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_helpers import FAST, ROOT, CliResult
from archive_helpers import archive_cli as _archive_cli
from takedown_helpers import SITE
from takedown_helpers import recheck_cli as _recheck_cli
from takedown_site import p

from archive_store.lock import ArchiveLock
from sourcekeeper.demo.rawsite import ServedSite

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)

# These tests are about processes, exit codes and output, not extraction: extract in a thread
# (EXTRACT_PROCESSES=0) rather than spawning worker processes for each short run.
THREAD = ("-s", "EXTRACT_PROCESSES=0")


def archive_cli(archive: Path, *args: str | Path) -> CliResult:
    return _archive_cli(archive, *THREAD, *args)


def recheck_cli(archive: Path, *args: str | Path) -> CliResult:
    return _recheck_cli(archive, *THREAD, *args)


@pytest.fixture(scope="module")
def site() -> Iterator[ServedSite]:
    with ServedSite(SITE) as served:
        yield served


def archive_two(site: ServedSite, archive: Path) -> Path:
    site.set_mode("before")
    result = archive_cli(archive, site.url(p(4)), site.url(p(2)))
    assert result.returncode == 0, result.stderr
    return archive


@pytest.fixture(scope="module")
def archived(site, tmp_path_factory) -> Path:
    """Shared by the tests that leave the site "before" (every re-check: 2 unchanged)."""
    return archive_two(site, tmp_path_factory.mktemp("unattended") / "archive")


def test_a_second_run_on_a_locked_archive_exits_75_at_once(archived, site):
    lock = ArchiveLock(archived)
    lock.acquire()
    try:
        for result in (recheck_cli(archived), archive_cli(archived, site.url(p(3)))):
            assert result.returncode == 75
            assert f"in use by pid {os.getpid()}" in result.stderr
    finally:
        lock.release()


def test_quiet_runs_print_nothing_when_all_is_well(archived, site):
    again = archive_cli(archived, "-q", site.url(p(3)))
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    checked = recheck_cli(archived, "-q")
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")


def test_new_removals_exit_3_and_quiet_names_only_them(site, tmp_path):
    archived = archive_two(site, tmp_path / "archive")
    site.set_mode("after")
    try:
        first = recheck_cli(archived, "-q")
        assert first.returncode == 3
        assert first.stderr.splitlines() == [
            f"removed: {site.url(p(4))} — HTTP 404: the server says the page is gone; "
            "confirmed by a second fetch 0.2 s later"
        ]
        second = recheck_cli(archived, "-q")  # still gone, but no longer news
        assert (second.returncode, second.stderr) == (0, "")
    finally:
        site.set_mode("before")


def test_json_log_lines(archived, site):
    result = recheck_cli(archived, "--log-format", "json", "-v")
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert lines and all({"time", "level", "logger"} <= set(line) for line in lines)
    assert any(line["logger"].startswith("scrapy") for line in lines)  # the crawl log itself
    assert lines[-1]["event"] == "recheck_finished" and lines[-1]["unchanged"] >= 2
    archived_json = archive_cli(archived, "--log-format", "json", site.url(p(3)))
    (summary,) = [json.loads(line) for line in archived_json.stderr.splitlines()]
    assert summary["event"] == "archive_finished" and summary["captured"] + summary["revisits"] == 1


def test_every_run_leaves_a_summary_file_and_no_progress_bar_without_a_terminal(archived):
    result = recheck_cli(archived)
    assert "\r" not in result.stderr and "URL/s" not in result.stderr and "100%" not in result.stderr
    runs = sorted((archived / "runs").glob("*.json"), key=lambda f: int(f.stem))
    first, latest = (json.loads(f.read_text()) for f in (runs[0], runs[-1]))
    assert first["kind"] == "archive" and first["captured"] == 2
    assert latest["kind"] == "recheck" and latest["recheck"]["unchanged"] >= 2


def run_on_a_terminal(*args: str | Path) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal (as when a person watches)."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sourcekeeper", *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        env=env,
    )
    os.close(terminal)
    output = bytearray()
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    return proc.wait(timeout=120), output.decode("utf-8", "replace")


def test_a_progress_bar_on_a_terminal(archived):
    code, seen = run_on_a_terminal("recheck", "--archive", archived, *FAST, *THREAD)
    assert code == 0, seen
    assert "recheck" in seen and re.search(r"\b(\d+)/\1\b", seen) and "100%" in seen
    quiet_code, quiet = run_on_a_terminal("recheck", "--archive", archived, *FAST, *THREAD, "-q")
    assert (quiet_code, quiet) == (0, "")
