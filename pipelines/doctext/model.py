"""What reading a document gives (`DocumentText`), the limits it is read under (`Limits`), and the
named outcomes of a document whose text could not be read (`Skipped`)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

# Why a document has no text (or only part of it): the `text_skipped` of its index row.
ENCRYPTED = "encrypted"  # a password is needed to open it
CORRUPT = "corrupt"  # not readable as what it says it is (damaged, cut short, not that format)
TOO_LARGE = "too-large"  # over a limit: pages, pixels, expansion of a compressed file, memory
TIMEOUT = "timeout"  # still being read when its time ran out (the pages read so far are kept)
UNSUPPORTED = "unsupported"  # a format no reader here knows (or whose tool is not installed)
TRUNCATED = "truncated"  # the capture itself was cut short (a size or time limit of the fetch)
OCR_OFF = "ocr-off"  # only OCR would give its text, and OCR is off (ARCHIVE_OCR = never)
FAILED = "failed"  # the reader ended without an answer (crashed, killed)
REASONS = (ENCRYPTED, CORRUPT, TOO_LARGE, TIMEOUT, UNSUPPORTED, TRUNCATED, OCR_OFF, FAILED)

OCR_MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class Limits:
    """The limits and switches one document is read under (the ARCHIVE_DOCUMENT_* settings)."""

    max_pages: int = 2000
    max_pixels: int = 100_000_000
    timeout: float = 120.0
    ocr: str = "auto"
    # auto: an image is read by OCR when it has at least this many pixels (a notice, not an icon)
    ocr_min_pixels: int = 160_000
    # a page of a PDF whose own text is shorter than this while it shows images is read by OCR
    ocr_short_text: int = 20
    ocr_dpi: int = 150
    ocr_languages: str = "chi_sim+eng"
    max_memory_mb: int = 1536
    # a compressed container (ZIP, DOCX, XLSX, OFD) expanding past this many times its size, when
    # that is also over `expand_floor_mb`, is a decompression bomb
    max_expansion: int = 100
    expand_floor_mb: int = 32
    max_expanded_mb: int = 512
    archive_depth: int = 2


class Skipped(Exception):
    """A document (or a part of it) whose text is not read, with the named reason and its detail."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Deadline:
    """When the reading of one document must end; `check` raises Skipped(timeout) past it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def check(self) -> None:
        if time.monotonic() >= self.end:
            raise Skipped(TIMEOUT, f"not read within {self.seconds:g} s")


@dataclass
class PageText:
    """One page (PDF, OFD), frame (image) or sheet: its text and how it was read."""

    number: int
    text: str
    source: str  # layer | ocr | none
    ocr_confidence: float | None = None  # tesseract's mean word confidence, 0-100
    note: str | None = None


@dataclass
class DocumentText:
    """The text of one document and how it was read; `to_json` is the metadata record's body."""

    format: str
    text: str = ""
    pages: list[PageText] = field(default_factory=list)
    page_count: int | None = None
    skipped: str | None = None
    skipped_detail: str | None = None
    engines: dict[str, str] = field(default_factory=dict)
    members: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def text_source(self) -> str | None:
        """layer | ocr | mixed: where the text of the pages that have any came from."""
        sources = {page.source for page in self.pages if page.text.strip() and page.source != "none"}
        sources |= {m["text_source"] for m in self.members if m.get("text_source")}
        if not sources:
            return None
        if sources == {"layer"}:
            return "layer"
        if sources == {"ocr"}:
            return "ocr"
        return "mixed"

    @property
    def ocr_confidence(self) -> float | None:
        """The mean of the OCR'd pages' confidences, 0-100."""
        values = [p.ocr_confidence for p in self.pages if p.source == "ocr" and p.ocr_confidence is not None]
        values += [m["ocr_confidence"] for m in self.members if m.get("ocr_confidence") is not None]
        return round(sum(values) / len(values), 2) if values else None

    def skip(self, reason: str, detail: str) -> DocumentText:
        self.skipped, self.skipped_detail = reason, detail
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "page_count": self.page_count,
            "text_source": self.text_source,
            "text_chars": len(self.text),
            "ocr_confidence": self.ocr_confidence,
            "pages": [
                {k: v for k, v in asdict(page).items() if k != "text"} | {"chars": len(page.text)}
                for page in self.pages
            ],
            "skipped": self.skipped,
            "skipped_detail": self.skipped_detail,
            "engines": self.engines,
            "members": self.members,
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
        }
