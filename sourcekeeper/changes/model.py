"""The typed result of a diff of two captures (`CaptureDiff`), for the CLI, the report and the web view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pipelines.extraction.sentencediff import SentenceDiff
from pipelines.extraction.stealth import FieldChange, StealthEdit


class DiffUnavailable(ValueError):
    """No diff can be made (unknown URL, one capture only, WHEN names no capture): a plain
    sentence for the user; the command exits 2."""


@dataclass(frozen=True)
class CaptureSide:
    """One of the two captures compared, with what extraction made of it."""

    capture_id: int
    url: str
    captured_at: datetime
    http_status: int
    state: str
    record_id: str
    payload_digest: str
    title: str | None
    text: str  # the extracted text the sentence offsets point into ("" when none)
    fields: dict[str, str | None]  # title, date, document_date, doc_number, issuer (where known)
    rendered: bool  # a screenshot of it is stored

    @property
    def when(self) -> str:
        return self.captured_at.isoformat(timespec="seconds") + "Z"


@dataclass(frozen=True)
class Link:
    url: str
    text: str = ""


@dataclass(frozen=True)
class DocumentChange:
    """A document the page links (an attachment, or a capture whose parent is the page).

    `change`: added (linked only by the later capture), removed (only by the earlier), replaced
    (same URL, another payload), same (same payload, or not fetched again: `note` says which)."""

    url: str
    name: str
    change: Literal["added", "removed", "replaced", "same"]
    before_capture: int | None = None
    after_capture: int | None = None
    before_digest: str | None = None
    after_digest: str | None = None
    text: SentenceDiff | None = None  # when both versions have extracted text
    note: str = ""


@dataclass(frozen=True)
class Box:
    """A changed region of a screenshot, in pixels: left, top, right, bottom (exclusive)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def area(self) -> int:
        return (self.right - self.left) * (self.bottom - self.top)


@dataclass(frozen=True)
class VisualDiff:
    """Two screenshots compared: the share of pixels that differ and the changed regions; the
    PNGs (before, after, after with the regions marked) for showing them."""

    width: int
    height: int
    changed_share: float  # 0..1 of the (padded) pixels
    regions: tuple[Box, ...]
    before_png: bytes = field(repr=False)
    after_png: bytes = field(repr=False)
    marked_png: bytes = field(repr=False)
    size_changed: bool = False


@dataclass(frozen=True)
class CaptureDiff:
    """Everything that changed from `before` to `after` (two captures of `url`)."""

    url: str
    before: CaptureSide
    after: CaptureSide
    same_payload: bool
    text: SentenceDiff
    fields: tuple[FieldChange, ...]  # title and dates, 文号, issuer where known
    links_added: tuple[Link, ...]
    links_removed: tuple[Link, ...]
    documents: tuple[DocumentChange, ...]
    visual: VisualDiff | None
    visual_note: str  # why there is no visual diff ("" when there is one)
    stealth: StealthEdit | None  # a change limited to the date, 文号, issuer
    notes: tuple[str, ...] = ()  # what could not be compared (a WARC not readable …)

    @property
    def changed(self) -> bool:
        return bool(
            self.text.hunks
            or self.fields
            or self.links_added
            or self.links_removed
            or any(d.change != "same" for d in self.documents)
            or (self.visual is not None and self.visual.regions)
        )
