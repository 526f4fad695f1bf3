"""The diffs the report shows: each `changed` (and `restored`) source expands to what changed
between its two latest captures with different content (`sourcekeeper.changes`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sourcekeeper.changes.output import capture_diff_to_json, stealth_line, text_diff_lines

if TYPE_CHECKING:
    from archive_store.index.database import ArchiveIndex
    from sourcekeeper.changes.model import CaptureDiff

logger = logging.getLogger(__name__)

EXPANDED = ("changed", "restored")
TEXT_LINES = 6  # changed sentences shown per source in the terminal report


def source_diffs(
    index: ArchiveIndex, warc_dir: Path, sources: list[dict[str, Any]], *, visual: bool
) -> dict[str, CaptureDiff]:
    """url -> the diff of each changed or restored source that has two captures to compare; each
    source entry gains `diff` (its JSON, without images) and `stealth` (a stealth edit)."""
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    from sourcekeeper.changes.capturediff import diff_captures  # noqa: PLC0415
    from sourcekeeper.changes.model import DiffUnavailable  # noqa: PLC0415

    found: dict[str, CaptureDiff] = {}
    for source in sources:
        source.setdefault("diff", None)
        if source["state"] not in EXPANDED:
            continue
        try:
            diff = diff_captures(index, warc_dir, source["url"], visual=visual)
        except DiffUnavailable:
            continue
        except (OSError, ValueError, SQLAlchemyError) as exc:  # one unreadable source spoils no report
            logger.warning("no diff of %s in the report: %s", source["url"], exc)
            continue
        found[source["url"]] = diff
        source["diff"] = capture_diff_to_json(diff)
        source["stealth"] = source.get("stealth") or diff.stealth is not None
    return found


def diff_text_lines(diff: CaptureDiff) -> list[str]:
    """The compact text form under a changed source in the terminal report (escaped)."""
    lines = []
    stealth = stealth_line(diff)
    if stealth:
        lines.append(stealth)
    lines.append(f"text: {diff.text.summary()} ({diff.before.when} → {diff.after.when})")
    lines += text_diff_lines(diff.text, limit=TEXT_LINES)
    if diff.visual is not None:
        lines.append(f"screenshots: {diff.visual.changed_share:.2%} of pixels changed")
    return lines
