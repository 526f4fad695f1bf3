"""Pages that only send the reader elsewhere: a ``<meta http-equiv=refresh>`` or a ``<frameset>``.

Such a capture is kept, but it is not the article: the spider fetches the refresh target and the
frames as their own captures, and this page is labelled ``redirect:meta-refresh`` or
``redirect:frameset`` (never ``ok`` with an empty text, which would read as "the article is empty").
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from w3lib.html import get_meta_refresh

_FRAMESET_RE = re.compile(r"<frameset\b", re.IGNORECASE)
_FRAME_SRC_RE = re.compile(r"""<frame\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_MAX_LISTED = 3


def navigation_state(url: str, markup: str, visible_chars: int, short_page: int) -> tuple[str, str] | None:
    """(state, reason) for a frameset page, or a short page that meta-refreshes to another URL."""
    if _FRAMESET_RE.search(markup):
        frames = [urljoin(url, src) for src in _FRAME_SRC_RE.findall(markup)]
        listed = ", ".join(frames[:_MAX_LISTED]) + (" …" if len(frames) > _MAX_LISTED else "")
        return "redirect:frameset", f"frameset page: its content is in {len(frames)} frame(s): {listed}"
    if visible_chars >= short_page:
        return None  # a real page that also reloads itself or moves on later
    try:
        delay, target = get_meta_refresh(markup, url)
    except ValueError:
        return None
    if target is None or target.split("#", 1)[0] == url.split("#", 1)[0]:
        return None
    return "redirect:meta-refresh", f"meta refresh after {delay:g} s to {target}"
