"""`import` of WARCs other tools recorded, followed through the rest of the archive (issue 17):
a WARC pywb's own recorder wrote; `recheck` of an imported URL; `export wacz` of an archive that
holds an imported plain (uncompressed) `.warc`."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from archive_helpers import FAST, run_cli
from import_warcs import import_files, page_html, warcio_counts
from warcio.capture_http import capture_http

from archive_store.export.pywb_env import pywb_script, wayback_command
from archive_store.export.wacz import INDEX_PATH
from archive_store.export.waczcheck import check_wacz

pytestmark = pytest.mark.slow  # pywb and sourcekeeper run in subprocesses
BEFORE = ("县公安局劝返通告", "各派出所要认真摸排在外人员，做好劝返工作。")
AFTER = ("县公安局劝返通告（修订）", "通告已修订：摸排工作改由各乡镇负责，劝返期限延长。")


class _Site(BaseHTTPRequestHandler):
    """/notice: the page, as it is now (`mode`); /gone: the page, until the mode is "after"."""

    protocol_version = "HTTP/1.1"
    mode = "before"

    def do_GET(self) -> None:
        after = type(self).mode == "after"
        if self.path.startswith("/gone") and after:
            body, status = b"<html><body>404 Not Found</body></html>", 404
        else:
            body, status = page_html(*(AFTER if after and self.path.startswith("/notice") else BEFORE)), 200
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    _Site.mode = "before"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _show(archive: Path, url: str) -> dict[str, object]:
    result = run_cli("show", "--archive", archive, "--json", url)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def _verify(archive: Path) -> None:
    result = run_cli("verify", "--archive", archive)
    assert result.returncode == 0, result.stderr + result.stdout


def _record_with_pywb(work: Path, url: str) -> list[Path]:
    """pywb 2.8 in record mode (`--record --live`: the recorder's source is the live web) fetches
    `url` through /coll/record/id_/ and writes the exchange into collections/coll/archive/."""
    subprocess.run([pywb_script("wb-manager"), "init", "coll"], cwd=work, check=True, capture_output=True)
    port = _free_port()
    log_path = work / "wayback.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                *wayback_command(),
                "-p",
                str(port),
                "-b",
                "127.0.0.1",
                "--live",
                "--record",
            ],
            cwd=work,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.2)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", f"/coll/record/id_/{url}", headers={"Accept-Encoding": "identity"})
            answer = conn.getresponse()
            body = answer.read()
            assert answer.status == 200, log_path.read_text("utf-8", "replace")
            assert body == page_html(*BEFORE)
            # the recorder writes after the answer is sent: wait until the response record is there
            warcs: list[Path] = []
            while time.monotonic() < deadline:
                warcs = sorted((work / "collections" / "coll" / "archive").glob("*.warc*"))
                if warcs and sum(warcio_counts(w)["type/response"] for w in warcs) >= 1:
                    break
                time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=20)
    assert warcs, log_path.read_text("utf-8", "replace")
    return warcs


def test_a_warc_written_by_pywbs_recorder_imports_shows_verifies_and_imports_once(site, tmp_path):
    url = f"{site}/notice.html"
    [warc] = _record_with_pywb(tmp_path, url)
    truth = warcio_counts(warc)
    assert truth["indexed/response"] == 1  # what pywb recorded, counted by warcio
    archive = tmp_path / "archive"
    [summary] = import_files(archive, warc)
    counts = summary["counts"]
    assert isinstance(counts, dict)
    for name in ("records", "type/warcinfo", "type/request", "type/response", "indexed/response"):
        assert counts.get(name, 0) == truth.get(name, 0), (name, counts, truth)
    stored = archive / "warcs" / str(summary["stored_as"][0])  # type: ignore[index]
    assert stored.read_bytes() == warc.read_bytes()
    shown = _show(archive, url)
    assert shown["title"] == BEFORE[0] and BEFORE[1] in str(shown["text"])
    assert shown["origin"] == "third-party" and shown["origin_via"] == "import"
    _verify(archive)
    warcs_before = sorted(p.name for p in (archive / "warcs").iterdir())
    [again] = import_files(archive, warc)
    assert again["already_imported"] is True
    assert sorted(p.name for p in (archive / "warcs").iterdir()) == warcs_before


def _capture(target: Path, *urls: str) -> Path:
    """warcio's capture_http around urllib (which looks http.client up at call time, so the patch
    reaches it in this process). Uncompressed for a `.warc` target."""
    with capture_http(str(target), gzip=target.name.endswith(".gz")):
        for url in urls:
            with urllib.request.urlopen(url, timeout=10) as answer:
                answer.read()
    return target


def _shift_index_offsets(source: Path, target: Path) -> Path:
    """A copy of the package whose index points one byte past each record's start."""
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(target, "w") as out:
        for info in package.infolist():
            data = package.read(info)
            if info.filename == INDEX_PATH:
                lines = []
                for line in data.decode().splitlines():
                    key, stamp, fields = line.split(" ", 2)
                    parsed = json.loads(fields)
                    parsed["offset"] = str(int(parsed["offset"]) + 1)
                    lines.append(f"{key} {stamp} {json.dumps(parsed)}")
                data = ("\n".join(lines) + "\n").encode()
            out.writestr(info, data)
    return target


def test_an_imported_plain_warc_exports_as_wacz_and_its_urls_recheck(site, tmp_path):
    notice, gone = f"{site}/notice.html", f"{site}/gone.html"
    warc = _capture(tmp_path / "colleague.warc", notice, gone)
    archive = tmp_path / "archive"
    [summary] = import_files(archive, warc)
    [stored_name] = summary["stored_as"]  # type: ignore[misc]
    assert str(stored_name).endswith(".warc")  # kept uncompressed, as it came

    # export wacz: the package WARC is the plain one, and both checkers accept the package
    out = tmp_path / "imported.wacz"
    exported = run_cli("export", "wacz", "--archive", archive, out)
    assert exported.returncode == 0, exported.stderr + exported.stdout
    assert check_wacz(out) == []
    validated = subprocess.run(
        [Path(sys.executable).parent / "wacz", "validate", "-f", out], capture_output=True, check=False
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    # an index entry that does not span a whole record of the plain WARC is caught (C-1)
    shifted = _shift_index_offsets(out, tmp_path / "shifted.wacz")
    assert any("C-1" in p and "is not a whole record" in p for p in check_wacz(shifted))

    # recheck: the site changed one page and removed the other; the imported captures are the
    # previous ones, and both stay as they were
    imported_ids = {url: _show(archive, url)["record_id"] for url in (notice, gone)}
    _Site.mode = "after"
    result = run_cli(
        "recheck", "--archive", archive, "--json", *FAST, "-s", "RECHECK_CONFIRM_DELAY=0.2", notice, gone
    )
    assert result.returncode == 3, result.stderr  # a new removal
    events = {e["url"]: e for e in map(json.loads, result.stdout.splitlines()) if "state" in e}
    assert events[notice]["state"] == "changed", events[notice]
    assert events[gone]["state"] == "removed", events[gone]
    for url in (notice, gone):
        assert events[url]["previous_capture"]["record_id"] == imported_ids[url]
    assert (archive / "warcs" / str(stored_name)).read_bytes() == warc.read_bytes()
    shown = _show(archive, notice)
    assert shown["title"] == AFTER[0] and shown["origin"] == "own"
    _verify(archive)
