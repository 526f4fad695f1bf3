"""Find every link a report cites: HTML, Markdown, PDF or DOCX in, deduplicated citations out.

Footnotes, "Source"/"来源" links, ordinary anchors and bare URLs in the text are all citations. URLs
are kept as written (tracking parameters too); only the fragment is dropped for archiving. Parsing
is pure: bytes in, no network, no XML entity resolution (S-6). Markdown lives in `markdown`,
PDF and DOCX in `office`, and `report` picks the reader for a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from w3lib.url import safe_url_string

from pipelines.documents.body import (
    NAVIGATION,
    SkippedLink,
    element_skip_reason,
    has_marked_body,
    url_skip_reason,
)
from pipelines.documents.seeds import check_url
from pipelines.extraction.quotes import quoted_passages

# Bare URLs end at white space, quotes, angle brackets and CJK punctuation; trailing ASCII
# punctuation belongs to the sentence, not the URL.
BARE_URL_RE = re.compile(r"https?://[^\s<>\"'`，。；、！？（）【】「」《》“”‘’\u3000]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\"*_"
_SOURCE_WORDS_RE = re.compile(
    r"^(?:sources?|来源|原文(?:链接|地址)?|出处|链接|网址|source\s+link)\s*[:：]?$", re.I
)
_SOURCE_BEFORE_RE = re.compile(r"(?:sources?|来源|出处|原文(?:链接|地址)?|见|参见|载于)\s*[:：]?\s*$", re.I)
_SPACE_RE = re.compile(r"\s+")
CONTEXT_CHARS = 300
# a citing paragraph is read this far for quoted passages (its stored context is CONTEXT_CHARS)
PARAGRAPH_CHARS = 20000


class ReportError(ValueError):
    """The report cannot be read (unknown format, damaged file)."""


@dataclass
class CitedLink:
    url: str  # as archived: fragment dropped, IRIs percent-encoded
    url_as_written: str
    anchor: str | None
    footnote: str | None
    kind: str  # footnote | source | link | bare
    occurrences: int = 1
    context: str | None = None
    # every place the report cites it: (n-th citation in reading order, its footnote label)
    places: list[tuple[int, str | None]] = field(default_factory=list)
    # the link as written at each of those places (`…html#para2` differs from `…html`), in order
    written: list[str] = field(default_factory=list)
    # passages the citing paragraphs quote (「」“”""), looked for in the capture
    quotes: list[str] = field(default_factory=list)


@dataclass
class ParsedReport:
    format: str
    title: str | None
    links: list[CitedLink] = field(default_factory=list)
    skipped: list[SkippedLink] = field(default_factory=list)  # links that are not citations, and why


def squeeze(text: str | None, limit: int = CONTEXT_CHARS) -> str | None:
    cleaned = _SPACE_RE.sub(" ", text or "").strip()
    return cleaned[:limit] or None


def trim_bare(url: str) -> str:
    """A bare URL without the sentence punctuation after it (a ")" only if it is unbalanced)."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def source_kind(anchor: str | None, before: str | None) -> bool:
    """A "Source: <link>" / "来源：<link>" citation, or a link whose text is just "source"."""
    return bool(_SOURCE_WORDS_RE.match((anchor or "").strip()) or _SOURCE_BEFORE_RE.search(before or ""))


_KIND_RANK = {"footnote": 0, "source": 1, "link": 2, "bare": 3}  # a later, stronger kind wins


class Collector:
    """Deduplicates by archived URL; keeps the first spelling and fills in what later ones add."""

    def __init__(self) -> None:
        self.links: dict[str, CitedLink] = {}
        self.skipped: list[SkippedLink] = []
        self._count = 0

    def add(
        self,
        written: str,
        anchor: str | None = None,
        footnote: str | None = None,
        kind: str = "link",
        context: str | None = None,
        skip: str | None = None,
    ) -> None:
        written = written.strip()
        if check_url(written) is not None:
            return  # mailto:, javascript:, relative links without a base, broken URLs
        url = safe_url_string(written.split("#", 1)[0], encoding="utf-8")
        reason = url_skip_reason(url) or skip  # share buttons, profiles, navigation… (report_body)
        if reason is not None:
            self.skipped.append(SkippedLink(url, squeeze(anchor), reason))
            return
        kind = "footnote" if footnote else kind
        self._count += 1
        known = self.links.get(url)
        if known is None:
            known = self.links[url] = CitedLink(
                url, written, squeeze(anchor), footnote, kind, 1, squeeze(context)
            )
            known.places.append((self._count, footnote))
            known.written.append(written)
            known.quotes += quoted_passages(context)
            return
        known.places.append((self._count, footnote))
        known.written.append(written)
        known.quotes += [q for q in quoted_passages(context) if q not in known.quotes]
        known.occurrences += 1
        known.anchor = known.anchor or squeeze(anchor)
        known.footnote = known.footnote or footnote
        known.context = known.context or squeeze(context)
        if _KIND_RANK[kind] < _KIND_RANK[known.kind]:
            known.kind = kind

    def add_bare_urls(
        self, text: str, footnote: str | None = None, context: str | None = None, skip: str | None = None
    ) -> None:
        for match in BARE_URL_RE.finditer(text or ""):
            before = text[max(0, match.start() - 12) : match.start()]
            kind = "source" if source_kind(None, before) else "bare"
            self.add(trim_bare(match.group(0)), None, footnote, kind, context or text, skip)

    def result(self) -> list[CitedLink]:
        return list(self.links.values())


