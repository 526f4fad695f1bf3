"""The package table of docs/architecture.md: each package, its modules and lines (`wc -l` of its
own .py files, sub-packages counted on their own rows).

    .venv/bin/python scripts/package_table.py            print the table
    .venv/bin/python scripts/package_table.py --write    write it into docs/architecture.md
    .venv/bin/python scripts/package_table.py --check    what differs (exit 1), as tests/test_docs.py

The table sits between two comment lines in the document. The check wants every package and its
number of modules exactly, and its lines to within a tenth (or 100 lines, whichever is more), so
a change inside a module does not need the table written again but a new module or package does.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = ("archive_store", "pipelines", "scrapers", "sourcekeeper")
BEGIN = "<!-- package table: written by `.venv/bin/python scripts/package_table.py --write` -->"
END = "<!-- end of the package table -->"
_ROW = re.compile(r"^\| `([\w/]+/)` \| (\d+) \| ([\d,]+) \|$", re.MULTILINE)


def rows() -> list[tuple[str, int, int]]:
    found = []
    for top in PACKAGES:
        for init in sorted((ROOT / top).rglob("__init__.py")):
            if "__pycache__" in init.parts:
                continue
            modules = sorted(init.parent.glob("*.py"))
            lines = sum(len(m.read_bytes().splitlines()) for m in modules)
            found.append((init.parent.relative_to(ROOT).as_posix() + "/", len(modules), lines))
    return found


def render() -> str:
    out = ["| package | modules | lines |", "|---|---:|---:|"]
    total_modules = total_lines = 0
    for name, modules, lines in rows():
        out.append(f"| `{name}` | {modules} | {lines:,} |")
        total_modules += modules
        total_lines += lines
    out.append(f"| all | {total_modules} | {total_lines:,} |")
    return "\n".join(out) + "\n"


def _block(text: str) -> tuple[int, int]:
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{DOC.name} has no package table between {BEGIN!r} and {END!r}")
    return start + len(BEGIN) + 1, end


def written(text: str) -> str:
    """The document with today's table between the markers."""
    start, end = _block(text)
    return text[:start] + render() + text[end:]


def problems(text: str) -> list[str]:
    """How the document's table differs from the packages today (nothing when it is close)."""
    start, end = _block(text)
    documented = {
        name: (int(m), int(lines.replace(",", ""))) for name, m, lines in _ROW.findall(text[start:end])
    }
    found = []
    for name, modules, lines in rows():
        if name not in documented:
            found.append(f"{name} is not in the table")
            continue
        doc_modules, doc_lines = documented.pop(name)
        if doc_modules != modules:
            found.append(f"{name} has {modules} modules, the table says {doc_modules}")
        if abs(doc_lines - lines) > max(100, lines // 10):
            found.append(f"{name} has {lines:,} lines, the table says {doc_lines:,}")
    found += [f"{name} is in the table but is no package" for name in documented]
    return found


def main(argv: list[str]) -> int:
    if argv == ["--write"]:
        DOC.write_text(written(DOC.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    if argv == ["--check"]:
        found = problems(DOC.read_text(encoding="utf-8"))
        print("\n".join(found) or "the package table is up to date")
        return 1 if found else 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    print(render(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
