"""The package table of docs/architecture.md: each package, its modules and lines (`wc -l` of its
own .py files, sub-packages counted on their own rows).

    .venv/bin/python scripts/package_table.py
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive_store", "pipelines", "scrapers", "sourcekeeper")


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


def main() -> None:
    print("| package | modules | lines |")
    print("|---|---:|---:|")
    total_modules = total_lines = 0
    for name, modules, lines in rows():
        print(f"| `{name}` | {modules} | {lines:,} |")
        total_modules += modules
        total_lines += lines
    print(f"| all | {total_modules} | {total_lines:,} |")


if __name__ == "__main__":
    main()