# HTML --------------------------------------------------------------------------------------------
_FOOTNOTE_ID_RE = re.compile(
    r"(?:^|[-_:])(?:fn|ftn|footnote|endnote|note|edn|ref|cite_note)[-_:]?(\d+)", re.I
)
_FOOTNOTE_BLOCK_RE = re.compile(r"footnote|endnote|references|notes|citations|参考|注释", re.I)
_BLOCKS = {"p", "li", "td", "th", "dd", "dt", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "div"}
_SKIP = {"script", "style", "noscript", "template", "nav"}


def html_tree(text: str) -> lxml.html.HtmlElement:
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses str input with an XML declaration
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(text or "<html></html>", parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ReportError(f"unreadable HTML: {exc}") from exc


def parse_html(text: str, base_url: str | None = None) -> ParsedReport:
    root = html_tree(text)
    base_element = root.find(".//base[@href]")
    base = base_element.get("href") if base_element is not None else base_url
    collector = Collector()
    collect_html(root, collector, base)
    title = squeeze(root.findtext(".//title")) or squeeze(_first_text(root, ".//h1"))
    return ParsedReport("html", title, collector.result(), collector.skipped)


def collect_html(root: lxml.html.HtmlElement, collector: Collector, base: str | None) -> None:
    """Anchors and bare URLs in document order (a text node when it starts, a tail when its
    element ends); text inside a link is its anchor, not another citation."""
    body_marked = has_marked_body(root)
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if not isinstance(element.tag, str) or _skipped(element):
            if isinstance(element.tag, str) and event == "start" and element.tag == "nav":
                _note_skipped(element, collector, base, NAVIGATION)
            continue
        in_link = element.tag == "a" or any(a.tag == "a" for a in element.iterancestors())
        if event == "start":
            if element.tag == "a" and element.get("href"):
                _add_anchor(element, collector, base, element_skip_reason(element, body_marked))
            if element.text and not in_link:
                skip = _text_skip(element, body_marked)
                collector.add_bare_urls(element.text, footnote_label(element), _block_text(element), skip)
            continue
        parent = element.getparent()
        outer_link = parent is not None and (
            parent.tag == "a" or any(a.tag == "a" for a in parent.iterancestors())
        )
        if element.tail and parent is not None and not outer_link:
            skip = _text_skip(parent, body_marked)
            collector.add_bare_urls(element.tail, footnote_label(parent), _block_text(parent), skip)


def _text_skip(container: lxml.html.HtmlElement, body_marked: bool) -> str | None:
    """A bare URL in text is judged by where its text is, like a link."""
    probe = lxml.html.Element("span")
    container.append(probe)
    try:
        return element_skip_reason(probe, body_marked)
    finally:
        container.remove(probe)


def _note_skipped(nav: lxml.html.HtmlElement, collector: Collector, base: str | None, reason: str) -> None:
    """Links of a <nav> (not walked into) are named as skipped, like every other left-out link."""
    for anchor in nav.iter("a"):
        href = (anchor.get("href") or "").strip()
        if href and not href.startswith("#"):
            collector.add(urljoin(base, href) if base else href, anchor.text_content(), skip=reason)


def _add_anchor(
    anchor: lxml.html.HtmlElement, collector: Collector, base: str | None, skip: str | None = None
) -> None:
    href = (anchor.get("href") or "").strip()
    if href.startswith("#"):
        return
    url = urljoin(base, href) if base else href
    text = anchor.text_content()
    previous = anchor.getprevious()
    before = (previous.tail if previous is not None else (anchor.getparent().text or "")) or ""
    kind = "source" if source_kind(text, before[-20:]) else "link"
    collector.add(url, text, footnote_label(anchor), kind, _block_text(anchor), skip)


def _skipped(element: lxml.html.HtmlElement) -> bool:
    return (
        any(
            a.tag in _SKIP or a.get("role") == "navigation"
            for a in element.iterancestors()
            if isinstance(a.tag, str)
        )
        or element.tag in _SKIP
    )


def footnote_label(element: lxml.html.HtmlElement) -> str | None:
    """The footnote number of an element inside a footnote (id="fn3", or the 3rd <li> of a notes list)."""
    for node in [element, *element.iterancestors()]:
        if not isinstance(node.tag, str):
            continue
        match = _FOOTNOTE_ID_RE.search(node.get("id") or "")
        if match:
            return match.group(1)
        if node.tag == "li":
            parent = node.getparent()
            if parent is not None and parent.tag == "ol" and _in_notes(parent):
                start = int(parent.get("start") or 1) if (parent.get("start") or "1").isdigit() else 1
                items = [li for li in parent if li.tag == "li"]
                return str(start + items.index(node))
    return None


def _in_notes(element: lxml.html.HtmlElement) -> bool:
    for node in [element, *element.iterancestors()]:
        marks = f"{node.get('class') or ''} {node.get('id') or ''} {node.get('role') or ''}"
        if _FOOTNOTE_BLOCK_RE.search(marks) or node.get("epub:type") in ("footnotes", "endnotes"):
            return True
    return False


def _block_text(element: lxml.html.HtmlElement) -> str | None:
    for node in [element, *element.iterancestors()]:
        if node.tag in _BLOCKS:
            return squeeze(node.text_content(), PARAGRAPH_CHARS)
    return None


def _first_text(root: lxml.html.HtmlElement, path: str) -> str | None:
    found = root.find(path)
    return found.text_content() if found is not None else None
