"""Choose the charset of a Chinese page that has no usable declaration, by how Chinese it reads.

A free detector guessing among every code page is wrong for this archive: it named ``ptcp154``
(Cyrillic) for a GB page with a stray bad byte. The candidates here are few — UTF-8, GB18030, Big5
and whatever the page's own declarations say — and each decoding is scored as Chinese text: the
share of its CJK characters that are common hanzi (GB2312 level 1 for simplified, Big5 level 1
for traditional), minus replacement characters (U+FFFD) and C1 control characters. A page that
decodes cleanly as GB18030 and yields common hanzi is never decoded as anything else, and a single-
byte code page (Cyrillic, Greek …) is never chosen while a CJK candidate reads as Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_SAMPLE_BYTES = 262_144
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_C1_RE = re.compile(r"[\x80-\x9f]")
_LANG_RE = re.compile(rb"""<html[^>]{0,300}?\blang\s*=\s*["']?\s*zh""", re.IGNORECASE)
_MIN_HANZI = 10  # fewer than this proves nothing either way
CLEAN_COMMON_SHARE = 0.75  # a GB18030 decoding this Chinese, without errors, is final
BASE_CANDIDATES = ("utf-8", "gb18030", "big5hkscs")
_CJK_PREFIXES = ("gb", "big5", "cp950", "euc", "shift_jis", "cp932", "iso2022", "hz", "utf")


@lru_cache(maxsize=1)
def common_hanzi() -> frozenset[str]:
    """GB2312 level-1 (3755 most used simplified) plus Big5 level-1 (5401 traditional) hanzi."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for code in range(0xA440, 0xC67F):
        try:
            chars.add(code.to_bytes(2, "big").decode("big5"))
        except UnicodeDecodeError:
            continue
    return frozenset(c for c in chars if _CJK_RE.match(c))


@dataclass(frozen=True)
class Reading:
    """One candidate decoding of (a sample of) the body, with its plausibility as Chinese."""

    codec: str
    hanzi: int
    common_share: float
    replacements: int
    c1: int

    @property
    def score(self) -> float:
        """Higher is more plausible; errors and C1 controls weigh heavily against."""
        penalty = (self.replacements + self.c1) / max(1, self.hanzi)
        return self.common_share - 5.0 * penalty

    def describe(self) -> str:
        return (
            f"{self.codec}: {self.hanzi} hanzi, {self.common_share:.2f} common, "
            f"{self.replacements} U+FFFD, {self.c1} C1"
        )


def read_as(sample: bytes, codec: str) -> Reading:
    """Decode ``sample`` leniently as ``codec`` and measure it."""
    text = sample.decode(codec, errors="replace")
    hanzi = _CJK_RE.findall(text)
    common = common_hanzi()
    share = sum(1 for c in hanzi if c in common) / len(hanzi) if hanzi else 0.0
    return Reading(codec, len(hanzi), share, text.count("\ufffd"), len(_C1_RE.findall(text)))


def says_chinese(body: bytes) -> bool:
    """``<html lang="zh…">``: the page's own language signal."""
    return _LANG_RE.search(body[:8192]) is not None


def is_cjk_codec(codec: str) -> bool:
    return codec.startswith(_CJK_PREFIXES)


def clean_gb18030(body: bytes) -> Reading | None:
    """The GB18030 reading when it is error-free and plainly Chinese, else None."""
    reading = read_as(body[:_SAMPLE_BYTES], "gb18030")
    if (
        reading.replacements == 0
        and reading.hanzi >= _MIN_HANZI
        and reading.common_share >= CLEAN_COMMON_SHARE
    ):
        return reading
    return None


def choose(body: bytes, declared: list[str]) -> tuple[str, str]:
    """(codec, evidence) among UTF-8, GB18030, Big5 and the declared codecs.

    A single-byte declared codec is only a candidate when no CJK reading looks Chinese and the
    page does not say it is Chinese (``lang="zh"``).
    """
    sample = body[:_SAMPLE_BYTES]
    clean = clean_gb18030(body)
    if clean is not None:
        return "gb18030", f"clean GB18030 with common hanzi ({clean.describe()})"
    codecs = list(BASE_CANDIDATES) + [c for c in declared if c not in BASE_CANDIDATES]
    readings = [read_as(sample, codec) for codec in codecs]
    cjk = [r for r in readings if is_cjk_codec(r.codec)]
    chinese = says_chinese(body) or any(r.hanzi >= _MIN_HANZI and r.common_share >= 0.5 for r in cjk)
    pool = cjk if chinese or not (set(readings) - set(cjk)) else readings
    # ties go to the earlier candidate (GB18030 before Big5): max keeps the first maximum
    best = max(pool, key=lambda r: r.score)
    evidence = "; ".join(r.describe() for r in readings)
    if chinese and len(pool) < len(readings):
        evidence += "; page reads as Chinese: single-byte code pages excluded"
    return best.codec, f"chose {best.codec} ({evidence})"
