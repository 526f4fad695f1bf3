"""The private Scrapy classes and attributes the capture relies on are still there, with the same
constructors: a Scrapy upgrade that moves one fails here, by name, instead of in a crawl."""

from __future__ import annotations

import ast
from pathlib import Path

from archive_store.crawl.scrapy_seams import AGENT_ARGUMENTS, seam_problems

CAPTURE = Path(__file__).resolve().parent.parent / "archive_store" / "crawl" / "capture" / "handler.py"


def test_the_installed_scrapy_still_has_every_seam_the_capture_uses():
    assert seam_problems() == []


def test_the_capture_builds_the_agent_with_exactly_the_listed_arguments():
    tree = ast.parse(CAPTURE.read_text("utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_RecordingAgent"
    ]
    assert len(calls) == 1
    passed = {kw.arg: ast.unparse(kw.value) for kw in calls[0].keywords}
    assert passed == {name: f"self.{attribute}" for name, attribute in AGENT_ARGUMENTS.items()}


def test_scrapy_is_patched_only_in_the_seams_module():
    """Assignments to attributes of Scrapy modules live in one place (scrapy_seams)."""
    root = CAPTURE.parents[2]
    offenders = []
    for path in [
        *root.glob("archive_store/**/*.py"),
        *root.glob("scrapers/*.py"),
        *root.glob("pipelines/**/*.py"),
    ]:
        if path.name == "scrapy_seams.py":
            continue
        tree = ast.parse(path.read_text("utf-8"))
        scrapy_names = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("scrapy")
            for alias in node.names
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id in scrapy_names
                        and target.value.id[0].islower()
                    ):
                        offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_a_changed_agent_constructor_is_named(monkeypatch):
    from scrapy.core.downloader.handlers import http11

    def changed_init(self, *, contextFactory, pool, crawler):  # noqa: N803 (a future Scrapy, say)
        raise AssertionError("never called")

    monkeypatch.setattr(http11._ScrapyAgent, "__init__", changed_init)
    problems = seam_problems()
    assert any("_ScrapyAgent.__init__ takes" in p for p in problems)
