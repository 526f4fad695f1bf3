"""WeChat articles: the URL as given and its canonical form, and body images fetched with a Referer
that mmbiz accepts (the test site answers a foreign Referer with the placeholder image, as mmbiz does)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import column_site
import pytest
from archive_helpers import all_records, archive_cli, run_cli

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.storage.reader import load_capture
from pipelines.extraction.wechat_urls import canonical_article_url, is_short_link, is_wechat_image_host
from sourcekeeper.demo.rawsite import ServedSite

CANONICAL_WECHAT = (
    "https://mp.weixin.qq.com/s?__biz=MzI0NTExMjM0NQ==&mid=2247483650&idx=1"
    "&sn=0f1e2d3c4b5a69788796a5b4c3d2e1f0"
)


@pytest.fixture(scope="module")
def site() -> Iterator[ServedSite]:
    with ServedSite("tests/column_site.py:ROUTES") as served:
        yield served


@pytest.fixture(scope="module")
def archived(site, tmp_path_factory) -> Path:
    archive = tmp_path_factory.mktemp("wechat") / "archive"
    result = archive_cli(archive, site.url(column_site.WECHAT_SHARED), site.url(column_site.WECHAT_SHORT))
    assert result.returncode == 0, result.stderr
    return archive


def _payloads(archive: Path) -> dict[str, bytes]:
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        return {c.url: load_capture(index, archive / "warcs", c).payload for c in index.all_captures()}
    finally:
        index.close()


def _referers(archive: Path, fragment: str) -> list[bytes | None]:
    found = []
    for record in all_records(archive):
        if record.record_type == "request" and fragment in (record.get("WARC-Target-URI") or ""):
            lines = [line for line in record.block.split(b"\r\n") if line.lower().startswith(b"referer:")]
            found.append(lines[0].split(b":", 1)[1].strip() if lines else None)
    return found


def test_the_test_site_serves_the_placeholder_to_a_foreign_referer(site):
    request = urllib.request.Request(
        site.url(column_site.WECHAT_IMAGES[0]), headers={"Referer": site.url("/")}
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as answer:
        assert answer.read() == column_site.PNG_PLACEHOLDER


@pytest.mark.slow
def test_body_images_are_archived_as_the_real_image_with_wechats_referer(site, archived):
    payloads = _payloads(archived)
    for path in column_site.WECHAT_IMAGES:
        assert payloads[site.url(path)] == column_site.PNG_REAL
    assert _referers(archived, "/mmbiz_") == [b"https://mp.weixin.qq.com/"] * 2


@pytest.mark.slow
def test_the_url_as_given_and_its_canonical_form_are_both_archived(site, archived):
    given = site.url(column_site.WECHAT_SHARED.split("#")[0])
    canonical = site.url(column_site.WECHAT_CANONICAL)
    index = ArchiveIndex(default_db_url(archived), create=False)
    try:
        by_url = {c.url: c for c in index.all_captures()}
        assert by_url[given].state == "ok" and by_url[canonical].state == "ok"
        assert by_url[canonical].parent_url == given  # where the canonical fetch came from
        page = index.page_for(by_url[given].id)
        assert (
            page is not None and json.loads(page.metadata_json or "{}")["canonical_url"] == CANONICAL_WECHAT
        )
    finally:
        index.close()
    shown = run_cli("show", "--archive", archived, "--json", canonical)
    assert shown.returncode == 0 and json.loads(shown.stdout)["title"] == column_site.WECHAT_TITLE


@pytest.mark.slow
def test_a_short_link_is_archived_as_given(site, archived):
    short = site.url(column_site.WECHAT_SHORT)
    fields = json.loads(run_cli("show", "--archive", archived, "--json", short).stdout)
    assert fields["url"] == short and fields["title"] == column_site.WECHAT_TITLE
    assert fields["state"] == "ok" and "规劝在外人员回国" in fields["text"]


@pytest.mark.slow
def test_no_referer_at_all_and_no_canonical_fetch_when_switched_off(site, tmp_path):
    archive = tmp_path / "archive"
    result = archive_cli(
        archive, site.url(column_site.WECHAT_SHARED),
        "-s", "WECHAT_IMAGE_REFERER=", "-s", "WECHAT_FETCH_CANONICAL=False", "-s", "EXTRACT_PROCESSES=0",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _referers(archive, "/mmbiz_") == [None, None]  # not even the article's own origin
    payloads = _payloads(archive)
    assert site.url(column_site.WECHAT_CANONICAL) not in payloads
    assert all(payloads[site.url(p)] == column_site.PNG_REAL for p in column_site.WECHAT_IMAGES)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "http://mp.weixin.qq.com/s?__biz=MzA4ODUzNjAxOA==&mid=2671068104&idx=7&sn=abc123&chksm=8b1&scene=21#rd",
            "https://mp.weixin.qq.com/s?__biz=MzA4ODUzNjAxOA==&mid=2671068104&idx=7&sn=abc123",
        ),
        (
            "https://mp.weixin.qq.com/s?scene=4&sn=abc123&idx=7&mid=2671068104&__biz=MzA4ODUzNjAxOA%3D%3D",
            "https://mp.weixin.qq.com/s?__biz=MzA4ODUzNjAxOA==&mid=2671068104&idx=7&sn=abc123",
        ),
        ("https://mp.weixin.qq.com/s/DThT58pF9VI74i5yJ9b4rQ", None),
        ("https://mp.weixin.qq.com/s?__biz=MzA4ODUzNjAxOA==&mid=2671068104&idx=7", None),
        ("https://www.gov.cn/zhengce/content_5.htm", None),
    ],
)
def test_canonical_article_url(url, canonical):
    assert canonical_article_url(url) == canonical


def test_short_links_and_image_hosts():
    assert is_short_link("https://mp.weixin.qq.com/s/DThT58pF9VI74i5yJ9b4rQ")
    assert not is_short_link("https://mp.weixin.qq.com/s?__biz=x")
    hosts = ["mmbiz.qpic.cn"]
    assert is_wechat_image_host("https://mmbiz.qpic.cn/mmbiz_png/x/640?wx_fmt=png", hosts)
    assert not is_wechat_image_host("https://mmbiz.qpic.cn.example.com/a.png", hosts)
