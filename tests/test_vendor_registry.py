"""A challenge vendor is one row of the registry (pipelines/extraction/signatures.py VENDORS):
the classifier's evidence and statuses and the render detector's lists (which vendors are
rendered, its byte markers, its vendor headers) all follow from it.

A fictitious vendor (tests/fakewaf_site.py), added as one row and nothing else, is detected
(by its marker, its header, its status), named (`blocked:fakewaf`, its label in the reason) and
rendered: a crawl passes its challenge in Chromium and keeps the page behind it.
"""

from __future__ import annotations

import ast
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import fakewaf_site
import pytest
from archive_helpers import ROOT, archive_cli, run_cli

from archive_store.crawl.render.browser import find_chromium
from pipelines.extraction import classify, render_detect
from pipelines.extraction.signatures import VENDORS
from sourcekeeper.demo.rawsite import ServedSite

TESTS = ROOT / "tests"
# the generic shape (a cookie set by script, then a reload) behind no vendor's evidence
GENERIC = b"<html><body><script>document.cookie='x=1; path=/';location.reload();</script></body></html>"
# a 2xx answer over 64 KB is not judged at all, unless it carries a rendered vendor's header
LARGE = b"<html><body><script>document.cookie='y=1; path=/';location.reload();var pad='" + b"p" * 100_000
LARGE += b"';</script></body></html>"
CASES: dict[str, tuple[int, list[tuple[str, str]], bytes]] = {
    "its marker and body": (200, [("Content-Type", "text/html")], fakewaf_site.CHALLENGE_PAGE),
    "its header": (200, [("Content-Type", "text/html"), (fakewaf_site.HEADER, "7f3a-1")], LARGE),
    "its status": (fakewaf_site.STATUS, [("Content-Type", "text/html")], GENERIC),
}


def verdicts() -> dict[str, Any]:
    """What the render detector and the classifier say of each case, in this process."""
    found: dict[str, Any] = {}
    for case, (status, headers, body) in CASES.items():
        url = "http://www.example.gov.cn/fw/page"
        challenge = render_detect.challenge_of(url, status, headers, body)
        named = classify.classify(url=url, status=status, headers=headers, text=body.decode())
        found[case] = {
            "challenge": challenge.vendor if challenge else None,
            "state": named.state,
            "reason": named.reason,
        }
    return found


def verdicts_with_the_row() -> dict[str, Any]:
    """The same, in a fresh interpreter where the registry has FakeWAF's row."""
    code = (
        "import json, fakewaf_site\n"
        "fakewaf_site.add_to_registry()\n"  # before the classifier and the detector are imported
        "import test_vendor_registry\n"
        "print(json.dumps(test_vendor_registry.verdicts()))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS)])}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_a_vendor_added_as_one_row_is_detected_named_and_rendered_by_the_detector() -> None:
    without = verdicts()  # this process: the registry as shipped
    assert all(v["challenge"] != fakewaf_site.NAME for v in without.values()), without
    assert all(v["state"] != f"blocked:{fakewaf_site.NAME}" for v in without.values()), without
    assert without["its marker and body"]["challenge"] is None  # none of today's marks
    assert without["its header"]["challenge"] is None  # a large 2xx page: not even looked at
    assert without["its status"]["challenge"] == "js-challenge"  # only the generic shape

    with_row = verdicts_with_the_row()
    for case, verdict in with_row.items():
        # a challenge the render detector hands to the browser …
        assert verdict["challenge"] == fakewaf_site.NAME, (case, verdict)
        # … and named by the classifier, its label in the reason
        assert verdict["state"] == "blocked:fakewaf", (case, verdict)
        assert fakewaf_site.LABEL in verdict["reason"], (case, verdict)


def test_no_vendor_is_named_outside_the_registry() -> None:
    """The classifier and the render detector take every vendor from the rows: none of them
    spells a vendor's name or state in its code, and every rendered vendor has its pre-test marks."""
    names = {v.name for v in VENDORS}
    for module in (classify, render_detect):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        spelled = {
            node.value.removeprefix("blocked:")
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        } & names
        assert spelled == set(), f"{module.__name__} names vendors only the registry should: {spelled}"
    rendered = [v for v in VENDORS if v.js_challenge]
    assert rendered and all(v.markers for v in rendered), "a rendered vendor without markers is never judged"
    assert {v.name for v in rendered} <= render_detect.JS_CHALLENGE_VENDORS
    assert {m for v in rendered for m in v.markers} <= set(render_detect._MARKERS)


@pytest.mark.slow  # a crawl in a subprocess
@pytest.mark.skipif(
    find_chromium() is None and os.environ.get("CI") != "true",
    reason="Chromium is not installed (apt-get install chromium; make system-deps as root)",
)
def test_a_crawl_renders_the_new_vendors_challenge(tmp_path: Path) -> None:
    # the crawl's interpreter adds the row before anything else runs
    (tmp_path / "sitecustomize.py").write_text("import fakewaf_site\nfakewaf_site.add_to_registry()\n")
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS), str(tmp_path)])}
    archive = tmp_path / "archive"
    with ServedSite("tests/fakewaf_site.py:ROUTES") as site:
        url = site.url("/fw/page")
        result = archive_cli(
            archive,
            "-s",
            "EXTRACT_PROCESSES=0",
            "-s",
            "ARCHIVE_RENDER_TIMEOUT=8",
            "-s",
            "DOWNLOAD_TIMEOUT=6",
            url,
            env=env,
        )
        hits = site.hits()
    assert result.returncode == 0, result.stderr[-3000:]
    assert hits["/fw/page"] >= 2  # the challenge, then the page the browser's cookie opened
    shown = run_cli("show", "--archive", archive, "--json", url)
    assert shown.returncode == 0, shown.stderr
    fields = json.loads(shown.stdout)
    assert (fields["state"], fields["title"]) == ("ok", fakewaf_site.TITLE)
    with sqlite3.connect(archive / "index.sqlite3") as db:
        rows = db.execute("select state, state_reason from captures where url = ?", (url,)).fetchall()
    # the challenge answer is kept, named, and says how it was passed
    blocked = [reason for state, reason in rows if state == "blocked:fakewaf"]
    assert blocked and all("passed by rendering" in reason for reason in blocked), rows
