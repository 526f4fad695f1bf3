"""`archive --from-report`: every cited link of an HTML, Markdown, PDF or DOCX report is found,
archived and listed in a citation manifest that points at the records holding it."""

from __future__ import annotations

import csv
import hashlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_helpers import archive_cli, records_for, run_cli
from report_files import BUILDERS, TRACKED, cited, docx_report, paths
from takedown_helpers import SITE

from archive_store.export.citations import CSV_FIELDS
from archive_store.warc.httpmessage import parse_response
from archive_store.warc.members import read_record
from pipelines.documents.links import ReportError
from pipelines.documents.report import parse_report
from sourcekeeper.demo.rawsite import ServedSite

BASE = "http://127.0.0.1:9"  # parsing never fetches anything


def links_of(fmt: str) -> dict[str, object]:
    parsed = parse_report(BUILDERS[fmt](BASE), f"report.{fmt}")
    return {link.url.removeprefix(BASE): link for link in parsed.links}


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_every_cited_link_is_found_once_with_tracking_parameters_kept(fmt):
    parsed = parse_report(BUILDERS[fmt](BASE), f"report.{fmt}")
    assert sorted(link.url for link in parsed.links) == sorted(cited(BASE))  # each exactly once
    tracked = next(link for link in parsed.links if link.url == BASE + TRACKED)
    assert tracked.url_as_written == BASE + TRACKED  # utm_source / spm kept as written
    assert parsed.title


@pytest.mark.parametrize(("fmt", "label"), [("html", "1"), ("md", "1"), ("pdf", "2"), ("docx", "1")])
def test_footnotes_are_numbered(fmt, label):
    tracked = links_of(fmt)[TRACKED]
    assert tracked.kind == "footnote" and tracked.footnote == label  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("fmt", "anchor"),
    [
        ("html", "县公安局通知"),
        ("md", "县公安局通知"),
        ("docx", "县公安局通知"),
        ("pdf", "County notice (removed)"),
    ],
)
def test_anchor_text_is_kept(fmt, anchor):
    assert links_of(fmt)[paths()["removed"]].anchor == anchor  # type: ignore[attr-defined]


def test_source_links_are_recognised():
    assert links_of("html")[paths()["removed"]].kind == "source"  # type: ignore[attr-defined]  # 来源：<a>
    assert links_of("html")[paths()["soft404"]].kind == "source"  # type: ignore[attr-defined]  # <a>Source</a>


def test_navigation_links_and_same_page_anchors_are_not_citations():
    urls = set(links_of("html"))
    assert "/" not in urls and not any(u.startswith("#") for u in urls)


def test_a_url_cited_twice_is_one_citation_with_two_occurrences():
    html = f'<p><a href="{BASE}/a?x=1#p2">a</a> and again {BASE}/a?x=1 .</p>'.encode()
    (link,) = parse_report(html, "r.html").links
    assert link.occurrences == 2 and link.url_as_written.endswith("#p2")


def test_docx_external_entities_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    parsed = parse_report(docx_report(BASE, entity_attack=secret), "attack.docx")
    assert {link.url for link in parsed.links} == set(cited(BASE))
    assert "TOP-SECRET" not in json.dumps([vars(link) for link in parsed.links], ensure_ascii=False)


def test_parsing_touches_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a report parser opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    for fmt, build in BUILDERS.items():
        assert parse_report(build(BASE), f"r.{fmt}").links


@pytest.mark.parametrize(
    "data", [b"%PDF-1.4\nnot really a pdf", b"PK\x03\x04 not a docx", b"\x00\x01\x02binary"]
)
def test_damaged_or_unknown_reports_are_refused(data):
    with pytest.raises(ReportError):
        parse_report(data, "broken")


# end to end ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served() -> Iterator[ServedSite]:
    with ServedSite(SITE) as site:
        yield site


@pytest.fixture(scope="module")
def from_files(served, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("citations")
    archive = folder / "archive"
    for fmt, build in BUILDERS.items():
        report = folder / f"report.{fmt}"
        report.write_bytes(build(served.base_url))
        result = archive_cli(archive, "--from-report", report)
        assert result.returncode == 0, result.stderr
        assert f"citations-report.{fmt}.json" in result.stderr
    return archive


@pytest.mark.slow
@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_the_manifest_points_at_the_records_and_their_payload_hash(from_files, served, fmt):
    manifest = json.loads((from_files / "citations" / f"citations-report.{fmt}.json").read_text("utf-8"))
    assert manifest["report"]["format"] == ("markdown" if fmt == "md" else fmt)
    assert {c["url"] for c in manifest["citations"]} == set(cited(served.base_url))
    for citation in manifest["citations"]:
        capture = citation["capture"]
        record = read_record(
            from_files / "warcs" / capture["warc_file"], capture["warc_offset"], capture["warc_length"]
        )
        assert record.record_id == capture["record_id"]
        if record.record_type == "response":
            payload = parse_response(record.block).payload  # type: ignore[union-attr]
            assert hashlib.sha256(payload).hexdigest() == capture["payload_sha256"]
        assert capture["state"] and capture["captured_at"]


@pytest.mark.slow
def test_the_csv_manifest_has_one_row_per_citation(from_files, served):
    with (from_files / "citations" / "citations-report.docx.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_FIELDS and len(rows) == len(cited(served.base_url))
    tracked = next(r for r in rows if r["url"].endswith(TRACKED))
    assert tracked["footnote"] == "1" and tracked["record_id"].startswith("<urn:uuid:")


@pytest.mark.slow
def test_show_names_the_reports_citing_a_url(from_files, served):
    shown = json.loads(
        run_cli("show", "--archive", from_files, "--json", served.url(paths()["removed"])).stdout
    )
    reports = {Path(c["report"]).name for c in shown["cited_by"]}
    assert reports == {f"report.{fmt}" for fmt in BUILDERS}
    text = run_cli("show", "--archive", from_files, served.url(paths()["removed"])).stdout
    assert "cited by" in text and "县公安局通知" in text


@pytest.mark.slow
def test_a_report_url_is_archived_itself_and_its_citations_too(served, tmp_path):
    archive = tmp_path / "archive"
    report_url = served.url("/reports/report.html")
    result = archive_cli(archive, "--from-report", report_url)
    assert result.returncode == 0, result.stderr
    assert records_for(archive, report_url)  # the report page is a capture like any other
    (manifest_path,) = (archive / "citations").glob("citations-url-*.json")
    manifest = json.loads(manifest_path.read_text("utf-8"))
    assert manifest["report"]["source"] == report_url
    assert {c["url"] for c in manifest["citations"]} == set(cited(served.base_url))
    assert all(c["capture"] for c in manifest["citations"])


@pytest.mark.slow
def test_a_missing_report_file_is_a_usage_error(tmp_path):
    result = archive_cli(tmp_path / "archive", "--from-report", tmp_path / "missing.docx")
    assert result.returncode == 2 and "not found" in result.stderr
