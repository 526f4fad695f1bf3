# ruff: noqa: F811 (pytest fixtures imported from other modules are used as arguments)
"""`crawl` has the progress bar and JSON log lines of `archive`/`recheck`; `worker --log-format
json` prints a one-line JSON heartbeat (pages/min, queue length, failures) every N seconds."""

from __future__ import annotations

import json
import re

import pytest
from archive_helpers import FAST, run_cli
from services import WORKER_FAST, redis, redis_url  # noqa: F401
from test_crawl_profiles import TRS, site, write_profile  # noqa: F401
from test_unattended import run_on_a_terminal

pytestmark = pytest.mark.slow


def test_crawl_log_lines_are_json(site, tmp_path):
    profile = write_profile(tmp_path, TRS)
    result = run_cli(
        "crawl", profile, "--archive", tmp_path / "archive", "--base", site.base_url,
        "--log-format", "json", "-v", *FAST, "-s", "EXTRACT_PROCESSES=0",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert lines and all({"time", "level", "logger"} <= set(line) for line in lines)
    assert any(line["logger"].startswith("scrapy") for line in lines)
    assert lines[-1]["event"] == "crawl_finished"
    assert lines[-1]["listing"]["fetched"] == 11 and lines[-1]["captured"] >= 15


def test_crawl_shows_a_progress_bar_on_a_terminal(site, tmp_path):
    profile = write_profile(tmp_path, TRS)
    archive = tmp_path / "archive"
    code, seen = run_on_a_terminal(
        "crawl", profile, "--archive", archive, "--base", site.base_url, *FAST, "-s", "EXTRACT_PROCESSES=0"
    )
    assert code == 0, seen
    # listing pages and notices: 4 + 11, counted as they end
    assert re.search(r"listing\b.*\b15/15\b", seen) and "100%" in seen, seen[-2000:]


def test_worker_heartbeat_lines(mocksite, redis, tmp_path):
    frontier = redis_url(redis)
    seeds = [mocksite.url(f"/unique?i={i}&ms=300") for i in range(12)] + [mocksite.url("/status/404")]
    seeds.append("http://127.0.0.1:9/refused")
    queued = run_cli("enqueue", "--frontier", frontier, *seeds)
    assert queued.returncode == 0, queued.stderr
    result = run_cli(
        "worker", "--frontier", frontier, "--archive", tmp_path / "w1", "--idle-exit", "2",
        "--log-format", "json", "--heartbeat", "0.5", *WORKER_FAST, "-s", "CONCURRENT_REQUESTS=2",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr  # the refused port is a fetch failure
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    beats = [line for line in lines if line.get("event") == "worker_heartbeat"]
    assert len(beats) >= 2, result.stderr
    for beat in beats:
        assert {"time", "worker", "pages", "pages_per_min", "queue", "failures"} <= set(beat)
        assert isinstance(beat["pages_per_min"], float) and beat["pages_per_min"] >= 0
        assert isinstance(beat["queue"], int)
    pages = [beat["pages"] for beat in beats]
    assert pages == sorted(pages)  # a running count
    final = beats[-1]
    assert final["final"] is True and final["queue"] == 0
    assert final["pages"] == 13 and final["failures"] == 1 and final["failed_attempts"] >= 1
    assert any(beat["queue"] > 0 for beat in beats[:-1])  # seen while work was waiting
    assert lines[-1]["event"] == "worker_finished" and lines[-1]["failed"] == 1
