"""Citations in Markdown (and plain text) reports: CommonMark links, autolinks and reference
definitions, `[^n]:` footnotes, HTML inside Markdown, and bare URLs."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipelines.documents.links import Collector, ParsedReport, collect_html, html_tree, source_kind, squeeze

_FOOTNOTE_DEF_RE = re.compile(r"^\[\^([^\]\s]+)\]:", re.MULTILINE)


def parse_markdown(text: str) -> ParsedReport:
    """CommonMark links, autolinks and reference definitions, bare URLs, `[^n]:` footnotes."""
    lines = text.splitlines()
    labels = _footnote_lines(lines)
    # "[^1]: url" would be swallowed as a reference definition; escaped, it stays a paragraph
    source = _FOOTNOTE_DEF_RE.sub(lambda m: f"\\[^{m.group(1)}\\]:", text)
    env: dict[str, object] = {}
    tokens = MarkdownIt("commonmark").parse(source, env)
    collector = Collector()
    title = None
    for position, token in enumerate(tokens):
        if token.type == "inline":
            _markdown_inline(token, collector, labels, lines)
            if title is None and position and tokens[position - 1].tag == "h1":
                title = squeeze(token.content)
        elif token.type == "html_block":
            collect_html(html_tree(token.content), collector, None)
    for reference in dict(env.get("references") or {}).values():  # type: ignore[call-overload]
        collector.add(str(reference.get("href", "")), reference.get("title") or None, None, "link")
    return ParsedReport("markdown", title, collector.result(), collector.skipped)


def _footnote_lines(lines: list[str]) -> dict[int, str]:
    """Line number -> footnote label, for a definition's first line and its indented continuation."""
    labels: dict[int, str] = {}
    current: str | None = None
    for number, line in enumerate(lines):
        match = _FOOTNOTE_DEF_RE.match(line)
        if match:
            current = match.group(1)
        elif not line.startswith(("    ", "\t")):
            current = None
        if current is not None:
            labels[number] = current
    return labels


def _markdown_inline(token: Token, collector: Collector, labels: dict[int, str], lines: list[str]) -> None:
    """Links and bare URLs of one inline run, line by line (a footnote definition is a line)."""
    line = token.map[0] if token.map else -1
    href: str | None = None
    anchor: list[str] = []
    plain: list[str] = []  # text outside links, joined so a bare URL is seen whole
    before = ""

    def context() -> str | None:
        return lines[line] if 0 <= line < len(lines) else token.content

    def flush() -> str:
        joined = "".join(plain)
        collector.add_bare_urls(joined, labels.get(line), context())
        plain.clear()
        return joined

    for child in token.children or []:
        if child.type == "link_open":
            before, href, anchor = flush(), str(child.attrGet("href") or ""), []
        elif child.type == "link_close" and href is not None:
            words = "".join(anchor)
            kind = "source" if source_kind(words, before[-20:]) else "link"
            collector.add(href, words, labels.get(line), kind, context())
            href = None
        elif child.type in ("text", "code_inline"):
            (anchor if href is not None else plain).append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            flush()
            line += 1
        elif child.type == "html_inline":
            collect_html(html_tree(child.content), collector, None)
    flush()
