"""Find the main text block of a page by punctuated-text density (no site rules).

Chinese article text is full of sentence punctuation (，。、；：？！“”) while navigation, link
lists and footers are not. Each element is scored by the punctuated, non-link text it *owns* —
its own text, inline children and paragraph-like children — so a container does not win merely
by holding the whole page; the winner is then widened to siblings that are themselves
article-like, and its lines are trimmed to the densest run between hard breaks. This is the
same idea as GNE's text/symbol density (TSD), without its GPL code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from pipelines.extraction.htmltext import SKIP_TAGS, tag_of, text_lines

# Containers of layout; anything else (p, span, font, a, b, leaf divs ...) is owned by its parent.
_STRUCTURAL = frozenset(
    {
        "div",
        "td",
        "th",
        "tr",
        "table",
        "tbody",
        "thead",
        "ul",
        "ol",
        "li",
        "section",
        "article",
        "body",
        "form",
        "dl",
        "dd",
        "main",
        "aside",
        "nav",
        "header",
        "footer",
        "center",
        "blockquote",
    }
)
_NEVER_CONTENT = frozenset({"nav", "footer", "header", "aside"})
_PUNCT_RE = re.compile(r"[，。、；：？！“”‘’（）《》,.;:?!]")
_WS_RE = re.compile(r"\s+")
# Short lines that end an article body: related-links boxes, comment sections, pagers, editors.
_BREAK_RE = re.compile(
    r"^[\[【〖]?(相关(文章|阅读|新闻|报道|内容|链接|专题|稿件|推荐)|(文章|网友|热门|最新|精彩)评论|"
    r"发表评论|我要评论|评论区|上一篇|下一篇|上一条|下一条|责任编辑|打印本?(页|文|文章)?[\]】]|"
    r"关闭(窗口|本页)|分享到|推荐阅读|延伸阅读|猜你喜欢|#\s*re[:：]|re[:：]|回复[:：]|返回顶部)",
    re.IGNORECASE,
)
# "…已有1件评论", "张三的评论", "共 5 篇评论": the comment section of a blog starts here.
_COMMENT_HEAD_RE = re.compile(r"(\d+\s*[条件篇个]\s*(评论|回复|留言)|的?评论[:：]?\s*(\(\d+\))?)$")
_BREAK_MAX_CHARS = 40
# A rule of dashes/equals: the signature or reply separator of forum and blog templates.
_RULE_RE = re.compile(r"^[-=—─*~]{8,}$")
_WORD_RE = re.compile(r"[^\W_]")
_HARD_BREAK = -1e6  # no run of article text continues across a comment/related/rule line
_MIN_SCORE = 20.0
# A blog lists its post before the comments: the first segment reaching this share of the best wins.
_EARLY_SHARE = 0.3


@dataclass
class _Stats:
    chars: int = 0  # visible non-whitespace characters in the subtree
    link_chars: int = 0  # of which inside <a>
    punct: int = 0  # sentence punctuation outside links
    own_score: float = 0.0  # score of text this element owns (see module docstring)
    structural_below: bool = False  # any structural descendant?


def _text_stats(text: str | None) -> tuple[int, int]:
    if not text:
        return 0, 0
    compact = _WS_RE.sub("", text)
    return len(compact), len(_PUNCT_RE.findall(compact))


def _piece_score(chars: int, link_chars: int, punct: int) -> float:
    """Score of a run of text: punctuated prose counts, link text counts against."""
    return (chars - link_chars) + 8.0 * punct - 1.5 * link_chars


def _collect(root: etree._Element) -> dict[etree._Element, _Stats]:
    """Bottom-up statistics for every element (iterative: pages can be very deep)."""
    stats: dict[etree._Element, _Stats] = {}
    nodes = [node for node in root.iter() if tag_of(node)]
    for node in reversed(nodes):
        tag = tag_of(node)
        st = _Stats()
        stats[node] = st
        if tag in SKIP_TAGS:
            continue
        own_chars, own_punct = _text_stats(node.text)
        st.chars, st.punct = own_chars, own_punct
        if tag == "a":
            st.link_chars, st.punct = own_chars, 0
        owned = (own_chars, st.link_chars, st.punct)
        for child in node:
            tail_chars, tail_punct = _text_stats(child.tail)
            child_st = stats.get(child)
            st.chars += tail_chars
            st.punct += 0 if tag == "a" else tail_punct
            st.link_chars += tail_chars if tag == "a" else 0
            owned = (owned[0] + tail_chars, owned[1], owned[2] + tail_punct)
            if child_st is None:
                continue
            st.chars += child_st.chars
            st.link_chars += child_st.chars if tag == "a" else child_st.link_chars
            st.punct += 0 if tag == "a" else child_st.punct
            child_tag = tag_of(child)
            st.structural_below |= child_st.structural_below or child_tag in _STRUCTURAL
            if child_tag not in _STRUCTURAL or not (
                child_st.structural_below or child_tag in {"table", "tr", "ul", "ol"}
            ):
                owned = (
                    owned[0] + child_st.chars,
                    owned[1] + child_st.link_chars,
                    owned[2] + child_st.punct,
                )
        st.own_score = _piece_score(*owned)
    return stats


def _article_like(st: _Stats) -> bool:
    """Prose rather than navigation: little link text and real punctuation."""
    if st.chars == 0:
        return False
    return st.link_chars / st.chars < 0.35 and st.punct * 40 >= (st.chars - st.link_chars)


def _widen(best: etree._Element, stats: dict[etree._Element, _Stats]) -> etree._Element:
    """Climb while the parent only adds article-like siblings (an article split over divs)."""
    node = best
    while True:
        parent = node.getparent()
        if parent is None or tag_of(parent) in {"body", "html"}:
            return node
        siblings = [c for c in parent if c is not node and c in stats]
        extra = _Stats()
        for sib in siblings:
            sst = stats[sib]
            extra.chars += sst.chars
            extra.link_chars += sst.link_chars
            extra.punct += sst.punct
        if extra.chars and not _article_like(extra):
            return node
        node = parent


def main_block(root: etree._Element) -> etree._Element | None:
    """The element holding the article text, or None when nothing looks like prose."""
    stats = _collect(root)
    best: etree._Element | None = None
    best_score = _MIN_SCORE
    for node, st in stats.items():
        if tag_of(node) in _NEVER_CONTENT or st.own_score <= best_score:
            continue
        best, best_score = node, st.own_score
    if best is None:
        return None
    if tag_of(best) not in _STRUCTURAL:
        parent = best.getparent()
        best = parent if parent is not None else best
    return _widen(best, stats)


def _line_score(line: str, link_chars: int) -> float:
    """Positive for prose lines, negative for menus, link lists and short labels."""
    chars = len(_WS_RE.sub("", line))
    if chars == 0:
        return 0.0
    if link_chars * 2 > chars:
        return -max(5.0, float(chars))
    if chars <= _BREAK_MAX_CHARS and (
        _BREAK_RE.match(line) or _RULE_RE.match(line) or _COMMENT_HEAD_RE.search(line)
    ):
        return _HARD_BREAK
    punct = len(_PUNCT_RE.findall(line))
    plain = chars - link_chars
    if plain < 15 and punct == 0:
        return -3.0
    return plain + 5.0 * punct - 2.0 * link_chars


def _max_run(scores: list[float]) -> tuple[float, int, int]:
    """(sum, start, end) of the highest-scoring contiguous run (Kadane's maximum subarray)."""
    best = (0.0, 0, 0)
    run_sum, run_start = 0.0, 0
    for i, score in enumerate(scores):
        if run_sum <= 0:
            run_sum, run_start = 0.0, i
        run_sum += score
        if run_sum > best[0]:
            best = (run_sum, run_start, i + 1)
    return best


def best_run(lines: list[tuple[str, int]]) -> list[str]:
    """The article's lines: the best run between hard breaks, preferring an early strong one.

    Hard breaks cut a page into segments (post, comments, related links ...). A blog page lists the
    post before its comments, so an early segment wins if it reaches _EARLY_SHARE of the best.
    """
    scores = [_line_score(line, links) for line, links in lines]
    segments: list[tuple[float, int, int]] = []
    start = 0
    for i, score in enumerate([*scores, _HARD_BREAK]):
        if score <= _HARD_BREAK:
            total, lo, hi = _max_run(scores[start:i])
            if total > 0:
                segments.append((total, start + lo, start + hi))
            start = i + 1
    if not segments:
        return []
    top = max(total for total, _, _ in segments)
    _, lo, hi = next(seg for seg in segments if seg[0] >= _EARLY_SHARE * top)
    return _dedupe([line for line, _ in lines[lo:hi]])


def _dedupe(lines: list[str]) -> list[str]:
    """Drop repeats of long lines: templates often carry the text twice (print / mobile copy)."""
    seen: set[str] = set()
    kept: list[str] = []
    for line in lines:
        if line in seen and len(_WORD_RE.findall(line)) >= 10:
            continue
        seen.add(line)
        kept.append(line)
    return kept


def main_text(root: etree._Element) -> str:
    """Text of :func:`main_block`, trimmed to its densest run of lines ('' when none)."""
    block = main_block(root)
    if block is None:
        return ""
    return "\n".join(best_run(text_lines(block)))
