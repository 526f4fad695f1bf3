"""304 server-not-modified revisits (issue 17): `show --raw/--text` give the page they vouched for,
and the WACZ export replays them (package CDXJ) and lets a Chinese word be found (pages.jsonl)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from archive_helpers import archive_cli, cli_here
from replayweb import CHROMIUM, VERSION, replay_in_replayweb, replay_site, replayweb_assets
from takedown_helpers import SITE, recheck_cli
from takedown_site import SENTENCES, p

from archive_store.index.cdxj import parse_cdxj
from archive_store.warc.members import iter_records, parse_record, read_member
from sourcekeeper.demo.rawsite import ServedSite

pytestmark = pytest.mark.slow  # every test here runs sourcekeeper in a subprocess

NOT_MODIFIED = (p(2), p(3))  # ETag and Last-Modified pages: the re-check gets 304


@dataclass
class Rechecked:
    archive: Path
    urls: list[str]
    wacz: Path


@pytest.fixture(scope="module")
def rechecked(tmp_path_factory) -> Iterator[Rechecked]:
    work = tmp_path_factory.mktemp("notmodified")
    archive = work / "archive"
    with ServedSite(SITE) as site:
        urls = [site.url(path) for path in NOT_MODIFIED]
        archived = archive_cli(archive, *urls)
        assert archived.returncode == 0, archived.stderr
        site.set_mode("after")
        checked = recheck_cli(archive, "--json")
        assert checked.returncode == 0, checked.stderr
    wacz = work / "export.wacz"
    exported = cli_here("export", "wacz", wacz, "--archive", archive, "--title", "县级通知 2024")
    assert exported.returncode == 0, exported.stderr
    yield Rechecked(archive, urls, wacz)


def test_show_raw_of_a_304_gives_the_page_it_vouched_for_and_says_so(rechecked):
    for url in rechecked.urls:
        shown = json.loads(cli_here("show", "--archive", rechecked.archive, "--json", url).stdout)
        assert shown["http_status"] == 304 and shown["record_type"] == "revisit"  # the latest capture
        raw = cli_here("show", "--archive", rechecked.archive, "--raw", url)
        assert raw.returncode == 0
        assert raw.stdout_bytes.startswith(b"HTTP/1.1 200 ")
        assert SENTENCES[0].encode() in raw.stdout_bytes
        assert (
            "304 Not Modified revisit" in raw.stderr and shown["not_modified_of"]["record_id"] in raw.stderr
        )
        text = cli_here("show", "--archive", rechecked.archive, "--text", url)
        assert SENTENCES[0] in text.stdout and "304 Not Modified" in text.stderr


def _package(wacz: Path) -> tuple[list, dict, list[dict], zipfile.ZipFile]:
    package = zipfile.ZipFile(wacz)
    entries = parse_cdxj(package.read("indexes/index.cdx").decode(), "index.cdx")
    datapackage = json.loads(package.read("datapackage.json"))
    pages = [json.loads(line) for line in package.read("pages/pages.jsonl").decode().splitlines()[1:]]
    return entries, datapackage, pages, package


def test_the_wacz_replays_each_304_through_the_response_it_vouched_for(rechecked, tmp_path):
    entries, _, _, package = _package(rechecked.wacz)
    with package:
        names = [n for n in package.namelist() if n.startswith("archive/")]
        for name in names:
            (tmp_path / Path(name).name).write_bytes(package.read(name))
        records = [r for name in names for r in iter_records(tmp_path / Path(name).name)]
        for url in rechecked.urls:
            # the revisit stays in the package WARC, byte for byte ...
            revisits = [r for r in records if r.record_type == "revisit" and r.get("WARC-Target-URI") == url]
            assert revisits and revisits[0].block.startswith(b"HTTP/1.1 304 ")
            # ... and the index a viewer reads gives the response it vouched for
            [entry] = [e for e in entries if e.fields["url"] == url]
            assert entry.fields["status"] == "200" and entry.fields["mime"] == "text/html"
            warc = tmp_path / entry.fields["filename"]
            record = parse_record(read_member(warc, entry.offset, entry.length))
            assert record.record_type == "response" and SENTENCES[0].encode() in record.block
            assert revisits[0].get("WARC-Refers-To") == record.record_id


def test_pages_text_is_segmented_for_search_and_the_title_is_where_viewers_read_it(rechecked):
    _, datapackage, pages, package = _package(rechecked.wacz)
    package.close()
    assert datapackage["metadata"]["title"] == "县级通知 2024" == datapackage["title"]
    assert pages
    for page in pages:
        assert SENTENCES[0] in page["textUnsegmented"]
        words = page["text"].split()
        assert "劝返" in words and "在外" in words  # two-character words inside a sentence


@pytest.mark.slow
def test_replayweb_page_replays_every_page_and_finds_a_chinese_word(rechecked, tmp_path):
    """As an archivist would: ReplayWeb.page's own ui.js/sw.js, offline, in headless Chromium."""
    pytest.importorskip("playwright")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (scripts/system-deps.sh)")
    assets = replayweb_assets()
    if assets is None:
        pytest.skip(f"npm could not fetch replaywebpage@{VERSION}")
    _, datapackage, pages, package = _package(rechecked.wacz)
    package.close()
    latest = {p["url"]: p for p in sorted(pages, key=lambda p: p["ts"])}  # the 304 re-checks
    assert {p["url"] for p in pages} == set(rechecked.urls) and len(pages) == 2 * len(latest)
    with replay_site(tmp_path / "site", assets, rechecked.wacz) as base:
        seen = replay_in_replayweb(tmp_path / "site", base, pages, "劝返")
    for page in seen["pages"]:  # the first captures and the 304s: each replays the page
        assert SENTENCES[0] in page["text"], page
    results = seen["search"]
    assert " | 劝返 | " in results  # a highlighted hit inside a sentence
    assert all(p["title"] in results for p in pages)
    assert datapackage["metadata"]["title"] in results  # the collection shows our title
