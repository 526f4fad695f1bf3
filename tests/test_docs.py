"""The documents the code cites are in the repository and say what the code does: every rule id
cited is in docs/capture-rules.md, docs/settings.md is what its generator prints, docs/layout.md
names every name `archive_store.layout` owns, docs/architecture.md names every package and its
package table is what scripts/package_table.py counts, and no file points at a document that is
not in the repository."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from archive_store import layout
from archive_store.crawl import default_settings
from archive_store.evidence.tsa import CA_DIR, TOKEN_SUFFIX
from archive_store.index.cdxj import CDXJ_SUFFIX
from archive_store.lock import LOCK_NAME
from archive_store.warc.writer import OPEN_SUFFIX

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PACKAGES = ("archive_store", "pipelines", "scrapers", "sourcekeeper")
# W-ALL-1, W-IP, C-1, Z-4, S-3 …; not "W-HTTP-*" (a family) nor "UTF-8"
RULE_ID = re.compile(r"(?<![\w-])(?:W-[A-Z]+(?:-\d+)?|[CSZ]-\d+)(?![\w*-])")
DOC_LINK = re.compile(r"\b((?:docs/)?[\w./-]*\.md)\b")


def _script(name: str) -> ModuleType:
    """One of scripts/*.py, loaded as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


settings_doc = _script("settings_doc")


def _sources() -> list[Path]:
    files = [
        p for package in (*PACKAGES, "tests", "bench", "scripts") for p in (ROOT / package).rglob("*.py")
    ]
    files += [ROOT / "settings.py", ROOT / "README.md", ROOT / "pyproject.toml", ROOT / "Makefile"]
    files += [p for p in DOCS.rglob("*.md") if p.name != "capture-rules.md"]
    return [p for p in files if p.is_file() and ".venv" not in p.parts and p != Path(__file__).resolve()]


def _rules_listed() -> set[str]:
    text = (DOCS / "capture-rules.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| ([A-Z]+(?:-[A-Z]+)?(?:-\d+)?) \|", text, re.MULTILINE))


def test_every_cited_rule_id_is_in_capture_rules() -> None:
    listed = _rules_listed()
    assert {"W-ALL-1", "W-DIG-2", "W-FILE-4", "C-1", "Z-1", "S-3", "W-IP", "W-TRUNC"} <= listed
    missing = {}
    for path in _sources():
        for rule in RULE_ID.findall(path.read_text(encoding="utf-8", errors="replace")):
            if rule not in listed:
                missing.setdefault(rule, path.relative_to(ROOT).as_posix())
    assert not missing, f"rule ids cited but not in docs/capture-rules.md: {missing}"


def test_the_validator_reports_only_listed_rules() -> None:
    """Every id the validator can put in a Problem is documented (or is `gzip` / `io`)."""
    listed = _rules_listed() | {"gzip", "io"}
    validator = ROOT / "archive_store" / "validate"
    cited = {
        rule
        for path in validator.glob("*.py")
        for rule in re.findall(r"\"((?:W|C|Z|S)-[A-Z0-9-]+|gzip|io)\"", path.read_text(encoding="utf-8"))
    }
    assert cited and cited <= listed, cited - listed


def test_settings_doc_is_generated_from_default_settings() -> None:
    expected = settings_doc.render_module(default_settings)
    actual = (DOCS / "settings.md").read_text(encoding="utf-8")
    assert actual == expected, f"docs/settings.md is out of date; regenerate it with `{settings_doc.COMMAND}`"


def test_every_setting_is_in_the_settings_doc() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    names = [
        n for n in vars(default_settings) if n.isupper() and not n.startswith("_") and n != "TYPE_CHECKING"
    ]
    assert len(names) > 30
    assert [n for n in names if f"| `{n}` |" not in text] == []


BLOCKS = '''"""Defaults."""

from typing import TYPE_CHECKING

# One line about A.
ALPHA = 1
ALPHA_TOO = "a|b"  # a note on ALPHA_TOO

# Beta: two lines
# of description.
BETA = [
    "x",
    "y",
]


def helper() -> None:
    # not a setting
    LOCAL = 3


# Browser capture (docs/rendering.md) ---------------------------------------
# Pages are rendered in Chromium when they need it.

# Pages matching these patterns are fetched with Chromium;
# the rendered DOM is kept as a resource record.
BROWSER_PATTERNS: list[str] = []
BROWSER_TIMEOUT = 30 * 2  # seconds a render may take
'''


def test_the_generator_reads_topics_and_a_description_for_each_setting() -> None:
    sections = settings_doc.parse(BLOCKS, {"BROWSER_TIMEOUT": 60})
    shape = [
        (s.title, s.intro, [(x.name, x.default, x.value, x.description) for x in s.settings])
        for s in sections
    ]
    assert shape == [
        (
            "",
            [],
            [
                ("ALPHA", "1", None, "One line about A."),
                ("ALPHA_TOO", '"a|b"', None, "a note on ALPHA_TOO"),
                ("BETA", '["x", "y"]', None, "Beta: two lines of description."),
            ],
        ),
        (
            "Browser capture (docs/rendering.md)",
            ["Pages are rendered in Chromium when they need it."],
            [
                (
                    "BROWSER_PATTERNS",
                    "[]",
                    None,
                    "Pages matching these patterns are fetched with Chromium; "
                    "the rendered DOM is kept as a resource record.",
                ),
                ("BROWSER_TIMEOUT", "30 * 2", "60", "seconds a render may take"),
            ],
        ),
    ]
    text = settings_doc.render(BLOCKS, {"BROWSER_TIMEOUT": 60})
    assert "## Browser capture ([rendering.md](rendering.md))\n\nPages are rendered in Chromium" in text
    assert '| `ALPHA_TOO` | `"a\\|b"` | a note on ALPHA_TOO |' in text
    assert "| `BROWSER_TIMEOUT` | `30 * 2` = `60` | seconds a render may take |" in text
    assert "see `" not in text


def test_a_setting_without_a_description_of_its_own_is_refused() -> None:
    source = "# Topic\n\n# About A.\nALPHA = 1\nBETA = 2\n\n# About C.\nGAMMA = 3\nDELTA = 4  # about D\n"
    with pytest.raises(ValueError, match=r"without a description of their own.*: BETA$"):
        settings_doc.parse(source, {"ALPHA": 1, "BETA": 2, "GAMMA": 3, "DELTA": 4})


def test_every_setting_in_the_settings_doc_has_its_own_description() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) > 30
    descriptions = {row.split(" | ")[0]: row.rsplit(" | ", 1)[1].removesuffix("|").strip() for row in rows}
    assert [name for name, text in descriptions.items() if not text or text.startswith("see `")] == []
    assert text.count("\n## ") >= 8  # grouped by topic


def test_the_generator_refuses_settings_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="GAMMA"):
        settings_doc.parse("ALPHA = 1\nglobals()['GAMMA'] = 2\n", {"ALPHA": 1, "GAMMA": 2})


def test_layout_doc_names_every_file_and_folder_of_the_archive() -> None:
    text = (DOCS / "layout.md").read_text(encoding="utf-8")
    names = [
        v for k, v in vars(layout).items() if k.endswith(("_DIR", "_NAME", "_SUFFIX")) and isinstance(v, str)
    ]
    names += [LOCK_NAME, OPEN_SUFFIX, CDXJ_SUFFIX, TOKEN_SUFFIX, CA_DIR]
    assert len(names) > 10
    assert [n for n in names if n not in text] == []


def _packages() -> list[str]:
    return sorted(
        p.parent.relative_to(ROOT).as_posix().replace("/", ".")
        for package in PACKAGES
        for p in (ROOT / package).rglob("__init__.py")
        if "__pycache__" not in p.parts
    )


def test_architecture_doc_names_every_package() -> None:
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    packages = _packages()
    assert "archive_store.crawl" in packages and "sourcekeeper.commands" in packages
    assert [p for p in packages if f"`{p.replace('.', '/')}/`" not in text] == []


def _package_table() -> ModuleType:
    return _script("package_table")


def test_the_package_table_is_todays() -> None:
    table = _package_table()
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    assert table.problems(text) == [], "regenerate it: .venv/bin/python scripts/package_table.py --write"
    assert table.written(text).count("| `") == text.count("| `")  # one table, between the markers


def test_the_package_table_check_sees_a_new_module_and_lines_gone() -> None:
    table = _package_table()
    text = table.written((DOCS / "architecture.md").read_text(encoding="utf-8"))
    name, modules, lines = table.rows()[0]
    row = f"| `{name}` | {modules} | {lines:,} |"
    assert row in text and table.problems(text) == []
    assert table.problems(text.replace(row, f"| `{name}` | {modules + 1} | {lines:,} |")) == [
        f"{name} has {modules} modules, the table says {modules + 1}"
    ]
    fewer = lines - max(100, lines // 10) - 1
    assert table.problems(text.replace(row, f"| `{name}` | {modules} | {fewer:,} |")) == [
        f"{name} has {lines:,} lines, the table says {fewer:,}"
    ]
    assert table.problems(text.replace(row + "\n", "")) == [f"{name} is not in the table"]


def test_documents_cited_are_in_the_repository() -> None:
    wrong = []
    for path in _sources():
        for cited in DOC_LINK.findall(path.read_text(encoding="utf-8", errors="replace")):
            name = cited.rsplit("/", 1)[-1]
            if name in {"warc-rules.md", "design.md", "chinese-sources.md", "style.md", "peers.md"}:
                wrong.append(f"{path.relative_to(ROOT)}: {cited} (outside the repository)")
            elif cited.startswith("docs/") and not (ROOT / cited).is_file():
                wrong.append(f"{path.relative_to(ROOT)}: {cited} (no such file)")
    assert wrong == []


def _subcommands() -> list[str]:
    import argparse

    from sourcekeeper.cli import build_parser

    actions = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(actions[0].choices)


def test_the_readme_names_every_subcommand_and_exit_code() -> None:
    from sourcekeeper.exitcodes import ExitCode

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _subcommands()
    assert {"archive", "show", "search", "recheck", "report"} <= set(commands)
    assert [c for c in commands if f"| `{c}` |" not in text] == []
    assert [int(code) for code in ExitCode if f"\n| {int(code)} |" not in text] == []
    # the quick start and the two things a newcomer trips over come before the reference parts
    first = text.index
    assert (
        first("make demo") < first("## Quick start") < first("ARCHIVE_ALLOW_PRIVATE") < first("## Exit codes")
    )
    assert "allow_private = true" in text and "130" in text and "143" in text


def test_the_readme_links_every_topic_document() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    topics = ["capture-rules", "settings", "scale-out", "rendering", "media", "evidence", "performance"]
    topics += ["development", "network", "monitoring", "profiles", "archiving", "unattended-operation"]
    assert [t for t in topics if f"](docs/{t}.md" not in text] == []


HEX_RUN = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b")


def test_the_readme_and_docs_name_no_issue_numbers_or_commits() -> None:
    """A reader cannot see the project's tracker or its commit ids: the documents say what is true
    instead. (Digests in examples are written with … and never look like a commit.)"""
    found = []
    for path in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\b[Ii]ssues? \d+\b", line) or HEX_RUN.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert found == []


def test_package_init_files_reexport_nothing() -> None:
    """Imports name the submodule: no package re-exports names from its __init__ (no lazy
    `__getattr__`, no `__all__`, no `from .sub import name as name` list)."""
    import ast

    reexporting: list[str] = []
    for package in _packages():
        tree = ast.parse((ROOT / package.replace(".", "/") / "__init__.py").read_text(encoding="utf-8"))
        names = {
            t.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            for t in ast.walk(node)
            if isinstance(t, ast.Name)
        }
        imported = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        from_package = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package + ".")
        ]
        if {"__getattr__", "__all__"} & names or "lazy_loader" in imported or from_package:
            reexporting.append(package)
    assert reexporting == []
