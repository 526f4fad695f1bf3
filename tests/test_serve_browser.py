"""`sourcekeeper serve` in a real browser: Playwright driving Debian's Chromium against a server
this module starts (one server, one browser, shared by the tests), over an archive written directly
(tests/serve_archive.py). Screenshots of each page go to test-artifacts/."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from archive_helpers import ROOT
from serve_archive import EVIL, HOSTILE, HOSTILE_TITLES, NEWS, build

from archive_store.index.accounts import add_account
from archive_store.index.database import ArchiveIndex, default_db_url
from sourcekeeper.web.auth import hash_password

pytestmark = pytest.mark.slow  # `python -m sourcekeeper` in subprocesses (the server, its add job)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
PASSWORDS = {"ana": "analyst-pass-1", "vic": "viewer-pass-1"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "sourcekeeper", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def _wait_http(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"nothing answered at {url}")


class Server:
    def __init__(self, archive: Path, port: int, extra: list[str]) -> None:
        self.archive, self.port = archive, port
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.log = archive.parent / "serve.log"  # a file, not a pipe nobody reads
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sourcekeeper",
                "serve",
                "--archive",
                str(archive),
                "--port",
                str(port),
                "--json",
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=self.log.open("wb"),
            env=env,
            text=True,
        )
        assert self.proc.stdout is not None
        announced = json.loads(self.proc.stdout.readline())
        self.url: str = announced["url"].rstrip("/")
        self.replay: str = announced["replay"]
        _wait_http(self.url + "/login")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Any]]:
    pytest.importorskip("playwright")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (scripts/system-deps.sh)")
    root = tmp_path_factory.mktemp("serve") / "archive"
    port = _free_port()
    built = build(root, app_origin=f"http://127.0.0.1:{port}")
    index = ArchiveIndex(default_db_url(root))  # accounts in-process (tests/test_serve.py runs `users`)
    for name, role in (("ana", "analyst"), ("vic", "viewer")):
        add_account(index, name, role, hash_password(PASSWORDS[name]))
    index.close()
    fast = [
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "DOWNLOAD_TIMEOUT=4",
        "-s",
        "RETRY_TIMES=0",
    ]
    server = Server(root, port, ["--login", "--replay-port", str(_free_port()), *fast])
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            yield server, (browser, built)
        finally:
            browser.close()
            server.stop()


def _login(context: Any, server: Server, name: str, password: str | None = None) -> Any:
    page = context.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password or PASSWORDS[name])
    page.click("button[type=submit]")
    return page


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"serve-{name}.png"), full_page=True)


def test_reading_search_source_compare_and_hostile_titles(served: tuple[Server, Any]) -> None:
    server, (browser, built) = served
    context = browser.new_context(locale="en-US")
    dialogs: list[str] = []
    page = _login(context, server, "vic")
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.wait_for_url(server.url + "/")
    # the sources list: newest removals and changes first, a restored source named so
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    assert "restored" in rows.nth(0).inner_text()
    assert page.locator(".counts").inner_text().count("restored 1") == 1
    _shot(page, "sources")

    # search 劝返, the hit sentence highlighted, open the hit
    response = page.goto(server.url + "/search?q=" + quote("劝返"))
    assert response is not None
    headers = response.headers
    assert headers["content-security-policy"].startswith("default-src 'none'")
    assert "script-src" not in headers["content-security-policy"]  # no script of any kind
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    marks = page.locator(".hit mark")
    assert marks.count() >= 2 and marks.first.inner_text() == "劝返"
    assert "【" not in page.locator(".hit .snippet").first.inner_text()
    _shot(page, "search")
    page.click(".hit .title a >> text=关于开展劝返工作的通知")
    page.wait_for_url(re.compile(r"/source\?url="))
    timeline = page.locator("table.timeline").inner_text()
    for seen in ("removed", "new removal", "restored", "changed", "HTTP 404"):
        assert seen in timeline, seen
    assert "各单位要依法开展工作" in page.locator(".archived-text").inner_text()
    assert built.captures[NEWS][-1] and "WARC file" in page.locator("dl.facts").inner_text()
    _shot(page, "source")

    # compare the first and second captures, chosen on the timeline
    first, second = built.captures[NEWS][:2]
    page.check(f"input[name=a][value='{first}']")
    page.check(f"input[name=b][value='{second}']")
    page.click("text=Compare the two captures chosen")
    page.wait_for_url(re.compile(r"/compare\?"))
    diff = page.locator(".capture-diff")
    assert "各单位要对在逃人员亲属开展劝返工作。" in diff.locator("tr.r-removed td.b").all_inner_texts()
    assert "新增一句说明。" in diff.locator("tr.r-added td.a").all_inner_texts()
    # the fragment's stylesheet (/diff.css) applied under the CSP: an added sentence is green
    added = diff.locator("tr.r-added td.a ins").last
    assert added.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(200, 230, 201)"
    _shot(page, "compare")

    # hostile titles are text, never markup; nothing ran
    page.goto(server.url + "/source?url=" + quote(HOSTILE, safe=""))
    body = page.locator("main").inner_text()
    assert HOSTILE_TITLES[1] in body and HOSTILE_TITLES[0] in body
    assert page.locator("main img[src=x]").count() == 0 and page.locator("main script").count() == 0
    _shot(page, "hostile")
    assert dialogs == []

    # the interface in Chinese, by the switch
    page.click("a[lang=zh-Hans]")
    page.wait_for_load_state()
    assert "来源" in page.locator("header").inner_text()
    page.goto(server.url + "/")
    assert "已恢复" in page.locator("main").inner_text()
    _shot(page, "sources-zh")

    page.goto(server.url + "/export")
    _shot(page, "export-zh")
    # a viewer cannot add
    response = page.goto(server.url + "/add")
    assert response is not None and response.status == 403
    context.close()


def test_replay_is_on_another_origin(served: tuple[Server, Any]) -> None:
    server, (browser, _built) = served
    context = browser.new_context()
    page = _login(context, server, "ana")
    page.wait_for_url(server.url + "/")
    assert any(c["name"] == "sourcekeeper_session" and c["httpOnly"] for c in context.cookies())
    page.goto(server.url + "/source?url=" + quote(EVIL, safe=""))
    link = page.locator("a:has-text('Open in replay')").get_attribute("href")
    assert link and not link.startswith(server.url)
    _wait_http(server.replay)
    # the archived body as it was (no rewriting) and the replay frame: in neither does the page's
    # script see the application's cookie or read its pages
    for target in (link.replace("/archive/20260101080000/", "/archive/20260101080000id_/"), link):
        replay = context.new_page()
        replay.goto(target)
        frame = None
        for _ in range(100):
            frame = next(
                (
                    f
                    for f in replay.frames
                    if f.url.endswith("evil.html") and f.query_selector("#out[data-api]")
                ),
                None,
            )
            if frame:
                break
            time.sleep(0.2)
        assert frame is not None, target
        out = frame.query_selector("#out")
        assert out is not None
        assert "sourcekeeper_session" not in (out.get_attribute("data-cookie") or "")
        api = out.get_attribute("data-api") or ""
        if "id_/" in target:  # unrewritten: the browser itself refuses the cross-origin read
            assert api == "refused", api
        else:  # in the replay frame pywb sends the call to the archive, which has no such page
            assert api == "refused" or (api.startswith("READ:") and "sourcekeeper" not in api), api
        _shot(replay, "replay")
        replay.close()
    context.close()


def _docx(urls: list[str]) -> bytes:
    import io

    import docx

    document = docx.Document()
    document.add_heading("海外劝返调查报告", 1)
    for n, url in enumerate(urls, start=1):
        document.add_paragraph(f"第{n}条来源：{url} 。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _job_end(page: Any) -> str:
    state = ""
    for _ in range(240):
        state = str(page.locator("#job-state").inner_text())
        if "running" not in state:
            break
        time.sleep(0.5)
        page.reload()
    return state


def test_add_a_docx_report_and_watch_its_job(
    served: tuple[Server, Any], mocksite: Any, tmp_path: Path
) -> None:
    server, (browser, _built) = served
    cited = [mocksite.url("/plain"), mocksite.url("/same/a")]
    report = tmp_path / "报告.docx"
    report.write_bytes(_docx(cited))
    context = browser.new_context()
    page = _login(context, server, "ana")
    page.wait_for_url(server.url + "/")
    page.goto(server.url + "/add")
    _shot(page, "add")
    page.set_input_files("input[name=report]", str(report))
    page.click("text=List the citations")
    listed = page.locator("ol.citations").inner_text()
    assert all(url in listed for url in cited), listed
    _shot(page, "add-confirm")
    page.click("text=Archive them")
    page.wait_for_url(re.compile(r"/jobs/"))
    state = _job_end(page)
    assert "finished" in state and "problems" not in state, page.locator("pre.log").inner_text()
    _shot(page, "job")
    page.goto(server.url + "/")
    assert all(url in page.locator("main").inner_text() for url in cited)
    entries = [json.loads(line) for line in (server.archive / "custody.jsonl").read_text().splitlines()]
    started = [e for e in entries if e["event"] == "web_add_started"]
    assert started and started[-1]["account"] == "ana" and started[-1]["urls"] == cited
    # an analyst re-checks a source from its page; the timeline shows the re-check
    page.goto(server.url + "/source?url=" + quote(cited[0], safe=""))
    page.click("text=Re-check now")
    page.wait_for_url(re.compile(r"/jobs/"))
    state = _job_end(page)
    assert "finished" in state and "problems" not in state, page.locator("pre.log").inner_text()
    page.goto(server.url + "/source?url=" + quote(cited[0], safe=""))
    assert "unchanged" in page.locator("table.timeline").inner_text()
    context.close()


def test_publish_opened_from_disk_and_replayed(served: tuple[Server, Any], tmp_path: Path) -> None:
    server, (browser, built) = served
    out = tmp_path / "published"
    made = _cli(
        "publish", str(built.report_id), "--out", str(out), "--json", "--archive", str(server.archive)
    )
    assert made.returncode == 0, made.stderr
    summary = json.loads(made.stdout)
    assert summary["citations"] == 3 and summary["wacz"]
    context = browser.new_context()
    page = context.new_page()
    page.goto((out / "index.html").as_uri())
    rows = page.locator("table.citations tbody tr")
    assert [rows.nth(i).get_attribute("id") for i in range(rows.count())] == ["c1", "c2", "c3"]
    first = rows.nth(0).inner_text()
    assert (
        NEWS in first
        and "restored" in first
        and "2026-01-01 08:00:00" in first
        and "2026-01-04 08:00:00" in first
    )
    assert HOSTILE_TITLES[1] in rows.nth(2).inner_text() and page.locator("img[src=x]").count() == 0
    _shot(page, "publish")
    # publishing again (after a re-check) updates the folder in place
    from archive_store.index.schema import RecheckEvent
    from sourcekeeper.web.publish import publish_report

    index = ArchiveIndex(default_db_url(server.archive), create=False)
    try:  # a re-check finds the evil page removed; publishing again (by title, in-process) shows it
        with index.session() as s:
            s.add(RecheckEvent(url=EVIL, checked_at=datetime(2026, 2, 1), state="removed", reason="HTTP 404"))
            s.commit()
        again = publish_report(index, server.archive, "海外追逃报告", out)
    finally:
        index.close()
    assert again.citations == 3 and again.wacz
    page.reload()
    assert "removed" in page.locator("#c2").inner_text()
    if not summary["replay"]:
        pytest.skip("ReplayWeb.page's files are not installed (make replaywebpage needs npm)")
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    from replayweb import _RangeHandler  # serves the ranges ReplayWeb.page reads a WACZ by

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_RangeHandler, directory=str(out)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        view = f"http://127.0.0.1:{httpd.server_address[1]}/view-1.html"
        page.goto(view)
        active = "navigator.serviceWorker.getRegistrations().then(r => r.some(x => x.active))"
        page.wait_for_function(active, timeout=90_000)
        page.reload()
        text = ""
        for _ in range(120):
            texts = []
            for frame in page.frames:
                try:
                    texts.append(frame.evaluate("document.body ? document.body.innerText : ''"))
                except Exception:
                    texts.append("")
            text = next((t for t in texts if "新增一句说明" in t), "")
            if text:
                break
            time.sleep(0.5)
        assert "关于开展劝返工作的通知" in text
        _shot(page, "publish-replay")
    finally:
        httpd.shutdown()
        httpd.server_close()
    context.close()


def test_csrf_and_login_rate_limit(served: tuple[Server, Any]) -> None:
    server, (browser, _built) = served
    context = browser.new_context(java_script_enabled=False)  # every page works without it
    page = _login(context, server, "ana")
    page.wait_for_url(server.url + "/")
    page.fill("input[name=site]", "example.gov.cn")
    page.select_option("select[name=state]", "restored")
    page.click("button:has-text('Filter')")
    assert page.locator("table tbody tr").count() == 1
    page.goto(server.url + "/search?q=" + quote("劝返"))
    page.click(".hit .title a >> nth=0")
    assert "restored" in page.locator("main .card").first.inner_text()
    refused = page.request.post(server.url + "/add", multipart={"urls": "http://example.org/"})
    assert refused.status == 403 and "CSRF" in refused.text()
    forged = page.request.post(
        server.url + "/add", multipart={"urls": "http://example.org/", "csrf": "forged"}
    )
    assert forged.status == 403
    context.close()
    context = browser.new_context()
    for attempt in range(6):
        page = _login(context, server, "vic", "wrong password")
        page.wait_for_load_state()
        text = page.locator(".error").inner_text()
        assert ("Too many failed logins" in text) == (attempt == 5), (attempt, text)
        page.close()
    page = _login(context, server, "vic")  # the right password is refused too while blocked
    assert "Too many failed logins" in page.locator(".error").inner_text()
    _shot(page, "login-limited")
    context.close()
