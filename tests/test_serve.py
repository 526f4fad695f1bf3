"""`serve`, `users` and `publish` without a browser: the address rule, accounts (argon2id hashes,
custody entries), the source list's states and filters, the login limit, the highlight."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from serve_archive import EVIL, HOSTILE, NEWS, build

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.sourcelist import build_rows, filter_rows
from sourcekeeper.cli import main
from sourcekeeper.web.auth import LoginLimiter
from sourcekeeper.web.views import highlight


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    build(tmp_path / "archive")
    return tmp_path / "archive"


def test_serve_on_another_address_needs_login(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--archive", str(archive)]) == 2
    assert "--login" in capsys.readouterr().err
    assert main(["serve", "--host", "0.0.0.0", "--login", "--archive", str(archive)]) == 2
    assert "no account yet" in capsys.readouterr().err


def test_users_keep_an_argon2id_hash_and_write_custody(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def add(name: str, role: str, password: str) -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        return main(["users", "add", name, "--role", role, "--password-stdin", "--archive", str(archive)])

    assert add("alice", "analyst", "correct horse battery") == 0
    assert add("alice", "viewer", "another password") == 1  # the name is taken
    assert "already an account" in capsys.readouterr().err
    assert add("bob", "viewer", "short") == 2  # too short a password
    with sqlite3.connect(archive / "index.sqlite3") as db:
        rows = db.execute("SELECT name, role, password_hash FROM accounts").fetchall()
    assert [(name, role) for name, role, _ in rows] == [("alice", "analyst")]
    assert rows[0][2].startswith("$argon2id$") and "correct horse" not in rows[0][2]
    capsys.readouterr()
    assert main(["users", "list", "--json", "--archive", str(archive)]) == 0
    assert [json.loads(line)["name"] for line in capsys.readouterr().out.splitlines()] == ["alice"]
    assert main(["users", "remove", "alice", "--archive", str(archive)]) == 0
    assert main(["users", "remove", "alice", "--archive", str(archive)]) == 1
    events = [json.loads(line) for line in (archive / "custody.jsonl").read_text().splitlines()]
    assert [(e["event"], e["account"]) for e in events] == [
        ("account_added", "alice"),
        ("account_removed", "alice"),
    ]


def test_the_source_list_orders_and_filters_as_report_does(archive: Path) -> None:
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        rows = build_rows(index, [EVIL, HOSTILE, NEWS])
    finally:
        index.close()
    assert [(r.url, r.state) for r in rows] == [(NEWS, "restored"), (HOSTILE, "archived"), (EVIL, "archived")]
    assert rows[0].captures == 4 and rows[0].reason == "back after a confirmed removal"
    assert rows[0].title == "关于开展劝返工作的通知"
    assert filter_rows(rows, site="example.gov.cn", state="restored") == rows[:1]
    assert filter_rows(rows, site="ample.gov.cn") == []  # a parent domain, not any suffix
    assert filter_rows(rows, urls={EVIL}) == rows[2:]


def test_login_limit_blocks_then_forgets() -> None:
    limiter = LoginLimiter(attempts=3, window=60)
    for _ in range(3):
        assert limiter.blocked_for("ip:a", "name:x") == 0
        limiter.failed("ip:a", "name:x")
    assert limiter.blocked_for("ip:a") > 50 and limiter.blocked_for("name:x") > 50
    assert limiter.blocked_for("ip:b", "name:y") == 0
    limiter.succeeded("ip:a", "name:x")
    assert limiter.blocked_for("ip:a", "name:x") == 0


def test_highlight_pieces_keep_the_text_and_drop_the_cli_marks() -> None:
    pieces = highlight("对【劝返】工作，<b>劝返</b>", ["劝返"])
    assert "".join(p for p, _ in pieces) == "对劝返工作，<b>劝返</b>"
    assert [p for p, hit in pieces if hit] == ["劝返", "劝返"]


def test_the_language_is_the_switch_else_the_browsers() -> None:
    import re

    from sourcekeeper.web.i18n import catalogue, choose, translator

    assert choose(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert choose(None, "en-GB,zh;q=0.5") == "en"
    assert choose("en", "zh-CN") == "en"
    assert choose(None, "fr") == "en"
    assert translator("zh")("{n} sources", n=3) == "共 3 个来源"
    for english, chinese in catalogue("zh").items():  # the same placeholders on both sides
        assert set(re.findall(r"{\w+}", english)) == set(re.findall(r"{\w+}", chinese)), english


def test_a_slow_source_list_is_rebuilt_behind_the_page(archive: Path) -> None:
    import threading

    from sqlalchemy import text

    from archive_store.index.sourcelist import SourceList

    index = ArchiveIndex(default_db_url(archive), create=False)
    asked: list[int] = []
    release = threading.Event()

    def urls_of(_index: ArchiveIndex) -> list[str]:
        asked.append(1)
        if len(asked) > 1:
            release.wait(10)
        return [NEWS] if len(asked) == 1 else [NEWS, EVIL]

    try:
        listing = SourceList()
        assert [r.url for r in listing.rows(index, urls_of)] == [NEWS]  # first build: at once
        listing._took = SourceList.SLOW + 1  # as if it had been slow
        with index.engine.begin() as conn:  # the index moves: a source marked monitored
            conn.execute(
                text(
                    "INSERT INTO monitored_sources (url, via, added_at) VALUES ('x', 'import', '2026-01-01')"
                )
            )
        assert [r.url for r in listing.rows(index, urls_of)] == [NEWS]  # the old rows, rebuilt behind
        release.set()
        for _ in range(100):
            if listing._key is not None and not listing._building and len(listing._rows) == 2:
                break
            threading.Event().wait(0.05)
        assert [r.url for r in listing.rows(index, urls_of)] == [NEWS, EVIL]
    finally:
        index.close()


def _get(app: object, target: str) -> tuple[int, dict[str, str], str]:
    """One GET through the application's ASGI interface (no HTTP client needed)."""
    import asyncio

    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "root_path": "",
    }
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[operator]
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}  # type: ignore[attr-defined]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")  # type: ignore[misc]
    return int(start["status"]), headers, body.decode()  # type: ignore[call-overload]


