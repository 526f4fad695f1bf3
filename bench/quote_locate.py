"""How long locating one quoted passage takes (pipelines/extraction/quotes.py): over the corpus's
cleaned texts, a sentence of each (present), the same with one character changed (altered) and a
passage that is not there (missing). Prints the median and the slowest, with the text sizes.

    .venv/bin/python bench/quote_locate.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from pipelines.extraction.quotes import locate, sentence_spans

CLEANED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "cwced" / "cleaned"
ABSENT = "坚决打击电信网络诈骗犯罪活动维护群众利益"


def cases(text: str) -> dict[str, str]:
    sentences = [s.text for s in sentence_spans(text) if len(s.text) >= 12]
    middle = sentences[len(sentences) // 2][:20]
    changed = middle[:5] + ("甲" if middle[5] != "甲" else "乙") + middle[6:]
    return {"present": middle, "altered": changed, "missing": ABSENT}


def main() -> None:
    texts = [p.read_text("utf-8") for p in sorted(CLEANED.glob("*.txt"))]
    locate("预热", "预热 OpenCC")
    times: dict[str, list[tuple[float, int]]] = {"present": [], "altered": [], "missing": []}
    for text in texts:
        for expected, quote in cases(text).items():
            start = time.perf_counter()
            found = locate(quote, text)
            times[expected].append((time.perf_counter() - start, len(text)))
            assert found.status == expected, (expected, found.status, quote)
    sizes = [len(t) for t in texts]
    print(f"{len(texts)} texts, {statistics.median(sizes):,.0f} characters median, {max(sizes):,} max")
    for expected, runs in times.items():
        slowest = max(runs)
        print(
            f"{expected:8} median {statistics.median(t for t, _ in runs) * 1000:6.1f} ms, "
            f"slowest {slowest[0] * 1000:6.1f} ms ({slowest[1]:,} characters)"
        )


if __name__ == "__main__":
    main()
