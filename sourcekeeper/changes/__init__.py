"""What changed between two captures of a URL: the library behind `sourcekeeper diff`, the
report's diffs and the web view.

    from sourcekeeper.changes import diff_captures, capture_diff_to_json, capture_diff_to_html
    diff = diff_captures(index, archive / "warcs", url, "2026-12-01", None)  # -> CaptureDiff
    diff.text.hunks, diff.fields, diff.links, diff.documents, diff.visual, diff.stealth

`model` holds the typed result (frozen dataclasses), `capturediff` builds it from the index and
the WARCs, `visual` compares two screenshots (Pillow), `output` turns it into JSON and terminal
lines, `html` into a self-contained page or a fragment of one. The sentence diff and the
stealth-edit rule are pure text functions in `pipelines.extraction` (sentencediff, stealth), which
the re-check pipeline uses too.

May import: everything (it sits with the command line, on top).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

if TYPE_CHECKING:
    from sourcekeeper.changes.capturediff import diff_captures as diff_captures
    from sourcekeeper.changes.html import capture_diff_to_html as capture_diff_to_html
    from sourcekeeper.changes.html import diff_fragment as diff_fragment
    from sourcekeeper.changes.model import CaptureDiff as CaptureDiff
    from sourcekeeper.changes.model import CaptureSide as CaptureSide
    from sourcekeeper.changes.model import DiffUnavailable as DiffUnavailable
    from sourcekeeper.changes.model import DocumentChange as DocumentChange
    from sourcekeeper.changes.model import Link as Link
    from sourcekeeper.changes.model import VisualDiff as VisualDiff
    from sourcekeeper.changes.output import capture_diff_lines as capture_diff_lines
    from sourcekeeper.changes.output import capture_diff_to_json as capture_diff_to_json
    from sourcekeeper.changes.visual import compare_screenshots as compare_screenshots

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "capturediff": ["diff_captures"],
        "html": ["capture_diff_to_html", "diff_fragment"],
        "model": ["CaptureDiff", "CaptureSide", "DiffUnavailable", "DocumentChange", "Link", "VisualDiff"],
        "output": ["capture_diff_lines", "capture_diff_to_json"],
        "visual": ["compare_screenshots"],
    },
)
