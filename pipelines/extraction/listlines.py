"""Lines of lists of other articles ("related", "latest", sidebars): their dates are not the page's.

A line is such a list item when, its dates aside, it is mostly link text (a linked headline with
its date beside it), and carries no 来源/作者/发布 label (a byline's linked source is not a list).
A line that is only a date is one when the lines on both sides of it are list items.
"""

from __future__ import annotations

import re

_YEAR_RE = re.compile(r"(?:19|20)\d{2}|[１２][０-９]{3}")
_DATE_TEXT_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
    r"|\d{1,2}/\d{1,2}/(?:19|20)\d{2}|[\[\]【】()（）\s]"
)
_LABEL_RE = re.compile(r"来源|作者|发布|发表|张贴|发帖|时间|日期|编辑|记者|出处|稿源|posted", re.IGNORECASE)
_MIN_LINK_CHARS = 4
_LINK_SHARE = 0.6


def _linky(line: str, links: int) -> bool:
    rest = _DATE_TEXT_RE.sub("", line)
    return links >= _MIN_LINK_CHARS and links >= _LINK_SHARE * max(1, len(rest))


def list_lines(lines: list[tuple[str, int]]) -> set[int]:
    """Indexes of the lines (``text_lines`` output: text and characters inside links) that are
    items of a list of other articles and hold a date."""
    found: set[int] = set()
    for i, (line, links) in enumerate(lines):
        if not _YEAR_RE.search(line) or _LABEL_RE.search(line):
            continue
        if links and _linky(line, links):
            found.add(i)
        elif not links and not _DATE_TEXT_RE.sub("", line) and 0 < i < len(lines) - 1:
            before, after = lines[i - 1], lines[i + 1]
            if _linky(*before) and _linky(*after):
                found.add(i)
    return found
