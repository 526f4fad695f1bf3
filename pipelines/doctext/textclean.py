"""Text as readers give it, made plain: line ends unified, and no space between two CJK characters
(PDF text layers and OCR put one between glyphs drawn apart; Chinese has none)."""

from __future__ import annotations

import re

# CJK ideographs, kana, Hangul, and the full-width punctuation and forms around them
_CJK = (
    r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u3200-\u32ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]+(?=[{_CJK}])")
_TRAILING_RE = re.compile(r"[ \t\u00a0]+\n")
_BLANK_LINES_RE = re.compile(r"\n{3,}")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def is_cjk(char: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", char))


def clean_text(text: str, *, cjk_gaps: bool = True) -> str:
    """`cjk_gaps`: take out the spaces between CJK characters (PDF text layers, OCR); a word
    processor's or a spreadsheet's text keeps the spaces its author typed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
    text = _CONTROL_RE.sub("", text)
    if cjk_gaps:
        text = _CJK_GAP_RE.sub("", text)
    text = _TRAILING_RE.sub("\n", text)
    return _BLANK_LINES_RE.sub("\n\n", text).strip()


def join_words(words: list[str]) -> str:
    """Words of one OCR line joined: a space between two words unless both sides are CJK."""
    out = ""
    for word in words:
        if out and not (is_cjk(out[-1]) and is_cjk(word[0])):
            out += " "
        out += word
    return out
