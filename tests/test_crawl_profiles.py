"""`sourcekeeper crawl PROFILE`: each pagination style, the page limit, the date window, incremental
runs that stop paging at what is already archived, attachments, and profiles that are wrong."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import column_site
import pytest
from archive_helpers import FAST, all_records, run_cli

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import Capture
from scrapers.pagination import hanweb_records, listed_links, trs_pager
from scrapers.profiles import ProfileError, load_profile
from sourcekeeper.demo.rawsite import ServedSite

SITE = "tests/column_site.py:ROUTES"
TRS = """
name = "test-trs-column"
start_url = "{base}/trs/tzgg/index.html"
pagination = "trs"
article_pattern = '/trs/tzgg/\\d{6}/t\\d{8}_\\d+\\.html$'
"""
HANWEB = """
name = "test-hanweb-column"
start_url = "{base}/col/col1234/index.html"
pagination = "hanweb"
article_pattern = '/art/\\d{4}/\\d{1,2}/\\d{1,2}/art_1234_\\d+\\.html$'
[hanweb]
columnid = 1234
unitid = "5678"
webid = 9
perpage = 3
"""
QUERY = """
name = "test-query-column"
start_url = "{base}/news/list.jsp"
pagination = "query"
page_param = "page"
first_page = 1
article_pattern = '/news/detail\\.jsp\\?id=\\d+$'
"""


@pytest.fixture(scope="module")
def site() -> Iterator[ServedSite]:
    with ServedSite(SITE) as served:
        yield served


def write_profile(tmp_path: Path, text: str, name: str = "column.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def crawl(archive: Path, profile: Path, site: ServedSite, *args: str) -> dict[str, Any]:
    result = run_cli(
        "crawl", profile, "--archive", archive, "--base", site.base_url, "--json",
        *FAST, "-s", "EXTRACT_PROCESSES=0", *args,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def captures(archive: Path) -> list[Capture]:
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        return index.all_captures()
    finally:
        index.close()


def urls(archive: Path, hop: int = 0) -> set[str]:
    return {c.url for c in captures(archive) if c.hop == hop}


def trs_urls(site: ServedSite, notices: list[Any]) -> set[str]:
    return {site.url(column_site.trs_path(n)) for n in notices}


@pytest.mark.slow
def test_trs_column_every_page_every_notice_and_its_attachments(site, tmp_path):
    archive = tmp_path / "archive"
    summary = crawl(archive, write_profile(tmp_path, TRS), site)
    listing = summary["listing"]
    assert (listing["pages"], listing["listed"], listing["fetched"], listing["stopped"]) == (
        4,
        11,
        11,
        "last-page",
    )
    pages = {site.url(f"/trs/tzgg/index{s}.html") for s in ("", "_1", "_2", "_3")}
    assert urls(archive) == trs_urls(site, column_site.TRS_NOTICES) | pages
    assert site.hits().get("/trs/tzgg/index_4.html", 0) == 0  # createPageHTML said 4 pages
    attachments = {c.url: c for c in captures(archive) if c.hop == 1}
    pdf = site.url("/trs/tzgg/202406/P020240620001.pdf")
    assert set(attachments) == {pdf, site.url("/trs/tzgg/202306/P020230615001.doc")}
    assert attachments[pdf].parent_url == site.url(column_site.trs_path(column_site.TRS_NOTICES[0]))
    notice = next(c for c in captures(archive) if c.url == attachments[pdf].parent_url)
    assert notice.parent_url == site.url("/trs/tzgg/index.html")  # which listing page listed it
    assert notice.state == "ok"


@pytest.mark.slow
def test_second_run_fetches_only_new_notices_and_stops_paging_where_the_archive_is_complete(tmp_path):
    archive, profile = tmp_path / "archive", write_profile(tmp_path, TRS)
    with ServedSite(SITE) as site:
        crawl(archive, profile, site)
        before = site.hits()
        site.set_mode("after")  # a week later: two new notices on top, the rest shifted down
        listing = crawl(archive, profile, site)["listing"]
        delta = {k: v - before.get(k, 0) for k, v in site.hits().items() if v != before.get(k, 0)}
        backfill = crawl(archive, profile, site, "--full")["listing"]  # walks on, fetches nothing new
    new = trs_urls(site, column_site.TRS_NEW)
    assert (listing["fetched"], listing["already_archived"], listing["stopped"]) == (2, 4, "archived")
    expected = {"/trs/tzgg/index.html": 1, "/trs/tzgg/index_1.html": 1}
    expected |= {column_site.trs_path(n): 1 for n in column_site.TRS_NEW}
    assert delta == expected  # page 2 lists only archived notices: pages 3-5 are never asked for
    assert (backfill["pages"], backfill["fetched"], backfill["stopped"]) == (5, 0, "last-page")
    second_run = {c.url for c in captures(archive) if c.run_id == 2 and c.hop == 0}
    assert second_run == new | {site.url("/trs/tzgg/index.html"), site.url("/trs/tzgg/index_1.html")}


@pytest.mark.slow
def test_max_pages_limits_the_listing_pages_walked(site, tmp_path):
    archive = tmp_path / "archive"
    listing = crawl(archive, write_profile(tmp_path, TRS), site, "--max-pages", "2")["listing"]
    assert (listing["pages"], listing["fetched"], listing["stopped"]) == (2, 6, "max-pages")
    assert urls(archive) & trs_urls(site, column_site.TRS_NOTICES) == trs_urls(
        site, column_site.TRS_NOTICES[:6]
    )


@pytest.mark.slow
def test_since_skips_older_notices_and_stops_at_a_page_of_only_older_ones(site, tmp_path):
    archive = tmp_path / "archive"
    listing = crawl(archive, write_profile(tmp_path, TRS), site, "--since", "2019-01-01")["listing"]
    assert (listing["pages"], listing["fetched"], listing["outside_window"]) == (4, 9, 2)
    assert listing["stopped"] == "since"
    recent = [n for n in column_site.TRS_NOTICES if n.day >= "2019-01-01"]
    assert urls(archive) & trs_urls(site, column_site.TRS_NOTICES) == trs_urls(site, recent)


@pytest.mark.slow
def test_hanweb_column_through_the_data_proxy(site, tmp_path):
    archive = tmp_path / "archive"
    listing = crawl(archive, write_profile(tmp_path, HANWEB), site)["listing"]
    assert (listing["pages"], listing["fetched"], listing["stopped"]) == (3, 7, "last-page")
    notices = {site.url(column_site.hanweb_path(n)) for n in column_site.HANWEB_NOTICES}
    assert notices <= urls(archive)
    assert site.url("/col/col1234/index.html") in urls(archive)  # the column page, as evidence
    proxy_requests = [
        r for r in all_records(archive)
        if r.record_type == "request" and "dataproxy.jsp" in (r.get("WARC-Target-URI") or "")
    ]  # fmt: skip
    assert len(proxy_requests) == 3
    for record in proxy_requests:
        assert record.block.startswith(b"POST /module/web/jpage/dataproxy.jsp?startrecord=")
        assert b"columnid=1234" in record.block and b"unitid=5678" in record.block


@pytest.mark.slow
def test_query_column_pages_until_a_page_lists_nothing_new(site, tmp_path):
    archive = tmp_path / "archive"
    before = site.hits()
    listing = crawl(archive, write_profile(tmp_path, QUERY), site)["listing"]
    assert (listing["pages"], listing["fetched"], listing["stopped"]) == (4, 7, "last-page")
    notices = {site.url(column_site.query_path(n)) for n in column_site.QUERY_NOTICES}
    assert notices <= urls(archive)
    hits = site.hits()
    assert hits.get("/news/list.jsp?page=4", 0) - before.get("/news/list.jsp?page=4", 0) == 1
    assert hits.get("/news/list.jsp?page=5", 0) == 0


@pytest.mark.slow
def test_the_demo_column_profile_through_the_demo_step(tmp_path):
    from sourcekeeper.demo.crawl_step import run_profile_step
    from sourcekeeper.demo.site import NOTICES

    archive, said = tmp_path / "archive", []
    with ServedSite("sourcekeeper.demo.site:DEMO_ROUTES") as demo:
        first = run_profile_step(archive, demo.base_url, said.append, overrides={"EXTRACT_PROCESSES": "0"})
        again = run_profile_step(archive, demo.base_url, said.append, overrides={"EXTRACT_PROCESSES": "0"})
        notices = {demo.url(n.path) for n in NOTICES}
    assert first["exit_code"] == 0 and first["listing"]["fetched"] == len(NOTICES)
    assert first["listing"]["stopped"] == "last-page" and notices <= urls(archive)
    assert (again["listing"]["pages"], again["listing"]["fetched"], again["listing"]["stopped"]) == (
        1,
        0,
        "archived",
    )
    assert any("already archived" in line for line in said)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (TRS.replace("pagination", "pagnation"), "pagnation: unknown key"),
        (TRS.replace('"trs"', '"wordpress"'), "pagination: must be one of trs, hanweb, query"),
        (HANWEB.split("[hanweb]", maxsplit=1)[0], "hanweb: "),
        (HANWEB.replace("columnid = 1234", ""), "hanweb.columnid: missing"),
        (TRS.replace("\\d{6}", "(\\d{6}"), "article_pattern: not a valid regular expression"),
        (TRS.replace('"test-trs-column"', '"x"\nmax_pages = 0'), "max_pages: must be 1 or more"),
        (TRS + 'since = "last year"\n', "since: expected a date"),
        (TRS + 'since = 2024-01-01\nuntil = "2023-01-01"\n', "until: 2023-01-01 is before since"),
        ("start_url = ", "not valid TOML"),
    ],
)
def test_profile_problems_name_the_file_and_the_key(tmp_path, text, named):
    profile = write_profile(tmp_path, text, "bad.toml")
    with pytest.raises(ProfileError) as caught:
        load_profile(profile, {"base": "http://127.0.0.1:9"})
    assert str(caught.value).startswith(str(profile)) and named in str(caught.value)


@pytest.mark.slow
def test_a_bad_profile_is_a_usage_error_and_starts_nothing(tmp_path):
    profile = write_profile(tmp_path, TRS.replace("pagination", "pagnation"), "bad.toml")
    result = run_cli("crawl", profile, "--archive", tmp_path / "archive", "--base", "http://127.0.0.1:9")
    assert result.returncode == 2
    assert f"{profile}: pagnation: unknown key" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "archive").exists()
    placeholder = run_cli("crawl", write_profile(tmp_path, TRS), "--archive", tmp_path / "archive")
    assert placeholder.returncode == 2
    assert "start_url: has the placeholder {base}: give --base URL" in placeholder.stderr


@pytest.mark.parametrize("path", sorted(Path("profiles").glob("*.toml")), ids=lambda p: p.name)
def test_the_example_profiles_are_valid(path):
    profile = load_profile(path)
    assert profile.pagination in ("trs", "hanweb", "query")
    assert ".invalid/" in profile.start_url  # fictional hosts only


@pytest.mark.parametrize(
    ("script", "pager"),
    [
        (
            'function createPageHTML(_nPageCount, _nCurrIndex){}\ncreatePageHTML(3, 0, "index", "html");',
            (3, "index", "html"),
        ),
        ("createPageHTML('page_div', 24, 1, 'index', 'shtml', 360);", (24, "index", "shtml")),
        (
            "var countPage = 7//共多少页\nvar currentPage = 0;\n"
            'createPageHTML(countPage, currentPage, "list", "htm");',
            (7, "list", "htm"),
        ),
        ("<div>no pager here</div>", None),
    ],
)
def test_trs_pager_forms(script, pager):
    found = trs_pager(script)
    assert (found.count, found.name, found.ext) == pager if pager else found is None


def test_listed_links_take_the_date_beside_the_link_not_the_one_in_its_title():
    html = (
        "<ul><li><a href='./202403/t20240315_1.html'>2019年1月1日起施行的通知</a><span>2024-03-15</span></li>"
        "<li><a href='./202402/t20240220_2.html'>无日期的通知</a></li>"
        "<li><a href='/other/x.html'>别的栏目</a><span>2024-01-01</span></li></ul>"
    )
    pattern = re.compile(r"/t\d{8}_\d+\.html$")
    links = listed_links(html, "http://gaj.example-county.invalid/xxgk/tzgg/index.html", pattern)
    assert [(link.url.rsplit("/", 2)[-2], str(link.day)) for link in links] == [
        ("202403", "2024-03-15"),
        ("202402", "2024-02-20"),  # from the TRS URL when the list shows none
    ]


def test_hanweb_records_are_read_without_an_xml_parser():
    xml = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><datastore><recordset>'
        "<record><![CDATA[<li><a href='/art/2024/3/1/art_1_2.html'>甲</a></li>]]></record>"
        "<record><![CDATA[<li><a href='/art/2024/2/1/art_1_1.html'>乙 &e;</a></li>]]></record>"
        "</recordset><totalrecord>42</totalrecord></datastore>"
    )
    html, total = hanweb_records(xml)
    assert total == 42 and html.count("<li>") == 2 and "root:" not in html
