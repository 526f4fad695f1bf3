"""Choose the body among the extractors' candidates, and say which one won and why.

Candidates: the platform's container (TRS / UCAP / Hanweb), the punctuation-density block, and
trafilatura. A candidate is a *failed extraction* when it is far shorter than the page's main text
block, or made mostly of link text (a portal article reduced to one short link line); the next
candidate is then tried. The winner and the reason are recorded with the page.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass

import trafilatura
from lxml import etree

from pipelines.extraction import density
from pipelines.extraction.bodylines import extend_run
from pipelines.extraction.htmltext import block_text, text_lines

logger = logging.getLogger(__name__)

MIN_DENSITY_CHARS = 80  # shorter than this, let trafilatura have a go as well
_TRAFILATURA_MAX_NODES = 20_000
# A candidate with less than this share of the main block's prose has missed the body.
SHORT_SHARE = 0.4
_MIN_MAIN_BLOCK = 200  # below this, the main block is no yardstick
_LINK_SHARE = 0.5  # a body with more link text than this is a link list
_WS_RE = re.compile(r"\s+")


# Site profiles: rules keyed to one platform's markup live here, not in the general extractor.
# UCAP (开普云, www.gov.cn): the heading sits outside #UCAP-CONTENT, yet a resolution or decision
# is cited by it, so it is kept as the body's first line.
PLATFORM_PROFILES: dict[str, dict[str, bool]] = {"ucap": {"keep_heading": True}}


@dataclass
class Body:
    text: str
    block: etree._Element | None
    extractor: str  # "platform:<name>", "density", "trafilatura", "none"
    why: str


def _chars(text: str) -> int:
    return len(_WS_RE.sub("", text))


def _link_share(node: etree._Element, total: int) -> float:
    return (total - _chars(block_text(node, skip_links=True))) / total if total else 0.0


def _small_enough_for_trafilatura(root: etree._Element) -> bool:
    """trafilatura slows down badly on huge trees (seconds per 100k nodes); our path is linear."""
    return all(i < _TRAFILATURA_MAX_NODES for i, _ in enumerate(root.iter()))


def trafilatura_text(root: etree._Element) -> str:
    """trafilatura on a copy of our tree (it edits the tree it is given). ``fast``: without its
    readability/jusText comparison, which serialises the tree and parses the page a second time."""
    try:
        result = trafilatura.extract(
            copy.deepcopy(root), include_tables=True, include_comments=False, fast=True
        )
    except Exception:  # trafilatura raises assorted errors on odd trees
        logger.debug("trafilatura failed", exc_info=True)
        return ""
    return result if isinstance(result, str) else ""


def choose_body(root: etree._Element, platform: str, platform_body: etree._Element | None) -> Body:
    """The body text and element, with the extractor that produced it and why."""
    block = density.main_block(root)
    dense = ""
    if block is not None:
        block_lines = text_lines(block)
        dense = "\n".join(extend_run([line for line, _ in block_lines], density.best_run(block_lines)))
    main_chars = _chars(dense)
    if platform_body is not None:
        text = block_text(platform_body)
        chars = _chars(text)
        if chars and _link_share(platform_body, chars) > _LINK_SHARE:
            why = f"{platform} body rejected: mostly link text"
        elif chars and main_chars >= _MIN_MAIN_BLOCK and chars < SHORT_SHARE * main_chars:
            why = f"{platform} body rejected: {chars} chars against a {main_chars}-char main text block"
        elif chars:
            return Body(text, platform_body, f"platform:{platform}", f"{platform} body container")
        else:
            why = f"{platform} body container empty"
    else:
        why = "no platform body container"
    if main_chars >= MIN_DENSITY_CHARS:
        return Body(dense, block, "density", f"{why}; densest punctuated block")
    if _small_enough_for_trafilatura(root):
        fallback = trafilatura_text(root)
        if _chars(fallback) > main_chars:
            return Body(fallback, block, "trafilatura", f"{why}; density block {main_chars} chars")
    if dense:
        return Body(dense, block, "density", f"{why}; short densest block, nothing longer")
    return Body("", block, "none", f"{why}; no text block found")
