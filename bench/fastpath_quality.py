"""The fast path against the general path and trafilatura, on the pages that take the fast path.

For every corpus page (the development set's real pages): which path it takes, and for the
fast-path pages their title / date / body bigram F1 against the truth three ways: the fast path,
the general path on the same page (`fastpath.general_path_only`), trafilatura alone. Also the
CPU of extraction per path.

    .venv/bin/python bench/fastpath_quality.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import trafilatura

from bench.eval.evaluate import DEFAULT_CORPUS, load_cases, usable_dates
from bench.eval.scoring import bigram_prf, same_title
from pipelines.extraction.decode import decode_body
from pipelines.extraction.extract import extract_page
from pipelines.extraction.fastpath import FAST_PATH, general_path_only


def _score(
    rows: list[tuple[str | None, str | None, str]], truths: list[tuple[str | None, str | None, str | None]]
) -> str:
    title = [same_title(t, tt) for (t, _d, _x), (tt, _td, _tx) in zip(rows, truths, strict=True) if tt]
    date = [(d or "")[:10] == td for (_t, d, _x), (_tt, td, _tx) in zip(rows, truths, strict=True) if td]
    f1 = [
        bigram_prf(x, tx).f1
        for (_t, _d, x), (_tt, _td, tx) in zip(rows, truths, strict=True)
        if tx is not None
    ]
    mean = sum(f1) / len(f1) if f1 else 0.0
    return f"title {sum(title)}/{len(title)}  date {sum(date)}/{len(date)}  body F1 {mean:.3f} over {len(f1)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    cases = [case for case in load_cases(args.corpus) if case.is_article]
    texts = {case.name: decode_body(case.body, "text/html").text for case in cases}
    fast = {case.name: extract_page(texts[case.name], case.url) for case in cases}
    usable, _notes = usable_dates(cases, {name: page.to_json() for name, page in fast.items()})
    paths = Counter(f"{page.extraction_path} {page.platform}" for page in fast.values())
    print(f"{len(cases)} corpus articles; path and platform: {dict(sorted(paths.items()))}")
    chosen = [case for case in cases if fast[case.name].extraction_path == FAST_PATH]
    with general_path_only():
        general = {case.name: extract_page(texts[case.name], case.url) for case in chosen}
    truths = [(c.truth_title, usable.get(c.name), c.truth_text) for c in chosen]
    runs = {
        "fast path": [(fast[c.name].title, fast[c.name].date, fast[c.name].text) for c in chosen],
        "general path": [(general[c.name].title, general[c.name].date, general[c.name].text) for c in chosen],
    }
    trafi = []
    for case in chosen:
        doc = trafilatura.bare_extraction(case.body, with_metadata=True, include_tables=True)
        trafi.append(
            (getattr(doc, "title", None), getattr(doc, "date", None), getattr(doc, "text", "") or "")
        )
    runs["trafilatura alone"] = trafi
    print(f"on the {len(chosen)} fast-path pages ({', '.join(c.name for c in chosen)}):")
    for label, rows in runs.items():
        print(f"  {label:18} {_score(rows, truths)}")
    same = sum(fast[c.name].text == general[c.name].text for c in chosen)
    print(f"  body identical on the two paths: {same}/{len(chosen)}")
    for label, disabled in (("fast path on", False), ("general only", True)):
        start = time.process_time()
        for _ in range(5):
            if disabled:
                with general_path_only():
                    for case in chosen:
                        extract_page(texts[case.name], case.url)
            else:
                for case in chosen:
                    extract_page(texts[case.name], case.url)
        spent = time.process_time() - start
        print(f"  CPU of extraction, {label}: {1000 * spent / (5 * max(1, len(chosen))):.1f} ms/page")


if __name__ == "__main__":
    main()
