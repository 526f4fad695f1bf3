"""`read_document`: the text of one document, whatever its kind, or the named reason it has none.
Never raises: a damaged, hostile or unknown document becomes an outcome (model.REASONS)."""

from __future__ import annotations

import logging
import time

from pipelines.doctext import ofd, office, pdf
from pipelines.doctext.archives import archive_label, read_archive
from pipelines.doctext.model import (
    CORRUPT,
    OCR_OFF,
    TOO_LARGE,
    TRUNCATED,
    UNSUPPORTED,
    Deadline,
    DocumentText,
    Limits,
    PageText,
    Skipped,
)
from pipelines.doctext.ocr import check_engine, check_pixels, engine_name, ocr_image, open_image
from pipelines.doctext.sniff import IMAGE_FORMATS, sniff

logger = logging.getLogger(__name__)
# kinds that are the same format under another name: no note when one is served as the other
_SAME = {
    frozenset({"doc", "wps"}),
    frozenset({"docx", "wps"}),
    frozenset({"xls", "et"}),
    frozenset({"xlsx", "et"}),
    frozenset({"jpeg", "png", "gif", "webp", "tiff", "bmp"}),
    frozenset({"ppt", "pptx"}),
}


def read_document(
    data: bytes,
    name: str,
    content_type: str | None,
    limits: Limits,
    *,
    truncated: bool = False,
    deadline: Deadline | None = None,
    depth: int = 0,
) -> DocumentText:
    """`name` is the document's URL (or `archive.zip!/member` for a member of an archive)."""
    started = time.monotonic()
    deadline = deadline or Deadline(limits.timeout)
    sniffed = sniff(data, name, content_type)
    doc = DocumentText(format=sniffed.format)
    declared = sniffed.declared
    if declared and declared != sniffed.format and frozenset({declared, sniffed.format}) not in _SAME:
        doc.notes.append(f"named as {declared}, the bytes are {sniffed.format}")
    try:
        _dispatch(data, name, content_type, sniffed.format, limits, deadline, doc, depth)
    except Skipped as skipped:
        doc.skip(skipped.reason, skipped.detail)
    except MemoryError:
        doc.skip(TOO_LARGE, f"reading it needed more than the memory limit of {limits.max_memory_mb:,} MB")
    except RecursionError:
        doc.skip(CORRUPT, "its structure nests too deep to be read")
    except Exception as exc:  # a reader library's own failure on a damaged file: the crawl goes on
        logger.debug("reading %s failed", name, exc_info=True)
        doc.skip(
            CORRUPT, f"the {sniffed.format} reader failed on it ({type(exc).__name__}: {str(exc)[:200]})"
        )
    if truncated and doc.skipped == CORRUPT:
        doc.skip(TRUNCATED, f"the capture was cut short, so the file is incomplete ({doc.skipped_detail})")
    if not doc.members and not doc.text:
        doc.text = "\n\n".join(page.text for page in doc.pages if page.text)
    doc.seconds = time.monotonic() - started
    return doc


def _dispatch(
    data: bytes,
    name: str,
    content_type: str | None,
    kind: str,
    limits: Limits,
    deadline: Deadline,
    doc: DocumentText,
    depth: int,
) -> None:
    if not data:
        raise Skipped(CORRUPT, "the file is empty")
    if kind == "pdf":
        pdf.read_pdf(data, limits, deadline, doc)
    elif kind in ("docx", "wps") and data.startswith(b"PK"):
        office.read_docx(data, limits, deadline, doc)
    elif kind in ("doc", "wps"):
        office.read_word_binary(data, limits, deadline, doc)
    elif kind in ("xlsx", "et") and data.startswith(b"PK"):
        office.read_xlsx(data, limits, deadline, doc)
    elif kind in ("xls", "et"):
        office.read_xls(data, limits, deadline, doc)
    elif kind == "ofd":
        ofd.read_ofd(data, limits, deadline, doc)
    elif kind == "rtf":
        office.read_rtf(data, limits, deadline, doc)
    elif kind == "text":
        office.read_text(data, content_type, doc)
    elif kind == "html":
        office.read_html(data, content_type, doc)
    elif kind in IMAGE_FORMATS:
        read_image(data, limits, deadline, doc)
    elif kind in ("zip", "7z", "rar"):

        def member(
            content: bytes, member_name: str, member_deadline: Deadline, member_depth: int
        ) -> DocumentText:
            return read_document(
                content, member_name, None, limits, deadline=member_deadline, depth=member_depth
            )

        read_archive(data, kind, archive_label(name), limits, deadline, doc, depth, member)
    else:
        raise Skipped(UNSUPPORTED, f"no reader for {kind} files")


def read_image(data: bytes, limits: Limits, deadline: Deadline, doc: DocumentText) -> None:
    """OCR of every frame of an image (a multi-page TIFF is a scanned document; a GIF's first frame)."""
    image = open_image(data, limits)
    with image:
        frames = getattr(image, "n_frames", 1) if doc.format == "tiff" else 1
        doc.page_count = frames
        if frames > limits.max_pages:
            raise Skipped(TOO_LARGE, f"{frames:,} frames, over the limit of {limits.max_pages:,}")
        if limits.ocr == "auto" and image.width * image.height < limits.ocr_min_pixels:
            raise Skipped(OCR_OFF, f"{image.width} × {image.height} pixels: too small to hold a document")
        check_engine(limits)
        doc.engines["ocr"] = engine_name(limits)
        for number in range(frames):
            deadline.check()
            image.seek(number)
            check_pixels(image.width, image.height, limits)
            try:
                image.load()
            except (OSError, ValueError, SyntaxError) as exc:
                raise Skipped(CORRUPT, f"the image cannot be decoded ({exc})") from None
            text, confidence = ocr_image(image, limits, deadline)
            doc.pages.append(PageText(number + 1, text, "ocr" if text else "none", confidence))
