"""Scoring helpers for :mod:`bench.eval.evaluate`: bigram P/R/F1 and judging ground-truth dates."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

_WS_RE = re.compile(r"\s+")
_FULL_DATE_RE = re.compile(r"^\s*((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})(?:\s|$)")
_PARTIAL_DATE_RE = re.compile(r"^\s*(?:19|20)\d{2}(?:-\d{1,2})?\s*$")
_UNKNOWN_RE = re.compile(r"^\s*UNK", re.IGNORECASE)


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float


def bigram_prf(predicted: str, truth: str) -> PRF:
    """Character-bigram precision/recall/F1 with whitespace removed (multiset overlap)."""

    def grams(text: str) -> Counter[str]:
        compact = _WS_RE.sub("", text)
        return Counter(compact[i : i + 2] for i in range(len(compact) - 1))

    pred, gold = grams(predicted), grams(truth)
    overlap = sum((pred & gold).values())
    precision = overlap / sum(pred.values()) if pred else 0.0
    recall = overlap / sum(gold.values()) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PRF(precision, recall, f1)


@dataclass(frozen=True)
class TruthDate:
    """A ground-truth date and whether it can score a day-precision publication date."""

    value: str | None  # ISO date when usable
    problem: str | None  # why it is not usable


def judge_truth_date(raw: str) -> TruthDate:
    """Usable only if it is a full, real calendar date; names, typos and partial dates are not."""
    text = raw.strip()
    if not text or _UNKNOWN_RE.match(text):
        return TruthDate(None, "no date in truth (UNKNOWN)")
    if _PARTIAL_DATE_RE.match(text):
        return TruthDate(None, f"partial date {text!r} (no day)")
    match = _FULL_DATE_RE.match(text)
    if not match:
        return TruthDate(None, f"not a date: {text[:30]!r}")
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return TruthDate(None, f"impossible date {text!r}")
    return TruthDate(day.isoformat(), None)


def swapped(iso: str) -> str | None:
    """The same date with day and month exchanged, when that is also a date."""
    year, month, day = (int(part) for part in iso.split("-"))
    if month == day or day > 12:
        return None
    return date(year, day, month).isoformat()


def same_title(predicted: str | None, truth: str) -> bool:
    """Exact match up to whitespace."""
    return predicted is not None and _WS_RE.sub("", predicted) == _WS_RE.sub("", truth)
