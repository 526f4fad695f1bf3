"""After extraction: say plainly what an `ok` page holds when it holds (almost) no text.

An `ok` capture with an empty text reads as "the article is empty". It is one of three things:
the content is in linked documents (a notice that is only a PDF link), the content is images (a
scanned notice, an image-only WeChat post), or there is nothing to read (an empty ``<body>``, a page
built by JavaScript). The first two stay ``ok`` (the capture *is* the page; its attachments are
archived beside it) with a reason that says so; the third becomes ``error:empty``. Charset trouble
(a wrong declaration, mixed encodings, undecodable bytes) is added to the reason of any page.
"""

from __future__ import annotations

import re
from typing import Any

from pipelines.extraction.decode import MIXED_CHARSET, DecodedDocument, normalize_label

LITTLE_TEXT_CHARS = 20  # fewer non-space characters than this is no readable article text
_IMG_RE = re.compile(r"""<img\b[^>]*?\b(?:data-src|src)\s*=\s*["']?(?!data:)[^\s"'>]""", re.IGNORECASE)
_MAX_LISTED = 3


def content_state(state: str, reason: str, markup: str, page: dict[str, Any]) -> tuple[str, str]:
    """The state and reason to record for an extracted page (only ``ok`` is refined)."""
    if state != "ok":
        return state, reason
    chars = len("".join((page.get("text") or "").split()))
    if chars >= LITTLE_TEXT_CHARS:
        return state, reason
    documents = [a.get("name") or a.get("url", "") for a in page.get("attachments") or []]
    images = len(_IMG_RE.findall(markup))
    if documents:
        listed = ", ".join(documents[:_MAX_LISTED]) + (" …" if len(documents) > _MAX_LISTED else "")
        return (
            "ok",
            f"no article text ({chars} chars): the content is in {len(documents)} linked "
            f"document(s): {listed}",
        )
    if images:
        return (
            "ok",
            f"no article text ({chars} chars): the page shows {images} image(s), archived as attachments",
        )
    if chars == 0:
        return "error:empty", "no article text: the page has no visible body (empty, or built by JavaScript)"
    return state, reason


def charset_note(decoded: DecodedDocument) -> str:
    """ "" when decoding was clean, else what went wrong, for the capture's reason."""
    notes = []
    if decoded.used_charset == MIXED_CHARSET:
        notes.append("mixed encodings: UTF-8 and GB18030 runs decoded separately")
    elif decoded.declared_charset and decoded.charset_source == "detected":
        declared = normalize_label(decoded.declared_charset)
        if declared and declared != decoded.used_charset:
            notes.append(
                f"declared charset {decoded.declared_charset} is wrong: decoded as {decoded.used_charset}"
            )
    if decoded.replacements:
        notes.append(f"{decoded.replacements} undecodable byte sequence(s) replaced by U+FFFD")
    return "; ".join(notes)
