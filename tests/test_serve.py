"""`serve`, `users` and `publish` without a browser: the address rule, accounts (argon2id hashes,
custody entries), the source list's states and filters, the login limit, the highlight."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

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
