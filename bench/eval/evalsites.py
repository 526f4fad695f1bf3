"""Development and leave-one-site-out figures over the corpus plus the generated development set.

*Development* figures score every case with the extractor's default thresholds. *Leave-one-site-
out* (LOSO) figures score each case with the thresholds chosen, from a small grid, on all cases of
the *other* sites only (a site's generated variants are held out with it): a threshold that only
helps the pages it was tuned on shows up as a gap between the two. The thresholds are the body
selection's: the share of the strongest segment an earlier one needs (``density._EARLY_SHARE``), the
share of the main block under which a platform body counts as failed (``bodyselect.SHORT_SHARE``)
and the length under which the density block gives way to trafilatura
(``bodyselect.MIN_DENSITY_CHARS``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import trafilatura

from bench.eval.devset import DevCase
from bench.eval.scoring import bigram_prf, same_title
from pipelines.extraction import bodyselect, density
from pipelines.extraction.charsetguess import common_hanzi
from pipelines.extraction.classify import classify
from pipelines.extraction.decode import decode_body
from pipelines.extraction.extract import extract_page

GRID: dict[str, tuple[float, ...]] = {
    "early_share": (0.2, 0.3),
    "short_share": (0.4, 0.6),
    "min_density_chars": (80,),
}
DEFAULTS = {"early_share": 0.3, "short_share": 0.4, "min_density_chars": 80}
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


@contextmanager
def thresholds(params: dict[str, float]) -> Iterator[None]:
    saved = (density._EARLY_SHARE, bodyselect.SHORT_SHARE, bodyselect.MIN_DENSITY_CHARS)
    density._EARLY_SHARE = params["early_share"]
    bodyselect.SHORT_SHARE = params["short_share"]
    bodyselect.MIN_DENSITY_CHARS = int(params["min_density_chars"])
    try:
        yield
    finally:
        density._EARLY_SHARE, bodyselect.SHORT_SHARE, bodyselect.MIN_DENSITY_CHARS = saved


@dataclass
class CaseResult:
    """Per-case outcomes (None: not scored for this case)."""

    date_ok: bool | None
    title_ok: bool | None
    document_date_ok: bool | None
    f1: float | None
    state_ok: bool
    wrong_script: bool


def _common_share(text: str) -> float:
    hanzi = _CJK_RE.findall(text)
    common = common_hanzi()
    return sum(c in common for c in hanzi) / len(hanzi) if hanzi else 1.0


def run_case(case: DevCase) -> CaseResult:
    decoded = decode_body(case.body, case.content_type)
    headers = [("Content-Type", case.content_type)]
    verdict = classify(url=case.url, status=200, headers=headers, text=decoded.text)
    state = verdict.state if not verdict.is_content else "ok"
    page = extract_page(decoded.text, case.url) if verdict.is_content else None
    text = page.text if page else ""
    sample = decoded.text[:400_000]
    # wrong script: U+FFFD, uncommon hanzi (GB read as Big5), or the body's hanzi missing (GB read
    # as a Cyrillic code page has no hanzi at all)
    wrong_script = (
        "\ufffd" in sample
        or _common_share(sample) < 0.6
        or (
            case.truth_text is not None
            and len(_CJK_RE.findall(sample)) < 0.9 * len(_CJK_RE.findall(case.truth_text))
        )
    )
    return CaseResult(
        date_ok=None if case.truth_date is None else bool(page and (page.date or "")[:10] == case.truth_date),
        title_ok=None
        if case.truth_title is None
        else bool(page and same_title(page.title, case.truth_title)),
        document_date_ok=(
            None
            if case.truth_document_date is None
            else bool(page and page.document_date == case.truth_document_date)
        ),
        f1=None if case.truth_text is None else bigram_prf(text, case.truth_text).f1,
        state_ok=state == case.truth_state
        if case.kind == "blocked"
        else (state == "ok") == (case.truth_state == "ok"),
        wrong_script=wrong_script and case.kind in ("nodecl", "wrongdecl"),
    )


def run_trafilatura(case: DevCase) -> CaseResult:
    """trafilatura alone on the same page, decoded as ours is (it has no thresholds to choose)."""
    decoded = decode_body(case.body, case.content_type).text
    doc = trafilatura.bare_extraction(decoded, with_metadata=True, include_tables=True)
    title = getattr(doc, "title", None) if doc is not None else None
    day = (getattr(doc, "date", None) or "") if doc is not None else ""
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    return CaseResult(
        date_ok=None if case.truth_date is None else day[:10] == case.truth_date,
        title_ok=None if case.truth_title is None else same_title(title, case.truth_title),
        document_date_ok=None,
        f1=None if case.truth_text is None else bigram_prf(text, case.truth_text).f1,
        state_ok=True,
        wrong_script=False,
    )


@dataclass
class Figures:
    date_ok: int = 0
    date_n: int = 0
    title_ok: int = 0
    title_n: int = 0
    document_date_ok: int = 0
    document_date_n: int = 0
    f1_sum: float = 0.0
    f1_n: int = 0
    blocked_ok: int = 0
    blocked_n: int = 0
    wrong_script: int = 0
    charset_n: int = 0

    def add(self, case: DevCase, result: CaseResult) -> None:
        if result.date_ok is not None:
            self.date_n += 1
            self.date_ok += result.date_ok
        if result.title_ok is not None:
            self.title_n += 1
            self.title_ok += result.title_ok
        if result.document_date_ok is not None:
            self.document_date_n += 1
            self.document_date_ok += result.document_date_ok
        if result.f1 is not None:
            self.f1_n += 1
            self.f1_sum += result.f1
        if case.kind in ("blocked", "control"):
            self.blocked_n += 1
            self.blocked_ok += result.state_ok
        if case.kind in ("nodecl", "wrongdecl"):
            self.charset_n += 1
            self.wrong_script += result.wrong_script

    @property
    def f1(self) -> float:
        return self.f1_sum / self.f1_n if self.f1_n else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "date": [self.date_ok, self.date_n],
            "title": [self.title_ok, self.title_n],
            "document_date": [self.document_date_ok, self.document_date_n],
            "f1": round(self.f1, 4),
            "f1_n": self.f1_n,
            "block_pages_right": [self.blocked_ok, self.blocked_n],
            "wrong_script": [self.wrong_script, self.charset_n],
        }


def _objective(results: list[CaseResult]) -> float:
    """What threshold selection maximises on the training sites: mean of the three rates."""
    dates = [r.date_ok for r in results if r.date_ok is not None]
    titles = [r.title_ok for r in results if r.title_ok is not None]
    f1s = [r.f1 for r in results if r.f1 is not None]
    parts = [sum(x) / len(x) for x in (dates, titles, f1s) if x]
    return sum(parts) / len(parts) if parts else 0.0


def _key(params: dict[str, float]) -> tuple[float, ...]:
    return tuple(params[name] for name in GRID)


def evaluate_sites(cases: list[DevCase]) -> dict[str, object]:
    """Development and LOSO figures, overall and by case kind."""
    grid = [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]
    runs: dict[tuple[float, ...], list[CaseResult]] = {}
    for params in grid:
        with thresholds(params):
            runs[_key(params)] = [run_case(case) for case in cases]
    dev = runs[_key(DEFAULTS)]
    sites = sorted({case.site for case in cases})
    loso: list[CaseResult | None] = [None] * len(cases)
    chosen: dict[str, dict[str, float]] = {}
    for site in sites:
        train = [i for i, case in enumerate(cases) if case.site != site]
        best = max(grid, key=lambda p: (_objective([runs[_key(p)][i] for i in train]), p == DEFAULTS))
        chosen[site] = best
        for i, case in enumerate(cases):
            if case.site == site:
                loso[i] = runs[_key(best)][i]
    report: dict[str, object] = {"cases": len(cases), "sites": len(sites)}
    article_cases = [i for i, case in enumerate(cases) if case.kind not in ("blocked", "control")]
    traf: list[CaseResult | None] = [None] * len(cases)
    for i in article_cases:
        traf[i] = run_trafilatura(cases[i])
    for label, results in (("development", dev), ("leave_one_site_out", loso), ("trafilatura", traf)):
        overall = Figures()
        by_kind: dict[str, Figures] = {}
        for case, result in zip(cases, results, strict=True):
            if result is None:
                continue  # trafilatura has no verdict on verification pages
            overall.add(case, result)
            by_kind.setdefault(case.kind or "corpus", Figures()).add(case, result)
        report[label] = {"all": overall.to_json(), **{k: f.to_json() for k, f in sorted(by_kind.items())}}
    report["misses"] = [
        _miss(case, result) for case, result in zip(cases, loso, strict=True) if result and _missed(result)
    ]
    report["thresholds_chosen"] = _tally(chosen)
    return report


def _tally(chosen: dict[str, dict[str, float]]) -> dict[str, int]:
    """How many held-out sites got each threshold set."""
    counts: dict[str, int] = {}
    for params in chosen.values():
        key = ", ".join(f"{k}={v:g}" for k, v in params.items())
        counts[key] = counts.get(key, 0) + 1
    return counts


def _missed(result: CaseResult) -> bool:
    return (
        result.date_ok is False
        or result.title_ok is False
        or result.document_date_ok is False
        or (result.f1 is not None and result.f1 < 0.8)
        or not result.state_ok
        or result.wrong_script
    )


def _miss(case: DevCase, result: CaseResult) -> str:
    parts = []
    if result.date_ok is False:
        parts.append(f"date (truth {case.truth_date})")
    if result.title_ok is False:
        parts.append("title")
    if result.document_date_ok is False:
        parts.append(f"document_date (truth {case.truth_document_date})")
    if result.f1 is not None and result.f1 < 0.8:
        parts.append(f"F1 {result.f1:.2f}")
    if not result.state_ok:
        parts.append(f"state (truth {case.truth_state})")
    if result.wrong_script:
        parts.append("wrong script")
    return f"{case.name}: {', '.join(parts)}"
