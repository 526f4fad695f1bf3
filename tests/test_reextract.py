"""`sourcekeeper reextract` on an archive written by the previous extractor version.

The archive is crawled without extraction, then given exactly what the previous version wrote:
metadata records without `extractor_version`, the notice's text without its lead paragraph, the
verification page stored as an `ok` article, and an index without the `document_date` column.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from archive_helpers import all_records, archive_cli, run_cli, warc_files
from reextract_site import NOTICE, VERIFY_PATH

from archive_store.crawl.default_settings import apply_defaults
from archive_store.crawl.session import ArchiveSession
from archive_store.index.schema import Page
from pipelines.extraction.version import EXTRACTOR_VERSION
from pipelines.pipeline import METADATA_TYPE
from sourcekeeper.demo.rawsite import ServedSite
from sourcekeeper.jobs.runner import build_settings

SITE = "tests/reextract_site.py:ROUTES"
LEAD = "2024年上半年，县局在县委、县政府和上级公安机关的坚强领导下，各项工作取得新进展。"
OLD_NOTICE_TEXT = "\n".join(
    [
        "一是追逃劝返成效明显。共劝返境外在逃人员9名，较去年同期增长50%。",
        "二是出入境管理更加规范。共受理出入境证件申请3100余件。",
        "三是服务群众能力持续提升。海外联络服务站累计服务在外乡亲1500余人次。",
    ]
)


def _write_as_previous_version(archive: Path) -> None:
    """Metadata records, states and page rows as the previous extractor wrote them."""
    settings = build_settings(archive, {}, extract=True, log_level="ERROR")
    apply_defaults(settings)
    session = ArchiveSession(settings)
    try:
        session.open_run("archive", {"command": "archive", "written_as": "extractor version 1"})
        for capture in session.index.all_captures():
            if capture.record_type != "response":
                continue
            is_notice = capture.url.endswith(".html") and "/xxgk/" in capture.url
            text = (
                OLD_NOTICE_TEXT if is_notice else "您的访问过于频繁，此验证码用于确认这些请求是您的正常行为。"
            )
            page = {
                "title": "示例县公安局2024年上半年工作总结" if is_notice else "搜狗搜索",
                "date": None,
                "text": text,
            }
            if is_notice:
                page["date"] = "2024-06-27"
            result = {"state": "ok", "reason": "HTTP 200 page", "charset": "utf-8", "page": page}
            record = {"url": capture.url, "refers_to": capture.record_id, **result}
            block = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")
            record_id = session.write_derivative(capture.url, capture.record_id, block, METADATA_TYPE)
            session.index.set_state(capture.id, "ok", "HTTP 200 page")
            session.index.save_page(
                Page(
                    capture_id=capture.id,
                    url=capture.url,
                    title=page["title"],
                    date=page["date"],
                    text=text,
                    metadata_json=json.dumps(page, ensure_ascii=False),
                    metadata_record_id=record_id,
                )
            )
    finally:
        session.close("finished")
    with sqlite3.connect(archive / "index.sqlite3") as db:  # the previous schema had no such column,
        db.execute("ALTER TABLE pages DROP COLUMN document_date")
        db.execute("DROP TABLE alembic_version")  # and SQLite indexes had no Alembic version


def _sha256(paths: list[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@pytest.mark.slow
def test_reextract_adds_new_records_and_show_uses_them(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with ServedSite(SITE) as site:
        notice_url, verify_url = site.url(NOTICE.path), site.url(VERIFY_PATH)
        assert archive_cli(archive, notice_url, verify_url, "--no-extract").returncode == 0
    _write_as_previous_version(archive)
    old = json.loads(run_cli("show", "--archive", archive, "--json", notice_url).stdout)
    assert old["text"] == OLD_NOTICE_TEXT and old["document_date"] is None  # column added on open
    before = _sha256(warc_files(archive))

    result = run_cli("reextract", "--archive", archive, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["reextracted"], summary["up_to_date"]) == (2, 0)
    assert {c["to"] for c in summary["changed_state"]} == {"blocked:rate-limit"}

    after = _sha256(warc_files(archive))
    assert {name: after[name] for name in before} == before  # nothing written is altered
    new_files = set(after) - set(before)
    assert len(new_files) == 1
    new_records = [r for r in all_records(archive) if r.record_type == "metadata"]
    versions = [json.loads(r.block).get("extractor_version") for r in new_records]
    written = sorted(v for v in versions if v is not None)
    assert written == [EXTRACTOR_VERSION] * 2 and versions.count(None) == 2

    notice = json.loads(run_cli("show", "--archive", archive, "--json", notice_url).stdout)
    assert notice["text"].split("\n")[0] == LEAD and notice["date"] == "2024-06-27"
    assert "document_date" in notice
    blocked = json.loads(run_cli("show", "--archive", archive, "--json", verify_url).stdout)
    assert blocked["state"] == "blocked:rate-limit" and blocked["text"] == ""

    # a redirect is never analysed, and a capture archived with extraction off is left alone
    with ServedSite(SITE) as site:
        moved, plain = site.url("/moved"), site.url("/plain.html")
        assert archive_cli(archive, moved, "--no-extract").returncode == 0
        assert archive_cli(archive, plain, "--no-extract").returncode == 0
    again = json.loads(run_cli("reextract", "--archive", archive, "--json").stdout)
    # skipped: the 301, and the two pages fetched with extraction off (plain.html and the notice
    # again, reached through the redirect)
    assert (again["reextracted"], again["skipped"]) == (0, 3) and not again["changed_state"], again
    assert (again["reextracted"], again["up_to_date"]) == (0, 2)
    assert len([r for r in all_records(archive) if r.record_type == "metadata"]) == 4
    moved_capture = json.loads(run_cli("show", "--archive", archive, "--json", moved).stdout)
    assert moved_capture["http_status"] == 301 and not moved_capture["state"].startswith("error")
    assert json.loads(run_cli("show", "--archive", archive, "--json", plain).stdout)["text"] == ""
