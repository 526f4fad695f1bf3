"""Quoted passages end to end: seeds and a `--quotes` file, a report whose citing paragraphs quote,
the proof as WARC metadata records, a re-check that finds one quote altered and one gone, and the
one alert it sends to a local SMTP server and a local webhook, with no secret written anywhere."""

from __future__ import annotations

import email
import gzip
import hashlib
import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from archive_helpers import FAST, CliResult, archive_cli, run_cli, warc_files
from warcio.archiveiterator import ArchiveIterator

from pipelines.extraction.quotes import folded
from sourcekeeper.demo.rawsite import ServedSite

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)

SITE = "tests/quotes_site.py:ROUTES"
LOCAL = ["-s", "ARCHIVE_ALLOW_PRIVATE=127.0.0.0/8", "-s", "EXTRACT_PROCESSES=0"]
SMTP_PASSWORD = "SmtpPw4242xq"
HOOK_PASSWORD = "HookPw9137zz"
HOOK_TOKEN = "TokSecret5521"
SECRETS = (SMTP_PASSWORD, HOOK_PASSWORD, HOOK_TOKEN)


@dataclass
class Received:
    mails: list[Message] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Story:
    archive: Path
    base: str
    first: CliResult
    from_report: CliResult
    recheck: CliResult
    received: Received


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _smtp(received: Received) -> Any:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            received.mails.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    def accept(*_: Any) -> AuthResult:
        return AuthResult(success=True)

    return Controller(
        Handler(), hostname="127.0.0.1", port=_free_port(), authenticator=accept, auth_require_tls=False
    )


def _webhook(received: Received) -> ThreadingHTTPServer:
    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.posts.append({"path": self.path, **json.loads(body)})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Hook)


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    root = tmp_path_factory.mktemp("quotes")
    archive = root / "archive"
    received = Received()
    smtp, hook = _smtp(received), _webhook(received)
    smtp.start()
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        with ServedSite(SITE) as site:
            base = site.base_url
            seeds = root / "seeds.txt"
            seeds.write_text(
                f'{base}/notice.html  "在外人員勸返工作"  # the report quotes it in traditional characters\n'
                f"{base}/notice.html  “３月底前完成abc核查”\n"
                f"{base}/notice.html  「开展政策宣讲」\n"
                f'{base}/steady.html  "政策宣传活动"\n',
                "utf-8",
            )
            quotes = root / "quotes.tsv"
            quotes.write_text(f"{base}/steady.html\t完全不存在的句子\n", "utf-8")
            first = archive_cli(archive, "--seeds", seeds, "--quotes", quotes, *LOCAL)
            report = root / "report.html"
            report.write_text(
                f"<html><head><title>报告</title></head><body>"
                f"<p>通知要求「严格工作纪律」，见<a href='{base}/notice.html'>通知</a>。</p>"
                f"<p>其第二段另有规定，见<a href='{base}/notice.html#para2'>第二段</a>。</p></body></html>",
                "utf-8",
            )
            from_report = archive_cli(archive, "--from-report", report, *LOCAL)
            site.set_mode("after")
            mailto = (
                f"mailto://alice:{SMTP_PASSWORD}@127.0.0.1:{smtp.port}"
                "?to=analyst@example.org&from=sk@example.org&mode=insecure"
            )
            webhook = (
                f"json://hook:{HOOK_PASSWORD}@127.0.0.1:{hook.server_address[1]}/alerts?token={HOOK_TOKEN}"
            )
            refused = f"json://127.0.0.1:{_free_port()}/nobody"
            recheck = run_cli(
                "recheck", "--archive", archive, *FAST, *LOCAL, "-s", "RECHECK_CONFIRM_DELAY=0.2", "--json",
                "--notify", mailto, "--notify", webhook, "--notify", refused,
            )  # fmt: skip
        yield Story(archive, base, first, from_report, recheck, received)
    finally:
        smtp.stop()
        hook.shutdown()


