"""Robust Links for report authors (issue 17): the citation manifest and `report --robust-links`
give every cited URL's archived copies — ours at the replay base URL, third parties' apart —
as HTML anchors, Markdown footnotes and CSV columns."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from archive_helpers import archive_cli, cli_here, run_cli
from import_warcs import write_awkward
from report_files import markdown_report, paths
from takedown_helpers import SITE

from sourcekeeper.demo.rawsite import ServedSite

pytestmark = pytest.mark.slow  # every test here runs sourcekeeper in a subprocess

REPLAY = "https://replay.example.org/archive/"
ANCHOR = re.compile(r'<a href="([^"]+)" data-versionurl="([^"]+)" data-versiondate="(\d{4}-\d{2}-\d{2})">')


def test_the_manifest_and_the_report_give_robust_links_for_every_citation(tmp_path):
    archive = tmp_path / "archive"
    report = tmp_path / "report.md"
    with ServedSite(SITE) as site:
        report.write_bytes(markdown_report(site.base_url))
        tracked = site.base_url + paths()["tracked"].split("?")[0]
        result = archive_cli(
            archive,
            "--from-report",
            report,
            "-s",
            f"ARCHIVE_REPLAY_BASE_URL={REPLAY}",
            "-s",
            "EXTRACT_PROCESSES=0",
        )
    assert result.returncode in (0, 1), result.stderr  # some cited pages are meant to fail
    [manifest] = (archive / "citations").glob("*.json")
    citations = json.loads(manifest.read_text())["citations"]
    good = [c for c in citations if c["capture"] and c["capture"]["state"] == "ok"]
    assert good
    for citation in good:
        links = citation["robust_links"]
        href, version, date = map(unescape, ANCHOR.match(links["html"]).groups())  # type: ignore[union-attr]
        assert href == citation["url"] and version.startswith(REPLAY)
        stamp = citation["capture"]["captured_at"]
        assert date == stamp[:10] and re.sub(r"\D", "", stamp)[:14] in version
        assert links["markdown"].startswith(f"[^{citation['footnote'] or citation['position']}]: <{href}>")
        assert links["archived_url"] == version and links["third_party_urls"] == ""
    for citation in citations:
        if not citation["capture"] or citation["capture"]["state"] != "ok":
            assert "data-versionurl" not in citation["robust_links"]["html"]  # nothing to cite
    rows = list(csv.DictReader(io.StringIO(manifest.with_suffix(".csv").read_text("utf-8-sig"))))
    by_url = {row["url"]: row for row in rows}
    for citation in good:
        row = by_url[citation["url"]]
        assert row["archived_url"] == citation["robust_links"]["archived_url"]
        assert row["robust_link_html"] == citation["robust_links"]["html"]
    # footnote 1 of the report cites the tracked notice
    assert any(c["footnote"] == "1" and c["url"].startswith(tracked) for c in citations)

    # the report prints them alone, in each form
    html = cli_here("report", "--archive", archive, "--robust-links", "--replay-base", REPLAY)
    assert html.returncode == 0
    anchors = [ANCHOR.match(line) for line in html.stdout.splitlines()]
    assert {unescape(m.group(1)) for m in anchors if m} >= {c["url"] for c in good}
    markdown = cli_here("report", "--archive", archive, "--robust-links", "markdown", "--replay-base", REPLAY)
    assert all(line.startswith("[^") for line in markdown.stdout.splitlines())
    assert "[^1]: <" in markdown.stdout
    table = cli_here("report", "--archive", archive, "--robust-links", "csv", "--replay-base", REPLAY)
    parsed = list(csv.DictReader(io.StringIO(table.stdout)))
    assert {row["url"] for row in parsed} == {c["url"] for c in citations}


def test_an_imported_copy_is_a_third_party_link_and_apart_on_the_report(tmp_path):
    archive = tmp_path / "archive"
    made = write_awkward(tmp_path)
    assert run_cli("import", "--archive", archive, made.path, "--monitor").returncode == 0
    robust = cli_here("report", "--archive", archive, "--robust-links", "--json", "--replay-base", REPLAY)
    entries = {e["url"]: e for e in map(json.loads, robust.stdout.splitlines())}
    entry = entries[made.urls[0]]
    assert entry["archived_url"] == ""  # none of ours
    assert entry["third_party_urls"].startswith(REPLAY) and entry["third_party_dates"] == "2019-03-01"
    assert entry["copies"][0]["origin"] == "third-party" and "imported from" in entry["copies"][0]["archive"]
    sources = {
        s["url"]: s
        for s in map(json.loads, cli_here("report", "--archive", archive, "--json").stdout.splitlines())
    }
    source = sources[made.urls[0]]
    assert source["state"] == "unreachable" and "third-party" in source["reason"]
    assert source["last_good"] is None and source["third_party"][0]["via"] == "import"
    html_out = tmp_path / "report.html"
    assert cli_here("report", "--archive", archive, "--html", html_out).returncode == 0
    assert "third-party copies (not our captures)" in html_out.read_text()
