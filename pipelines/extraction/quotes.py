"""Find a quoted passage in a page's text: present, altered (closest sentence and the diff) or missing.

An analyst's quote and the page rarely agree byte for byte: the report may be in traditional
characters and the page in simplified, the page may use full-width letters and digits, the quote
may drop a space or use other punctuation. Both sides are folded the same way before searching:
NFKC (full-/half-width forms), OpenCC traditional→simplified, case folded, white space and
punctuation dropped. Offsets always point into the original text.

Sentences end after 。！？；!?; and at line breaks (the same rule as textdiff); this small splitter
also keeps each sentence's offsets. Pure functions: text in, plain data out.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import hashlib
import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from pipelines.extraction.sentencediff import Sentence, split_sentences

# a quote at least this share of whose folded characters appear, in order, in one sentence is
# `altered` (a one-character edit of a four-character phrase is 3/4); below it, `missing`
ALTERED_AT = 0.7
PRESENT, ALTERED, MISSING = "present", "altered", "missing"
STATUSES = (PRESENT, ALTERED, MISSING)

# quoted passages in a report paragraph or a seed line: 「」 『』 “” ""
_QUOTED_RE = re.compile(r"「([^「」]{2,500})」|『([^『』]{2,500})』|“([^“”]{2,500})”|\"([^\"]{2,500})\"")


@functools.cache
def _converter() -> Any:
    import opencc  # noqa: PLC0415 (loads its dictionaries: only when a quote is checked)

    return opencc.OpenCC("t2s")


def _kept(ch: str) -> bool:
    """Letters, digits and symbols count; white space, punctuation and control characters do not."""
    return not unicodedata.category(ch).startswith(("P", "Z", "C"))


def _simplified(text: str) -> str:
    """OpenCC t2s, character for character (phrase rules that change the length are not used,
    so every folded character still maps to one original position)."""
    converted: str = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    convert = _converter().convert
    return "".join(c if len(c := convert(ch)) == 1 else ch for ch in text)


@functools.lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    return "".join(p for p in unicodedata.normalize("NFKC", ch).casefold() if _kept(p))


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the original character."""
    simplified = _simplified(text)
    out: list[str] = []
    where: list[int] = []
    for index, ch in enumerate(simplified):
        piece = _fold_char(ch)
        if piece:
            out.append(piece)
            where.extend([index] * len(piece))
    return "".join(out), where


def folded(text: str) -> str:
    return fold(text)[0]


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sentence_spans(text: str) -> list[Sentence]:
    """Sentences with their [start, end) offsets in `text` (outer white space left out): the one
    splitter of the project, `sentencediff.split_sentences` (closing quotes stay with their
    sentence), so a quote's sentence and a diff's sentence are the same span."""
    return split_sentences(text)


@dataclass
class QuoteMatch:
    """Where a passage is in a text, or the sentence closest to it."""

    quote: str
    status: str  # present | altered | missing
    quote_sha256: str  # of the folded passage
    folded_quote: str
    start: int | None = None  # of the passage (present) in the text
    end: int | None = None
    matched: str | None = None  # the text at [start, end)
    sentence: str | None = None  # around the passage (present), or the closest sentence
    sentence_start: int | None = None
    sentence_end: int | None = None
    sentence_sha256: str | None = None
    score: float = 0.0  # share of the passage's folded characters found in the sentence
    diff: list[dict[str, str]] = field(default_factory=list)  # altered: quote → page, piece by piece

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def locate(quote: str, text: str) -> QuoteMatch:
    """Look for `quote` in `text` (folded as the module says)."""
    wanted = folded(quote)
    result = QuoteMatch(quote, MISSING, sha256_text(wanted), wanted)
    if not wanted:
        return result
    body, where = fold(text)
    spans = sentence_spans(text)
    at = body.find(wanted)
    if at >= 0:
        start, end = where[at], where[at + len(wanted) - 1] + 1
        result.status, result.start, result.end = PRESENT, start, end
        result.matched, result.score = text[start:end], 1.0
        _set_sentence(result, text, spans, start, end)
        return result
    best = _closest(wanted, [_folded_span(s, body, where) for s in spans])
    if best is None:
        return result
    sentence, score, ops = best
    _set_sentence(result, text, [sentence], sentence.start, sentence.end)
    result.score = round(score, 3)
    if score >= ALTERED_AT:
        result.status, result.diff = ALTERED, ops
    return result