def _quote_rows(archive: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(archive / "index.sqlite3") as db:
        return list(
            db.execute("select run_id, url, quote, status, previous_status, given_in from quotes order by id")
        )


def test_quotes_not_found_at_first_capture_are_named_at_once(story: Story):
    assert story.first.returncode == 0, story.first.stderr
    lines = story.first.stderr.splitlines()
    assert "  quotes: 3 present, 1 altered, 1 missing" in lines
    steady = f"{story.base}/steady.html"
    assert (
        f"  quote not found: 「政策宣传活动」 in {steady}: altered — closest sentence: "
        "各乡镇要开展政策宣讲活动。 (政策宣[传→讲]活动)"
    ) in lines
    assert any(
        line.startswith(f"  quote not found: 「完全不存在的句子」 in {steady}: missing") for line in lines
    )
    assert not any("在外人員勸返工作" in line for line in lines)  # found, so not named


def test_each_check_is_a_metadata_record_beside_the_response_with_its_hashes(story: Story):
    responses: dict[str, str] = {}
    checks: list[tuple[dict[str, Any], str]] = []
    for path in warc_files(story.archive):
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                headers = record.rec_headers
                if record.rec_type == "response":
                    responses.setdefault(
                        headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Record-ID")
                    )
                elif record.rec_type == "metadata":
                    block = record.content_stream().read()
                    if b"sourcekeeper-quote/1" in block:
                        checks.append((json.loads(block), headers.get_header("WARC-Refers-To")))
    notice = f"{story.base}/notice.html"
    first, refers_to = next((b, r) for b, r in checks if b["quote"] == "在外人員勸返工作")
    assert refers_to == first["refers_to"] == responses[notice]
    assert first["status"] == "present" and first["url"] == notice
    assert first["matched"] == "在外人员劝返工作"
    assert first["sentence"] == "为切实做好本县在外人员劝返工作，现将有关事项通知如下。"
    assert first["quote_sha256"] == hashlib.sha256("在外人员劝返工作".encode()).hexdigest()
    assert first["sentence_sha256"] == hashlib.sha256(first["sentence"].encode()).hexdigest()
    assert first["quote_sha256"] == hashlib.sha256(folded("在外人員勸返工作").encode()).hexdigest()
    altered = [b for b, _ in checks if b["quote"] == "在外人員勸返工作" and b["status"] == "altered"]
    assert altered and altered[-1]["sentence"] == "为切实做好本县在外人员劝归工作，现将有关事项通知如下。"


def test_a_report_keeps_both_places_of_a_source_and_checks_its_quotes(story: Story):
    assert story.from_report.returncode == 0, story.from_report.stderr
    [manifest] = (story.archive / "citations").glob("*.json")
    [citation] = json.loads(manifest.read_text("utf-8"))["citations"]
    notice = f"{story.base}/notice.html"
    assert citation["url"] == notice and citation["occurrences"] == 2
    assert [p["url_as_written"] for p in citation["places"]] == [notice, f"{notice}#para2"]
    assert [p["fragment"] for p in citation["places"]] == [None, "para2"]
    csv_text = manifest.with_suffix(".csv").read_text("utf-8-sig")
    assert f"{notice} {notice}#para2" in csv_text
    assert "  quotes: 4 present, 0 altered, 0 missing" in story.from_report.stderr.splitlines()
    report_rows = [r for r in _quote_rows(story.archive) if r[2] == "严格工作纪律"]
    assert report_rows[0][3] == "present" and report_rows[0][5].endswith("report.html")


def test_a_recheck_finds_one_quote_altered_and_one_missing(story: Story):
    assert story.recheck.returncode == 0, story.recheck.stderr  # a failed alert changes no exit code
    events = {e["url"]: e for e in map(json.loads, story.recheck.stdout.splitlines())}
    notice = events[f"{story.base}/notice.html"]
    statuses = {q["quote"]: (q["previous_status"], q["status"]) for q in notice["quotes"]}
    assert statuses == {
        "在外人員勸返工作": ("present", "altered"),
        "３月底前完成abc核查": ("present", "present"),
        "开展政策宣讲": ("present", "missing"),
        "严格工作纪律": ("present", "present"),
    }
    altered = next(q for q in notice["quotes"] if q["quote"] == "在外人員勸返工作")
    assert [p for p in altered["diff"] if p["op"] != "equal"] == [
        {"op": "replace", "quote": "返", "page": "归"}
    ]
    assert notice["quote_changes"] == 2
    assert events[f"{story.base}/steady.html"]["quote_changes"] == 0
    assert "2 quote change(s)" in story.recheck.stderr
    shown = run_cli("show", "--archive", story.archive, f"{story.base}/notice.html", "--quotes", "--json")
    listed = {q["quote"]: q["status"] for q in json.loads(shown.stdout)["quotes"]}
    assert listed["开展政策宣讲"] == "missing" and listed["３月底前完成abc核查"] == "present"


def test_one_alert_per_run_reaches_mail_and_webhook_with_the_changed_source_only(story: Story):
    assert len(story.received.mails) == 1 and len(story.received.posts) == 1
    [post], [mail] = story.received.posts, story.received.mails
    notice, steady = f"{story.base}/notice.html", f"{story.base}/steady.html"
    assert post["path"].startswith("/alerts")
    assert post["title"] == "sourcekeeper re-check run 3: 1 changes, 2 quote changes"
    assert notice in post["message"] and steady not in post["message"]
    assert "quote 「开展政策宣讲」: present → missing" in post["message"]
    assert f"diff: sourcekeeper diff {notice}" in post["message"]
    body = next(
        p.get_payload(decode=True).decode() for p in mail.walk() if p.get_content_type() == "text/plain"
    )
    assert notice in body and steady not in body
    assert "alert NOT delivered" in story.recheck.stderr  # the refused address, logged


def test_no_secret_of_a_notification_url_is_written_anywhere(story: Story):
    for secret in SECRETS:
        assert secret not in story.recheck.stderr and secret not in story.recheck.stdout
    for path in story.archive.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        for secret in SECRETS:
            assert secret.encode() not in data, f"{secret} in {path}"
    assert "json://hook:***@127.0.0.1" in story.recheck.stderr  # named, redacted


def test_the_report_carries_each_quote_in_text_json_and_html(story: Story, tmp_path: Path):
    notice = f"{story.base}/notice.html"
    text = run_cli("report", "--archive", story.archive)
    assert text.returncode == 0, text.stderr
    assert f"            quote 「开展政策宣讲」 in {notice}: missing — closest sentence:" in text.stdout
    as_json = run_cli("report", "--archive", story.archive, "--json")
    sources = {s["url"]: s for s in map(json.loads, as_json.stdout.splitlines())}
    quoted = {q["quote"]: q["status"] for q in sources[notice]["quotes"]}
    assert quoted["在外人員勸返工作"] == "altered" and quoted["严格工作纪律"] == "present"
    page = tmp_path / "report.html"
    assert run_cli("report", "--archive", story.archive, "--html", page).returncode == 0
    html = page.read_text("utf-8")
    assert '<li class="q-altered">「在外人員勸返工作」 <b>altered</b> (was present)' in html
    assert "<code>在外人员劝[返→归]工作</code>" in html
