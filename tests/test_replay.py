"""`replay`: pywb on 127.0.0.1 serving the archive as collection `archive`, end to end, and in Chromium."""

from __future__ import annotations

import http.client
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from archive_helpers import ROOT, archive_cli, run_cli

from archive_store.storage.reader import decode_content
from archive_store.warc.httpmessage import parse_response
from sourcekeeper.demo.rawsite import ServedSite

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)

PATHS = ["/redirect/301", "/gbk/page.html", "/gzip", "/same/a", "/same/b"]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Replay:
    port: int
    proc: subprocess.Popen[bytes]
    announced: dict

    def get(self, path: str, **headers: str) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", path, headers={"Accept-Encoding": "identity", **headers})
        return conn.getresponse()


def start_replay(archive: Path, port: int, log: Path, *extra: str) -> Replay:
    """`sourcekeeper replay` as a user runs it; ready when it prints its URL (it waits for pywb)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sourcekeeper",
            "replay",
            "--archive",
            archive,
            "--port",
            str(port),
            "--json",
            *extra,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=log.open("wb"),
    )
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=90):
            proc.kill()
            pytest.fail(f"replay did not start:\n{log.read_text()}")
    line = proc.stdout.readline()
    if not line:
        proc.wait()
        pytest.fail(f"replay exited {proc.returncode}:\n{log.read_text()}")
    return Replay(port, proc, json.loads(line))


def stop_replay(replay: Replay) -> int:
    replay.proc.send_signal(signal.SIGTERM)
    return replay.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def replay(mocksite, tmp_path_factory) -> Iterator[tuple[Replay, ServedSite]]:
    work = tmp_path_factory.mktemp("replay")
    archive = work / "archive"
    # with extraction on: metadata records share the pages' URLs and must not be replayed
    result = archive_cli(archive, *(mocksite.url(p) for p in PATHS), "-s", "EXTRACT_PROCESSES=0")
    assert result.returncode == 0, result.stderr
    server = start_replay(archive, _free_port(), work / "replay.log")
    try:
        yield server, mocksite
    finally:
        stop_replay(server)


def _body(replay: Replay, site: ServedSite, path: str) -> http.client.HTTPResponse:
    return replay.get(f"/archive/id_/{site.url(path)}")


def _payload(sent: bytes, replayed_encoding: str | None) -> bytes:
    parsed = parse_response(sent)
    assert parsed is not None
    encoding = (parsed.head.get(b"content-encoding") or b"").decode()
    return decode_content(parsed.payload, encoding) if encoding and not replayed_encoding else parsed.payload


def test_replay_announces_collection_archive_on_loopback(replay):
    server, _ = replay
    assert server.announced["url"] == f"http://127.0.0.1:{server.port}/archive/"


def test_a_redirect_chain_replays_hop_by_hop(replay):
    server, site = replay
    first = _body(server, site, "/redirect/301")
    assert first.status == 301 and urlsplit(first.getheader("Location", "")).path.endswith("/redirect/302")
    second = _body(server, site, "/redirect/302")
    assert second.status == 302 and urlsplit(second.getheader("Location", "")).path.endswith("/plain")
    last = _body(server, site, "/plain")
    assert last.status == 200 and last.read() == _payload(
        site.sent("/plain"), last.getheader("Content-Encoding")
    )


def test_a_gbk_page_replays_byte_for_byte_with_its_charset(replay):
    server, site = replay
    response = _body(server, site, "/gbk/page.html")
    body = response.read()
    assert response.status == 200 and "charset=gbk" in response.getheader("Content-Type", "").lower()
    assert body == _payload(site.sent("/gbk/page.html"), None)
    assert "劝返" in body.decode("gb18030")


def test_a_gzip_page_replays(replay):
    server, site = replay
    response = _body(server, site, "/gzip")
    body = response.read()
    assert response.status == 200
    assert body == _payload(site.sent("/gzip"), response.getheader("Content-Encoding"))


def test_a_revisit_replays_the_body_of_its_original(replay):
    server, site = replay
    # one of the two (fetched concurrently) is the revisit of the other: both give the same body
    second, first = _body(server, site, "/same/b"), _body(server, site, "/same/a")
    body = second.read()
    assert second.status == first.status == 200
    assert body == first.read() == _payload(site.sent("/same/a"), None)


def test_the_replay_page_is_served_in_pywb_frame(replay):
    server, site = replay
    response = server.get(f"/archive/{site.url('/gbk/page.html')}")
    page = response.read().decode("utf-8", "replace")
    assert response.status == 200 and "text/html" in response.getheader("Content-Type", "")
    assert "replay_iframe" in page and site.url("/gbk/page.html") in page


def test_pywb_listens_on_loopback_only(replay):
    server, _ = replay
    port = f":{server.port:04X}"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and local.endswith(port):
                listening.append(local)
    assert listening == [f"0100007F{port}"]


def test_a_taken_port_and_a_missing_archive_are_reported(replay, tmp_path):
    server, _ = replay
    taken = run_cli("replay", "--archive", tmp_path, "--port", str(server.port))
    assert taken.returncode == 2  # no archive there: a usage error, checked first
    (tmp_path / "warcs").mkdir()
    taken = run_cli("replay", "--archive", tmp_path, "--port", str(server.port))
    assert taken.returncode == 1 and "in use" in taken.stderr


def test_sigterm_stops_pywb_too(mocksite, tmp_path):
    archive = tmp_path / "archive"
    assert archive_cli(archive, mocksite.url("/plain"), "--no-extract").returncode == 0
    port = _free_port()
    server = start_replay(archive, port, tmp_path / "log")
    assert server.get(f"/archive/id_/{mocksite.url('/plain')}").status == 200
    assert stop_replay(server) == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # free again: no pywb left behind


# in a real browser -------------------------------------------------------------------------------
def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--window-size=1200,900", "--virtual-time-budget=5000", *args,
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def demo_replay(tmp_path_factory) -> Iterator[tuple[Replay, str, object]]:
    from sourcekeeper.demo.site import NOTICES

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian chromium is missing in CI (scripts/system-deps.sh installs it)")
        pytest.skip("Debian chromium is not installed (scripts/system-deps.sh installs it; CI runs this)")
    notice = NOTICES[-1]
    work = tmp_path_factory.mktemp("demo-replay")
    with ServedSite("sourcekeeper.demo.site:DEMO_ROUTES") as site:
        url = site.url(notice.path)
        result = archive_cli(work / "archive", url, "--no-extract")
        assert result.returncode == 0, result.stderr
    server = start_replay(work / "archive", _free_port(), work / "replay.log")
    try:
        yield server, url, notice
    finally:
        stop_replay(server)


def test_chromium_renders_the_replayed_notice_in_chinese(demo_replay, tmp_path):
    server, url, notice = demo_replay
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "replay-demo-notice.png"
    screenshot.unlink(missing_ok=True)
    replay_page = f"http://127.0.0.1:{server.port}/archive/{url}"
    shot = _chromium(f"--screenshot={screenshot}", replay_page, profile=tmp_path / "profile")
    assert shot.returncode == 0, shot.stderr.decode()[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 10_000
    # the replay frame read the page's title from the rendered, GBK-decoded page
    framed = _chromium("--dump-dom", replay_page, profile=tmp_path / "profile").stdout.decode("utf-8")
    assert f"Archived Page: {notice.title}" in framed  # type: ignore[attr-defined]
    # and the archived body itself renders the notice text
    body = _chromium(
        "--dump-dom", f"http://127.0.0.1:{server.port}/archive/id_/{url}", profile=tmp_path / "profile"
    )
    dom = body.stdout.decode("utf-8")
    assert notice.title in dom and notice.text[0] in dom  # type: ignore[attr-defined]
