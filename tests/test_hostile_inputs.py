"""Hostile inputs (issue 16), each generated here: a clear error or a safe capture, never a crash,
a hang or a leak."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
from archive_helpers import all_records, archive_cli, records_for
from test_private_addresses import _CountingServer

PASSWORD = "hunter2-not-in-archive"


def _docx_bomb(path: Path, expanded_mb: int) -> None:
    """A valid DOCX whose word/document.xml inflates to `expanded_mb` MB (whitespace)."""
    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("See https://www.gov.cn/zhengce/notice.html")
    document.save(buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                dst.writestr(item, src.read(item.filename))
        xml = src.read("word/document.xml")
        info = zipfile.ZipInfo("word/document.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=True) as out:
            head, tail = xml.split(b"<w:body>", 1)
            out.write(head + b"<w:body>")
            padding = b" " * (1 << 20)
            for _ in range(expanded_mb):
                out.write(padding)
            out.write(tail)


def _pdf_with_objects(path: Path, count: int) -> None:
    body = bytearray(b"%PDF-1.4\n")
    offsets = [0]

    def add(number: int, data: bytes) -> None:
        offsets.append(len(body))
        body.extend(b"%d 0 obj\n%s\nendobj\n" % (number, data))

    add(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
    for number in range(4, count + 4):
        add(number, b"1")
    xref = len(body)
    body.extend(b"xref\n0 %d\n0000000000 65535 f \n" % (count + 4))
    body.extend(b"".join(b"%010d 00000 n \n" % offset for offset in offsets[1:]))
    body.extend(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count + 4, xref))
    path.write_bytes(body)


@pytest.mark.slow
def test_docx_zip_bomb_report_is_refused_before_it_inflates(tmp_path: Path) -> None:
    report = tmp_path / "report.docx"
    _docx_bomb(report, 100)
    assert report.stat().st_size < 2_000_000  # a small file ...
    result = archive_cli(tmp_path / "archive", "--from-report", report)
    assert result.returncode == 2
    assert "the DOCX's text parts expand to 100.8 MB from 0.1 MB (a zip bomb?)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_pdf_with_a_million_objects_is_refused(tmp_path: Path) -> None:
    report = tmp_path / "report.pdf"
    _pdf_with_objects(report, 1_000_000)
    result = archive_cli(tmp_path / "archive", "--from-report", report)
    assert result.returncode == 2
    assert "the PDF has 1,000,003 objects; more than 500,000 are not read" in result.stderr


@pytest.mark.slow
def test_html_report_of_200_mb_is_refused_without_reading_it(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    with report.open("wb") as out:
        out.write(b"<html><body>")
        paragraph = b"<p><a href='https://www.gov.cn/x.html'>x</a></p>\n" * 20_000
        while out.tell() < 200 * 1024 * 1024:
            out.write(paragraph)
        out.write(b"</body></html>")
    result = archive_cli(tmp_path / "archive", "--from-report", report)
    report.unlink()
    assert result.returncode == 2
    assert "the report is 200.0 MB; reports over 64.0 MB are not read" in result.stderr


@pytest.mark.slow
def test_hostile_seeds_are_captured_safely(tmp_path: Path) -> None:
    """A 1 MB seed line, `user:password@`, `%0d%0a` in the path, and an attachment named
    `../../x`: captured or refused with a reason; nothing injected, leaked or written outside."""
    attachment_headers = {
        "Content-Type": "application/pdf",
        "Content-Disposition": 'attachment; filename="../../x"',
    }
    page = b"<html><body><a href='/files/report.pdf'>report</a></body></html>"
    routes = {
        "/login-page": (200, {"Content-Type": "text/html"}, page),
        "/files/report.pdf": (200, attachment_headers, b"%PDF-1.4 tiny"),
        "/inj%0d%0aX-Injected:%20yes": (200, {"Content-Type": "text/plain"}, b"plain"),
    }
    work = tmp_path / "work"
    work.mkdir()
    with _CountingServer(routes) as site:
        base = f"http://127.0.0.1:{site.port}"
        long_url = f"{base}/{'a' * 1_000_000}"
        seeds = work / "seeds.txt"
        seeds.write_text(f"{long_url}\n{base}/inj%0d%0aX-Injected:%20yes\n")
        archive = work / "archive"
        credentials = base.replace("http://", f"http://archivist:{PASSWORD}@") + "/login-page"
        result = archive_cli(archive, "--no-extract", "--seeds", seeds, credentials, cwd=work)
    assert "Traceback" not in result.stderr
    # the long line: sent, and the server's refusal (414) is the capture
    long_records = records_for(archive, long_url)
    assert len(long_records) == 1, result.stderr[-3000:]  # what the crawl said, if it was not captured
    [long_capture] = long_records
    assert long_capture.block.startswith(b"HTTP/1.1 414")
    # %0d%0a stays percent-encoded on the wire: no header was injected
    [injected] = records_for(archive, f"{base}/inj%0d%0aX-Injected:%20yes", "request")
    assert injected.block.startswith(b"GET /inj%0d%0aX-Injected:%20yes HTTP/1.1\r\n")
    assert b"\r\nX-Injected" not in injected.block
    # credentials: sent as Authorization (redacted), never in the URL, the WARC, the index or a log
    [login] = records_for(archive, f"{base}/login-page", "request")
    assert b"Authorization: [redacted]" in login.block
    warc_bytes = b"".join(r.block + str(r.fields).encode() for r in all_records(archive))
    assert PASSWORD.encode() not in warc_bytes
    for path in archive.rglob("*"):
        if path.is_file() and not path.name.endswith(".warc.gz"):
            assert PASSWORD.encode() not in path.read_bytes(), path
    assert PASSWORD not in result.stderr and PASSWORD not in result.stdout
    with sqlite3.connect(archive / "index.sqlite3") as db:
        assert not db.execute("select 1 from captures where url like '%archivist%'").fetchall()
    # the attachment named ../../x is a record like any other; no file of that name anywhere
    assert records_for(archive, f"{base}/files/report.pdf")
    for folder in (work, tmp_path, archive, archive / "warcs"):
        assert not (folder / "x").exists()
    outside = {p.name for p in work.iterdir()}
    assert outside == {"seeds.txt", "archive"}
