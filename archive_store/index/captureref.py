"""Which capture a response is: what the capture side hands the spider and the item pipelines.

The recording handler (through the session) or the resume middleware puts a `CaptureRef` in
`request.meta["archive_capture"]` once the exchange is written and indexed; the spider copies it
into its item (`ArchivedResponse.capture`); the pipelines read it. Frozen and typed: a field the
pipelines rely on cannot go missing or be overwritten on the way (the render middleware makes a
new one with `rendered` or `render_state` set). Picklable, so a request holding one can be queued
on disk or in Redis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from archive_store.index.schema import Capture

# request.meta key of the CaptureRef of the exchange the request made
CAPTURE_META = "archive_capture"


@dataclass(frozen=True)
class CaptureRef:
    """One indexed capture: its row (`capture_id`), its record and where that record lies."""

    capture_id: int | None
    url: str
    record_id: str
    record_type: str  # response | revisit
    warc_file: str
    warc_offset: int
    warc_length: int
    warc_date: str
    http_status: int | None
    payload_digest: str | None
    truncated: str | None  # WARC-Truncated: length | time | disconnect
    rendered: bool = False  # the page as Chromium rendered it (the render middleware)
    # the capture state the render middleware decided (`blocked:<vendor>`, why): extraction keeps it
    render_state: tuple[str, str] | None = None

    @classmethod
    def of(cls, capture: Capture | Mapping[str, Any], capture_id: int | None = None) -> CaptureRef:
        """Of an indexed `Capture`, or of the column values of a capture just indexed as `capture_id`."""
        if isinstance(capture, Capture):
            values: Mapping[str, Any] = {key: getattr(capture, key) for key in _COLUMNS}
            capture_id = capture.id
        else:
            values = capture
        return cls(capture_id=capture_id, **{key: values[key] for key in _COLUMNS})

    def with_render(
        self, *, rendered: bool | None = None, render_state: tuple[str, str] | None = None
    ) -> CaptureRef:
        """The same capture, marked as rendered or with the render middleware's verdict."""
        changes: dict[str, Any] = {}
        if rendered is not None:
            changes["rendered"] = rendered
        if render_state is not None:
            changes["render_state"] = render_state
        return replace(self, **changes)


_COLUMNS = (
    "url",
    "record_id",
    "record_type",
    "warc_file",
    "warc_offset",
    "warc_length",
    "warc_date",
    "http_status",
    "payload_digest",
    "truncated",
)


def capture_in(meta: Mapping[str, Any]) -> CaptureRef | None:
    """The CaptureRef a request's (or response's) meta carries, or None (not archived)."""
    value = meta.get(CAPTURE_META)
    return value if isinstance(value, CaptureRef) else None
