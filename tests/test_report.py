"""`report --html`: a self-contained page per cited source, drawn in a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from archive_helpers import ROOT, archive_cli, cli_here
from report_files import cited, markdown_report, paths
from takedown_helpers import SITE, json_lines, recheck_cli

from sourcekeeper.demo.rawsite import ServedSite

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"


@dataclass
class Reported:
    archive: Path
    html: Path
    base_url: str
    result: object


@pytest.fixture(scope="module")
def reported(tmp_path_factory) -> Iterator[Reported]:
    folder = tmp_path_factory.mktemp("report")
    archive = folder / "archive"
    with ServedSite(SITE) as site:
        report = folder / "report.md"
        report.write_bytes(markdown_report(site.base_url))
        assert archive_cli(archive, "--from-report", report).returncode == 0
        site.set_mode("after")
        assert recheck_cli(archive).returncode == 3
        html = folder / "out" / "report.html"
        result = cli_here("report", "--archive", archive, "--html", html)
        assert result.returncode == 0, result.stderr
        yield Reported(archive, html, site.base_url, result)


def chromium(*args: str | Path, profile: Path) -> subprocess.CompletedProcess[str]:
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1200,900",
        *map(str, args),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def browser() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (scripts/system-deps.sh installs it)")
        pytest.skip("Debian chromium is not installed (run scripts/system-deps.sh as root)")
    return CHROMIUM


@pytest.mark.slow
def test_the_page_lists_every_cited_source_with_its_state(reported):
    page = reported.html.read_text("utf-8")
    found = re.findall(r'<tr class="source" data-state="(\w+)">.*?<div class="url">([^<]+)</div>', page)
    rows = {url.replace("&amp;", "&"): state for state, url in found}
    assert set(rows) == set(cited(reported.base_url))
    assert rows[reported.base_url + paths()["removed"]] == "removed"
    assert rows[reported.base_url + paths()["blocked"]] == "blocked"
    assert "县公安局通知" in page  # who cites it, by anchor text
    assert "/archive/" in page and "<details>" in page  # replay links and the embedded text


@pytest.mark.slow
def test_the_page_is_self_contained(reported):
    page = reported.html.read_text("utf-8")
    assert not re.search(r"<(script|img|iframe)[^>]+src=|<link\b|@import|url\(", page)
    assert "default-src 'none'" in page  # and the browser is told to load nothing


@pytest.mark.slow
def test_the_page_renders_and_draws_the_chart_in_chromium(reported, browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "report.png"
    screenshot.unlink(missing_ok=True)
    shot = chromium(f"--screenshot={screenshot}", reported.html.as_uri(), profile=tmp_path / "a")
    assert screenshot.exists() and screenshot.stat().st_size > 10_000, shot.stderr
    dom = chromium("--dump-dom", reported.html.as_uri(), profile=tmp_path / "b").stdout
    assert 'data-chart="drawn"' in dom  # the inline script ran to the end
    assert dom.count('class="recheck"') == len(cited(reported.base_url))  # one re-check per source
    assert dom.count('class="capture"') >= len(cited(reported.base_url))
    assert 'class="state-change"' in dom


@pytest.mark.slow
def test_report_without_html_prints_states_and_json_lines(reported):
    lines = json_lines(cli_here("report", "--archive", reported.archive, "--json").stdout)
    assert {line["url"] for line in lines} == set(cited(reported.base_url))
    assert all(
        line["state"] in {"removed", "blocked", "changed", "unchanged", "unreachable"} for line in lines
    )
    text = cli_here("report", "--archive", reported.archive)
    assert "removed" in text.stdout and "cited URLs" in text.stderr


@pytest.mark.slow
def test_without_citations_the_report_covers_archived_seed_urls(tmp_path):
    archive = tmp_path / "archive"
    with ServedSite(SITE) as site:
        assert archive_cli(archive, site.url(paths()["removed"])).returncode == 0
    result = cli_here("report", "--archive", archive, "--json")
    (line,) = json_lines(result.stdout)
    assert line["state"] == "archived" and "archived seed URLs" in result.stderr


def test_chromium_is_available_where_the_suite_says(browser):
    assert shutil.which(browser)
