"""docs/settings.md, generated from the source of `archive_store.crawl.default_settings`.

    .venv/bin/python scripts/settings_doc.py > docs/settings.md

Every top-level `NAME = value` with an upper-case name is a setting. The format of the source:

- A topic: a comment paragraph standing alone between blank lines. Its first line is the topic's
  title (`# Rendering: pages behind JavaScript challenges (docs/rendering.md)`), the lines after it,
  if any, an introduction printed under the title.
- A setting's description: the comment lines directly above it (no blank line between), or the
  comment at the end of its line; both when there are both. Every setting has one of its own: a
  setting without one is an error, so no row of the table reads only "see …".

The default is shown as written, and its value too when it is computed (`1024 * 1024`).
`tests/test_docs.py` fails when docs/settings.md is not what this prints.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from archive_store.crawl import default_settings

COMMAND = ".venv/bin/python scripts/settings_doc.py > docs/settings.md"
SOURCE_NAME = "archive_store/crawl/default_settings.py"
_SETTING_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_PRAGMA = re.compile(r"\s*(noqa|type:|pragma)\b")
# docs/<name>.md in a topic's title, made a link (docs/settings.md sits beside them)
_DOC_NAME = re.compile(r"\bdocs/([\w-]+\.md)\b")


@dataclass
class Setting:
    name: str
    default: str  # as written in the source, on one line
    value: str | None  # repr of the computed value when it is not a plain literal
    description: str  # the comment lines above it and the comment at the end of its line


@dataclass
class Section:
    """One topic: its title and introduction (both empty before the first title), its settings."""

    title: str
    intro: list[str] = field(default_factory=list)
    settings: list[Setting] = field(default_factory=list)


def _comments(source: str) -> dict[int, str]:
    """Line number → text of the comment on it (without `#`), from the tokenizer, so a `#` inside a
    string is never taken for one."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            text = token.string[1:].strip()
            if not _PRAGMA.match(text):
                found[token.start[0]] = text
    return found


def _setting_names(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        targets = [node.target]
    else:
        return []
    names = [t.id for t in targets if isinstance(t, ast.Name) and _SETTING_NAME.fullmatch(t.id)]
    return names if len(names) == len(targets) else []


def _one_line(text: str) -> str:
    """A multi-line list or call as one line, as it would be written on one."""
    text = re.sub(r"\s*\n\s*", " ", text.strip())
    text = re.sub(r"([\[({]) ", r"\1", text)
    return re.sub(r",? ([\])}])", r"\1", text)


def _computed(node: ast.expr, name: str, values: dict[str, Any]) -> str | None:
    try:
        ast.literal_eval(node)
    except ValueError:
        return repr(values[name]) if name in values else None
    return None


def parse(source: str, values: dict[str, Any] | None = None) -> list[Section]:
    """The topics and settings of a default_settings source. `values`: the module's globals, to show
    computed defaults and to find settings assigned in a way this cannot read."""
    values = values or {}
    lines = source.splitlines()
    comments = _comments(source)
    tree = ast.parse(source)
    sections = [Section("")]
    previous_end = 0  # last line of the statement before
    for node in tree.body:
        start = node.lineno
        if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef) and node.decorator_list:
            start = node.decorator_list[0].lineno
        # the comment block right above the statement, and stand-alone blocks above that
        attached: list[str] = []
        line = start - 1
        while line > previous_end and line in comments and not lines[line - 1][:1].isspace():
            attached.insert(0, comments[line])
            line -= 1
        for paragraph in _paragraphs(lines, comments, previous_end + 1, line):
            sections.append(Section(_title(paragraph[0]), paragraph[1:]))
        names = _setting_names(node)
        end = node.end_lineno or node.lineno
        previous_end = end
        if not names:
            continue
        assert isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None
        segment = ast.get_source_segment(source, node.value) or ast.unparse(node.value)
        note = " ".join(comments[n] for n in range(node.lineno, end + 1) if n in comments)
        description = " ".join([*attached, f"({note})" if attached and note else note]).strip()
        sections[-1].settings.extend(
            Setting(n, _one_line(segment), _computed(node.value, n, values), description) for n in names
        )
    _check_complete(sections, tree, values)
    return [s for s in sections if s.settings]


def _title(line: str) -> str:
    """A topic's first comment line, without a trailing rule of dashes or equals signs."""
    return re.sub(r"\s*[-=]{3,}\s*$", "", line).strip()


def _paragraphs(lines: list[str], comments: dict[int, str], first: int, last: int) -> list[list[str]]:
    """Comment-only paragraphs (separated by blank lines) between two lines, inclusive."""
    found: list[list[str]] = []
    current: list[str] = []
    for number in range(first, last + 1):
        if number in comments and lines[number - 1].lstrip().startswith("#"):
            current.append(comments[number])
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def _check_complete(sections: list[Section], tree: ast.Module, values: dict[str, Any]) -> None:
    """Every upper-case module global that apply_defaults would set is documented (or imported), and
    every setting has a description of its own."""
    settings = [s for section in sections for s in section.settings]
    documented = {s.name for s in settings}
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    missing = sorted(
        n for n in values if _SETTING_NAME.fullmatch(n) and n not in documented and n not in imported
    )
    if missing:
        raise ValueError(f"settings not assigned as `NAME = value` at the top level: {', '.join(missing)}")
    undescribed = [s.name for s in settings if not s.description]
    if undescribed:
        raise ValueError(
            "settings without a description of their own (a comment line right above each, or at the "
            f"end of its line): {', '.join(undescribed)}"
        )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{_cell(text)}{pad}{fence}"


def render(source: str, values: dict[str, Any] | None = None, docstring: str | None = None) -> str:
    out = [
        "<!-- Generated from " + SOURCE_NAME + ": do not edit by hand. After changing a setting run",
        "     " + COMMAND + " -->",
        "",
        "# Settings reference",
        "",
        "Every archive setting, its default and what it does, by topic, as `" + SOURCE_NAME + "` says.",
        "Scrapy's own settings and the project's choices for them (politeness, timeouts, size limits)",
        "are in `settings.py` and [archiving.md](archiving.md#the-crawls-settings).",
    ]
    if docstring and "\n" in docstring.strip():
        out += ["", *docstring.strip().split("\n", 1)[1].strip().splitlines()]
    for section in parse(source, values):
        if section.title:
            out += ["", "## " + _DOC_NAME.sub(r"[\1](\1)", section.title)]
        if section.intro:
            out += ["", " ".join(section.intro)]
        if not section.settings:
            continue
        out += ["", "| setting | default | what it does |", "|---|---|---|"]
        for setting in section.settings:
            default = _code(setting.default)
            if setting.value is not None and setting.value != setting.default:
                default += " = " + _code(setting.value)
            out.append(f"| {_code(setting.name)} | {default} | {_cell(setting.description)} |")
    return "\n".join(out) + "\n"


def render_module(module: ModuleType) -> str:
    path = Path(module.__file__ or "")
    return render(path.read_text(encoding="utf-8"), vars(module), module.__doc__)


def main() -> int:
    sys.stdout.write(render_module(default_settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
