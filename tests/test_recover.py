"""`recover URL…` (issue 17) against a real pywb with Memento on, serving a WARC the test wrote,
and a small front server for the awkward archives: a TimeMap that redirects, one that pages,
one that answers 429 first, one that always does, one that never answers in time."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from archive_helpers import cli_here, run_cli
from public_archive import DATES, GONE, NEVER, TITLE, make_public_archive, notice_html

from archive_store.export.replay import ReplayServer
from archive_store.warc.members import iter_records

pytestmark = pytest.mark.slow  # every test here runs sourcekeeper in a subprocess
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "EXTRACT_PROCESSES=0", "-s", "ARCHIVE_ALLOW_PRIVATE=true"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Iterator[str]:
    """The other archive: pywb over an imported WARC with three versions of GONE."""
    root = make_public_archive(tmp_path_factory.mktemp("public") / "archive")
    with ReplayServer(root, _free_port()) as server:
        yield server.base_url  # http://127.0.0.1:PORT/archive/


class _Front(BaseHTTPRequestHandler):
    pywb = ""
    seen: ClassVar[Counter[str]] = Counter()

    def do_GET(self) -> None:
        kind, _, rest = self.path.lstrip("/").partition("/timemap/link/")
        self.seen[kind] += 1
        real = f"{self.pywb}timemap/link/{rest}"
        if kind == "redirect":
            self._answer(302, b"", Location=real)
        elif kind in ("paged", "paged2"):
            with urllib.request.urlopen(real, timeout=10) as answer:
                links = answer.read().decode().split(",\n")
            mementos = [link for link in links if 'rel="memento"' in link]
            if kind == "paged":
                port = self.server.server_address[1]
                more = f'<http://127.0.0.1:{port}/paged2/timemap/link/{rest}>; rel="timemap"'
                self._answer(200, ",\n".join([*mementos[:1], more]).encode())
            else:
                self._answer(200, ",\n".join(mementos[1:]).encode())
        elif kind == "busy" and self.seen[kind] == 1:
            self._answer(429, b"slow down", **{"Retry-After": "1"})
        elif kind == "busy":
            self._answer(302, b"", Location=real)
        elif kind == "always429":
            self._answer(429, b"slow down", **{"Retry-After": "1"})
        elif kind == "slow":
            time.sleep(3)
            self._answer(200, b"")
        else:
            self._answer(404, b"")

    def _answer(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/link-format")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def front(public) -> Iterator[str]:
    _Front.pywb = public
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Front)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _recover(archive: Path, *args: str) -> tuple[int, dict[str, object], str]:
    result = run_cli("recover", "--archive", archive, "--json", *FAST, *args)
    summary = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.returncode, summary, result.stderr


def _entry(summary: dict[str, object], url: str) -> dict[str, object]:
    entries = summary["urls"]
    assert isinstance(entries, list)
    return next(e for e in entries if e["url"] == url)


def test_several_mementos_are_stored_as_third_party_copies_byte_exact(public, tmp_path):
    archive = tmp_path / "archive"
    code, summary, err = _recover(
        archive, "--endpoint", f"{public}timemap/link/", "-s", "ARCHIVE_MEMENTO_MAX_PER_URL=0", GONE, NEVER
    )
    assert code == 0, err
    gone, never = _entry(summary, GONE), _entry(summary, NEVER)
    assert gone["mementos_found"] == len(DATES) and len(gone["stored"]) == len(DATES)  # type: ignore[arg-type]
    assert never["mementos_found"] == 0 and never["stored"] == [] and never["problems"] == []
    records = [r for warc in sorted((archive / "warcs").glob("*.warc.gz")) for r in iter_records(warc)]
    responses = [
        r for r in records if r.record_type == "response" and "id_/" in (r.get("WARC-Target-URI") or "")
    ]
    bodies = {r.block.partition(b"\r\n\r\n")[2] for r in responses}
    assert bodies == {notice_html(n) for n in range(1, len(DATES) + 1)}  # the original bytes
    links = [
        json.loads(r.block) for r in records if r.record_type == "metadata" and b"memento_datetime" in r.block
    ]
    assert sorted(link["memento_datetime"] for link in links) == sorted(DATES)
    assert {link["original_url"] for link in links} == {GONE}
    assert all(link["timemap"].endswith(f"timemap/link/{GONE}") for link in links)
    shown = json.loads(cli_here("show", "--archive", archive, "--json", GONE).stdout)
    assert shown["origin"] == "third-party" and shown["memento_datetime"] == DATES[-1]
    assert shown["title"] == TITLE and "第3版" in shown["text"]
    assert shown["memento_url"].startswith(public) and GONE in shown["memento_url"]
    history = cli_here("history", "--archive", archive, "--json", GONE)
    entries = [json.loads(line) for line in history.stdout.splitlines()]
    assert [e["origin"] for e in entries] == ["third-party"] * len(DATES)
    assert cli_here("verify", "--archive", archive).returncode == 0
    # again: everything is held already, nothing is fetched
    code, again, err = _recover(
        archive, "--endpoint", f"{public}timemap/link/", "-s", "ARCHIVE_MEMENTO_MAX_PER_URL=0", GONE
    )
    assert code == 0, err
    assert _entry(again, GONE)["already_held"] == len(DATES) and _entry(again, GONE)["fetching"] == []


def test_timemaps_that_redirect_page_or_ask_to_wait_are_followed(front, tmp_path):
    archive = tmp_path / "archive"
    _Front.seen.clear()
    code, summary, err = _recover(
        archive,
        "--endpoint", f"{front}/redirect/timemap/link/",
        "--endpoint", f"{front}/paged/timemap/link/",
        "--endpoint", f"{front}/busy/timemap/link/",
        "-s", "ARCHIVE_MEMENTO_MAX_PER_URL=1",
        GONE,
    )  # fmt: skip
    assert code == 0, err
    entry = _entry(summary, GONE)
    assert entry["mementos_found"] == len(DATES)  # the same three, whichever way they came
    assert any("/paged2/" in url for url in entry["timemaps"])  # type: ignore[union-attr]
    assert _Front.seen["busy"] == 2  # a 429, then the answer after Retry-After
    assert len(entry["stored"]) == 1  # type: ignore[arg-type]


def test_an_archive_that_always_says_429_or_times_out_is_named_and_others_still_answer(
    front, public, tmp_path
):
    archive = tmp_path / "archive"
    code, summary, err = _recover(
        archive,
        "--endpoint", f"{front}/always429/timemap/link/",
        "--endpoint", f"{front}/slow/timemap/link/",
        "--endpoint", f"{public}timemap/link/",
        "-s", "ARCHIVE_MEMENTO_TIMEOUT=1", "-s", "ARCHIVE_MEMENTO_RETRIES=1",
        "-s", "ARCHIVE_MEMENTO_MAX_PER_URL=1",
        GONE,
    )  # fmt: skip
    assert code == 1  # something failed, and says so
    entry = _entry(summary, GONE)
    problems = " | ".join(entry["problems"])  # type: ignore[arg-type]
    assert "HTTP 429" in problems and "timed out" in problems
    assert len(entry["stored"]) == 1  # type: ignore[arg-type]
    assert "problem:" in err


class _TakenDown(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = "<html><body>页面不存在</body></html>".encode()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_archive_with_recover_stores_copies_of_a_removed_source(tmp_path):
    site = ThreadingHTTPServer(("127.0.0.1", 0), _TakenDown)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    gone = f"http://127.0.0.1:{site.server_address[1]}/gzdt/t20200114_9.html"
    public = make_public_archive(tmp_path / "public" / "archive", gone)
    archive = tmp_path / "archive"
    try:
        with ReplayServer(public, _free_port()) as server:
            endpoint = f"ARCHIVE_MEMENTO_ENDPOINTS={server.base_url}timemap/link/"
            result = run_cli("archive", "--archive", archive, *FAST, "-s", endpoint, "--recover", gone)
    finally:
        site.shutdown()
        site.server_close()
    assert result.returncode == 1, result.stderr  # the seed was gone at its first fetch: none of ours
    assert f"{gone}: gone (HTTP 404) at first fetch" in result.stderr
    assert "recover " in result.stderr and "stored as third-party copies" in result.stderr
    assert "public web archives may hold a copy" not in result.stderr  # --recover asked them already
    entries = [
        json.loads(x) for x in cli_here("history", "--archive", archive, "--json", gone).stdout.splitlines()
    ]
    own = [e for e in entries if e["origin"] == "own"]
    theirs = [e for e in entries if e["origin"] == "third-party"]
    assert [e["http_status"] for e in own] == [404]  # what we saw: gone
    assert len(theirs) == 3 and all(e["memento_datetime"] in DATES for e in theirs)
    robust = run_cli(
        "report", "--archive", archive, "--robust-links", "--replay-base", "http://replay.example/a/"
    )
    anchors = robust.stdout.splitlines()
    assert len(anchors) == 3 and all(a.startswith(f'<a href="{gone}" data-versionurl="http') for a in anchors)
    assert "replay.example" not in robust.stdout  # our 404 is no copy to cite
    assert sum(f'data-versiondate="{d[:10]}"' in robust.stdout for d in DATES) == 3  # the mementos
    report = json.loads(run_cli("report", "--archive", archive, "--json").stdout.splitlines()[0])
    assert report["state"] == "gone" and len(report["third_party"]) == 3  # ours says gone