def _set_sentence(result: QuoteMatch, text: str, spans: list[Sentence], start: int, end: int) -> None:
    """The sentence(s) covering [start, end): a passage may run over a sentence end."""
    covering = [s for s in spans if s.start < end and s.end > start] or [
        Sentence(text[start:end], start, end)
    ]
    first, last = covering[0], covering[-1]
    result.sentence_start, result.sentence_end = first.start, last.end
    result.sentence = text[first.start : last.end]
    result.sentence_sha256 = sha256_text(result.sentence)


def _folded_span(sentence: Sentence, body: str, where: list[int]) -> tuple[Sentence, str]:
    """A sentence with its folded text, cut from the folded whole (no second folding)."""
    return sentence, body[bisect.bisect_left(where, sentence.start) : bisect.bisect_left(where, sentence.end)]


def _closest(
    wanted: str, spans: list[tuple[Sentence, str]]
) -> tuple[Sentence, float, list[dict[str, str]]] | None:
    """The sentence (or two neighbours) holding most of the passage's characters in order. The
    characters it shares with the passage bound what can match, so most sentences are never compared."""
    need = Counter(wanted)
    candidates = list(spans)
    candidates += [
        (Sentence(f"{a.text}{b.text}", a.start, b.end), fa + fb)
        for (a, fa), (b, fb) in itertools.pairwise(spans)
    ]
    bounded = []
    for sentence, text in candidates:
        shared = sum(min(n, text.count(ch)) for ch, n in need.items())
        if shared:
            bounded.append((shared / len(wanted), len(text), sentence, text))
    bounded.sort(key=lambda item: (-item[0], item[1]))
    best: tuple[Sentence, float, list[dict[str, str]]] | None = None
    best_length = 0
    for bound, length, sentence, text in bounded:
        if best is not None and bound < best[1] - 1e-9:
            break  # no sentence left can match more
        matcher = difflib.SequenceMatcher(None, wanted, text, autojunk=False)
        blocks = [b for b in matcher.get_matching_blocks() if b.size]
        score = sum(b.size for b in blocks) / len(wanted)
        if best is None or score > best[1] + 1e-9 or (abs(score - best[1]) < 1e-9 and length < best_length):
            best, best_length = (sentence, score, _ops(wanted, text, blocks)), length
    return best


def _ops(wanted: str, text: str, blocks: list[Any]) -> list[dict[str, str]]:
    """The passage against the part of the sentence it lines up with, as equal/replace/delete/insert
    pieces (`quote` what the analyst wrote, folded; `page` what the page has)."""
    if not blocks:
        return []
    lo, hi = blocks[0].b, blocks[-1].b + blocks[-1].size
    window = text[lo:hi]
    matcher = difflib.SequenceMatcher(None, wanted, window, autojunk=False)
    return [
        {"op": op, "quote": wanted[a0:a1], "page": window[b0:b1]}
        for op, a0, a1, b0, b1 in matcher.get_opcodes()
    ]


def diff_text(ops: list[dict[str, str]]) -> str:
    """`劝返[工→公]作`: the altered pieces marked inline, for a terminal line."""
    parts = []
    for piece in ops:
        if piece["op"] == "equal":
            parts.append(piece["quote"])
        elif piece["op"] == "delete":
            parts.append(f"[-{piece['quote']}]")
        elif piece["op"] == "insert":
            parts.append(f"[+{piece['page']}]")
        else:
            parts.append(f"[{piece['quote']}→{piece['page']}]")
    return "".join(parts)


def locate_in(quote: str, texts: list[tuple[str, str]]) -> tuple[str | None, QuoteMatch]:
    """The best match of `quote` over several (name, text) pairs (a page and its documents):
    the first where it is present, else the closest; returns the name with the match."""
    best: tuple[str | None, QuoteMatch] = (None, locate(quote, ""))
    rank = {PRESENT: 2, ALTERED: 1, MISSING: 0}
    for name, text in texts:
        match = locate(quote, text)
        if match.status == PRESENT:
            return name, match
        if (rank[match.status], match.score) > (rank[best[1].status], best[1].score):
            best = (name, match)
    return best


def quoted_passages(text: str | None) -> list[str]:
    """The passages in 「」『』“”"" of a paragraph, in order, without repeats (URLs are not quotes)."""
    found: list[str] = []
    for match in _QUOTED_RE.finditer(text or ""):
        passage = next(g for g in match.groups() if g is not None).strip()
        if passage and "://" not in passage and folded(passage) and passage not in found:
            found.append(passage)
    return found