def _app(archive: Path) -> object:
    from sourcekeeper.web.app import Settings, create_app

    return create_app(Settings(archive, default_db_url(archive), login=False, replay_port=None))


def test_compare_is_the_capture_diff_and_keeps_to_the_csp(tmp_path: Path) -> None:
    """Compare shows sourcekeeper.changes' diff (edited and added sentences, the fields), every
    archived string escaped, with its style a stylesheet of the app (the CSP forbids inline style)."""
    built = build(tmp_path / "archive")
    app = _app(built.root)
    first, second = built.captures[NEWS][:2]
    status, headers, body = _get(app, f"/compare?a={second}&b={first}")
    assert status == 200
    assert "style-src 'self';" in headers["content-security-policy"]
    assert 'class="capture-diff"' in body and 'class="sentences"' in body
    assert '<tr class="r-added">' in body and "新增一句说明" in body
    assert f"capture #{first}" in body and f"capture #{second}" in body  # earlier first, whatever the order
    assert "<style" not in body and " style=" not in body and "<script" not in body
    assert '<link rel="stylesheet" href="/diff.css">' in body
    status, headers, css = _get(app, "/diff.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    assert ".capture-diff del{" in css

    hostile = built.captures[HOSTILE]
    status, _, body = _get(app, f"/compare?a={hostile[0]}&b={hostile[1]}")
    assert status == 200
    assert "<img src=x" not in body and "<script>alert" not in body
    assert "&lt;script&gt;alert" in body


def _documents_identity_and_quotes(built: object) -> str:
    """Add to the built archive: a document the news page links (its own capture and text), the
    page's identity fields, and two quotes of it (present, altered) as the quotes index keeps them."""
    from datetime import datetime

    from archive_store.index.schema import Page, QuoteCheck

    root = built.root  # type: ignore[attr-defined]
    news = built.captures[NEWS]  # type: ignore[attr-defined]
    index = ArchiveIndex(default_db_url(root))
    doc_url = NEWS.rsplit("/", 1)[0] + "/P020260101.pdf"
    shown = index.page_for(news[-1])
    assert shown is not None
    doc_id = index.insert_capture(
        {
            "url": doc_url,
            "method": "GET",
            "captured_at": datetime(2026, 1, 4, 8, 1),
            "warc_date": "2026-01-04T08:01:00Z",
            "http_status": 200,
            "record_type": "response",
            "record_id": "<urn:uuid:00000000-0000-4000-8000-000000000001>",
            "warc_file": "x.warc.gz",
            "warc_offset": 0,
            "warc_length": 1,
            "payload_digest": "sha1:DOC",
            "block_digest": "sha1:DOC",
            "payload_length": 1,
            "chunked": False,
            "content_type": "application/pdf",
            "state": "ok",
            "parent_url": NEWS,
            "hop": 1,
        }
    )
    index.save_page(
        Page(
            capture_id=doc_id,
            url=doc_url,
            title="在逃人员名单",
            text="附件：在逃人员名单。共计十二人。",
            kind="document",
            doc_number="测公通〔2026〕3号",
            text_source="pdf-text",
        )
    )
    index.save_page(
        Page(
            capture_id=news[-1],
            url=NEWS,
            title=shown.title,
            text=shown.text,
            date=shown.date,
            kind="page",
            doc_number="测公通〔2026〕1号",
            issuer="测试县公安局",
            index_number="000014349/2026-00001",
            published_date="2026-01-01",
            topic="公安、安全、司法",
        )
    )
    when = datetime(2026, 1, 4, 8, 2)
    diff = [
        {"op": "equal", "quote": "各单位要", "page": "各单位要"},
        {"op": "replace", "quote": "对在逃人员亲属开展劝返", "page": "依法开展"},
        {"op": "equal", "quote": "工作", "page": "工作"},
    ]
    with index.session() as s:
        s.add(
            QuoteCheck(
                url=NEWS,
                quote="关于开展劝返工作",
                quote_sha256="0" * 64,
                checked_at=when,
                status="present",
                capture_id=news[-1],
                sentence="关于开展劝返工作的通知。",
            )
        )
        s.add(
            QuoteCheck(
                url=NEWS,
                quote="各单位要对在逃人员亲属开展劝返工作",
                quote_sha256="1" * 64,
                checked_at=when,
                status="altered",
                capture_id=news[-1],
                sentence="各单位要依法开展工作。",
                diff_json=json.dumps(diff, ensure_ascii=False),
            )
        )
        s.commit()
    index.close()
    return doc_url


def test_the_source_page_shows_documents_identity_and_quotes(tmp_path: Path) -> None:
    built = build(tmp_path / "archive")
    doc_url = _documents_identity_and_quotes(built)
    app = _app(built.root)
    status, _, body = _get(app, "/source?url=" + NEWS)
    assert status == 200
    # the document, its text size, its 文号, a link to its own page
    assert (
        "在逃人员名单" not in body
        or f'href="/source?url={doc_url.replace(":", "%3A").replace("/", "%2F")}"' in body
    )
    assert "16 characters of text, pdf-text" in body and "测公通〔2026〕3号" in body
    # the identity fields
    for value in ("测公通〔2026〕1号", "测试县公安局", "000014349/2026-00001", "公安、安全、司法"):
        assert value in body, value
    # the quotes: status, the closest sentence of the altered one, its diff
    assert '<span class="state state-present">' in body and '<span class="state state-altered">' in body
    assert "各单位要依法开展工作。" in body
    assert "<del>对在逃人员亲属开展劝返</del><ins>依法开展</ins>" in body

    # a search hit on the document names the page that links it
    status, _, body = _get(app, "/search?q=" + quote("名单"))
    assert status == 200 and 'class="url page-url"' in body and doc_url.rsplit("/", 1)[1] in body


def test_publish_shows_each_citations_quote_status(tmp_path: Path) -> None:
    built = build(tmp_path / "archive")
    _documents_identity_and_quotes(built)
    out = tmp_path / "published"
    assert main(["publish", str(built.report_id), "--out", str(out), "--archive", str(built.root)]) == 0
    page = (out / "index.html").read_text("utf-8")
    assert '<span class="state state-altered">altered</span> “各单位要对在逃人员亲属开展劝返工作”' in page
    assert "closest: 各单位要依法开展工作。" in page
    assert '<span class="state state-present">present</span> “关于开展劝返工作”' in page
