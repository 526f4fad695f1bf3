"""Small lxml helpers: safe parsing, visible text with paragraph breaks, meta lookup."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from lxml import etree, html

logger = logging.getLogger(__name__)

# Elements whose text a reader never sees as article text.
SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "select",
        "option",
        "textarea",
        "button",
        "input",
        "svg",
        "canvas",
        "object",
        "embed",
        "iframe",
        "frameset",
        "frame",
        "map",
    }
)
# Elements that start a new line of text.
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "tr",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "tbody",
        "thead",
        "section",
        "article",
        "blockquote",
        "pre",
        "center",
        "hr",
        "header",
        "footer",
        "form",
        "figure",
        "figcaption",
        "caption",
        "body",
        "main",
        "aside",
        "nav",
        "address",
        "fieldset",
    }
)
CELL_TAGS = frozenset({"td", "th"})
_SPACE_RE = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
# lxml refuses some control characters outright; they never carry meaning in HTML text.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def parse_html(markup: str) -> html.HtmlElement | None:
    """Parse HTML into an lxml tree; None when there is nothing parseable."""
    if not markup or not markup.strip():
        return None
    cleaned = _CONTROL_RE.sub("", _XML_DECL_RE.sub("", markup, count=1))
    root, too_deep = _parse(cleaned)
    if too_deep:
        # libxml2 stops at 2,048 levels even with huge_tree and drops the rest of the page (its
        # text, often its title): the wrappers below a sane depth are taken out and it is parsed again
        logger.debug("HTML nested deeper than the parser allows: flattened below %d levels", FLAT_DEPTH)
        root, _ = _parse(flatten_deep_nesting(cleaned))
    return root


def _parse(markup: str) -> tuple[html.HtmlElement | None, bool]:
    """The tree (or None) and whether the parser hit its nesting limit."""
    parser = html.HTMLParser(remove_comments=True, recover=True, huge_tree=True)
    try:
        root = html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        logger.debug("unparseable HTML: %s", exc)
        return None, False
    too_deep = any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log)
    return (root if isinstance(root, html.HtmlElement) else None), too_deep


FLAT_DEPTH = 256  # elements nested deeper than this lose their wrapper tags (their text stays)
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
# kept at any depth: they end paragraphs, and the parser closes them before they can nest
_KEPT_DEEP = frozenset(["p", "h1", "h2", "h3", "h4", "h5", "h6", "title"])


def flatten_deep_nesting(markup: str) -> str:
    """`markup` with the start and end tags of elements nested deeper than FLAT_DEPTH removed
    (void elements and paragraphs kept), so a parser with a depth limit keeps all the text."""
    stack: list[tuple[str, bool]] = []  # open element, and whether its tags are kept
    out: list[str] = []
    last = 0
    for match in _TAG_RE.finditer(markup):
        closing, name = match.group(1) == "/", match.group(2).lower()
        keep = True
        if name in _VOID:
            pass
        elif not closing:
            keep = len(stack) < FLAT_DEPTH or name in _KEPT_DEEP
            if name not in _KEPT_DEEP:
                stack.append((name, keep))
        elif name not in _KEPT_DEEP:
            # the element it closes: the innermost open one of that name (looked for among the
            # last few only, so a page of stray end tags stays linear)
            for where in range(len(stack) - 1, max(-1, len(stack) - 65), -1):
                if stack[where][0] == name:
                    keep = stack[where][1]
                    del stack[where:]
                    break
        if not keep:
            out.append(markup[last : match.start()])
            last = match.end()
    out.append(markup[last:])
    return "".join(out)


def tag_of(node: etree._Element) -> str:
    """Lower-case tag name; '' for comments and processing instructions."""
    tag = node.tag
    return tag.lower() if isinstance(tag, str) else ""


def _walk_text(root: etree._Element, skip_links: bool) -> Iterator[tuple[str, bool]]:
    """(text, inside_link) pieces in document order, with "\\n" at block boundaries.

    Iterative, because broken pages (thousands of unclosed <font>) nest deeper than Python recurses.
    """
    stack: list[tuple[etree._Element, bool, int]] = [(root, False, 0)]
    while stack:
        node, closing, links = stack.pop()
        tag = tag_of(node)
        if closing:
            if tag in BLOCK_TAGS:
                yield "\n", False
            if node is not root and node.tail:
                yield node.tail, links > 0
            continue
        stack.append((node, True, links))
        if tag in SKIP_TAGS or not tag or (skip_links and tag == "a"):
            continue
        inner = links + (tag == "a")
        if tag in BLOCK_TAGS:
            yield "\n", False
        elif tag in CELL_TAGS:
            yield "\t", False  # cells of a row stay on one line, as in the hand-cleaned truth
        if node.text:
            yield node.text, inner > 0
        stack.extend((child, False, inner) for child in reversed(node))


def text_lines(node: etree._Element) -> list[tuple[str, int]]:
    """Visible lines of ``node`` as (text, characters inside links); blank lines dropped."""
    lines: list[tuple[str, int]] = []
    parts: list[str] = []
    link_chars = 0
    for piece, in_link in _walk_text(node, skip_links=False):
        for i, chunk in enumerate(piece.replace("\r", "\n").split("\n")):
            if i:
                _flush(lines, parts, link_chars)
                parts, link_chars = [], 0
            parts.append(chunk)
            link_chars += len(chunk.strip()) if in_link else 0
    _flush(lines, parts, link_chars)
    return lines


def _flush(lines: list[tuple[str, int]], parts: list[str], link_chars: int) -> None:
    line = clean_line("".join(parts))
    if line:
        lines.append((line, min(link_chars, len(line))))


def clean_line(line: str) -> str:
    """Collapse runs of spaces (incl. NBSP and ideographic space) and trim."""
    return _SPACE_RE.sub(" ", line).strip()


def block_text(node: etree._Element, skip_links: bool = False) -> str:
    """Visible text of ``node``: one paragraph per line, blank lines dropped."""
    raw = "".join(piece for piece, _ in _walk_text(node, skip_links)).replace("\r", "\n")
    lines = (clean_line(line) for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def inline_text(node: etree._Element) -> str:
    """Visible text of ``node`` on a single line."""
    return clean_line(block_text(node).replace("\n", " "))


def meta_content(root: etree._Element, *names: str) -> str | None:
    """First non-empty ``content`` of ``<meta name|property=...>`` among ``names`` (any case)."""
    wanted = [name.lower() for name in names]
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        value = clean_line(meta.get("content") or "")
        if key in wanted and value and key not in found:
            found[key] = value
    for name in wanted:
        if name in found:
            return found[name]
    return None
