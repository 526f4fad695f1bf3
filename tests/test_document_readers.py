"""Reading documents (pipelines.doctext): each format's text, OCR of degraded scans measured by
character error rate, and every hostile document ending with its named outcome in a worker
process whose memory stays bounded."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import document_samples as samples
import pytest

from pipelines.doctext.model import Limits
from pipelines.doctext.ocr import tesseract_languages, tesseract_path
from pipelines.doctext.read import read_document
from pipelines.doctext.workers import DocumentJob, ReaderPool

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
LIMITS = Limits()
needs_ocr = pytest.mark.skipif(
    tesseract_path() is None
    or not {"chi_sim", "eng"} <= tesseract_languages()
    or samples.cjk_font_path() is None,
    reason="needs tesseract-ocr with chi-sim and eng models, fonts-noto-cjk (scripts/system-deps.sh)",
)


# formats ------------------------------------------------------------------------------------------
def test_a_word_97_document_is_read_with_its_table() -> None:
    doc = read_document(
        (FIXTURES / "notice.doc").read_bytes(), "http://x.gov.cn/a.doc", "application/msword", LIMITS
    )
    assert (doc.format, doc.skipped, doc.text_source) == ("doc", None, "layer")
    assert doc.text.splitlines() == [
        "青公通〔2020〕12号",
        "关于开展劝返工作的通知",
        "各乡镇派出所：为进一步做好海外人员劝返工作，现将有关事项通知如下。",
        "Overseas work notice, English kept.",
        "姓名\t去向",
        "张三\t境外",
    ]


def test_wps_in_its_ole_and_zip_forms() -> None:
    ole = read_document((FIXTURES / "notice.doc").read_bytes(), "http://x.gov.cn/a.wps", None, LIMITS)
    zipped = read_document(samples.docx_bytes(["金山文字的通知"]), "http://x.gov.cn/b.wps", None, LIMITS)
    assert (ole.format, zipped.format) == ("wps", "wps")
    assert "青公通〔2020〕12号" in ole.text and zipped.text == "金山文字的通知"


def test_xls_and_et_cells_carry_their_sheet_and_reference() -> None:
    data = (FIXTURES / "returnees.xls").read_bytes()
    for name in ("http://x.gov.cn/r.xls", "http://x.gov.cn/r.et"):
        doc = read_document(data, name, None, LIMITS)
        assert "劝返人员!B2\t青海省西宁市" in doc.text.splitlines()


def test_rtf_with_a_gbk_code_page_and_plain_text() -> None:
    rtf = (
        rb"{\rtf1\ansi\ansicpg936{\fonttbl{\f0 SimSun;}}"
        rb"\f0 \'c7\'e0\'b9\'ab\'cd\'a8\par \u21149?\u36820?\par}"
    )
    assert read_document(rtf, "http://x.gov.cn/a.rtf", None, LIMITS).text == "青公通\n劝返"
    text = read_document(
        "通知全文".encode("gb18030"), "http://x.gov.cn/a.txt", "text/plain; charset=gbk", LIMITS
    )
    assert text.text == "通知全文"


def test_zip_members_are_named_after_the_archive() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("附件/通知.docx", samples.docx_bytes(["附件一的正文"]))
        package.writestr("名单.xlsx", samples.xlsx_bytes({"Sheet1": [["王五"]]}))
    doc = read_document(out.getvalue(), "http://x.gov.cn/files/attach.zip", None, LIMITS)
    names = [member["name"] for member in doc.members]
    assert names == ["attach.zip!/附件/通知.docx", "attach.zip!/名单.xlsx"]
    assert "【attach.zip!/附件/通知.docx】\n附件一的正文" in doc.text
    assert "Sheet1!A1\t王五" in doc.text


# OCR ---------------------------------------------------------------------------------------------
@needs_ocr
def test_a_photocopied_150_dpi_scan_is_read_within_five_percent_cer() -> None:
    image = samples.scan(0, seed=3)
    doc = read_document(samples.image_bytes(image, "PNG"), "http://x.gov.cn/scan.png", "image/png", LIMITS)
    assert (doc.skipped, doc.text_source, doc.page_count) == (None, "ocr", 1)
    assert samples.character_error_rate(samples.notice_text(0), doc.text) <= 0.05
    assert doc.ocr_confidence is not None and doc.ocr_confidence > 50
    assert doc.engines["ocr"].startswith("tesseract ")


@needs_ocr
def test_a_pdf_of_a_text_page_and_a_scanned_page_is_mixed(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    scanned = samples.image_pdf([samples.scan(1, seed=4, degrade=False)])
    typed = samples.image_pdf([samples.render_page("x")])  # replaced below by a page with a text layer
    if samples.chromium_path() is not None:
        typed = samples.chromium_pdf(
            samples.notice_html(["第一页有文字层的正文内容，足够长。"], "通知"), tmp_path
        )
    writer = PdfWriter()
    for part in (typed, scanned):
        for page in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    doc = read_document(out.getvalue(), "http://x.gov.cn/mixed.pdf", "application/pdf", LIMITS)
    assert doc.page_count == 2
    assert [page.source for page in doc.pages][1] == "ocr"
    assert samples.character_error_rate(samples.notice_text(1), doc.pages[1].text) <= 0.05
    if samples.chromium_path() is not None:
        assert doc.text_source == "mixed"


def test_ocr_never_leaves_a_scan_unread_with_its_reason() -> None:
    never = Limits(ocr="never")
    pdf = samples.image_pdf([samples.render_page("扫描件")]) if samples.cjk_font_path() else None
    if pdf is None:
        pytest.skip("needs fonts-noto-cjk")
    doc = read_document(pdf, "http://x.gov.cn/scan.pdf", "application/pdf", never)
    assert (doc.skipped, doc.text) == ("ocr-off", "")


# hostile documents -------------------------------------------------------------------------------
def _encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_of_pages(count: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(72, 72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _png_header_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A PNG whose header says 50,000 × 50,000 pixels (2.5 GB decoded) and whose data is a few KB
    of deflated zeros: refused from its header, never decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def _zip_bomb() -> bytes:
    """A ZIP of 64 KB that expands a thousandfold (64 MB of zeros)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("zeros.txt", b"\x00" * (64 * 1024 * 1024))
    return out.getvalue()


