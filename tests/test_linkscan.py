"""A page's attachment links are looked for in a worker process beside the reactor: the same
links as the inline scan, and a crawl that goes on (scanning inline) when the worker dies."""

from __future__ import annotations

import io
import os
import pickle
import signal
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from archive_helpers import FAST, ROOT, archive_cli
from test_capture_options import ATTACHMENTS

from archive_store.index.database import ArchiveIndex, default_db_url
from scrapers.links import PageLinks, page_links
from scrapers.linkscan import _SCAN_ASIDE_MIN
from scrapers.linkscan_worker import serve

LARGE = "/large-page-with-attachments"


def _attachments(archive: Path, mocksite) -> dict[str, int]:
    index = ArchiveIndex(default_db_url(archive), create=False)
    page = mocksite.url(LARGE)
    return {c.url: c.hop for c in index.all_captures() if c.parent_url == page}


def _stat(stderr: str, name: str) -> int:
    line = next((line for line in stderr.splitlines() if f"'{name}'" in line), None)
    return int(line.rsplit(":", 1)[1].strip(" ,}")) if line else 0


@pytest.mark.slow
def test_a_large_page_is_scanned_in_the_worker_and_finds_what_the_inline_scan_finds(mocksite, tmp_path):
    body = subprocess.run(  # the route really is over the threshold (else this tests nothing)
        [
            sys.executable,
            "-c",
            "import urllib.request,sys; print(len(urllib.request.urlopen(sys.argv[1]).read()))",
            mocksite.url(LARGE),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert int(body) >= _SCAN_ASIDE_MIN
    found = {}
    for processes in (1, 0):  # 1 is the default
        archive = tmp_path / f"archive-{processes}"
        setting = [] if processes else ["-s", "ARCHIVE_SCAN_PROCESSES=0"]
        result = archive_cli(archive, mocksite.url(LARGE), "--no-extract", *setting, "-s", "LOG_LEVEL=INFO")
        assert result.returncode == 0, result.stderr
        assert _stat(result.stderr, "archive/links_scanned_aside") == processes
        assert "link-scan worker stopped" not in result.stderr
        found[processes] = _attachments(archive, mocksite)
    assert found[1] == found[0] == {mocksite.url(path): 1 for path in ATTACHMENTS}


WORKER_DIES = textwrap.dedent(
    """
    import asyncio, logging, os, signal, sys
    from scrapy.utils.reactor import install_reactor
    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from twisted.internet import reactor, defer
    from scrapers.linkscan import LinkScanner

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    page = open(sys.argv[1], "rb").read()

    async def run():
        scanner = LinkScanner(1)
        scanner.start()
        args = ("http://site.test/a.html", b"text/html; charset=utf-8", ("pdf", "doc"))
        first = await scanner.links(page, *args)
        os.kill(scanner._worker.transport.pid, signal.SIGKILL)
        await asyncio.sleep(0.5)
        second = await scanner.links(page, *args)
        await scanner.close()
        print("first", first.links)
        print("second", second.links)

    def main():
        d = defer.Deferred.fromFuture(asyncio.ensure_future(run()))
        d.addErrback(lambda f: print("error", f.getTraceback()))
        d.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(main)
    reactor.run()
    """
)


def test_a_crawl_goes_on_when_the_worker_dies(tmp_path):
    page = tmp_path / "page.html"
    links = '<p><a href="/files/a.pdf">a</a> <a href="/files/b.doc">b</a></p>'
    page.write_bytes(f"<html><body>{links}<p>{'正文' * 6000}</p></body></html>".encode())
    proc = subprocess.run(
        [sys.executable, "-c", WORKER_DIES, str(page)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    expected = "['http://site.test/files/a.pdf', 'http://site.test/files/b.doc']"
    assert f"first {expected}" in proc.stdout, proc.stdout + proc.stderr
    assert f"second {expected}" in proc.stdout, proc.stdout + proc.stderr
    assert "the link-scan worker stopped" in proc.stderr
    assert proc.returncode == 0


@pytest.mark.slow
def test_ctrl_c_stops_the_crawl_and_its_worker_quietly(mocksite, tmp_path):
    """Ctrl-C reaches the whole process group, the worker included: the crawl stops as an
    interrupted run (resumable), the worker goes with it, and no worker traceback is printed."""
    slow = [mocksite.url(f"/slow?ms=3000&n={n}") for n in range(4)]
    command = [sys.executable, "-m", "sourcekeeper", "archive", "--archive", str(tmp_path / "archive")]
    proc = subprocess.Popen(
        [*command, *FAST, mocksite.url(LARGE), *slow, "--no-extract"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while not _worker_of(proc.pid):  # the large page came in and its links are being looked for
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    worker = _worker_of(proc.pid)[0]
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C
    _, stderr = proc.communicate(timeout=60)
    text = stderr.decode("utf-8", "replace")
    assert "KeyboardInterrupt" not in text and "Traceback" not in text, text
    assert proc.returncode == 130
    assert text.strip().splitlines() == [text.strip()], text  # one line
    assert "interrupted: " in text and "run the same command to resume" in text, text  # it resumes
    assert not Path(f"/proc/{worker}").exists() or "zombie" in _state(worker)


def _worker_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"scrapers.linkscan_worker" in cmdline:
                found.append(int(entry.name))
    return found


def _state(pid: int) -> str:
    try:
        return (
            "zombie"
            if (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) == "Z"
            else "alive"
        )
    except OSError:
        return "gone"


def test_the_worker_answers_what_page_links_answers_frame_by_frame():
    """The worker's loop over its pipe: each frame answered in order, WeChat flag included."""
    wechat = b'<html><head><meta property="og:site_name" content="WeChat"></head><body>'
    wechat += (
        b'<div id="js_content"><img data-src="https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg"></div></body></html>'
    )
    pages = [
        (wechat, "https://mp.weixin.qq.com/s/abc", b"text/html; charset=utf-8"),
        (
            b'<a href="/f/a.pdf">a</a>' + "正文".encode("gbk") * 10,
            "http://site.test/n.html",
            b"text/html; charset=gbk",
        ),
        (b"\xff\xfe not html", "http://site.test/x", None),
    ]
    extensions = ("pdf", "jpg", "jpeg")
    frames = b""
    for seq, (body, url, content_type) in enumerate(pages):
        frame = pickle.dumps((seq, body, url, content_type, extensions))
        frames += struct.pack(">I", len(frame)) + frame
    sink = io.BytesIO()
    serve(io.BytesIO(frames), sink)
    answers, data = [], sink.getvalue()
    while data:
        (size,) = struct.unpack_from(">I", data)
        answers.append(pickle.loads(data[4 : 4 + size]))
        data = data[4 + size :]
    assert [seq for seq, _, _ in answers] == [0, 1, 2]
    for (_seq, found, error), (body, url, content_type) in zip(answers, pages, strict=True):
        assert error is None
        assert PageLinks(*found) == page_links(body, url, content_type, extensions)
    assert PageLinks(*answers[0][1]).wechat_article
    assert answers[1][1] == (["http://site.test/f/a.pdf"], False)
