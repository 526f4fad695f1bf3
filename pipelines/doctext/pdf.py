"""PDF: the text layer of every page by PDFium (pypdfium2), in the order PDFium reads it, and
OCR of each page that has (almost) no text of its own while it shows images: a scan."""

from __future__ import annotations

import functools
from importlib.metadata import version
from typing import Any

from pipelines.doctext.model import (
    CORRUPT,
    ENCRYPTED,
    OCR_OFF,
    TOO_LARGE,
    UNSUPPORTED,
    Deadline,
    DocumentText,
    Limits,
    PageText,
    Skipped,
)
from pipelines.doctext.ocr import check_engine, engine_name, ocr_image
from pipelines.doctext.textclean import clean_text

_POINTS_PER_INCH = 72


@functools.cache
def engine() -> str:
    import pypdfium2.version as pdfium_version  # noqa: PLC0415

    return f"pypdfium2 {version('pypdfium2')} (PDFium {pdfium_version.PDFIUM_INFO})"


def read_pdf(data: bytes, limits: Limits, deadline: Deadline, doc: DocumentText) -> None:
    import pypdfium2 as pdfium  # noqa: PLC0415
    import pypdfium2.raw as pdfium_c  # noqa: PLC0415

    doc.engines["text"] = engine()
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise Skipped(ENCRYPTED, "the PDF needs a password to be opened") from None
        if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise Skipped(ENCRYPTED, "the PDF is encrypted in a way PDFium does not read") from None
        raise Skipped(CORRUPT, "PDFium cannot open it: damaged, or not a PDF") from None
    try:
        count = len(pdf)
        doc.page_count = count
        if count > limits.max_pages:
            raise Skipped(
                TOO_LARGE,
                f"{count:,} pages, over the limit of {limits.max_pages:,} (ARCHIVE_DOCUMENT_MAX_PAGES)",
            )
        for number in range(count):
            deadline.check()  # a timeout keeps the pages read so far (the caller records it)
            doc.pages.append(_read_page(pdf[number], number + 1, limits, deadline, doc))
        if not doc.pages or not any(page.text for page in doc.pages):
            notes = {page.note for page in doc.pages}
            if OCR_OFF in notes:
                raise Skipped(OCR_OFF, "its pages are images and OCR is off (ARCHIVE_OCR = never)")
            if UNSUPPORTED in notes:
                raise Skipped(UNSUPPORTED, "its pages are images and OCR is not installed (tesseract)")
    finally:
        pdf.close()


def _has_images(page: Any) -> bool:
    import pypdfium2.raw as pdfium_c  # noqa: PLC0415

    return next(iter(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3)), None) is not None


def _read_page(page: Any, number: int, limits: Limits, deadline: Deadline, doc: DocumentText) -> PageText:
    try:
        textpage = page.get_textpage()
        try:
            text = clean_text(textpage.get_text_bounded())
        finally:
            textpage.close()
        short = len("".join(text.split())) < limits.ocr_short_text
        if not short or not (limits.ocr == "always" or _has_images(page)):
            return PageText(number, text, "layer" if text else "none")
        try:
            check_engine(limits)
        except Skipped as skipped:
            return PageText(number, text, "layer" if text else "none", note=skipped.reason)
        image = _render(page, limits)
        ocr_text, confidence = ocr_image(image, limits, deadline)
        doc.engines["ocr"] = engine_name(limits)
        if len(ocr_text) <= len(text):  # the little text the page had says more than the OCR
            return PageText(number, text, "layer" if text else "none", confidence, note="ocr found less")
        return PageText(number, ocr_text, "ocr", confidence)
    finally:
        page.close()


def _render(page: Any, limits: Limits) -> Any:
    """The page as a grey image at ARCHIVE_OCR's resolution, smaller if that passes the pixel limit."""
    width, height = page.get_size()
    scale = limits.ocr_dpi / _POINTS_PER_INCH
    pixels = width * height * scale * scale
    if pixels > limits.max_pixels:
        scale *= (limits.max_pixels / pixels) ** 0.5
    if width * scale < 1 or height * scale < 1:
        raise Skipped(CORRUPT, f"a page of {width:g} × {height:g} points cannot be drawn")
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        return bitmap.to_pil()
    finally:
        bitmap.close()
