"""docs/settings.md, generated from the source of `archive_store.crawl.default_settings`.

    .venv/bin/python -m archive_store.crawl.settings_doc > docs/settings.md

Every top-level `NAME = value` with an upper-case name is a setting. The comment lines directly
above a setting describe it and the settings right below it (no blank line between them); a
comment standing alone between blank lines heads a section (the blocks other issues append at the
end of the file). A comment at the end of an assignment's line is kept as a note on that setting.
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

COMMAND = ".venv/bin/python -m archive_store.crawl.settings_doc > docs/settings.md"
SOURCE_NAME = "archive_store/crawl/default_settings.py"
_SETTING_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_PRAGMA = re.compile(r"\s*(noqa|type:|pragma)\b")


@dataclass
class Setting:
    name: str
    default: str  # as written in the source, on one line
    value: str | None  # repr of the computed value when it is not a plain literal
    note: str  # the comment at the end of its line


@dataclass
class Group:
    """Settings under one comment (or under none)."""

    comment: list[str]
    settings: list[Setting] = field(default_factory=list)


@dataclass
class Section:
    heading: list[str]  # empty for the settings before the first stand-alone comment
    groups: list[Group] = field(default_factory=list)


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
    """The sections, groups and settings of a default_settings source. `values`: the module's
    globals, to show computed defaults and to find settings assigned in a way this cannot read."""
    values = values or {}
    lines = source.splitlines()
    comments = _comments(source)
    tree = ast.parse(source)
    sections = [Section([])]
    previous_end = 0  # last line of the statement before
    last_setting_end = -1
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
        for heading in _paragraphs(lines, comments, previous_end + 1, line):
            sections.append(Section(heading))
        names = _setting_names(node)
        end = node.end_lineno or node.lineno
        previous_end = end
        if not names:
            continue
        assert isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None
        segment = ast.get_source_segment(source, node.value) or ast.unparse(node.value)
        note = " ".join(comments[n] for n in range(node.lineno, end + 1) if n in comments)
        settings = [Setting(n, _one_line(segment), _computed(node.value, n, values), note) for n in names]
        section = sections[-1]
        joins = not attached and section.groups and last_setting_end == start - 1
        if joins:
            section.groups[-1].settings.extend(settings)
        else:
            section.groups.append(Group(attached, settings))
        last_setting_end = end
    _check_complete(sections, tree, values)
    return [s for s in sections if s.groups or s.heading]


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
    """Every upper-case module global that apply_defaults would set is documented (or imported)."""
    documented = {s.name for section in sections for g in section.groups for s in g.settings}
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
        "Every archive setting, its default and what it does, as `" + SOURCE_NAME + "` says.",
        "They are Scrapy settings; Scrapy's own settings and the project's choices for them",
        "(politeness, timeouts, size limits) are in `settings.py` and the README's Configuration.",
    ]
    if docstring:
        out += ["", *[line for line in docstring.strip().splitlines()[1:] if line.strip()]]
    for section in parse(source, values):
        if section.heading:
            out += ["", "## " + section.heading[0]]
            if section.heading[1:]:
                out += ["", " ".join(section.heading[1:])]
        if not section.groups:
            continue
        out += ["", "| setting | default | what it does |", "|---|---|---|"]
        for group in section.groups:
            what = " ".join(group.comment)
            for number, setting in enumerate(group.settings):
                default = _code(setting.default)
                if setting.value is not None and setting.value != setting.default:
                    default += " = " + _code(setting.value)
                # one comment for the group: say so rather than leave the cell empty
                text = what if number == 0 or not what else f"see {_code(group.settings[0].name)}"
                if setting.note:
                    text = f"{text} ({setting.note})" if text else setting.note
                out.append(f"| {_code(setting.name)} | {default} | {_cell(text)} |")
    return "\n".join(out) + "\n"


def render_module(module: ModuleType) -> str:
    path = Path(module.__file__ or "")
    return render(path.read_text(encoding="utf-8"), vars(module), module.__doc__)


def main() -> int:
    from archive_store.crawl import default_settings  # noqa: PLC0415

    sys.stdout.write(render_module(default_settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
