"""The text of archived documents, as a crawl leaves it: the extraction pipeline (built from a
crawler with the archive add-on, fed exchanges as the download handler records them) reads each
document in a worker process and writes a `conversion` record, a `metadata` record and an index
row of kind `document` that `search` finds and `show` prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import document_samples as samples
import pytest
from crawler_harness import archive_crawler, capture, http_response, run
from scrapy.utils.misc import build_from_crawler
from warcio.archiveiterator import ArchiveIterator

from archive_store.audit.verify import verify_archive
from archive_store.crawl.session import ArchiveSession
from archive_store.index.captureref import CaptureRef
from archive_store.index.search import search
from archive_store.warc.members import iter_records
from pipelines.items import ArchivedResponse
from pipelines.pipeline import ExtractionPipeline

SITE = "http://www.example.gov.cn/xxgk/"
PARAGRAPHS = [
    "青公通〔2020〕12号",
    "各乡镇派出所：为进一步做好海外人员劝返工作，现将有关事项通知如下。",
    "一、对在外人员的国内亲属开展走访工作。",
]
PDF_TYPE = [("Content-Type", "application/pdf")]
OCTETS = [("Content-Type", "application/octet-stream")]


class Archive:
    def __init__(self, root: Path, **settings: Any) -> None:
        self.crawler = archive_crawler(root, **settings)
        self.extraction = build_from_crawler(ExtractionPipeline, self.crawler)
        self.session = ArchiveSession.for_crawler(self.crawler)
        self.session.open_run("component-test", {"test": str(root)})
        self.root = root

    def fetch(
        self, url: str, body: bytes, headers: list[tuple[str, str]], kind: str = "attachment"
    ) -> CaptureRef:
        request = capture(self.session, url, http_response(body, "200 OK", headers))
        info: CaptureRef = request.meta["archive_capture"]
        run(self.extraction.process_item(ArchivedResponse(url, url, 200, headers, body, info, kind=kind)))
        return info

    def stat(self, key: str) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats.get_value(key)

    def close(self) -> list[Any]:
        self.extraction.close_spider()
        self.session.close("finished")
        return [r for path in sorted(self.session.paths.warcs.glob("*.warc.gz")) for r in iter_records(path)]


@pytest.fixture(scope="module")
def chromium_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if samples.chromium_path() is None or samples.cjk_font_path() is None:
        pytest.skip("needs chromium and fonts-noto-cjk (scripts/system-deps.sh)")
    folder = tmp_path_factory.mktemp("pdf")
    return samples.chromium_pdf(samples.notice_html(PARAGRAPHS, "关于开展劝返工作的通知"), folder)


def _sources(archive: Archive, info: dict[str, Any]) -> Any:
    page = archive.session.index.page_for(info.capture_id)
    assert page is not None
    return page


def test_a_pdf_printed_by_chromium_is_read_stored_and_found(tmp_path: Path, chromium_pdf: bytes) -> None:
    archive = Archive(tmp_path / "archive")
    url = SITE + "P020200114123456.pdf"
    info = archive.fetch(url, chromium_pdf, PDF_TYPE)
    page = _sources(archive, info)
    assert (page.kind, page.text_source, page.page_count, page.text_skipped) == ("document", "layer", 1, None)
    assert "青公通〔2020〕12号" in page.text
    assert "现将有关事项通知如下" in page.text  # CJK without spurious spaces
    hits = search(archive.session.index, "劝返")
    assert [hit.url for hit in hits] == [url]
    records = archive.close()
    conversion = [r for r in records if r.record_type == "conversion"]
    assert len(conversion) == 1
    assert conversion[0].get("WARC-Refers-To") == info.record_id
    assert conversion[0].get("WARC-Target-URI") == url
    assert conversion[0].get("Content-Type") == "text/plain; charset=utf-8"
    assert conversion[0].block.decode("utf-8") == page.text
    assert page.conversion_record_id == conversion[0].record_id
    metadata = [r for r in records if r.record_type == "metadata" and r.record_id == page.metadata_record_id]
    assert metadata[0].get("WARC-Refers-To") == conversion[0].record_id
    described = json.loads(metadata[0].block)
    assert described["refers_to_response"] == info.record_id
    assert described["format"] == "pdf" and described["page_count"] == 1
    assert described["engines"]["text"].startswith("pypdfium2 ")
    assert described["pages"][0]["source"] == "layer" and described["skipped"] is None


def test_docx_xlsx_and_ofd_are_read_with_their_structure(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    docx = archive.fetch(
        SITE + "a.docx", samples.docx_bytes(PARAGRAPHS, [["姓名", "去向"], ["张三", "境外"]]), OCTETS
    )
    xlsx = archive.fetch(
        SITE + "b.xlsx",
        samples.xlsx_bytes({"劝返人员": [["姓名", "户籍地"], ["李四", "青海省西宁市"]]}),
        OCTETS,
    )
    ofd = archive.fetch(
        SITE + "c.ofd", samples.ofd_bytes([["青公通〔2020〕12号", "第一页"], ["第二页的通知"]]), OCTETS
    )
    docx_text = _sources(archive, docx).text
    assert docx_text.splitlines()[:3] == PARAGRAPHS
    assert "张三" in docx_text and "境外" in docx_text
    assert "劝返人员!B2\t青海省西宁市" in _sources(archive, xlsx).text.splitlines()
    ofd_page = _sources(archive, ofd)
    assert (ofd_page.page_count, ofd_page.text) == (2, "青公通〔2020〕12号\n第一页\n\n第二页的通知")
    assert {hit.url for hit in search(archive.session.index, "青海省西宁")} == {SITE + "b.xlsx"}
    assert archive.stat("documents/read") == 3
    archive.close()


def test_the_records_pass_warcio_and_verify(tmp_path: Path, chromium_pdf: bytes) -> None:
    archive = Archive(tmp_path / "archive")
    archive.fetch(SITE + "n.pdf", chromium_pdf, PDF_TYPE)
    archive.fetch(SITE + "d.docx", samples.docx_bytes(PARAGRAPHS), OCTETS)
    archive.close()
    warcs = sorted((tmp_path / "archive" / "warcs").glob("*.warc.gz"))
    types = []
    for path in warcs:
        with path.open("rb") as stream:
            types += [record.rec_type for record in ArchiveIterator(stream)]
    assert types.count("conversion") == 2
    checked = subprocess.run(
        [Path(sys.executable).parent / "warcio", "check", *warcs], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = verify_archive(tmp_path / "archive")  # what `sourcekeeper verify` runs
    assert report.ok, report.problems


def test_with_document_text_off_nothing_is_read(tmp_path: Path, chromium_pdf: bytes) -> None:
    archive = Archive(tmp_path / "archive", ARCHIVE_DOCUMENT_TEXT=False)
    info = archive.fetch(SITE + "n.pdf", chromium_pdf, PDF_TYPE)
    assert archive.session.index.page_for(info.capture_id) is None
    records = archive.close()
    assert not [r for r in records if r.record_type == "conversion"]


def test_show_gives_a_documents_text_and_how_it_was_read(
    tmp_path: Path, chromium_pdf: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    from sourcekeeper.cli import main

    archive = Archive(tmp_path / "archive")
    url = SITE + "P020200114123456.pdf"
    archive.fetch(url, chromium_pdf, PDF_TYPE)
    locked = SITE + "locked.docx"
    archive.fetch(locked, b"PK\x03\x04 not really a zip", OCTETS)
    archive.close()
    root = str(tmp_path / "archive")
    assert main(["show", url, "--json", "--archive", root]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["kind"], shown["text_source"], shown["pages"], shown["text_skipped"]) == (
        "document",
        "layer",
        1,
        None,
    )
    assert shown["ocr_confidence"] is None and "青公通〔2020〕12号" in shown["text"]
    assert main(["show", url, "--text", "--archive", root]) == 0
    assert "现将有关事项通知如下" in capsys.readouterr().out
    assert main(["show", locked, "--json", "--archive", root]) == 0
    broken = json.loads(capsys.readouterr().out)
    assert (broken["kind"], broken["text"], broken["text_skipped"]) == ("document", "", "corrupt")
    assert main(["show", locked, "--archive", root]) == 0
    assert "text_skipped    corrupt" in capsys.readouterr().out


NEW_COLUMNS = (
    "kind",
    "text_source",
    "page_count",
    "ocr_confidence",
    "text_skipped",
    "conversion_record_id",
    "doc_number",
    "issuer",
    "index_number",
    "published_date",
    "topic",
)


def _as_before_document_text(root: Path) -> None:
    """The index as the release before document text left it: no new columns, at revision 0009."""
    import sqlite3

    with sqlite3.connect(root / "index.sqlite3") as db:
        for column in NEW_COLUMNS:
            db.execute(f"ALTER TABLE pages DROP COLUMN {column}")
        db.execute("UPDATE alembic_version SET version_num = '0009'")


def test_reextract_reads_the_documents_of_an_archive_made_before_document_text(
    tmp_path: Path, chromium_pdf: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib

    from sourcekeeper.cli import main

    root = tmp_path / "archive"
    archive = Archive(root, ARCHIVE_DOCUMENT_TEXT=False)
    url = SITE + "P020200114123456.pdf"
    archive.fetch(url, chromium_pdf, PDF_TYPE)
    archive.fetch(SITE + "d.docx", samples.docx_bytes(PARAGRAPHS), OCTETS)
    records = archive.close()
    assert not [r for r in records if r.record_type == "conversion"]
    _as_before_document_text(root)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (root / "warcs").glob("*.warc.gz")}

    assert main(["reextract", "--archive", str(root), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["documents_read"], summary["documents_skipped"]) == (2, {})
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (root / "warcs").glob("*.warc.gz")}
    assert {name: after[name] for name in before} == before  # the crawl's WARCs are not rewritten
    (new_warc,) = set(after) - set(before)
    conversions = [r for r in iter_records(root / "warcs" / new_warc) if r.record_type == "conversion"]
    assert {r.get("WARC-Target-URI") for r in conversions} == {url, SITE + "d.docx"}
    assert main(["show", url, "--json", "--archive", str(root)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["kind"], shown["text_source"]) == ("document", "layer") and "青公通〔2020〕12号" in shown[
        "text"
    ]
    assert verify_archive(root).ok

    assert main(["reextract", "--archive", str(root), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["documents_read"], again["documents_current"]) == (0, 2)


@pytest.mark.slow
def test_a_crawl_reads_the_attachments_of_a_notice(tmp_path: Path, chromium_pdf: bytes) -> None:
    """End to end: `sourcekeeper archive` of a notice page; its PDF, scan and DOCX are read in the
    crawl's worker processes, the damaged PDF is named, and `search` finds words inside each."""
    import os

    from archive_helpers import archive_cli, run_cli

    from pipelines.doctext.ocr import tesseract_path
    from sourcekeeper.demo.rawsite import ServedSite

    files = tmp_path / "site"
    files.mkdir()
    (files / "P020200114.pdf").write_bytes(chromium_pdf)
    (files / "scan.png").write_bytes(samples.image_bytes(samples.scan(1, seed=5), "PNG"))
    (files / "list.docx").write_bytes(samples.docx_bytes(["劝返人员名单", "王五"]))
    (files / "broken.pdf").write_bytes(chromium_pdf[:2000])
    archive = tmp_path / "archive"
    os.environ["DOCUMENT_SITE_DIR"] = str(files)
    try:
        with ServedSite("tests/documentsite.py:ROUTES") as site:
            result = archive_cli(archive, site.base_url + "/notice.html")
    finally:
        os.environ.pop("DOCUMENT_SITE_DIR", None)
    assert result.returncode == 0, result.stderr
    hits = [
        json.loads(line)
        for line in run_cli("search", "劝返", "--json", "--archive", archive).stdout.splitlines()
    ]
    found = {hit["url"].rsplit("/", 1)[-1] for hit in hits}
    assert {"notice.html", "P020200114.pdf", "list.docx"} <= found
    broken = json.loads(
        run_cli("show", site.base_url + "/files/broken.pdf", "--json", "--archive", archive).stdout
    )
    assert (broken["kind"], broken["text_skipped"]) == ("document", "corrupt")
    if tesseract_path() is not None:
        scan = json.loads(
            run_cli("show", site.base_url + "/files/scan.png", "--json", "--archive", archive).stdout
        )
        assert scan["text_source"] == "ocr" and scan["pages"] == 1
        assert samples.character_error_rate(samples.notice_text(1), scan["text"]) <= 0.05
    assert verify_archive(archive).ok


def test_an_icon_leaves_no_record_and_ocr_never_reads_no_image(tmp_path: Path) -> None:
    from PIL import Image

    icon = samples.image_bytes(Image.new("L", (32, 32), 255), "PNG")
    archive = Archive(tmp_path / "archive")
    info = archive.fetch(SITE + "icon.png", icon, [("Content-Type", "image/png")])
    assert archive.session.index.page_for(info.capture_id) is None
    assert archive.stat("documents/small_images") == 1
    records = archive.close()
    assert not [r for r in records if r.record_type == "conversion"]
    never = Archive(tmp_path / "never", ARCHIVE_OCR="never")
    scan = samples.image_bytes(samples.render_page("通知"), "PNG") if samples.cjk_font_path() else icon
    info = never.fetch(SITE + "scan.png", scan, [("Content-Type", "image/png")])
    assert never.session.index.page_for(info.capture_id) is None  # never sent to a reader
    assert never.stat("documents/read") is None
    never.close()
