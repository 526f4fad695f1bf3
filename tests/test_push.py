"""Push for corroboration (issue 17): off by default; when Save-Page-Now-style endpoints are set,
each URL we captured is sent to them, the memento each answers with is recorded (and becomes a
Robust Link), and a failing endpoint is recorded without failing the run."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from archive_helpers import archive_cli, run_cli
from import_warcs import page_html

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import PushResult

pytestmark = pytest.mark.slow  # every test here runs sourcekeeper in a subprocess


class _Both(BaseHTTPRequestHandler):
    """The site (/page) and three "archives": one redirects to its memento, one names it in a
    Link header, one fails."""

    seen: ClassVar[Counter[str]] = Counter()

    def do_GET(self) -> None:
        kind, _, url = self.path.lstrip("/").partition("/")
        self.seen[kind] += 1
        if kind == "page":
            body = page_html()
            self._send(200, body, **{"Content-Type": "text/html; charset=utf-8"})
        elif kind == "save":
            self._send(302, b"", Location=f"/web/20261201000000/{url}")
        elif kind == "linksave":
            self._send(200, b"ok", Link=f'<http://linkarchive.example/20261201/{url}>; rel="memento"')
        else:
            self._send(500, b"archive down")

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_push_records_mementos_and_failures_and_is_off_by_default(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Both)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    page = f"{base}/page/notice.html"
    try:
        plain = archive_cli(tmp_path / "plain", page, "-s", "EXTRACT_PROCESSES=0")
        assert plain.returncode == 0, plain.stderr
        assert _Both.seen["save"] == _Both.seen["broken"] == 0  # off by default
        endpoints = f"ARCHIVE_PUSH_ENDPOINTS={base}/save/,{base}/linksave/,{base}/broken/"
        archive = tmp_path / "archive"
        result = archive_cli(archive, page, "-s", "EXTRACT_PROCESSES=0", "-s", endpoints)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr  # a failing archive is not our failure
    assert f"memento {base}/web/20261201000000/{page}" in result.stderr
    assert "failed: HTTP 500" in result.stderr
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        with index.session() as s:
            rows = {r.endpoint: r for r in s.query(PushResult)}
    finally:
        index.close()
    assert rows[f"{base}/save/"].memento_url == f"{base}/web/20261201000000/{page}"
    assert rows[f"{base}/linksave/"].memento_url == f"http://linkarchive.example/20261201/{page}"
    assert rows[f"{base}/broken/"].memento_url is None and rows[f"{base}/broken/"].http_status == 500
    robust = run_cli("report", "--archive", archive, "--robust-links", "markdown").stdout
    assert f"{base}/web/20261201000000/{page}" in robust and "(pushed), third-party copy)" in robust
