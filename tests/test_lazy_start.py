"""Seeds reach the scheduler only as fast as the crawl uses them (memory stays flat with the list)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from archive_helpers import ROOT, archive_cli

from sourcekeeper.demo.rawsite import ServedSite

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)

SEEDS = 400
CONCURRENCY = 4


@pytest.fixture(scope="module")
def site() -> ServedSite:
    with ServedSite("tests/mocksite.py:ROUTES") as served:
        yield served


def test_a_long_seed_list_is_not_queued_all_at_once(site: ServedSite, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("".join(f"{site.url('/status/200')}?n={n}\n" for n in range(SEEDS)))
    probe = tmp_path / "probe.json"
    result = archive_cli(
        tmp_path / "archive",
        "--seeds",
        seeds,
        "--no-extract",
        "-s",
        f"CONCURRENT_REQUESTS={CONCURRENCY}",
        "-s",
        'EXTENSIONS={"scheduler_probe.SchedulerProbe": 0}',
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}", "SCHEDULER_PROBE_FILE": str(probe)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(probe.read_text())
    assert seen["responses"] == SEEDS  # every seed was still fetched
    # eager scheduling would have queued ~all 400 at the first response; lazily, a batch or two
    assert seen["most_pending"] <= 3 * 2 * CONCURRENCY, seen
