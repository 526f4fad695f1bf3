"""How one quoted passage's check reads in a terminal (archive, recheck, show --quotes, report)."""

from __future__ import annotations

from typing import Any

from sourcekeeper.printable import printable
from sourcekeeper.urltext import shown

SENTENCE_CHARS = 160


def quote_line(check: dict[str, Any]) -> str:
    """`「劝返工作」 in URL: altered — closest sentence: … (劝返[工→公]作)`."""
    from pipelines.extraction.quotes import diff_text  # noqa: PLC0415

    quote = printable(check["quote"], one_line=True)
    url = printable(shown(check["url"]), one_line=True)
    line = f"「{quote}」 in {url}: {check['status']}"
    sentence = printable(check.get("sentence") or "", one_line=True)
    if len(sentence) > SENTENCE_CHARS:
        sentence = sentence[:SENTENCE_CHARS] + "…"
    if check["status"] == "present":
        where = check.get("found_in")
        if where and where != check["url"]:
            line += f" (in {printable(shown(where), one_line=True)})"
        return f"{line} — {sentence}" if sentence else line
    if check["status"] == "altered":
        changed = printable(diff_text(check.get("diff") or []), one_line=True)
        return f"{line} — closest sentence: {sentence} ({changed})"
    return f"{line} — closest sentence: {sentence}" if sentence else f"{line} — the page has no text"


def change_line(check: dict[str, Any]) -> str:
    """A quote whose status a re-check changed: `present → altered: 「…」 in URL — …`."""
    return f"quote {check.get('previous_status')} → {quote_line(check)}"
