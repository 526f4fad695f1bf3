"""Bad input, end to end: each awkward page is archived with extraction on and gets a clear state
and reason in the index; the crawl never crashes and never prints a Python traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from archive_helpers import FAST, archive_cli, cli_here, run_cli

from archive_store.index.database import ArchiveIndex, default_db_url
from sourcekeeper.demo.rawsite import ServedSite

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)

BAD = [
    "/bad/empty.html",
    "/bad/no-body.html",
    "/bad/only-images.html",
    "/bad/only-pdf.html",
    "/bad/frameset.html",
    "/bad/refresh.html",
    "/bad/broken.html",
    "/bad/wrong-charset.html",
    "/bad/mixed.html",
    "/bad/long-line.html",
]


@pytest.fixture(scope="module")
def site() -> Iterator[ServedSite]:
    with ServedSite("tests/column_site.py:ROUTES") as served:
        yield served


@pytest.fixture(scope="module")
def archived(site, tmp_path_factory) -> Iterator[tuple[Path, dict[str, dict[str, Any]]]]:
    archive = tmp_path_factory.mktemp("bad") / "archive"
    result = archive_cli(archive, *(site.url(path) for path in BAD))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Error" not in result.stderr
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        rows = {}
        for capture in index.all_captures():
            page = index.page_for(capture.id)
            rows[capture.url.removeprefix(site.base_url)] = {
                "state": capture.state,
                "reason": capture.state_reason or "",
                "hop": capture.hop,
                "text": page.text if page else None,
                "charset": page.charset if page else None,
                "declared": page.declared_charset if page else None,
            }
    finally:
        index.close()
    yield archive, rows


@pytest.mark.parametrize(
    ("path", "state", "reason"),
    [
        ("/bad/empty.html", "error:empty", "empty body"),
        ("/bad/no-body.html", "error:empty", "no visible body"),
        ("/bad/only-images.html", "ok", "shows 2 image(s), archived as attachments"),
        ("/bad/only-pdf.html", "ok", "content is in 1 linked document(s): 附件.pdf"),
        ("/bad/frameset.html", "redirect:frameset", "its content is in 2 frame(s)"),
        ("/bad/refresh.html", "redirect:meta-refresh", "meta refresh after 0 s to http://"),
        ("/bad/broken.html", "ok", "visible characters"),
        ("/bad/wrong-charset.html", "ok", "declared charset utf-8 is wrong: decoded as gb18030"),
        ("/bad/mixed.html", "ok", "mixed encodings: UTF-8 and GB18030 runs decoded separately"),
        ("/bad/long-line.html", "ok", "visible characters"),
    ],
)
def test_each_bad_page_has_a_clear_state_and_reason(archived, path, state, reason):
    _, rows = archived
    assert rows[path]["state"] == state
    assert reason in rows[path]["reason"]


def test_non_content_states_have_no_page_row_and_content_states_say_why_text_is_missing(archived):
    _, rows = archived
    for path in ("/bad/empty.html", "/bad/no-body.html", "/bad/frameset.html", "/bad/refresh.html"):
        assert rows[path]["text"] is None
    for path in ("/bad/only-images.html", "/bad/only-pdf.html"):
        assert rows[path]["text"] is not None and len(rows[path]["text"]) < 20
        assert rows[path]["reason"].startswith("no article text")


def test_what_a_navigation_or_document_page_points_at_is_archived(archived):
    _, rows = archived
    for path in ("/bad/frame-main.html", "/bad/refresh-target.html"):
        assert rows[path]["state"] == "ok" and "境外人员信息核查" in rows[path]["text"]
        assert rows[path]["hop"] == 0  # the same page, reached another way
    assert rows["/bad/files/P020240101000000000001.pdf"]["hop"] == 1
    assert rows["/bad/img/scan1.png"]["hop"] == rows["/bad/img/scan2.png"]["hop"] == 1


def test_text_survives_wrong_charsets_mixed_encodings_broken_markup_and_long_lines(archived):
    _, rows = archived
    wrong = rows["/bad/wrong-charset.html"]
    assert (wrong["charset"], wrong["declared"]) == ("gb18030", "utf-8")
    assert "境外人员信息核查" in wrong["text"]
    mixed = rows["/bad/mixed.html"]["text"]
    assert "这一段是用UTF-8编码的文字" in mixed and "这一段却是用GBK编码的文字" in mixed
    assert "\ufffd" not in mixed and rows["/bad/mixed.html"]["charset"] == "utf-8+gb18030"
    assert "认真开展核查" in rows["/bad/broken.html"]["text"]
    assert len(rows["/bad/long-line.html"]["text"]) > 1_000_000


def test_show_reports_the_state(site, archived):
    archive, _ = archived
    result = cli_here("show", "--archive", archive, site.url("/bad/refresh.html"))
    assert result.returncode == 0 and "redirect:meta-refresh" in result.stdout


def test_a_column_crawl_over_a_bad_listing_page_fails_clearly(site, tmp_path):
    profile = tmp_path / "bad-listing.toml"
    profile.write_text(
        'start_url = "{base}/bad/long-line.html"\npagination = "query"\narticle_pattern = "/never/\\\\d+"\n'
    )
    result = run_cli("crawl", profile, "--archive", tmp_path / "archive", "--base", site.base_url, *FAST)
    assert result.returncode == 1
    assert "no link matching article_pattern" in result.stderr and "Traceback" not in result.stderr
