"""`show PAGE_URL` lists the page's documents (captures fetched from it, and its attachment links)
with their text size or why there is none; `show DOC_URL` names the page linking it; both give the
government document identity. The report shows the documents under their page, escaped."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import Page
from sourcekeeper.cli import main
from sourcekeeper.reporting.data import report_data
from sourcekeeper.reporting.html import render_report

BASE = "http://gaj.example.gov.cn/tzgg/"
PAGE = BASE + "t20200306_1.html"
PDF = BASE + "P020200306_fangan.pdf"
LOCKED = BASE + "P020200306_mingdan.pdf"
SCAN = BASE + "P020200306_scan.jpg"
MISSING = BASE + "P020200306_biao.xlsx"
STYLE = BASE + "style.css"
PHOTO = BASE + "photo.jpg"
FOOT = "\n</pre><script>alert(2)</script>"  # hostile text inside the document
HOSTILE_NAME = "附件2：<img src=x onerror=alert(1)>名单\x1b[31m.pdf"
PDF_TEXT = (
    "青海省公安厅文件\n青公通〔2020〕12号\n关于做好劝返工作的通知\n各派出所：请认真落实。\n"
    "青海省公安厅\n2020年3月5日"
)


def _capture(
    index: ArchiveIndex, n: int, url: str, ctype: str, parent: str | None = None, status: int = 200
) -> int:
    return index.insert_capture(
        {
            "url": url,
            "method": "GET",
            "captured_at": datetime(2024, 1, 1) + timedelta(minutes=n),
            "warc_date": "",
            "http_status": status,
            "record_type": "response",
            "record_id": f"<urn:uuid:{n:032x}>",
            "warc_file": "f.warc.gz",
            "warc_offset": n,
            "warc_length": 1,
            "payload_digest": f"sha1:{n}",
            "block_digest": "sha1:x",
            "payload_length": 1,
            "content_type": ctype,
            "chunked": False,
            "state": "ok",
            "hop": 0 if parent is None else 1,
            "parent_url": parent,
        }
    )


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    index = ArchiveIndex(default_db_url(tmp_path))
    page_id = _capture(index, 1, PAGE, "text/html; charset=utf-8")
    attachments = [
        {"url": PDF, "name": "附件1：劝返工作方案.pdf"},
        {"url": LOCKED, "name": HOSTILE_NAME},
        {"url": MISSING, "name": "附件3：统计表.xlsx"},
    ]
    index.save_page(
        Page(
            capture_id=page_id,
            url=PAGE,
            title="关于做好劝返工作的通知",
            text="各派出所：现将方案印发给你们。",
            metadata_json=json.dumps({"attachments": attachments}, ensure_ascii=False),
            doc_number="青公通〔2020〕12号",
            issuer="示例县公安局",
            index_number="11220000/2024-00012",
            published_date="2020-03-06",
            topic="公安、安全、司法",
        )
    )
    pdf_id = _capture(index, 2, PDF, "application/pdf", parent=PAGE)
    index.save_page(
        Page(
            capture_id=pdf_id,
            url=PDF,
            kind="document",
            text=PDF_TEXT + FOOT,
            text_source="layer",
            page_count=1,
            doc_number="青公通〔2020〕12号",
        )
    )
    locked_id = _capture(index, 3, LOCKED, "application/pdf", parent=PAGE)
    index.save_page(
        Page(capture_id=locked_id, url=LOCKED, kind="document", text="", text_skipped="encrypted")
    )
    scan_id = _capture(index, 4, SCAN, "image/jpeg", parent=PAGE)  # a scanned notice, OCR'd
    index.save_page(Page(capture_id=scan_id, url=SCAN, kind="document", text="通告全文", text_source="ocr"))
    _capture(index, 5, STYLE, "text/css", parent=PAGE)  # not documents
    _capture(index, 6, PHOTO, "image/jpeg", parent=PAGE)
    index.add_failure(None, MISSING, "final", "HTTP 404")
    index.close()
    return tmp_path


def _show(archive: Path, url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["show", url, "--archive", str(archive), *extra]) == 0
    return capsys.readouterr().out


def test_show_json_lists_the_pages_documents(archive, capsys):
    fields = json.loads(_show(archive, PAGE, capsys, "--json"))
    assert fields["kind"] == "page" and fields["page_url"] is None
    summary = [
        (d["url"], d["kind"], d["type"], d["captured"], d["text_chars"], d["text_source"], d["text_skipped"])
        for d in fields["documents"]
    ]
    assert summary == [
        (PDF, "document", "pdf", True, len(PDF_TEXT + FOOT), "layer", None),
        (LOCKED, "document", "pdf", True, 0, None, "encrypted"),
        (MISSING, "document", "spreadsheet", False, None, None, None),
        (SCAN, "document", "image", True, 4, "ocr", None),
    ]
    assert fields["documents"][0]["doc_number"] == "青公通〔2020〕12号"
    assert fields["documents"][0]["name"] == "附件1：劝返工作方案.pdf"
    assert fields["documents"][2]["fetch_failure"] == "HTTP 404"
    identity = {k: fields[k] for k in ("doc_number", "issuer", "index_number", "published_date", "topic")}
    assert identity == {
        "doc_number": "青公通〔2020〕12号",
        "issuer": "示例县公安局",
        "index_number": "11220000/2024-00012",
        "published_date": "2020-03-06",
        "topic": "公安、安全、司法",
    }


def test_show_prints_the_documents_under_the_page(archive, capsys):
    out = _show(archive, PAGE, capsys)
    lines = [line for line in out.splitlines() if line.startswith("document ")]
    assert len(lines) == 4
    assert (
        PDF in lines[0]
        and f"{len(PDF_TEXT + FOOT)} characters of text, layer" in lines[0]
        and "青公通〔2020〕12号" in lines[0]
    )
    assert "no text: encrypted" in lines[1]
    assert "not captured: HTTP 404" in lines[2]
    assert any(line.startswith("doc_number") and "青公通〔2020〕12号" in line for line in out.splitlines())


def test_show_of_a_document_names_the_page_linking_it(archive, capsys):
    fields = json.loads(_show(archive, PDF, capsys, "--json"))
    assert (fields["kind"], fields["page_url"], fields["documents"]) == ("document", PAGE, [])
    assert fields["doc_number"] == "青公通〔2020〕12号"
    assert any(
        line.startswith("linked from") and PAGE in line for line in _show(archive, PDF, capsys).splitlines()
    )


def test_show_prints_a_hostile_link_text_as_plain_text(archive, capsys):
    out = _show(archive, PAGE, capsys)
    line = next(line for line in out.splitlines() if line.startswith("document ") and LOCKED in line)
    assert "\x1b" not in out  # no terminal escape reaches the screen
    assert "名单" in line


def test_the_report_shows_the_documents_under_their_page(archive, capsys):
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        data = report_data(index, archive)
    finally:
        index.close()
    (source,) = data["sources"]
    assert source["url"] == PAGE
    notes = [(d["url"], d["note"]) for d in source["documents"]]
    assert notes == [
        (PDF, f"{len(PDF_TEXT + FOOT):,} characters of text, layer"),
        (LOCKED, "no text: encrypted"),
        (MISSING, "not captured: HTTP 404"),
        (SCAN, "4 characters of text, ocr"),
    ]
    assert source["documents"][0]["text"] == PDF_TEXT + FOOT
    page = render_report(data)
    # the markup (the data script holds the same strings as JSON, where "</" cannot occur)
    html, script = page.split('<script type="application/json" id="report-data">')
    assert "</script" not in script.split("</script>")[0]
    assert html.count('<li class="document">') == 4
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;名单" in html
    assert "<script>alert(2)" not in html and "&lt;/pre&gt;&lt;script&gt;alert(2)" in html
    assert "青公通〔2020〕12号" in html.split('<li class="document">')[1]
    # the text form: each document on a line under its page
    assert main(["report", "--archive", str(archive)]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.split()[1:2] == [PAGE])
    below = [line.strip() for line in lines[at + 2 : at + 6]]
    assert [line.split()[1] for line in below] == [PDF, LOCKED, MISSING, SCAN]
    assert below[1].endswith("no text: encrypted") and "\x1b" not in "".join(lines)
