"""A 304 answer to a conditional re-check is stored as a server-not-modified revisit: no page of its
own, a pointer to the response it vouched for. `show` gives that response, and says so (issue 17)."""

from __future__ import annotations

from archive_store.index.database import ArchiveIndex
from archive_store.index.schema import Capture


def vouched_original(index: ArchiveIndex, capture: Capture) -> Capture | None:
    """The stored response a 304 revisit vouched for (following revisits of revisits), or None."""
    seen: set[str] = set()
    current = capture
    if current.record_type != "revisit" or current.http_status != 304:
        return None
    while current.record_type == "revisit" and current.refers_to and current.refers_to not in seen:
        seen.add(current.refers_to)
        found = index.capture_by_record_id(current.refers_to)
        if found is None:
            return None
        current = found
    return current if current.record_type == "response" else None


def vouched_note(capture: Capture, original: Capture) -> str:
    return (
        f"note: the capture of {capture.captured_at.isoformat()}Z is an HTTP 304 Not Modified revisit; "
        f"showing the response it vouched for, captured {original.captured_at.isoformat()}Z "
        f"(record {original.record_id})"
    )
