"""How long the pieces of `diff` take: the sentence diff of two long Chinese texts and the
screenshot comparison of two full-page screenshots.

    .venv/bin/python bench/diff_bench.py [--sentences N] [--height PX]

Prints one line per measurement (best of 3, seconds).
"""

from __future__ import annotations

import argparse
import io
import random
import time
from collections.abc import Callable

from PIL import Image, ImageDraw

from pipelines.extraction.sentencediff import diff_sentences
from sourcekeeper.changes.visual import compare_screenshots

WORDS = "通知工作人员亲属联系政策宣讲纪律进展情况单位认识重要性本县在外劝返有关事项如下开展加强严格按时报送"


def _best(work: Callable[[], object]) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def _texts(count: int) -> tuple[str, str]:
    rng = random.Random(7)
    sentences = ["".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40))) + "。" for _ in range(count)]
    edited = list(sentences)
    for i in range(0, count, 10):  # every tenth sentence edited, some moved, some gone
        edited[i] = edited[i][:5] + "法律" + edited[i][7:]
    edited.insert(count // 2, edited.pop(3))
    del edited[count // 3]
    return "\n".join(sentences), "\n".join(edited)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--height", type=int, default=8000)
    args = parser.parse_args()
    before, after = _texts(args.sentences)
    seconds = _best(lambda: diff_sentences(before, after))
    print(f"sentence diff, {args.sentences} sentences ({len(before):,} characters): {seconds:.3f} s")
    page = Image.new("RGB", (1280, args.height), "white")
    draw = ImageDraw.Draw(page)
    for y in range(40, args.height - 40, 30):
        draw.rectangle((40, y, 1200, y + 8), fill=(60, 60, 60))
    changed = page.copy()
    ImageDraw.Draw(changed).rectangle((300, 500, 700, 620), fill=(30, 90, 200))
    one, two = _png(page), _png(changed)
    seconds = _best(lambda: compare_screenshots(one, two))
    print(f"screenshot comparison, 1280 x {args.height} pixels: {seconds:.3f} s")


if __name__ == "__main__":
    main()
