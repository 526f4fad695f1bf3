"""Every seed gets a verdict: `archive` names what became of each one (captured, redirected to …,
gone at first fetch, refused, failed: reason), counts them in the run summary, exits 1 with a hint
to `recover` when a seed was gone at its first fetch, and such a seed is never later counted among
the removed sources. (A source removed and then back, `restored`: tests/test_history.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from archive_helpers import CliResult, archive_cli, run_cli
from takedown_helpers import json_lines, recheck_cli

from sourcekeeper.demo.rawsite import ServedSite
from sourcekeeper.jobs.archive import seed_lines

SITE = "tests/verdict_site.py:ROUTES"
REFUSED = "http://10.0.0.5/notice.html"  # a private address the run is not allowed to reach
ONLY_LOOPBACK = ["-s", "ARCHIVE_ALLOW_PRIVATE=127.0.0.0/8"]


@dataclass
class Story:
    site: ServedSite
    archive: Path
    first: CliResult  # archive of every seed
    summary: dict[str, Any]
    recheck: CliResult  # recheck of everything, right after
    report: list[dict[str, Any]]
    again: CliResult  # archive /flip.html again, now 404

    def url(self, path: str) -> str:
        return self.site.url(path)


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Iterator[Story]:
    archive = tmp_path_factory.mktemp("verdicts") / "archive"
    paths = ["/ok.html", "/moved.html", "/missing.html", "/gone.html", "/soft404.html", "/broken.html"]
    paths += ["/reset.html", "/flip.html"]
    with ServedSite(SITE) as site:
        first = archive_cli(archive, "--json", *ONLY_LOOPBACK, *[site.url(p) for p in paths], REFUSED)
        (summary,) = json_lines(first.stdout)
        recheck = recheck_cli(archive, "--json")
        report = json_lines(run_cli("report", "--archive", archive, "--json").stdout)
        site.set_mode("removed")
        again = archive_cli(archive, site.url("/flip.html"))
        yield Story(site, archive, first, summary, recheck, report, again)


@pytest.mark.slow
def test_each_seed_has_its_verdict_line(story: Story) -> None:
    lines = story.first.stderr.splitlines()
    u = story.url
    for expected in (
        f"  {u('/ok.html')}: captured",
        f"  {u('/flip.html')}: captured",
        f"  {u('/moved.html')}: redirected to {u('/new.html')}",
        f"  {u('/missing.html')}: gone (HTTP 404) at first fetch",
        f"  {u('/gone.html')}: gone (HTTP 410) at first fetch",
    ):
        assert expected in lines, story.first.stderr
    soft = next(line for line in lines if line.startswith(f"  {u('/soft404.html')}: "))
    assert soft.startswith(f"  {u('/soft404.html')}: gone (") and soft.endswith(") at first fetch")
    broken = next(line for line in lines if line.startswith(f"  {u('/broken.html')}: "))
    assert broken.startswith(f"  {u('/broken.html')}: failed: ") and "500" in broken
    reset = next(line for line in lines if line.startswith(f"  {u('/reset.html')}: "))
    assert reset.startswith(f"  {u('/reset.html')}: failed: ")
    assert f"  {REFUSED}: refused: private address 10.0.0.5" in story.first.stderr
    # a seed's failure is named once: by its verdict line
    assert not any(line.startswith(f"  failed: {u('/reset.html')}") for line in lines)
    assert "  9 seeds: 2 captured, 1 redirected, 3 gone, 1 refused, 2 failed" in lines


@pytest.mark.slow
def test_the_summary_counts_each_verdict_and_a_gone_seed_fails_the_run(story: Story) -> None:
    assert story.first.returncode == 1
    seeds = story.summary["seeds"]
    gone = [story.url(p) for p in ("/missing.html", "/gone.html", "/soft404.html")]
    assert {k: seeds[k] for k in ("captured", "redirected", "gone", "refused", "failed")} == {
        "captured": 2,
        "redirected": 1,
        "gone": 3,
        "refused": 1,
        "failed": 2,
    }
    assert seeds["gone_at_first_fetch"] == gone
    verdicts = {v["url"]: v for v in story.summary["verdicts"]}
    assert verdicts[story.url("/moved.html")]["final_url"] == story.url("/new.html")
    assert verdicts[story.url("/missing.html")]["http_status"] == 404
    assert verdicts[story.url("/missing.html")]["first_fetch"] is True


@pytest.mark.slow
def test_a_seed_gone_at_first_fetch_gets_a_hint_to_recover(story: Story) -> None:
    gone = " ".join(story.url(p) for p in ("/missing.html", "/gone.html", "/soft404.html"))
    assert "3 seed(s) gone at their first fetch" in story.first.stderr
    assert f"sourcekeeper recover --archive {story.archive} {gone}" in story.first.stderr


@pytest.mark.slow
def test_a_later_recheck_never_counts_a_gone_at_first_fetch_seed_as_removed(story: Story) -> None:
    assert story.recheck.returncode == 0, story.recheck.stderr  # no new removal
    events = {e["url"]: e for e in json_lines(story.recheck.stdout)}
    for path in ("/missing.html", "/gone.html", "/soft404.html"):
        event = events[story.url(path)]
        assert event["state"] == "gone" and not event["new_removal"], event
        assert f"sourcekeeper recover {story.url(path)}" in event["reason"]
    assert "0 removed, 3 gone," in story.recheck.stderr
    states = {s["url"]: s["state"] for s in story.report}
    assert [states[story.url(p)] for p in ("/missing.html", "/gone.html", "/soft404.html")] == ["gone"] * 3
    assert "removed" not in states.values()


@pytest.mark.slow
def test_a_seed_gone_after_an_earlier_capture_is_gone_but_not_at_first_fetch(story: Story) -> None:
    assert story.again.returncode == 1
    line = f"  {story.url('/flip.html')}: gone (HTTP 404) (captured with content by an earlier run)"
    assert line in story.again.stderr.splitlines()
    assert "gone at their first fetch" not in story.again.stderr


def _verdict(n: int, kind: str) -> dict[str, Any]:
    text = {"captured": "captured", "gone": "gone (HTTP 404) at first fetch"}[kind]
    return {"url": f"http://www.example.gov.cn/{n}.html", "verdict": kind, "text": text}


def test_past_fifty_seeds_only_those_not_captured_are_named_unless_listed() -> None:
    many = [_verdict(n, "gone" if n == 7 else "captured") for n in range(51)]
    lines = seed_lines(many, list_all=False)
    assert lines == [
        "http://www.example.gov.cn/7.html: gone (HTTP 404) at first fetch",
        "51 seeds: 50 captured, 0 redirected, 1 gone, 0 refused, 0 failed (--list names every seed)",
    ]
    listed = seed_lines(many, list_all=True)
    assert len(listed) == 52 and listed[0] == "http://www.example.gov.cn/0.html: captured"
