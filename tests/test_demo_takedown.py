"""`sourcekeeper demo` tells the whole story: archive, take part of the site down, re-check, report."""

from __future__ import annotations

import re

import pytest
from archive_helpers import run_cli

from sourcekeeper.demo.site import TAKEDOWNS

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)


def test_the_demo_rechecks_the_taken_down_site_and_writes_the_report(tmp_path):
    archive = tmp_path / "demo-archive"
    result = run_cli("demo", "--archive", archive)
    assert result.returncode == 0, result.stdout + result.stderr
    for path, (_change, state) in TAKEDOWNS.items():
        line = next(
            line for line in result.stdout.splitlines() if line.endswith(f"{path}  (expected {state} ✓)")
        )
        assert line.split()[0] == state
    assert "✗" not in result.stdout
    # the seed the sample site never had is `gone`, apart from the removals
    assert re.search(r"\d+ removed \(\d+ new\), 1 gone, 1 blocked, \d+ unreachable, 1 changed", result.stdout)
    assert "exit code 3 (new removals found)" in result.stdout
    report = archive / "report.html"
    assert report.exists() and 'id="report-data"' in report.read_text("utf-8")
