"""The report's timeline in Chromium: rows named by title and URL (a hostile title stays text),
dates on the axis, and a restored source's gone interval drawn as a band."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sourcekeeper.reporting.html import render_report

CHROMIUM = shutil.which("chromium")
HOSTILE = '<img src=x onerror="document.title=1">通知'


def _source(url: str, title: str, state: str, gone: dict[str, object] | None) -> dict[str, object]:
    return {
        "url": url,
        "state": state,
        "reason": "back after a confirmed removal" if gone else "text changed",
        "since": "2026-12-05T00:00:00Z",
        "gone": gone,
        "title": title,
        "stealth": False,
        "cited_by": [],
        "robust_links": {},
        "third_party": [],
        "last_good": None,
        "media": {},
        "diff": None,
        "timeline": [
            {"t": "2026-12-01T00:00:00Z", "kind": "capture", "state": "ok", "label": "capture"},
            {"t": "2026-12-09T00:00:00Z", "kind": "recheck", "state": state, "label": "re-check"},
        ],
    }


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/system-deps.sh installs it)")
def test_timeline_rows_have_titles_urls_dates_and_the_gone_interval(tmp_path: Path) -> None:
    gone = {
        "gone_since": "2026-12-03T00:00:00Z",
        "back_at": "2026-12-07T00:00:00Z",
        "gone_seconds": 4 * 86400,
        "gone_for": "4 days",
    }
    data = {
        "generated_at": "2026-12-09T00:00:00+00:00",
        "archive": "archive",
        "basis": "archived seed URLs",
        "counts": {"restored": 1, "changed": 1},
        "sources": [
            _source("http://a.gov.cn/1.html", "恢复的通知", "restored", gone),
            _source("http://b.gov.cn/2.html", HOSTILE, "changed", None),
        ],
    }
    page = tmp_path / "report.html"
    page.write_text(render_report(data), encoding="utf-8")
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'p'}",
            "--window-size=1200,800",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    assert 'data-chart="drawn"' in dom
    assert dom.count('class="gone-interval"') == 1 and "gone for 4 days" in dom
    assert "#1 恢复的通知" in dom and "http://a.gov.cn/1.html" in dom
    assert "#2 &lt;img src=x" in dom  # the title is text in the SVG, never an element
    assert "<title>sourcekeeper report</title>" in dom  # its onerror never ran
    labels = [part.split("<")[0] for part in dom.split('class="tick-label"')[1:]]
    assert len(labels) == 6 and labels[0].endswith("2026-12-01") and labels[-1].endswith("2026-12-09")
