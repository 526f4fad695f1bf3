"""`diff`, the stealth-edit flag of `recheck` and the report's diffs, on an archive the test builds:
a local site (tests/changes_site.py) captured, changed, re-checked and captured again (rendered,
so both captures have screenshots)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from archive_helpers import ROOT, archive_cli
from changes_site import ADDED, EDITED, QUOTE, SENTENCES
from takedown_helpers import json_lines, recheck_cli

from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.index.schema import Page
from sourcekeeper.demo.rawsite import ServedSite

pytestmark = pytest.mark.slow

SITE = "tests/changes_site.py:ROUTES"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARTIFACTS = ROOT / "test-artifacts"
QUICK = ["-s", "EXTRACT_PROCESSES=0", "-s", "ARCHIVE_RENDER_TIMEOUT=8", "-s", "DOWNLOAD_TIMEOUT=6"]
# the text of the attachment's two versions, as document text extraction would store it
DOC_BEFORE = "附件一：在外人员名单。共计十二人。请各单位核对。"
DOC_AFTER = "附件一：在外人员名单。共计十五人。请各单位核对。"


@dataclass
class Built:
    archive: Path
    base: str
    recheck_stdout: str

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Iterator[Built]:
    archive = tmp_path_factory.mktemp("diff") / "archive"
    shots = ["--screenshot"] if CHROMIUM else []
    with ServedSite(SITE) as site:
        quotes = archive.parent / "quotes.tsv"
        quotes.write_text(f"{site.url('/quoted.html')}\t{QUOTE}\n", "utf-8")
        pages = [site.url("/notice.html"), site.url("/stealth.html")]
        first = archive_cli(archive, *QUICK, *shots, "--quotes", quotes, *pages)
        assert first.returncode == 0, first.stderr
        site.set_mode("after")
        rechecked = recheck_cli(archive)
        assert rechecked.returncode == 0, rechecked.stderr
        second = archive_cli(archive, *QUICK, *shots, site.url("/notice.html"))
        assert second.returncode == 0, second.stderr
        base = site.base_url
    _store_document_text(archive, base + "/files/a.pdf")
    yield Built(archive, base, rechecked.stdout)


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def sk(capsys):
    """`sourcekeeper ...` in this process (these commands start no crawl): quicker than a child."""
    from sourcekeeper.cli import main

    def run(*args: str | Path) -> Ran:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return run


def _store_document_text(archive: Path, url: str) -> None:
    """Page rows for the attachment's two captures (when document text extraction made none, or
    found no text in these token PDFs)."""
    index = ArchiveIndex(default_db_url(archive), create=False)
    try:
        first, second = [c for c in index.captures_for(url) if c.record_type == "response"][:2]
        for capture, text in ((first, DOC_BEFORE), (second, DOC_AFTER)):
            page = index.page_for(capture.id)
            if page is None or not page.text:
                index.save_page(
                    Page(capture_id=capture.id, url=url, title="名单", text=text, kind="document")
                )
    finally:
        index.close()


def test_diff_json_has_sentence_hunks_with_offsets_into_each_capture_text(built, sk):
    result = sk("diff", "--archive", built.archive, "--json", built.url("/notice.html"))
    assert result.returncode == 0, result.stderr
    diff = json.loads(result.stdout)
    ops = {
        (h["op"], tuple(s["text"] for s in h["before"]), tuple(s["text"] for s in h["after"]))
        for h in diff["text"]["hunks"]
    }
    assert ("edited", (SENTENCES[2],), (EDITED,)) in ops  # edited (and moved up)
    assert ("moved", (SENTENCES[4],), (SENTENCES[4],)) in ops  # moved, not removed + added
    assert ("removed", (SENTENCES[3],), ()) in ops
    assert ("added", (), (ADDED,)) in ops
    assert not any(op == "removed" and SENTENCES[4] in before for op, before, _after in ops)
    # the offsets point into each capture's text as `show --json` gives it
    texts = {}
    for side in ("before", "after"):
        shown = sk(
            "show",
            "--archive",
            built.archive,
            "--json",
            "--at",
            diff[side]["captured_at"],
            built.url("/notice.html"),
        )
        texts[side] = json.loads(shown.stdout)["text"]
    for hunk in diff["text"]["hunks"]:
        for side in ("before", "after"):
            for sentence in hunk[side]:
                assert texts[side][sentence["start"] : sentence["end"]] == sentence["text"]
    assert [f["name"] for f in diff["fields"]] == ["title"]
    assert diff["stealth"] is None
    links = {
        (k, link["url"].removeprefix(built.base)) for k in ("added", "removed") for link in diff["links"][k]
    }
    assert links == {
        ("added", "/contact.html"),
        ("added", "/files/new.pdf"),
        ("removed", "/about.html"),
        ("removed", "/files/old.pdf"),
    }


def test_a_replaced_attachment_is_named_with_its_own_text_diff(built, sk):
    diff = json.loads(sk("diff", "--archive", built.archive, "--json", built.url("/notice.html")).stdout)
    documents = {d["url"].removeprefix(built.base): d for d in diff["documents"]}
    assert {path: d["change"] for path, d in documents.items()} == {
        "/files/a.pdf": "replaced",
        "/files/old.pdf": "removed",
        "/files/new.pdf": "added",
    }
    replaced = documents["/files/a.pdf"]
    assert replaced["before_digest"] != replaced["after_digest"]
    (hunk,) = replaced["text"]["hunks"]
    assert hunk["op"] == "edited" and ["-", "二"] in hunk["changes"] and ["+", "五"] in hunk["changes"]
    human = sk("diff", "--archive", built.archive, built.url("/notice.html")).stdout
    assert "document replaced: " + built.url("/files/a.pdf") in human
    assert "~ 共计十[-二-]{+五+}人。" in human


def test_diff_exit_codes_and_plain_messages(built, sk):
    unknown = sk("diff", "--archive", built.archive, built.url("/never.html"))
    assert unknown.returncode == 2 and "no capture of" in unknown.stderr and "Error" not in unknown.stderr
    once = sk("diff", "--archive", built.archive, built.url("/files/old.pdf"))
    assert once.returncode == 2 and "only one capture" in once.stderr
    early = sk("diff", "--archive", built.archive, "--from", "2001-01-01", built.url("/notice.html"))
    assert (
        early.returncode == 2
        and "no capture of" in early.stderr
        and "at or before 2001-01-01" in early.stderr
    )
    bad = sk("diff", "--archive", built.archive, "--from", "yesterday", built.url("/notice.html"))
    assert bad.returncode == 2 and "not a capture or a time" in bad.stderr
    # captures named by id: the re-check's capture against the second crawl's is no change
    diff = json.loads(sk("diff", "--archive", built.archive, "--json", built.url("/notice.html")).stdout)
    named = sk(
        "diff",
        "--archive",
        built.archive,
        "--json",
        "--from",
        f"#{diff['before']['capture_id']}",
        "--to",
        f"id:{diff['after']['capture_id']}",
        built.url("/notice.html"),
    )
    assert named.returncode == 0 and json.loads(named.stdout)["text"] == diff["text"]


def test_recheck_flags_the_stealth_edit_ahead_of_the_ordinary_one(built, sk):
    lines = built.recheck_stdout.splitlines()
    *stealthy, ordinary = [i for i, line in enumerate(lines) if line.startswith("changed")]
    (first,) = [i for i in stealthy if built.url("/stealth.html") in lines[i]]
    assert "STEALTH EDIT" in lines[first]
    assert lines[first + 1].strip().startswith("stealth edit: only the date (2024-01-05 → 2023-12-01)")
    assert built.url("/notice.html") in lines[ordinary] and "STEALTH EDIT" not in lines[ordinary]
    history = json_lines(
        sk("history", "--archive", built.archive, "--json", built.url("/stealth.html")).stdout
    )
    (event,) = [e for e in history if e["kind"] == "recheck"]
    assert event["state"] == "changed" and event["detail"] == "stealth-edit"
    assert event["diff"]["stealth"]["fields"][0] == "date"
    shown = sk("diff", "--archive", built.archive, built.url("/stealth.html")).stdout
    assert shown.splitlines()[3].startswith("STEALTH EDIT: only the date")


def test_a_change_of_only_a_quoted_passage_is_a_stealth_edit(built, sk):
    """The re-check finds the quoted sentence altered and nothing else: a stealth edit, named ahead
    of the ordinary edit, in `recheck`, `history` and `diff`."""
    lines = built.recheck_stdout.splitlines()
    changed = [line for line in lines if line.startswith("changed")]
    (quoted,) = [line for line in changed[:2] if built.url("/quoted.html") in line]
    assert "STEALTH EDIT" in quoted
    assert built.url("/notice.html") in changed[-1] and "STEALTH EDIT" not in changed[-1]
    history = json_lines(
        sk("history", "--archive", built.archive, "--json", built.url("/quoted.html")).stdout
    )
    (event,) = [e for e in history if e["kind"] == "recheck"]
    assert event["detail"] == "stealth-edit" and event["diff"]["stealth"]["fields"] == ["quote"]
    assert event["diff"]["stealth"]["changes"][0] == {
        "name": "quote",
        "before": SENTENCES[2],
        "after": EDITED,
    }
    diff = json.loads(sk("diff", "--archive", built.archive, "--json", built.url("/quoted.html")).stdout)
    assert diff["stealth"]["fields"] == ["quote"]
    shown = sk("diff", "--archive", built.archive, built.url("/quoted.html")).stdout
    assert "STEALTH EDIT: only the quoted passage" in shown


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/system-deps.sh installs it)")
def test_diff_of_rendered_captures_compares_their_screenshots(built, tmp_path, sk):
    images = tmp_path / "images"
    result = sk("diff", "--archive", built.archive, "--json", "--images", images, built.url("/notice.html"))
    visual = json.loads(result.stdout)["visual"]
    assert visual is not None and 0 < visual["changed_share"] < 0.5 and visual["regions"]
    assert {p.name for p in images.iterdir()} == {"before.png", "after.png", "changes.png"}
    assert (images / "before.png").read_bytes().startswith(b"\x89PNG")
    # the stealth page's later capture (the re-check's) was not rendered: said, not guessed
    stealth = json.loads(sk("diff", "--archive", built.archive, "--json", built.url("/stealth.html")).stdout)
    assert stealth["visual"] is None and "no screenshot" in stealth["visual_note"]


def test_diff_html_is_self_contained_and_escapes_the_hostile_title(built, tmp_path, sk):
    page = tmp_path / "diff.html"
    result = sk("diff", "--archive", built.archive, "--html", page, built.url("/notice.html"))
    assert result.returncode == 0, result.stderr
    html = page.read_text("utf-8")
    assert "<script" not in html.replace("&lt;script", "")  # the title's markup is text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "\x1b" not in html or "&#" in html
    assert "<ins>法律</ins>" in html and "<del>政策</del>" in html
    assert "default-src 'none'" in html and "Noto Sans CJK SC" in html
    assert "http" not in "".join(part.split('"')[0] for part in html.split("src=")[1:])  # data: only


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/system-deps.sh installs it)")
def test_report_html_shows_each_changed_sources_diff_in_chromium(built, tmp_path, sk):
    page = tmp_path / "report.html"
    result = sk("report", "--archive", built.archive, "--html", page)
    assert result.returncode == 0, result.stderr
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "report-diff.png"
    screenshot.unlink(missing_ok=True)
    common = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--window-size=1300,2200",
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    shot = subprocess.run(
        [*common, f"--user-data-dir={tmp_path / 'a'}", f"--screenshot={screenshot}", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert screenshot.exists() and screenshot.stat().st_size > 10_000, shot.stderr
    dom = subprocess.run(
        [*common, f"--user-data-dir={tmp_path / 'b'}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    ).stdout
    assert 'data-chart="drawn"' in dom
    assert dom.count('class="capture-diff"') == 3  # every changed source expands to its diff
    assert f"<ins>{ADDED}</ins>" in dom and "<ins>法律</ins>" in dom  # the diff text is in the page
    assert 'alt="changed regions marked"' in dom  # and the screenshots
    assert dom.index("stealth-badge") < dom.index(built.url("/notice.html"))  # stealth edit first
    assert "&lt;script&gt;alert" in dom and '<script>alert("x")' not in dom
    assert dom.count('class="row-title"') == 3 and 'class="tick-label"' in dom  # named rows, dated axis
    assert "sourcekeeper replay --archive" in dom  # what the replay links need
    text = sk("report", "--archive", built.archive).stdout
    assert "STEALTH EDIT" in text and f"+ {ADDED}" in text