def _vm_peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_every_hostile_document_has_its_named_outcome_in_bounded_memory() -> None:
    html_doc = "<html><head><title>通知</title></head><body><p>以网页另存的文件</p></body></html>"
    hostile = {
        "encrypted": (_encrypted_pdf(), "http://x.gov.cn/locked.pdf"),
        "corrupt": (
            b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n",
            "http://x.gov.cn/bad.pdf",
        ),
        "too-large pages": (_pdf_of_pages(5000), "http://x.gov.cn/5000.pdf"),
        "too-large pixels": (_png_header_bomb(), "http://x.gov.cn/huge.png"),
        "too-large expansion": (_zip_bomb(), "http://x.gov.cn/bomb.zip"),
        "html as doc": (html_doc.encode(), "http://x.gov.cn/notice.doc"),
    }
    pool = ReaderPool(1, Limits(max_pages=2000, max_memory_mb=1024))
    try:
        outcomes = {key: pool.read(DocumentJob(data, url, None)) for key, (data, url) in hostile.items()}
        (pid,) = pool.pids()
        peak = _vm_peak_rss_mb(pid)
    finally:
        pool.close()
    assert outcomes["encrypted"].skipped == "encrypted"
    assert outcomes["corrupt"].skipped == "corrupt"
    assert outcomes["too-large pages"].skipped == "too-large"
    assert "5,000 pages" in (outcomes["too-large pages"].skipped_detail or "")
    assert outcomes["too-large pixels"].skipped == "too-large"
    assert "50,000 × 50,000 pixels" in (outcomes["too-large pixels"].skipped_detail or "")
    assert outcomes["too-large expansion"].skipped == "too-large"
    assert "decompression bomb" in (outcomes["too-large expansion"].skipped_detail or "")
    mislabelled = outcomes["html as doc"]
    assert (mislabelled.format, mislabelled.skipped) == ("html", None)
    assert mislabelled.text == "通知\n以网页另存的文件"
    assert mislabelled.notes == ["named as doc, the bytes are html"]
    assert pool.replaced == 0  # one worker read them all
    assert peak < 400, f"the reader's memory peaked at {peak:.0f} MB"


