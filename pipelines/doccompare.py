"""What a re-check compares of a capture: a page's title and text, a document's text.

A document (PDF, Word, a scan's OCR) has no title, and its text carries the line breaks of its
layout: a replaced PDF set again with one word changed moves every following line break, and a
diff by line would show the whole rest of the document as changed. Its lines are joined back into
paragraphs first (`unwrap`): a line as wide as the text block that does not end a sentence
continues on the next one. A document whose text could not be read (`text_skipped`: encrypted,
corrupt …) has nothing to compare: a new payload of it is `changed`, never `unchanged` because two
empty texts agree.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive_store.index.database import ArchiveIndex

_ENDS = ("。", "！", "？", "；", "：", "!", "?", ";", ":")
# lines that start a paragraph of their own: 一、 （一） 1. 第一条, a spreadsheet cell (Sheet1!A1)
_STARTS_BLOCK_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、]|第[一二三四五六七八九十百\d]+[条章节]"
    r"|[^\s!]{1,40}!\$?[A-Z]{1,3}\$?\d+)"
)
_FULL_LINE = 0.8  # of the usual line width: a line this wide was wrapped by the layout
_MIN_WIDTH = 12  # narrower text blocks (tables, lists) are left as they are


def unwrap(text: str) -> str:
    """The text with the line breaks of its layout undone; paragraph breaks (a blank line, a short
    line, a line ending a sentence, a numbered item) kept."""
    lines = [line.strip() for line in (text or "").replace("\f", "\n").splitlines()]
    widths = sorted(len(line) for line in lines if line)
    if not widths:
        return ""
    width = widths[min(len(widths) - 1, int(len(widths) * 0.8))]
    if width < _MIN_WIDTH:
        return "\n".join(line for line in lines if line)
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line or _STARTS_BLOCK_RE.match(line):
            if current:
                paragraphs.append(current)
            current = ""
            if not line:
                continue
        space = (
            " " if current and current[-1].isascii() and current[-1].isalnum() and line[0].isascii() else ""
        )
        current = f"{current}{space}{line}"
        if line.endswith(_ENDS) or len(line) < _FULL_LINE * width:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return "\n".join(paragraphs)


def comparable_text(index: ArchiveIndex, capture_id: int) -> str | None:
    """The text a re-check compares for a capture, or None when there is none to compare: a page's
    title and text; a document's text, unwrapped (None when it could not be read)."""
    page = index.page_for(capture_id)  # a revisit: its original's
    if page is None:
        return None
    if page.kind == "document":
        if page.text_skipped or not (page.text or "").strip():
            return None
        return unwrap(page.text)
    return f"{page.title or ''}\n{page.text}"
