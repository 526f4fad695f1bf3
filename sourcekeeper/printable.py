"""What the human printers write: archived strings never carry raw control characters.

A title or URL taken from a hostile page may hold `ESC[2J` (clear the screen), an OSC sequence
that sets the terminal's title, a carriage return that overwrites the line before it, or C1
controls (U+0080-U+009F) some terminals obey. Every human printer (report, search, show, history,
recheck, diff, the error lines) passes what it prints through `printable`, so a terminal, a pipe and
a file all get the same escaped text (`\\x1b[2J`); `--json` output goes through `json_line`, which
keeps JSON's own escapes for them (`\\u001b`, and `\\u009b` for C1 controls, which `json.dumps` with
`ensure_ascii=False` would leave raw).
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

_CONTROLS = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]
_KEPT = {ord("\n"), ord("\t")}
_ESCAPED = {code: f"\\x{code:02x}" for code in _CONTROLS if code not in _KEPT}
_ESCAPED_ONE_LINE = {code: f"\\x{code:02x}" for code in _CONTROLS}
_JSON_C1 = {code: f"\\u{code:04x}" for code in (0x7F, *range(0x80, 0xA0))}


def printable(text: object, *, one_line: bool = False) -> str:
    """`text` with every control character shown escaped (`\\x1b`); newlines and tabs are kept
    unless `one_line` (a field that must not start a line of its own: a URL, a title)."""
    return str(text).translate(_ESCAPED_ONE_LINE if one_line else _ESCAPED)


def json_line(value: Any) -> str:
    """One JSON value on one line, non-ASCII text as itself, every control character escaped."""
    return json.dumps(value, ensure_ascii=False, default=str).translate(_JSON_C1)


def say(text: object, file: TextIO | None = None) -> None:
    """print() for human output: the text goes through `printable`."""
    print(printable(text), file=file or sys.stdout)