@needs_ocr
def test_a_document_over_its_time_limit_keeps_the_pages_read_and_says_timeout() -> None:
    pdf = samples.image_pdf([samples.scan(n % 2, seed=n) for n in range(6)])
    pool = ReaderPool(1, Limits(timeout=2.0))
    try:
        doc = pool.read(DocumentJob(pdf, "http://x.gov.cn/slow.pdf", "application/pdf"))
        after = pool.read(DocumentJob(samples.docx_bytes(["下一个文件"]), "http://x.gov.cn/next.docx", None))
    finally:
        pool.close()
    assert doc.skipped == "timeout" and doc.page_count == 6
    assert len(doc.pages) < 6
    assert after.text == "下一个文件"  # the worker goes on with the next document


def test_a_truncated_capture_is_named_truncated() -> None:
    data = samples.docx_bytes(["被截断的文件"])
    doc = read_document(data[: len(data) // 2], "http://x.gov.cn/cut.docx", None, LIMITS, truncated=True)
    assert doc.skipped == "truncated"


@pytest.mark.skipif(__import__("shutil").which("7zz") is None, reason="needs 7zz (Debian package 7zip)")
def test_a_7z_archive_is_read_member_by_member(tmp_path: Path) -> None:
    import subprocess

    (tmp_path / "通知.docx").write_bytes(samples.docx_bytes(["七z包里的通知"]))
    subprocess.run(
        ["7zz", "a", "-bd", str(tmp_path / "a.7z"), str(tmp_path / "通知.docx")],
        check=True,
        capture_output=True,
    )
    doc = read_document((tmp_path / "a.7z").read_bytes(), "http://x.gov.cn/a.7z", None, LIMITS)
    assert [m["name"] for m in doc.members] == ["a.7z!/通知.docx"]
    assert doc.text == "【a.7z!/通知.docx】\n七z包里的通知"


def _rar4_stored(files: list[tuple[str, bytes]]) -> bytes:
    """A RAR 4 archive with its members stored (no packer writes RAR freely: the format is simple
    enough to write by hand, block by block, each header with its CRC; paths use backslashes)."""

    def block(body: bytes) -> bytes:
        return struct.pack("<H", zlib.crc32(body) & 0xFFFF) + body

    out = b"Rar!\x1a\x07\x00" + block(struct.pack("<BHH", 0x73, 0, 13) + b"\x00" * 6)
    for name, data in files:
        encoded = name.encode()
        crc = zlib.crc32(data) & 0xFFFFFFFF
        fields = struct.pack(
            "<IIBIIBBHI", len(data), len(data), 2, crc, 0x5A210000, 20, 0x30, len(encoded), 0x20
        )
        header = struct.pack("<BHH", 0x74, 0x8000, 7 + len(fields) + len(encoded)) + fields + encoded
        out += block(header) + data
    return out + block(struct.pack("<BHH", 0x7B, 0x4000, 7))


@pytest.mark.skipif(__import__("shutil").which("unar") is None, reason="needs unar (Debian package unar)")
def test_a_rar_archive_is_read_member_by_member() -> None:
    # Debian's 7-Zip has no RAR codec: The Unarchiver reads it
    rar = _rar4_stored(
        [("notice.txt", "关于做好劝返工作的通知".encode()), ("附件\\名单.txt", "名单".encode())]
    )
    doc = read_document(rar, "http://x.gov.cn/files/attach.rar", None, LIMITS)
    assert [m["name"] for m in doc.members] == ["attach.rar!/notice.txt", "attach.rar!/附件/名单.txt"]
    assert "【attach.rar!/notice.txt】\n关于做好劝返工作的通知" in doc.text
    assert doc.skipped is None
    broken = read_document(rar[:40] + b"\x00" * 20, "http://x.gov.cn/files/bad.rar", None, LIMITS)
    assert broken.skipped == "corrupt"
