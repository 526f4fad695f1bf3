"""Score the extraction pipeline on the real-page corpus, with trafilatura alone for comparison.

Run: ``.venv/bin/python -m bench.eval.evaluate [--corpus DIR] [--json]``. Truth sources: cwced
``date/``, ``cleaned/``, and the headlines read by hand from its pages (``truth_titles.py``); WeChat
``var msg_title`` and ``var ct``; titles stated in MANIFEST.md; MANIFEST rows saying
"not-an-article"; and the pages under ``bench/eval/realpages/`` with the truth read from each by hand
(``truth.json``), which also get a line of figures of their own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import trafilatura

from bench.eval.devset import DevCase, Source, generate, site_of
from bench.eval.evalsites import evaluate_sites
from bench.eval.scoring import bigram_prf, judge_truth_date, same_title, swapped
from bench.eval.truth_titles import TITLES
from pipelines.extraction.classify import classify
from pipelines.extraction.dates import CHINA_TZ
from pipelines.extraction.decode import decode_body
from pipelines.extraction.extract import extract_page

DEFAULT_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
REALPAGES = Path(__file__).resolve().parent / "realpages"
REALPAGES_PREFIX = "realpages/"
_MANIFEST_ROW_RE = re.compile(r"^\|\s*([\w./-]+\.html?)\s*\|.*\|\s*title:\s*([^|]+?)\s*\|\s*$", re.M)
_NOT_ARTICLE_ROW_RE = re.compile(r"^\|\s*([\w./-]+\.html?)\s*\|[^\n]*not-an-article", re.M)
_WX_TITLE_RE = re.compile(r"var\s+msg_title\s*=\s*[\"'](.+?)[\"']")
_WX_CT_RE = re.compile(r"var\s+ct\s*=\s*[\"'](\d{9,})[\"']")
_US_STAMP_RE = re.compile(r"\b\d{1,2}/\d{1,2}/(?:19|20)\d{2}\b")
_HTML_TYPE = [("Content-Type", "text/html")]


@dataclass
class Case:
    name: str
    url: str
    body: bytes
    truth_date: str | None = None  # raw truth text
    truth_title: str | None = None
    truth_text: str | None = None
    is_article: bool = True
    site: str | None = None  # the site for leave-one-site-out; None: guessed from the page's links


@dataclass
class Output:
    """What one system produced for one case."""

    title: str | None
    date: str | None
    text: str


@dataclass
class Score:
    system: str
    date_ok: int = 0
    date_n: int = 0
    title_ok: int = 0
    title_n: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    text_n: int = 0
    fffd: int = 0
    not_article_ok: int = 0
    not_article_n: int = 0
    misses: list[str] = field(default_factory=list)


def _manifest(corpus: Path) -> tuple[dict[str, str], set[str]]:
    path = corpus / "MANIFEST.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    titles = {rel: title for rel, title in _MANIFEST_ROW_RE.findall(text)}
    return titles, set(_NOT_ARTICLE_ROW_RE.findall(text))


def _wechat_truth(body: bytes) -> tuple[str | None, str | None]:
    markup = body.decode("utf-8", "replace")
    title = _WX_TITLE_RE.search(markup)
    stamp = _WX_CT_RE.search(markup)
    day = datetime.fromtimestamp(int(stamp.group(1)), CHINA_TZ).date().isoformat() if stamp else None
    return (title.group(1) if title else None), day


def load_realpages(folder: Path = REALPAGES) -> list[Case]:
    """The pages under ``folder`` (gzipped) with the truth read from them by hand (``truth.json``)."""
    index = folder / "truth.json"
    if not index.exists():
        return []
    cases = []
    for row in json.loads(index.read_text("utf-8")):
        url = row["url_or_host"]
        cases.append(
            Case(
                name=REALPAGES_PREFIX + row["file"].removesuffix(".gz").removesuffix(".html"),
                url=url if "://" in url else f"https://{url}/",
                body=gzip.decompress((folder / row["file"]).read_bytes()),
                truth_date=row["date"],
                truth_title=row["title"],
                is_article=row.get("is_article", True),
                site=row["site"],
            )
        )
    return cases


def load_cases(corpus: Path, realpages: Path | None = None) -> list[Case]:
    """Every corpus page with whatever truth exists for it; then, given ``realpages`` (``make eval``
    passes REALPAGES), the real pages kept in the repository."""
    titles, non_articles = _manifest(corpus)
    cases: list[Case] = []
    for page in sorted((corpus / "cwced" / "original").glob("*.htm*")):
        truth = {kind: corpus / "cwced" / kind / f"{page.stem}.txt" for kind in ("date", "cleaned")}
        cases.append(
            Case(
                name=f"cwced/{page.stem[:8]}",
                url=f"http://corpus.invalid/cwced/{page.name}",
                body=page.read_bytes(),
                truth_date=truth["date"].read_text("utf-8") if truth["date"].exists() else None,
                truth_title=TITLES.get(page.stem[:8]),
                truth_text=truth["cleaned"].read_text("utf-8") if truth["cleaned"].exists() else None,
            )
        )
    for folder, host in (("gov", "corpus.invalid"), ("wechat", "mp.weixin.qq.com")):
        for page in sorted((corpus / folder).glob("*.htm*")):
            rel = f"{folder}/{page.name}"
            case = Case(rel, f"https://{host}/s/corpus-{page.stem}", page.read_bytes())
            case.truth_title = titles.get(rel)
            case.is_article = rel not in non_articles
            if folder == "wechat" and case.is_article:
                case.truth_title, case.truth_date = _wechat_truth(case.body)
            cases.append(case)
    return cases + (load_realpages(realpages) if realpages else [])


def usable_dates(cases: list[Case], ours: dict[str, dict[str, object]]) -> tuple[dict[str, str], list[str]]:
    """Truth dates that can score a publication date, and a note for each one that cannot."""
    usable: dict[str, str] = {}
    notes: list[str] = []
    for case in cases:
        if case.truth_date is None or not case.is_article:
            continue
        judged = judge_truth_date(case.truth_date)
        page = ours[case.name]
        problem = judged.problem
        if judged.value and page["date_written"] == judged.value != page["date"]:
            problem = "truth is the 成文日期 (written date), not the 发布日期"
        elif judged.value and page["date"] == swapped(judged.value) and _has_us_stamp(case):
            problem = "truth read the page's n/n/yyyy stamp day-first; the en-US stamp is month-first"
        if problem:
            notes.append(f"{case.name}: {problem}")
        elif judged.value:
            usable[case.name] = judged.value
    return usable, notes


def _has_us_stamp(case: Case) -> bool:
    return bool(_US_STAMP_RE.search(decode_body(case.body, None).text))


def _ours(case: Case) -> tuple[Output, dict[str, object], bool]:
    decoded = decode_body(case.body, "text/html")
    verdict = classify(url=case.url, status=200, headers=_HTML_TYPE, text=decoded.text)
    page = extract_page(decoded.text, case.url)
    return Output(page.title, page.date, page.text), page.to_json(), verdict.is_content


def _trafilatura(case: Case, raw_bytes: bool) -> Output:
    data: bytes | str = case.body if raw_bytes else decode_body(case.body, None).text
    doc = trafilatura.bare_extraction(data, with_metadata=True, include_tables=True)
    if doc is None:
        return Output(None, None, "")
    return Output(getattr(doc, "title", None), getattr(doc, "date", None), getattr(doc, "text", "") or "")


def _with_verdict(out: Output) -> tuple[Output, bool]:
    """trafilatura has no classifier: any text it returns counts as "content"."""
    return out, bool(out.text.strip())


def score(
    system: str,
    cases: list[Case],
    run: Callable[[Case], tuple[Output, bool]],
    usable: dict[str, str],
) -> Score:
    """Score one system over all cases."""
    result = Score(system)
    for case in cases:
        out, is_content = run(case)
        result.fffd += out.text.count("\ufffd")
        if not case.is_article:
            result.not_article_n += 1
            result.not_article_ok += not is_content
            continue
        if case.name in usable:
            result.date_n += 1
            hit = (out.date or "")[:10] == usable[case.name]
            result.date_ok += hit
            if not hit:
                result.misses.append(f"date {case.name}: truth {usable[case.name]} got {out.date}")
        if case.truth_title:
            result.title_n += 1
            result.title_ok += same_title(out.title, case.truth_title)
        if case.truth_text is not None:
            prf = bigram_prf(out.text, case.truth_text)
            result.text_n += 1
            result.precision += prf.precision
            result.recall += prf.recall
            result.f1 += prf.f1
    if result.text_n:
        result.precision, result.recall, result.f1 = (
            value / result.text_n for value in (result.precision, result.recall, result.f1)
        )
    return result


def development_cases(cases: list[Case], usable: dict[str, str]) -> list[DevCase]:
    """The corpus pages as development cases, plus the variants generated from them."""
    sources = [
        Source(c.name, c.url, c.body, c.truth_title, usable.get(c.name), c.truth_text)
        for c in cases
        if c.is_article
    ]
    corpus_cases = [
        DevCase(
            c.name,
            c.site or site_of(c.body, c.name),
            "corpus",
            c.url,
            c.body,
            truth_title=c.truth_title,
            truth_date=usable.get(c.name),
            truth_text=c.truth_text,
            truth_state="ok" if c.is_article else "not-article",
        )
        for c in cases
    ]
    generated = generate(sources)
    # the variants of a page with a stated site are held out with it (generate() guesses the site)
    stated = {c.name: c.site for c in cases if c.site}
    for case in generated:
        case.site = stated.get(case.name.split("~")[0], case.site)
    return corpus_cases + generated


def realpage_figures(
    cases: list[Case], ours: dict[str, Output], usable: dict[str, str]
) -> dict[str, object] | None:
    """Title and date on the bench/eval/realpages pages alone: ours, and trafilatura on the same text."""
    real = [c for c in cases if c.name.startswith(REALPAGES_PREFIX) and c.is_article]
    if not real:
        return None
    theirs = {c.name: _trafilatura(c, False) for c in real}
    figures: dict[str, object] = {"pages": len(real), "sites": len({c.site for c in real})}
    for system, outputs in (("sourcekeeper", ours), ("trafilatura", theirs)):
        titled = [c for c in real if c.truth_title]
        dated = [c for c in real if c.name in usable]
        title_misses = [
            f"title {c.name}: truth {c.truth_title!r} got {outputs[c.name].title!r}"
            for c in titled
            if not same_title(outputs[c.name].title, c.truth_title or "")
        ]
        date_misses = [
            f"date {c.name}: truth {usable[c.name]} got {outputs[c.name].date}"
            for c in dated
            if (outputs[c.name].date or "")[:10] != usable[c.name]
        ]
        figures[system] = {
            "title": [len(titled) - len(title_misses), len(titled)],
            "date": [len(dated) - len(date_misses), len(dated)],
            "misses": title_misses + date_misses,
        }
    return figures


def evaluate(
    corpus: Path = DEFAULT_CORPUS, with_devset: bool = True, realpages: Path | None = None
) -> dict[str, object]:
    """All figures as a JSON-ready dict; ``realpages`` adds bench/eval/realpages (``make eval`` does)."""
    cases = load_cases(corpus, realpages)
    ours = {case.name: _ours(case) for case in cases}
    usable, notes = usable_dates(cases, {name: res[1] for name, res in ours.items()})
    decoded_fffd = sum(decode_body(case.body, None).text.count("\ufffd") for case in cases)
    systems = [
        score("sourcekeeper", cases, lambda c: (ours[c.name][0], ours[c.name][2]), usable),
        score("trafilatura (bytes in)", cases, lambda c: _with_verdict(_trafilatura(c, True)), usable),
        score("trafilatura (str in)", cases, lambda c: _with_verdict(_trafilatura(c, False)), usable),
    ]
    wrongly_blocked = [c.name for c in cases if c.is_article and not ours[c.name][2]]
    devcases = development_cases(cases, usable) if with_devset else []
    return {
        "realpages": realpage_figures(cases, {name: res[0] for name, res in ours.items()}, usable),
        "devset": evaluate_sites(devcases) if devcases else None,
        "corpus": str(corpus),
        "pages": len(cases),
        "decoded_fffd": decoded_fffd,
        "unusable_truth_dates": notes,
        "articles_classified_not_content": wrongly_blocked,
        "systems": [asdict(system) for system in systems],
    }


def _print_report(report: dict[str, object]) -> None:
    print(
        f"corpus {report['corpus']}: {report['pages']} pages; U+FFFD after decoding: {report['decoded_fffd']}"
    )
    print("titles: scored on WeChat msg_title, MANIFEST titles and cwced headlines read by hand")
    for note in report["unusable_truth_dates"]:  # type: ignore[attr-defined]
        print(f"  unusable truth date  {note}")
    print(f"  articles wrongly classified as not content: {report['articles_classified_not_content']}")
    for system in report["systems"]:  # type: ignore[attr-defined]
        date_pct = 100 * system["date_ok"] / max(1, system["date_n"])
        title_pct = 100 * system["title_ok"] / max(1, system["title_n"])
        print(f"\n== {system['system']}")
        print(f"  publication date  {system['date_ok']}/{system['date_n']} ({date_pct:.1f}%)")
        print(f"  exact title       {system['title_ok']}/{system['title_n']} ({title_pct:.1f}%)")
        print(
            f"  body bigram       P {system['precision']:.3f}  R {system['recall']:.3f}  "
            f"F1 {system['f1']:.3f}  over {system['text_n']} pages"
        )
        print(f"  U+FFFD in text    {system['fffd']}")
        print(
            "  not-article pages classified not content  "
            f"{system['not_article_ok']}/{system['not_article_n']}"
        )
        for miss in system["misses"]:
            print(f"    miss {miss}")


def _print_realpages(real: dict[str, Any] | None) -> None:
    if not real:
        return
    ours, theirs = real["sourcekeeper"], real["trafilatura"]
    row = [f"\n== bench/eval/realpages: {real['pages']} pages from {real['sites']} sites, ours | trafilatura"]
    for field_name in ("title", "date"):
        (a_ok, a_n), (b_ok, b_n) = ours[field_name], theirs[field_name]
        row.append(
            f"{field_name} {a_ok}/{a_n} ({a_ok / max(1, a_n):.3f}) | {b_ok}/{b_n} ({b_ok / max(1, b_n):.3f})"
        )
    print("\n  ".join(row))
    for miss in ours["misses"]:
        print(f"    ours miss {miss}")


def _print_devset(devset: dict[str, Any] | None) -> None:
    if not devset:
        return
    print(
        f"\n== development set: {devset['cases']} cases from {devset['sites']} sites "
        "(corpus pages + variants generated from them + written verification pages)"
    )
    for label in ("development", "leave_one_site_out"):
        print(f"  {label.replace('_', '-')}:")
        for kind, fig in devset[label].items():
            date_ok, date_n = fig["date"]
            title_ok, title_n = fig["title"]
            doc_ok, doc_n = fig["document_date"]
            block_ok, block_n = fig["block_pages_right"]
            wrong, charset_n = fig["wrong_script"]
            print(
                f"    {kind:10} date {date_ok}/{date_n} ({date_ok / max(1, date_n):.3f})  "
                f"title {title_ok}/{title_n} ({title_ok / max(1, title_n):.3f})  "
                f"F1 {fig['f1']:.3f} over {fig['f1_n']}  document_date {doc_ok}/{doc_n}  "
                f"block pages {block_ok}/{block_n}  wrong script {wrong}/{charset_n}"
            )
    print("  per field, leave-one-site-out, ours | trafilatura alone (same pages, same decoded text):")
    ours, theirs = devset["leave_one_site_out"], devset["trafilatura"]
    for kind in ours:
        if kind in ("blocked", "control"):
            continue
        row = [f"    {kind:10}"]
        for field_name in ("title", "date"):
            (a_ok, a_n), (b_ok, b_n) = ours[kind][field_name], theirs[kind][field_name]
            row.append(f"{field_name} {a_ok / max(1, a_n):.3f} | {b_ok / max(1, b_n):.3f} ({a_n})")
        row.append(f"body F1 {ours[kind]['f1']:.3f} | {theirs[kind]['f1']:.3f} ({ours[kind]['f1_n']})")
        print("  ".join(row))
    print(f"  thresholds chosen per held-out site: {devset['thresholds_chosen']}")
    for miss in devset["misses"]:
        print(f"    loso miss {miss}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval.evaluate", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-devset", action="store_true", help="corpus figures only (no variants, no LOSO)")
    parser.add_argument("--no-realpages", action="store_true", help="leave out bench/eval/realpages")
    args = parser.parse_args(argv)
    if not (args.corpus / "cwced").is_dir():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    report = evaluate(args.corpus, not args.no_devset, None if args.no_realpages else REALPAGES)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        _print_report(report)
        _print_realpages(report["realpages"])  # type: ignore[arg-type]
        _print_devset(report["devset"])  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
