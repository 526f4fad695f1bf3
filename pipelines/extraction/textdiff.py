"""A sentence-level diff of extracted text that works for Chinese (no spaces between words).

Text is split after 。！？；!?; and at line ends, so an edited notice shows the sentences that went
and came rather than a character soup. Pure functions; the result is plain JSON data.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")


def sentences(text: str) -> list[str]:
    """Sentences in order, white space squeezed, empty pieces dropped."""
    pieces = (_SPACES.sub(" ", piece).strip() for piece in _SENTENCE_END.split(text or ""))
    return [piece for piece in pieces if piece]


def sentence_diff(before: str, after: str, max_sentences: int = 200) -> dict[str, Any]:
    """{"removed": n, "added": n, "hunks": [{"op", "before": [...], "after": [...]}], "truncated"}."""
    old, new = sentences(before), sentences(after)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    hunks: list[dict[str, Any]] = []
    removed = added = kept = 0
    truncated = False
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed += a1 - a0
        added += b1 - b0
        gone, came = old[a0:a1], new[b0:b1]
        room = max_sentences - kept
        if room <= 0:
            truncated = True
            continue
        if len(gone) + len(came) > room:
            truncated = True
            gone, came = gone[:room], came[: max(room - len(gone), 0)]
        kept += len(gone) + len(came)
        hunks.append({"op": op, "before": gone, "after": came})
    return {"removed": removed, "added": added, "hunks": hunks, "truncated": truncated}


def diff_lines(diff: dict[str, Any], limit: int = 6) -> list[str]:
    """A few `- sentence` / `+ sentence` lines for people reading a terminal."""
    lines: list[str] = []
    for hunk in diff.get("hunks", []):
        lines += [f"- {s}" for s in hunk["before"]] + [f"+ {s}" for s in hunk["after"]]
    if len(lines) > limit:
        lines = [*lines[:limit], f"  … {len(lines) - limit} more changed sentence(s)"]
    return lines
