"""`import FILE…` (issue 17): other tools' WARC/WACZ files, copied in unchanged, indexed, replayed,
searched, verified; summaries that count what the files really hold."""

from __future__ import annotations

import hashlib
import http.client
import json
import shutil
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from archive_helpers import cli_here, run_cli
from import_warcs import PAGE_TEXT, PAGE_TITLE, import_files, page_html, warcio_counts, write_awkward

from archive_store.export.replay import ReplayServer

pytestmark = pytest.mark.slow  # every test here runs sourcekeeper in a subprocess
GBK_PAGE = (
    "<html><head><meta charset='gbk'><title>某县公安局通告</title></head><body><article>"
    + "".join(f"<p>对在外人员开展劝返工作，认真摸排登记第{i}段。</p>" for i in range(8))
    + "</article></body></html>"
).encode("gbk")


class _Site(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path.startswith("/gbk"):
            body, kind = GBK_PAGE, "text/html; charset=gbk"
        elif self.path.startswith("/chunked"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            body = page_html("分块通知")
            for part in (body[:100], body[100:]):
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        else:
            body, kind = page_html(), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


_CAPTURE_SCRIPT = """
import sys
from warcio.capture_http import capture_http  # before requests: it patches http.client
import requests

with capture_http(sys.argv[1], gzip=sys.argv[1].endswith('.gz')):
    for url in sys.argv[2:]:
        requests.get(url, timeout=10)
"""


def capture_with_warcio(target: Path, *urls: str) -> Path:
    """warcio's `capture_http` recording requests' fetches, in a process of its own (it must be
    imported before requests is)."""
    pytest.importorskip("requests")
    subprocess.run([sys.executable, "-c", _CAPTURE_SCRIPT, str(target), *urls], check=True, timeout=60)
    assert target.stat().st_size > 0
    return target


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _show(archive: Path, url: str) -> dict[str, object]:
    result = cli_here("show", "--archive", archive, "--json", url)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def _verify(archive: Path) -> None:
    result = cli_here("verify", "--archive", archive)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget not installed (scripts/system-deps.sh)")
def test_a_wget_warc_is_imported_unchanged_indexed_searchable_and_verified(site, tmp_path):
    made = tmp_path / "wget"
    subprocess.run(
        [
            "wget",
            "-q",
            f"--warc-file={made}",
            "-O",
            "/dev/null",
            f"{site}/gbk/notice.html",
            f"{site}/chunked/x",
        ],
        check=False,  # wget exits non-zero for reasons of its own (e.g. -O with two URLs)
        timeout=60,
    )
    warc = tmp_path / "wget.warc.gz"
    assert warc.exists()
    archive = tmp_path / "archive"
    [summary] = import_files(archive, warc)
    truth = warcio_counts(warc)
    counts = summary["counts"]
    assert isinstance(counts, dict)
    for name in (
        "records",
        "type/warcinfo",
        "type/request",
        "type/response",
        "type/resource",
        "indexed/response",
    ):
        assert counts.get(name, 0) == truth.get(name, 0), name
    assert counts["indexed/response"] == 2
    assert counts["version/WARC/1.0"] == truth["records"]  # wget writes WARC/1.0
    stored = archive / "warcs" / str(summary["stored_as"][0])  # type: ignore[index]
    assert stored.read_bytes() == warc.read_bytes()  # copied in unchanged
    assert f"{_sha(warc)}  warcs/{stored.name}" in (archive / "manifest-sha256.txt").read_text()
    custody = [json.loads(line) for line in (archive / "custody.jsonl").read_text().splitlines()]
    imported = [e for e in custody if e["event"] == "file_imported"]
    assert imported[0]["source_sha256"] == _sha(warc) and imported[0]["source"] == str(warc.resolve())
    shown = _show(archive, f"{site}/gbk/notice.html")
    assert shown["title"] == "某县公安局通告" and "摸排" in str(shown["text"])
    assert shown["origin"] == "third-party" and shown["origin_via"] == "import"
    assert shown["charset"] == "gb18030"
    chunked = _show(archive, f"{site}/chunked/x")
    assert chunked["title"] == "分块通知"
    found = cli_here("search", "--archive", archive, "--json", "摸排")
    assert f"{site}/gbk/notice.html" in found.stdout
    _verify(archive)
    # the same file again adds nothing
    [again] = import_files(archive, warc)
    assert again["already_imported"] is True
    assert sorted(p.name for p in (archive / "warcs").iterdir()) == [stored.name]
    assert len((archive / "custody.jsonl").read_text().splitlines()) == len(custody) + 1  # verify's line


def test_warcio_capture_http_warc_is_imported_and_replays_in_pywb(site, tmp_path):
    warc = capture_with_warcio(tmp_path / "capture.warc.gz", f"{site}/gbk/a", f"{site}/plain/b")
    plain = capture_with_warcio(tmp_path / "capture.warc", f"{site}/plain/c")
    archive = tmp_path / "archive"
    gz_summary, plain_summary = import_files(archive, warc, plain)
    for summary, path in ((gz_summary, warc), (plain_summary, plain)):
        truth = warcio_counts(path)
        counts = summary["counts"]
        assert isinstance(counts, dict)
        assert counts["records"] == truth["records"]
        assert counts["indexed/response"] == truth["indexed/response"]
    stored_plain = archive / "warcs" / str(plain_summary["stored_as"][0])  # type: ignore[index]
    assert stored_plain.suffix == ".warc" and stored_plain.read_bytes() == plain.read_bytes()
    _verify(archive)
    port = _free_port()
    with ReplayServer(archive, port) as server:
        for path, body in (("/gbk/a", GBK_PAGE), ("/plain/c", page_html())):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", f"/archive/id_/{site}{path}", headers={"Accept-Encoding": "identity"})
            answer = conn.getresponse()
            assert answer.status == 200, server.log_text()
            assert answer.read() == body


def test_awkward_warcs_are_read_leniently_and_every_oddity_is_counted(tmp_path):
    archive = tmp_path / "archive"
    gz = write_awkward(tmp_path, cut_last=True)
    [summary] = import_files(archive, gz.path)
    counts = summary["counts"]
    assert isinstance(counts, dict)
    assert counts["records"] == gz.records
    assert counts["indexed/response"] == gz.responses and counts["indexed/revisit"] == gz.revisits
    for name, value in gz.odd.items():
        assert counts.get(name) == value, name
    assert counts["extract/pages"] == gz.responses
    assert any("file ends inside the member" in str(p) for p in summary["problems"])  # type: ignore[attr-defined]
    stored = archive / "warcs" / str(summary["stored_as"][0])  # type: ignore[index]
    assert stored.read_bytes() == gz.path.read_bytes()  # the cut tail too: never rewritten
    shown = _show(archive, gz.urls[0])  # was `<uri>` in the file
    assert shown["title"] == PAGE_TITLE and PAGE_TEXT[:10] in str(shown["text"])
    revisit = _show(archive, gz.urls[-1])
    assert revisit["state"] == "revisit:original-missing"
    _verify(archive)
    history = cli_here("history", "--archive", archive, gz.urls[3])
    assert "THIRD-PARTY copy (import" in history.stdout


def test_plain_awkward_warc_and_wacz_import_and_a_file_that_is_neither(tmp_path):
    archive = tmp_path / "archive"
    plain = write_awkward(tmp_path, gz=False)
    [summary] = import_files(archive, plain.path)
    counts = summary["counts"]
    assert isinstance(counts, dict)
    assert counts["records"] == plain.records and counts["indexed/response"] == plain.responses
    _verify(archive)
    # a WACZ holding the gzip variant: its WARC comes in unchanged; the records already there are
    # not indexed twice
    other = tmp_path / "other"
    other.mkdir()
    gz = write_awkward(other)
    wacz = tmp_path / "colleague.wacz"
    with zipfile.ZipFile(wacz, "w") as package:
        package.write(gz.path, "archive/data.warc.gz", compress_type=zipfile.ZIP_STORED)
        package.writestr("datapackage.json", json.dumps({"profile": "data-package", "resources": []}))
    [from_wacz] = import_files(archive, wacz)
    assert from_wacz["kind"] == "wacz"
    wacz_counts = from_wacz["counts"]
    assert isinstance(wacz_counts, dict)
    assert wacz_counts["wacz_warcs"] == 1
    assert wacz_counts["skipped/record_already_indexed"] == gz.responses + gz.revisits
    [name] = from_wacz["stored_as"]  # type: ignore[misc]
    assert (archive / "warcs" / name).read_bytes() == gz.path.read_bytes()
    _verify(archive)
    junk = tmp_path / "notes.txt"
    junk.write_text("not a warc")
    result = run_cli("import", "--archive", archive, junk)
    assert result.returncode == 1 and "neither a WARC" in result.stderr


def test_our_own_crawl_never_dedups_against_an_imported_record(site, tmp_path):
    """The same payload fetched by us later is a full response of ours, not a revisit of theirs."""
    warc = capture_with_warcio(tmp_path / "theirs.warc.gz", f"{site}/gbk/same")
    archive = tmp_path / "archive"
    import_files(archive, warc)
    result = run_cli(
        "archive",
        "--archive",
        archive,
        f"{site}/gbk/same",
        "-s",
        "ARCHIVE_ALLOW_PRIVATE=true",
        "-s",
        "EXTRACT_PROCESSES=0",
    )
    assert result.returncode == 0, result.stderr
    shown = _show(archive, f"{site}/gbk/same")
    assert shown["origin"] == "own" and shown["record_type"] == "response"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
