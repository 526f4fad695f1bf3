"""Compare a bench run with the recorded baseline and name what got slower.

    python bench/compare.py RUN.json [--baseline bench/baseline.json] [--threshold 0.10]

Both files are what `bench/run.py --save FILE` writes. Machines differ and a shared machine
drifts, so a measure is compared by its CPU time *relative to plain Scrapy's in the same run*
(the work every capture does anyway), not by seconds; the ratios the targets are written in are
compared as they are. Anything more than `--threshold` (10 %) worse than the baseline is named,
and the exit code is 1; 0 when nothing got slower. A measure missing from either file is listed,
never failed (the bench grows)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REFERENCE = "plain Scrapy (no storage)"
NOT_COMPARED = (REFERENCE, "wget --warc-file (1 connection)")  # peers' tools: not ours to guard


def _relative_cpu(figures: dict[str, Any]) -> dict[str, float]:
    measures = figures["measures"]
    reference = measures[REFERENCE]["cpu_s"]
    return {
        name: m["cpu_s"] / reference
        for name, m in measures.items()
        if name not in NOT_COMPARED and reference > 0
    }


def compare(run: dict[str, Any], baseline: dict[str, Any], threshold: float) -> list[str]:
    """Lines of the comparison; those of measures that got slower start with 'SLOWER'."""
    lines = [f"{'what':44} {'baseline':>9} {'this run':>9} {'change':>8}"]
    now, then = _relative_cpu(run), _relative_cpu(baseline)
    rows = [
        (f"CPU / plain Scrapy: {name}", then.get(name), now.get(name))
        for name in sorted(set(now) | set(then))
    ]
    for label in sorted(set(run.get("ratios", {})) | set(baseline.get("ratios", {}))):
        for kind in ("cpu", "wall"):
            rows.append(
                (
                    f"{label} ({kind})",
                    baseline.get("ratios", {}).get(label, {}).get(kind),
                    run.get("ratios", {}).get(label, {}).get(kind),
                )
            )
    for what, old, new in rows:
        if old is None or new is None:
            lines.append(
                f"{what:44} {'-' if old is None else f'{old:9.3f}':>9} "
                f"{'-' if new is None else f'{new:9.3f}':>9}  (only in one run)"
            )
            continue
        change = new / old - 1 if old else 0.0
        flag = "SLOWER " if change > threshold and "wall" not in what else ""
        lines.append(f"{flag}{what:44} {old:9.3f} {new:9.3f} {change:+8.1%}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="the figures of this run (bench/run.py --save)")
    parser.add_argument("--baseline", type=Path, default=BENCH / "baseline.json")
    parser.add_argument("--threshold", type=float, default=0.10, help="how much worse is slower")
    args = parser.parse_args(argv)
    try:
        run = json.loads(args.run.read_text(encoding="utf-8"))
        baseline = json.loads(args.baseline.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"compare: cannot read the figures: {exc}", file=sys.stderr)
        return 2
    lines = compare(run, baseline, args.threshold)
    print("\n".join(lines))
    print(
        f"load during this run: {run.get('load_before_after')}, during the baseline: "
        f"{baseline.get('load_before_after')}"
    )
    slower = [line for line in lines if line.startswith("SLOWER")]
    if slower:
        print(
            f"{len(slower)} measure(s) more than {args.threshold:.0%} slower than the baseline",
            file=sys.stderr,
        )
        return 1
    print("nothing slower than the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
