"""A small archive for the web view's tests, written directly: real WARC records (warcio), their
capture and page rows, re-check events (a change, a confirmed removal, a restoration), a report
with citations, and hostile pages (markup in titles, a script that reaches for the app)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive_store.evidence.fixity import Manifest
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import Citation, Page, RecheckEvent, Report

WARC_NAME = "sourcekeeper-20260101000000000-00000-test.warc.gz"
SITE = "http://gaj.example.gov.cn"
NEWS = f"{SITE}/xxgk/t1.html"
EVIL = f"{SITE}/xxgk/evil.html"
HOSTILE = f"{SITE}/xxgk/hostile.html"
HOSTILE_TITLES = ("<script>alert('t1')</script>劝返", '"><img src=x onerror=alert(2)>')
FIRST_TEXT = "关于开展劝返工作的通知。各单位要对在逃人员亲属开展劝返工作。本通知自发布之日起施行。"
SECOND_TEXT = "关于开展劝返工作的通知。各单位要依法开展工作。本通知自发布之日起施行。新增一句说明。"
# what the evil page's script writes: the app's cookies and the answer of its API, as it sees them
EVIL_SCRIPT = """
<script>
var out = document.getElementById('out');
out.setAttribute('data-cookie', document.cookie);
var app = APP_ORIGIN;
fetch(app + '/source?url=x', {credentials: 'include'}).then(function (r) { return r.text(); })
  .then(function (t) { out.setAttribute('data-api', 'READ:' + t.slice(0, 4000)); })
  .catch(function (e) { out.setAttribute('data-api', 'refused'); out.textContent = 'api refused'; });
</script>"""


@dataclass
class Built:
    root: Path
    captures: dict[str, list[int]] = field(default_factory=dict)
    report_id: int = 0


def _html(title: str, body: str) -> bytes:
    from html import escape

    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
        f"<body><h1>{escape(title)}</h1><p>{escape(body)}</p></body></html>"
    ).encode()


def build(root: Path, app_origin: str = "http://127.0.0.1:1") -> Built:
    (root / "warcs").mkdir(parents=True)
    index = ArchiveIndex(default_db_url(root))
    start = datetime(2026, 1, 1, 8, 0, 0)
    built = Built(root)
    evil_body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>evil page</title></head><body>"
        "<p id='out'>waiting</p>" + EVIL_SCRIPT.replace("APP_ORIGIN", repr(app_origin)) + "</body></html>"
    ).encode()
    captures = [
        (
            NEWS,
            start,
            200,
            _html("关于开展劝返工作的通知", FIRST_TEXT),
            "关于开展劝返工作的通知",
            FIRST_TEXT,
            "ok",
        ),
        (
            NEWS,
            start + timedelta(days=1),
            200,
            _html("关于开展劝返工作的通知", SECOND_TEXT),
            "关于开展劝返工作的通知",
            SECOND_TEXT,
            "ok",
        ),
        (
            NEWS,
            start + timedelta(days=2),
            404,
            b"<html><body>not found</body></html>",
            None,
            "",
            "removed:http-404",
        ),
        (
            NEWS,
            start + timedelta(days=3),
            200,
            _html("关于开展劝返工作的通知", SECOND_TEXT),
            "关于开展劝返工作的通知",
            SECOND_TEXT,
            "ok",
        ),
        (EVIL, start, 200, evil_body, "evil page", "waiting", "ok"),
        (
            HOSTILE,
            start,
            200,
            _html(HOSTILE_TITLES[0], "劝返 hostile"),
            HOSTILE_TITLES[0],
            "劝返 敌意标题一",
            "ok",
        ),
        (
            HOSTILE,
            start + timedelta(hours=1),
            200,
            _html(HOSTILE_TITLES[1], "x"),
            HOSTILE_TITLES[1],
            "敌意标题二",
            "ok",
        ),
    ]
    path = root / "warcs" / WARC_NAME
    index.file_opened(WARC_NAME, None)
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, when, status, body, title, text, state in captures:
            headers = StatusAndHeaders(
                f"{status} {'OK' if status == 200 else 'Not Found'}",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": when.strftime("%Y-%m-%dT%H:%M:%SZ")},
            )
            offset = handle.tell()
            writer.write_record(record)
            length = handle.tell() - offset
            capture_id = index.insert_capture(
                {
                    "url": url,
                    "method": "GET",
                    "captured_at": when,
                    "warc_date": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "http_status": status,
                    "record_type": "response",
                    "record_id": record.rec_headers.get_header("WARC-Record-ID"),
                    "warc_file": WARC_NAME,
                    "warc_offset": offset,
                    "warc_length": length,
                    "payload_digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                    "block_digest": record.rec_headers.get_header("WARC-Block-Digest"),
                    "payload_length": len(body),
                    "content_type": "text/html; charset=utf-8",
                    "chunked": False,
                    "state": state,
                    "hop": 0,
                }
            )
            built.captures.setdefault(url, []).append(capture_id)
            if title is not None:
                index.save_page(
                    Page(capture_id=capture_id, url=url, title=title, text=text, date="2026-01-01")
                )
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    index.file_closed(WARC_NAME, len(data), sha)
    Manifest(root / "manifest-sha256.txt").add(f"warcs/{WARC_NAME}", sha)
    news = built.captures[NEWS]
    events = [
        ("changed", "the text changed: 1 sentence removed, 2 added", 200, news[0], news[1], False, None),
        ("removed", "HTTP 404 (confirmed by a second fetch)", 404, news[1], news[2], True, None),
        (
            "restored",
            "back after a confirmed removal",
            200,
            news[1],
            news[3],
            False,
            start + timedelta(days=2),
        ),
    ]
    with index.session() as s:
        for n, (state, reason, status, before, after, new, gone) in enumerate(events, start=1):
            s.add(
                RecheckEvent(
                    url=NEWS,
                    checked_at=start + timedelta(days=n, minutes=1),
                    state=state,
                    reason=reason,
                    http_status=status,
                    previous_capture_id=before,
                    new_capture_id=after,
                    new_removal=new,
                    gone_since=gone,
                )
            )
        report = Report(
            source="report.docx", format="docx", title="海外追逃报告", sha256="0" * 64, added_at=start
        )
        s.add(report)
        s.flush()
        for position, url in enumerate((NEWS, EVIL, HOSTILE), start=1):
            s.add(
                Citation(
                    report_id=report.id,
                    position=position,
                    url=url,
                    url_as_written=url,
                    kind="footnote",
                    footnote=str(position),
                    anchor=f"注{position}",
                )
            )
        s.commit()
        built.report_id = report.id
    index.close()
    return built
