"""bench/compare.py names a measure that got more than 10 % slower than the recorded baseline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from archive_helpers import ROOT


def _figures(plain_cpu: float, capture_cpu: float, full_cpu: float) -> dict[str, object]:
    measures = {
        "plain Scrapy (no storage)": {"wall_s": 5.0, "cpu_s": plain_cpu, "peak_rss_mb": 80},
        "wget --warc-file (1 connection)": {"wall_s": 30.0, "cpu_s": 2.0, "peak_rss_mb": 10},
        "trafilatura alone (2 processes)": {"wall_s": 25.0, "cpu_s": 48.0, "peak_rss_mb": 200},
        "sourcekeeper archive --no-extract": {"wall_s": 5.5, "cpu_s": capture_cpu, "peak_rss_mb": 120},
        "sourcekeeper archive (full)": {"wall_s": 26.0, "cpu_s": full_cpu, "peak_rss_mb": 300},
    }
    return {
        "measures": measures,
        "ratios": {"capture-only / plain Scrapy": {"wall": 1.1, "cpu": capture_cpu / plain_cpu}},
        "load_before_after": [1.0, 1.1],
    }


def _compare(
    tmp_path: Path, run: dict[str, object], baseline: dict[str, object]
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "run.json").write_text(json.dumps(run))
    (tmp_path / "base.json").write_text(json.dumps(baseline))
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "compare.py"),
            str(tmp_path / "run.json"),
            "--baseline",
            str(tmp_path / "base.json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_capture_path_a_fifth_costlier_is_named_and_fails(tmp_path: Path):
    baseline = _figures(plain_cpu=5.0, capture_cpu=5.5, full_cpu=40.0)
    slower = _figures(plain_cpu=5.0, capture_cpu=6.6, full_cpu=40.0)
    proc = _compare(tmp_path, slower, baseline)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    named = [line for line in proc.stdout.splitlines() if line.startswith("SLOWER")]
    assert any("sourcekeeper archive --no-extract" in line for line in named)
    assert any("capture-only / plain Scrapy (cpu)" in line for line in named)
    assert not any("(full)" in line for line in named)  # the full run did not change


def test_a_slower_machine_is_not_a_regression(tmp_path: Path):
    # every tool 30 % slower, plain Scrapy too: the machine, not the code
    baseline = _figures(plain_cpu=5.0, capture_cpu=5.5, full_cpu=40.0)
    machine = _figures(plain_cpu=6.5, capture_cpu=7.15, full_cpu=52.0)
    proc = _compare(tmp_path, machine, baseline)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "nothing slower than the baseline" in proc.stdout


def test_the_recorded_baseline_is_a_run_of_the_bench():
    baseline = json.loads((ROOT / "bench" / "baseline.json").read_text(encoding="utf-8"))
    assert "plain Scrapy (no storage)" in baseline["measures"]
    assert baseline["pages"] >= 1000
    assert all(m["cpu_s"] > 0 for m in baseline["measures"].values())
