"""Time the README's two commands and write the figures into the README (nothing typed by hand).

    python3 scripts/time_commands.py            # both: make test from a fresh clone, make demo warm
    python3 scripts/time_commands.py --demo     # only the demo (a warm checkout: .venv installed)
    python3 scripts/time_commands.py --demo --test-seconds 900   # with make test timed elsewhere

`make test` is timed in a fresh clone of HEAD with no .venv (what a newcomer or CI runs; the
package caches of the machine are warm); `make demo` three times in this checkout, the median.
The line between the README's `<!-- timings -->` markers is replaced with the figures, the date
and the machine's core count.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARKERS = re.compile(r"(<!-- timings -->\n).*?(\n<!-- /timings -->)", re.S)


def _timed(command: list[str], cwd: Path, log: Path | None = None) -> float:
    """Seconds the command took; its output goes to `log` (both streams) when given."""
    started = time.monotonic()
    with open(log or os.devnull, "wb") as out:
        done = subprocess.run(
            command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT if log else subprocess.PIPE, check=False
        )
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        tail = log.read_bytes()[-4000:] if log else (done.stderr or b"")[-2000:]
        sys.exit(f"{' '.join(command)} failed ({done.returncode}) in {cwd}:\n{tail.decode(errors='replace')}")
    return elapsed


def time_test(log: Path | None = None) -> float:
    with tempfile.TemporaryDirectory(prefix="sourcekeeper-clone-", dir=ROOT.parent) as work:
        clone = Path(work) / ROOT.name  # beside ROOT, so ../shared is where the tests look for it
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        return _timed(["make", "test"], clone, log)


def time_demo(rounds: int = 3) -> float:
    command = ["make", "demo"]  # into ./demo-archive, which each run replaces
    _timed(command, ROOT)  # warm: installs nothing more, compiles nothing more
    return statistics.median(_timed(command, ROOT) for _ in range(rounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="time only make demo")
    parser.add_argument("--log", type=Path, help="write make test's output (the 15 slowest tests …) here")
    parser.add_argument(
        "--test-seconds",
        type=float,
        help="make test's wall time from a fresh clone measured by another run (a CI trial), with --demo",
    )
    args = parser.parse_args()
    test = args.test_seconds if args.demo else time_test(args.log)
    demo = time_demo()
    old = MARKERS.search(README.read_text("utf-8"))
    if old is None:
        sys.exit("README.md has no <!-- timings --> markers")
    previous_test = re.search(r"`make test` took about (\d+) min", old.group(0))
    test_text = f"{test / 60:.0f}" if test is not None else (previous_test.group(1) if previous_test else "?")
    line = (
        f"Measured on {datetime.now(UTC):%Y-%m-%d} on a {os.cpu_count()}-core machine: `make test` took "
        f"about {test_text} min from a fresh clone, `make demo` about {demo:.0f} s once installed "
        "(`python3 scripts/time_commands.py` measures again and rewrites this line)."
    )
    README.write_text(
        MARKERS.sub(lambda m: m.group(1) + line + m.group(2), README.read_text("utf-8")), "utf-8"
    )
    print(line)


if __name__ == "__main__":
    main()
