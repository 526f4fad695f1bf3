"""Archived strings cannot drive the terminal: control characters in a title or URL are printed
escaped by every human printer (to a pipe, as here, the same as to a terminal), `--json` keeps
them JSON-escaped; HTML nested 3,000 levels deep keeps its text and title."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_helpers import archive_cli, run_cli
from hostile_text_site import DEEP_SENTENCE

from pipelines.extraction.htmltext import parse_html
from sourcekeeper.demo.rawsite import ServedSite
from sourcekeeper.printable import json_line, printable

RAW = ("\x1b", "\x07", "\x9b", "\r")
# a title and URL as an imported WARC or a crafted page may carry them (the crawl itself
# percent-encodes URLs and drops C0 controls from titles; C1 controls survive it)
HOSTILE_TITLE = "劝返通知\x1b[2J\x1b]0;owned\x07\x9b31m公告"
HOSTILE_PATH = "/escapes\x1b[2J"


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Iterator[tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("hostile-text") / "archive"
    with ServedSite("tests/hostile_text_site.py:ROUTES") as site:
        result = archive_cli(folder, site.url("/escapes"), site.url("/escapes?copy"), site.url("/deep"))
        assert result.returncode == 0, result.stderr
        url = site.url("/escapes")
    with sqlite3.connect(folder / "index.sqlite3") as db:
        db.execute("UPDATE pages SET title = ? WHERE url LIKE ?", (HOSTILE_TITLE, url + "%"))
        db.execute("UPDATE captures SET url = ? WHERE url = ?", (url + "\x1b[2J", url))
        db.execute("UPDATE pages SET url = ? WHERE url = ?", (url + "\x1b[2J", url))
    return folder, url.removesuffix("/escapes")


def _no_raw_controls(text: str) -> None:
    for char in RAW:
        assert char not in text, (char, text)


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [["search", "劝返"], ["report"], ["show", "{base}/escapes?copy"], ["history", "{base}/escapes?copy"]],
)
def test_human_output_shows_control_characters_escaped(archive, command):
    folder, base = archive
    args = [part.replace("{base}", base) for part in command]
    result = run_cli(*args, "--archive", folder)
    assert result.returncode == 0, result.stderr
    _no_raw_controls(result.stdout + result.stderr)
    if command[0] in ("search", "report"):  # the URL
        assert HOSTILE_PATH.replace("\x1b", "\\x1b") in result.stdout, result.stdout
    if command[0] in ("search", "show"):  # the title
        assert "\\x1b]0;owned\\x07\\x9b31m" in result.stdout


@pytest.mark.slow
def test_json_output_keeps_them_json_escaped(archive):
    folder, _base = archive
    result = run_cli("search", "劝返", "--json", "--archive", folder)
    _no_raw_controls(result.stdout)
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert {hit["title"] for hit in hits} == {HOSTILE_TITLE}
    assert any(hit["url"].endswith(HOSTILE_PATH) for hit in hits), hits
    assert "\\u001b[2J" in result.stdout and "\\u009b" in result.stdout


@pytest.mark.slow
def test_html_nested_3000_deep_keeps_its_text_and_title(archive):
    folder, base = archive
    result = run_cli("show", base + "/deep", "--json", "--archive", folder)
    fields = json.loads(result.stdout)
    assert fields["state"] == "ok", fields
    assert fields["title"] == "深层嵌套的通知" and DEEP_SENTENCE in fields["text"]


def test_the_helper_escapes_c0_c1_and_delete_but_keeps_lines():
    assert printable("a\x1b[2Jb\x7f\x9b\tc\nd") == "a\\x1b[2Jb\\x7f\\x9b\tc\nd"
    assert printable("a\nb\r", one_line=True) == "a\\x0ab\\x0d"
    assert json_line({"t": "\x1b\x9b案"}) == '{"t": "\\u001b\\u009b案"}'


def test_a_deep_parse_keeps_every_paragraph():
    markup = "<html><head><title>t</title></head><body>" + "<div>" * 3000
    markup += "<p>第一段</p><p>第二段</p>" + "</div>" * 3000 + "<p>尾段</p></body></html>"
    root = parse_html(markup)
    assert root is not None
    assert [p.text for p in root.iter("p")] == ["第一段", "第二段", "尾段"]
    assert root.findtext(".//title") == "t"
