"""The fast path: the body of a page whose CMS template is recognised, read from its container.

The general body choice (`bodyselect.choose_body`) scores the whole page by punctuation density
(an element walk and a text walk of the page's main block) before it trusts a platform container,
and falls back to trafilatura. For a recognised template (TRS, Hanweb, UCAP, Founder: the
container named by `platforms.detect_platform`, or a Founder ``<founder-content>``) this module
takes the container's text at once, and gives the page back to the general path when the result
fails its own cheap sanity checks:

- too short: fewer than `MIN_BODY_CHARS` non-blank characters;
- mostly links: more than half of its characters inside ``<a>`` (a portal's link list);
- no prose: no sentence punctuation at all (a menu or a table of links);
- cut short: its first or last line missing from the page's own lines (the container is not
  the page's text, e.g. a copy inside a script or an attribute).

WeChat articles have their own extractor (`wechat.py`), which never runs the general body
choice: they count as fast-path pages too. Each page records which path it took in
``extraction_path`` (`FAST_PATH` or `GENERAL`), and the crawl counts them
(``extraction/fast_path``, ``extraction/general``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from lxml import etree

from pipelines.extraction.bodyselect import Body, choose_body
from pipelines.extraction.htmltext import block_text
from pipelines.extraction.platforms import PlatformHints

FAST_PATH = "fast_path"
GENERAL = "general"
PATHS = (FAST_PATH, GENERAL)
FAST_PLATFORMS = frozenset({"trs", "hanweb", "ucap", "founder"})
MIN_BODY_CHARS = 80  # as the general path's shortest density block
_LINK_SHARE = 0.5
_PROSE_RE = re.compile(r"[，。；！？：、]")
_WS_RE = re.compile(r"\s+")
_enabled = [True]  # switched off only by `general_path_only`, to compare the two paths
# 方正 (Founder) newspaper / e-paper templates wrap the article in <founder-content>.
_FOUNDER_XPATH = "//founder-content"


def _chars(text: str) -> int:
    return len(_WS_RE.sub("", text))


def founder_body(root: etree._Element) -> etree._Element | None:
    """The largest ``<founder-content>`` element, if the page has one with text."""
    found = [node for node in root.iter("founder-content") if isinstance(node.tag, str)]
    return max(found, key=lambda node: _chars(block_text(node)), default=None)


def sanity_problem(node: etree._Element, text: str, page_lines: list[str]) -> str | None:
    """Why the container's text cannot be trusted without the general path, or None."""
    chars = _chars(text)
    if chars < MIN_BODY_CHARS:
        return f"{chars} chars, fewer than {MIN_BODY_CHARS}"
    link_chars = chars - _chars(block_text(node, skip_links=True))
    if link_chars > _LINK_SHARE * chars:
        return "mostly link text"
    if not _PROSE_RE.search(text):
        return "no sentence punctuation"
    lines = text.split("\n")
    present = set(page_lines)
    if lines[0] not in present or lines[-1] not in present:
        return "its first or last line is not among the page's lines"
    return None


def fast_body(root: etree._Element, hints: PlatformHints, page_lines: list[str]) -> Body | None:
    """The body read straight from a recognised template's container, or None for the general path.

    ``hints`` may be updated: a Founder page is recognised here (``hints.platform = "founder"``).
    """
    if not _enabled[-1]:
        return None
    container = hints.body
    if container is None and hints.platform in ("generic", "gov-meta"):
        container = founder_body(root)
        if container is not None:
            hints.platform, hints.body = "founder", container
    if container is None or hints.platform not in FAST_PLATFORMS:
        return None
    text = block_text(container)
    problem = sanity_problem(container, text, page_lines)
    if problem is not None:
        hints.extra["fast_path_refused"] = problem
        return None
    why = f"{hints.platform} body container, read directly (template recognised)"
    return Body(text, container, f"platform:{hints.platform}", why)


def choose_body_fast(root: etree._Element, hints: PlatformHints, page_lines: list[str]) -> tuple[Body, str]:
    """The body and the path that produced it: the fast path, else `bodyselect.choose_body`."""
    body = fast_body(root, hints, page_lines)
    if body is not None:
        return body, FAST_PATH
    body = choose_body(root, hints.platform, hints.body)
    refused = hints.extra.pop("fast_path_refused", None)
    if refused:
        body.why = f"fast path refused the {hints.platform} container ({refused}); {body.why}"
    return body, GENERAL


@contextmanager
def general_path_only() -> Iterator[None]:
    """Every page takes the general path inside this block (benchmarks and tests compare them)."""
    _enabled.append(False)
    try:
        yield
    finally:
        _enabled.pop()
