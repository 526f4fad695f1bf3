"""The real pages kept in bench/eval/realpages/ load as evaluation cases with their hand-read truth,
and leave-one-site-out holds each one out with its generated variants under the site stated in
truth.json."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from bench.eval.evaluate import REALPAGES, REALPAGES_PREFIX, development_cases, load_cases, load_realpages

_REPO = re.compile(r"^[\w.-]+/[\w.-]+$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def test_every_page_has_its_truth_and_provenance() -> None:
    rows = json.loads((REALPAGES / "truth.json").read_text("utf-8"))
    assert len(rows) >= 40
    assert len({row["site"] for row in rows}) >= 15
    assert len({row["file"] for row in rows}) == len(rows)
    for row in rows:
        assert (REALPAGES / row["file"]).is_file(), row["file"]
        assert row["title"] and row["site"] and row["licence"], row["file"]
        assert row["date"] is None or date.fromisoformat(row["date"]).isoformat() == row["date"]
        assert _REPO.match(row["source_repo"]) and _COMMIT.match(row["source_commit"]), row["file"]
        assert row["source_path"], row["file"]
    assert {row["source_repo"] for row in rows} <= set(
        re.findall(r"`([\w.-]+/[\w.-]+)`", (REALPAGES / "SOURCES.md").read_text("utf-8"))
    )


def test_pages_load_as_cases_with_a_url_and_a_site() -> None:
    cases = load_realpages()
    assert len(cases) >= 40
    for case in cases:
        assert case.name.startswith(REALPAGES_PREFIX)
        assert case.url.startswith(("http://", "https://"))
        assert case.site and case.truth_title
        head = case.body.lower()
        assert b"<head" in head and b"<body" in head, case.name


def test_load_cases_adds_them_when_asked(tmp_path: Path) -> None:
    """`make eval` asks for them; the corpus tests (load_cases(CORPUS), evaluate(CORPUS)) do not."""
    names = [case.name for case in load_cases(tmp_path, REALPAGES)]
    assert len(names) == len(load_realpages())
    assert load_cases(tmp_path) == []


def test_make_eval_adds_them_unless_told_not_to(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bench.eval import evaluate as module

    (tmp_path / "cwced").mkdir()
    seen: list[Path | None] = []
    monkeypatch.setattr(module, "evaluate", lambda corpus, devset, realpages: seen.append(realpages) or {})
    monkeypatch.setattr(module, "_print_report", lambda report: None)
    monkeypatch.setattr(module, "_print_realpages", lambda real: None)
    monkeypatch.setattr(module, "_print_devset", lambda devset: None)
    monkeypatch.setattr(module.json, "dumps", lambda *a, **k: "{}")
    module.main(["--corpus", str(tmp_path), "--json"])
    module.main(["--corpus", str(tmp_path), "--json", "--no-realpages"])
    assert seen == [REALPAGES, None]


def test_variants_are_held_out_with_their_page() -> None:
    cases = load_realpages()[:3]
    usable = {case.name: case.truth_date for case in cases if case.truth_date}
    sites = {case.name: case.site for case in cases}
    devcases = [c for c in development_cases(cases, usable) if c.name.startswith(REALPAGES_PREFIX)]
    assert len(devcases) > len(cases)
    for devcase in devcases:
        assert devcase.site == sites[devcase.name.split("~")[0]], devcase.name
