"""Rendering over HTTPS with a self-signed certificate, and the rendered page in pywb (issue 14).

One crawl with `--render auto` of two challenged pages of tests/render_site.py: the Ruishu-like 412
flow over HTTPS (a TLS front on 127.0.0.1 with a self-signed certificate made here, passing the
site's bytes through unchanged), and the WZWS-like flow over HTTP (a 200 challenge titled "安全验证",
the case where replay could show the challenge instead of the article). Then: the final page is the
capture, every response block is the bytes the site sent, the HTTPS capture has its TLS facts
(issue 16); and pywb, serving the archive, shows the final article in headless Chromium, with a
screenshot in test-artifacts/.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from archive_helpers import ROOT, all_records, archive_cli, run_cli
from cryptography.hazmat.primitives import serialization
from test_replay import _free_port, start_replay, stop_replay
from tls_servers import issue, write_pair

from archive_store.crawl.render.browser import find_chromium
from sourcekeeper.demo.rawsite import ServedSite

SITE = "tests/render_site.py:ROUTES"
CHROMIUM = find_chromium()
ARTIFACTS = ROOT / "test-artifacts"
RENDER_FAST = ["-s", "EXTRACT_PROCESSES=0", "-s", "ARCHIVE_RENDER_TIMEOUT=8", "-s", "DOWNLOAD_TIMEOUT=6"]
HTTPS_PATH, HTTPS_TITLE = "/rs412/page", "瑞数412通知"
HTTP_PATH, HTTP_TITLE = "/wzws/page", "网站卫士通知"
CHALLENGE_TITLE = "安全验证"  # the WZWS-like challenge page's title
ARTICLE_START = "关于进一步做好海外侨胞服务工作的通知"

pytestmark = pytest.mark.slow  # crawls in subprocesses


# --- a TLS front: TLS on 127.0.0.1, the bytes passed to and from the plain site unchanged -------------
async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(1 << 16):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass  # a side hanging up mid-exchange is routine here
    finally:
        writer.close()


@contextlib.contextmanager
def tls_front(backend_port: int, cert: Path, key: Path) -> Iterator[int]:
    """Serve TLS on a port of its own, each connection piped to 127.0.0.1:`backend_port`; yields the port.

    The rawsite writes its replies byte for byte and records them, so what the crawler received
    inside TLS can be compared with what the site sent."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    loop = asyncio.new_event_loop()
    tasks: set[asyncio.Future[Any]] = set()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", backend_port)
        except OSError:
            writer.close()
            return
        both = asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        tasks.add(both)
        with contextlib.suppress(asyncio.CancelledError):
            await both
        tasks.discard(both)

    server = loop.run_until_complete(asyncio.start_server(on_connect, "127.0.0.1", 0, ssl=context))
    port = int(server.sockets[0].getsockname()[1])
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:

        async def shut() -> None:
            server.close()
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shut(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


@dataclass
class Crawl:
    archive: Path
    https_url: str
    http_url: str
    certificate_der: bytes
    result: Any
    # target (path + query) -> the bytes the site sent for its latest request
    sent: dict[str, bytes]
    # the targets archived with https:// URLs (fetched through the TLS front)
    https_targets: set[str]


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Debian chromium is missing in CI (scripts/system-deps.sh installs it)")
        pytest.skip("Chromium is not installed (apt-get install chromium; make system-deps as root)")
    work = tmp_path_factory.mktemp("render-https")
    leaf = issue("localhost")  # self-signed: its own issuer, names localhost and 127.0.0.1
    options = write_pair(work, "self-signed", leaf)
    cert, key = Path(options[1]), Path(options[3])
    archive = work / "archive"
    with ServedSite(SITE) as site:
        backend_port = int(urlsplit(site.base_url).port or 0)
        with tls_front(backend_port, cert, key) as port:
            https_url = f"https://127.0.0.1:{port}{HTTPS_PATH}"
            http_url = site.url(HTTP_PATH)
            result = archive_cli(archive, *RENDER_FAST, "--render", "auto", https_url, http_url)
        hits = site.hits()
        sent = {target: site.sent(target) for target in hits}
    https_targets = {
        _target(r.get("WARC-Target-URI") or "")
        for r in all_records(archive)
        if (r.get("WARC-Target-URI") or "").startswith(f"https://127.0.0.1:{port}/")
    }
    der = leaf.cert.public_bytes(serialization.Encoding.DER)
    return Crawl(archive, https_url, http_url, der, result, sent, https_targets)


def _show(archive: Path, url: str) -> dict[str, Any]:
    result = run_cli("show", "--archive", archive, "--json", url)
    assert result.returncode == 0, result.stderr
    shown: dict[str, Any] = json.loads(result.stdout)
    return shown


def test_the_crawl_finishes(crawl: Crawl) -> None:
    assert crawl.result.returncode == 0, crawl.result.stderr
    assert "Traceback" not in crawl.result.stderr


def test_https_final_page_is_the_capture(crawl: Crawl) -> None:
    fields = _show(crawl.archive, crawl.https_url)
    assert fields["http_status"] == 200
    assert fields["state"] == "ok"
    assert fields["rendered"] is True
    assert fields["title"] == HTTPS_TITLE
    assert fields["text"].startswith(ARTICLE_START)
    # the challenge, its external script (sent only with the HttpOnly seed cookie) and the final
    # page all came over TLS
    assert {HTTPS_PATH, "/rs412/Xk3aB9.rsA.js"} <= crawl.https_targets


def test_every_response_block_is_the_bytes_the_site_sent(crawl: Crawl) -> None:
    latest: dict[str, Any] = {}
    for record in all_records(crawl.archive):
        if record.record_type in ("response", "revisit"):
            latest[record.get("WARC-Target-URI") or ""] = record
    by_target = {_target(url): record for url, record in latest.items()}
    assert set(crawl.sent) == set(by_target), (set(crawl.sent), set(by_target))
    for target, data in crawl.sent.items():
        record = by_target[target]
        if record.record_type == "response":
            assert record.block == data, target
        else:  # a revisit keeps the head; the payload is its original's
            assert data.startswith(record.block.rstrip(b"\r\n")), target


def test_the_https_capture_has_its_tls_facts(crawl: Crawl) -> None:
    fields = _show(crawl.archive, crawl.https_url)
    tls = fields["tls"]
    assert isinstance(tls, dict), fields
    assert tls["protocol"] in ("TLSv1.2", "TLSv1.3")
    assert isinstance(tls["cipher"], str) and tls["cipher"]
    # self-signed: archived, not verified, and the chain is our certificate
    assert tls["verified"] is False
    assert tls["chain_sha256"] == [hashlib.sha256(crawl.certificate_der).hexdigest()]
    # the metadata record refers to the final page's response record
    records = all_records(crawl.archive)
    facts = [
        r
        for r in records
        if r.record_type == "metadata"
        and r.get("WARC-Refers-To") == fields["record_id"]
        and b'"tls"' in r.block
    ]
    assert len(facts) == 1
    body = json.loads(facts[0].block)
    pem = body["tls"]["chain_pem"]
    assert len(pem) == 1 and pem[0].startswith("-----BEGIN CERTIFICATE-----")
    assert ssl.PEM_cert_to_DER_cert(pem[0]) == crawl.certificate_der
    # the plain HTTP page has none
    assert _show(crawl.archive, crawl.http_url).get("tls") is None


# --- replay --------------------------------------------------------------------------------------------
_FRAME = """() => {
  const frame = document.getElementById('replay_iframe');
  const doc = frame ? frame.contentDocument : null;
  if (!doc || !doc.body || doc.readyState !== 'complete') return null;
  return {title: doc.title, text: doc.body.innerText, html: doc.documentElement.outerHTML};
}"""


@pytest.mark.parametrize(
    ("which", "title"), [("http", HTTP_TITLE), ("https", HTTPS_TITLE)], ids=["wzws-http", "ruishu-https"]
)
def test_replay_in_pywb_shows_the_final_page(crawl: Crawl, tmp_path: Path, which: str, title: str) -> None:
    from playwright.sync_api import sync_playwright

    assert crawl.result.returncode == 0, crawl.result.stderr
    url = crawl.http_url if which == "http" else crawl.https_url
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / f"replay-rendered-{which}.png"
    screenshot.unlink(missing_ok=True)
    server = start_replay(crawl.archive, _free_port(), tmp_path / "replay.log")
    try:
        # pywb holds the challenge answer(s) and the final page for this URL: it must pick the latest
        listed = server.get(f"/archive/cdx?output=json&url={url}").read().decode()
        rows = [json.loads(line) for line in listed.splitlines() if line.strip()]
        assert "200" in [row["status"] for row in rows], listed
        assert len({row["digest"] for row in rows}) >= 2, listed  # a challenge body and the article
        replay_page = f"http://127.0.0.1:{server.port}/archive/{url}"
        with sync_playwright() as driver:
            assert CHROMIUM is not None
            browser = driver.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
            )
            try:
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                page.goto(replay_page, wait_until="load", timeout=60_000)
                # a bound on the wait for the replay frame, not a timed assertion
                handle = page.wait_for_function(_FRAME, timeout=60_000)
                replayed: dict[str, str] = handle.json_value()
                page.wait_for_load_state("networkidle", timeout=30_000)
                page.screenshot(path=str(screenshot), full_page=True)
            finally:
                browser.close()
    finally:
        stop_replay(server)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert replayed["title"] == title
    assert ARTICLE_START in replayed["text"]
    assert f"<h1>{title}</h1>" in replayed["html"]
    # not the challenge: neither its title nor its script's marks
    assert CHALLENGE_TITLE not in replayed["html"]
    assert "wzwschallenge" not in replayed["html"] and "$_ts" not in replayed["html"]
