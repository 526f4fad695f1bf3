"""A county notice and its PDF attachment, crawled from a local site: the notice's 信息公开 box gives
its identity, `show` lists the attachment under it, `search` by 文号 finds both and names the page
linking the document, and the WACZ's pages.jsonl carries the document's text.

The PDF's text is saved for its capture through the index (`save_page`, kind "document"), as the
document reader does once it has read it."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from archive_helpers import archive_cli
from govdoc_site import DOC_NUMBER, NOTICE_PATH, PDF, PDF_NAME, PDF_PATH, PDF_TEXT
from replayweb import CHROMIUM, VERSION, replay_in_replayweb, replay_site, replayweb_assets

from archive_store.export.wacz import export_wacz
from archive_store.export.waczselect import ExportFilter
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import Page
from archive_store.warc.members import iter_records
from pipelines.extraction.govdoc import identity_from_text
from sourcekeeper.cli import main
from sourcekeeper.demo.rawsite import ServedSite

pytestmark = pytest.mark.slow  # a crawl in a subprocess


@dataclass
class Crawled:
    archive: Path
    page_url: str
    pdf_url: str
    wacz: Path


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    work = tmp_path_factory.mktemp("govdocs")
    archive = work / "archive"
    with ServedSite("tests/govdoc_site.py:ROUTES") as site:
        page_url, pdf_url = site.url(NOTICE_PATH), site.url(PDF_PATH)
        result = archive_cli(archive, page_url, "-s", "EXTRACT_PROCESSES=0")
        assert result.returncode == 0, result.stderr
    index = ArchiveIndex(default_db_url(archive))
    try:
        pdf = index.captures_for(pdf_url)[-1]
        assert (pdf.parent_url, pdf.content_type) == (page_url, "application/pdf")
        index.save_page(
            Page(
                capture_id=pdf.id,
                url=pdf_url,
                kind="document",
                text=PDF_TEXT,
                text_source="layer",
                page_count=1,
                **identity_from_text(PDF_TEXT).to_json(),
            )
        )
    finally:
        index.close()
    wacz = work / "export.wacz"
    assert export_wacz(archive, wacz, ExportFilter()).problems == []
    yield Crawled(archive, page_url, pdf_url, wacz)


def _cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> str:
    assert main([str(a) for a in args]) == 0
    return capsys.readouterr().out


def test_the_crawl_fills_the_notices_identity_from_its_box(crawled: Crawled, capsys) -> None:
    fields = json.loads(_cli(capsys, "show", crawled.page_url, "--archive", crawled.archive, "--json"))
    identity = {
        k: fields[k] for k in ("doc_number", "issuer", "index_number", "document_date", "published_date")
    }
    assert identity == {
        "doc_number": DOC_NUMBER,
        "issuer": "示例县公安局",
        "index_number": "11220000/2020-00012",
        "document_date": "2020-03-05",
        "published_date": "2020-03-06",
    }
    assert fields["topic"] == "公安、安全、司法"
    documents = [
        {k: d[k] for k in ("url", "name", "kind", "captured", "text_chars", "text_source", "doc_number")}
        for d in fields["documents"]
    ]
    assert documents == [
        {
            "url": crawled.pdf_url,
            "name": PDF_NAME,
            "kind": "document",
            "captured": True,
            "text_chars": len(PDF_TEXT),
            "text_source": "layer",
            "doc_number": DOC_NUMBER,
        }
    ]


def test_search_by_doc_number_finds_the_notice_and_its_attachment(crawled: Crawled, capsys) -> None:
    found = _cli(capsys, "search", "青公通[2020]12号", "--archive", crawled.archive, "--json")
    hits = {(h["url"], h["kind"], h["page_url"]) for h in map(json.loads, found.splitlines())}
    assert hits == {(crawled.page_url, "page", None), (crawled.pdf_url, "document", crawled.page_url)}
    inside = _cli(
        capsys, "search", "海外联络台账", "--archive", crawled.archive, "--json", "--kind", "document"
    )
    assert [json.loads(line)["url"] for line in inside.splitlines()] == [crawled.pdf_url]


def test_the_wacz_pages_carry_the_documents_text(crawled: Crawled) -> None:
    with zipfile.ZipFile(crawled.wacz) as package:
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").decode().splitlines()[1:]]
        warcs = [name for name in package.namelist() if name.startswith("archive/")]
        bodies = []
        for name in warcs:
            local = crawled.wacz.parent / Path(name).name
            local.write_bytes(package.read(name))
            bodies += [r.block for r in iter_records(local) if r.record_type == "response"]
    by_url = {p["url"]: p for p in pages}
    document = by_url[crawled.pdf_url]
    assert document["kind"] == "document" and document["pageUrl"] == crawled.page_url
    assert document["title"] == f"{DOC_NUMBER} {PDF_NAME}"
    assert document["textUnsegmented"] == PDF_TEXT
    assert "台账" in document["text"].split()  # segmented for ReplayWeb.page's word search
    assert "kind" not in by_url[crawled.page_url]
    assert any(block.endswith(PDF) for block in bodies)  # the PDF itself is in the package


def test_replayweb_page_search_finds_a_word_inside_the_document(crawled: Crawled, tmp_path: Path) -> None:
    """As an archivist would: ReplayWeb.page's own ui.js/sw.js, offline, in headless Chromium."""
    pytest.importorskip("playwright")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed (scripts/system-deps.sh)")
    assets = replayweb_assets()
    if assets is None:
        pytest.skip(f"npm could not fetch replaywebpage@{VERSION}")
    with zipfile.ZipFile(crawled.wacz) as package:
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").decode().splitlines()[1:]]
    notice = [p for p in pages if p["url"] == crawled.page_url]
    document = next(p for p in pages if p["url"] == crawled.pdf_url)
    with replay_site(tmp_path / "site", assets, crawled.wacz) as base:
        seen = replay_in_replayweb(tmp_path / "site", base, notice, "台账")
    results = seen["search"]
    assert " | 台账 | " in results  # a highlighted hit: a word only the PDF's text holds
    # the hit is named as the page links the document, with its 文号; the notice is no hit
    assert document["title"] == f"{DOC_NUMBER} {PDF_NAME}" and PDF_NAME in results
    assert notice[0]["title"] not in results
