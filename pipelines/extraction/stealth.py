"""Stealth edits: a change of an official page limited to its date, its 文号 or its issuer.

Such an edit backdates a notice, renumbers it or hands it to another office while the text reads
the same, which is exactly what a reader of the page will not notice. It is named apart from
ordinary edits: a change is a stealth edit when

- the title is the same,
- at least one of the watched fields differs (publication `date`, `document_date` 成文日期,
  `doc_number` 文号, `issuer`; callers may watch more, a quoted passage say), in the extracted
  metadata or inside the text,
- and the two texts are the same once every date, every 文号 and both issuers' names are blanked
  out (so the only edits in the text are of those).

A quoted passage (`quotes=`: the passages a report quotes from the page) counts as a watched
field: a passage present before and altered or missing after, with the rest of the text the same
(once its sentence is set aside, and dates, 文号 and issuers blanked), is a stealth edit named
`quote`, the passage's sentence before and the closest sentence after.

Pure functions over plain values; page rows are read by name (`page_fields`), so a column that
does not exist yet is simply absent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

STEALTH_FIELDS = ("date", "document_date", "doc_number", "issuer")
FIELD_WORDS = {
    "date": "the date",
    "document_date": "the 成文日期",
    "doc_number": "the 文号",
    "issuer": "the issuer",
    "quote": "the quoted passage",
}

_DATE = re.compile(
    r"(?:19|20)\d{2}\s*(?:[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)"
    r"|[〇○零Ｏ一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月(?:\s*[一二三四五六七八九十]{1,3}\s*日)?"
)
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［【(（](?:19|20)\d{2}[〕\]］】)）]\s*\d{1,5}\s*号")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: str | None
    after: str | None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class StealthEdit:
    """What a stealth edit changed: the watched fields (and `in_text`: those edited in the text)."""

    changes: tuple[FieldChange, ...]
    in_text: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        names = [c.name for c in self.changes] + [n for n in self.in_text if n not in self.names]
        return tuple(names)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.changes)

    def reason(self) -> str:
        """ "stealth edit: only the date changed (2024-01-05 → 2024-03-01)" """
        parts = [
            f"{FIELD_WORDS.get(c.name, c.name)} ({c.before or '—'} → {c.after or '—'})" for c in self.changes
        ]
        parts += [f"{FIELD_WORDS.get(n, n)} in the text" for n in self.in_text if n not in self.names]
        return "stealth edit: only " + " and ".join(parts) + " changed"

    def to_json(self) -> dict[str, Any]:
        return {
            "fields": list(self.fields),
            "changes": [c.to_json() for c in self.changes],
            "in_text": list(self.in_text),
            "reason": self.reason(),
        }


def page_fields(page: object | None) -> dict[str, str | None]:
    """title and the watched fields of a page row (or any object with those attributes), falling
    back to its extraction metadata (`metadata_json`) for those it has no column of."""
    if page is None:
        return {}
    try:
        stored = json.loads(getattr(page, "metadata_json", None) or "{}")
    except ValueError:
        stored = {}
    stored = stored if isinstance(stored, dict) else {}
    fields: dict[str, str | None] = {}
    for name in ("title", *STEALTH_FIELDS):
        value = getattr(page, name, None)
        if value is None:
            value = stored.get(name)
            if value is None and name == "issuer":
                value = stored.get("source")  # 来源 / 发布机构: the issuing office as the page names it
        fields[name] = str(value).strip() or None if value is not None else None
    return fields


def _blanked(text: str, names: Sequence[str]) -> str:
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        text = text.replace(name, "\0issuer\0")
    text = _DOC_NUMBER.sub("\0doc_number\0", text)
    text = _DATE.sub("\0date\0", text)
    return _SPACES.sub("", text)


def _tokens(pattern: re.Pattern[str], text: str) -> list[str]:
    return [_SPACES.sub("", m) for m in pattern.findall(text)]


def stealth_edit(
    before: Mapping[str, str | None],
    after: Mapping[str, str | None],
    before_text: str,
    after_text: str,
    watched: Sequence[str] = STEALTH_FIELDS,
    quotes: Sequence[str] = (),
) -> StealthEdit | None:
    """The stealth edit between two versions of a page (see the module docstring), else None.

    `before`/`after`: the pages' fields (`page_fields`); a field missing from either mapping is
    not compared (its column may not exist). The texts are the extracted texts."""
    if (before.get("title") or "") != (after.get("title") or ""):
        return None
    changes = tuple(
        FieldChange(name, before.get(name), after.get(name))
        for name in watched
        if name in before and name in after and (before.get(name) or None) != (after.get(name) or None)
    )
    quoted, before_text, after_text = _quote_changes(quotes, before_text, after_text)
    changes += quoted
    issuers = [before.get("issuer") or "", after.get("issuer") or ""]
    if _blanked(before_text, issuers) != _blanked(after_text, issuers):
        return None  # something else in the text changed too: an ordinary edit
    in_text = []
    if _tokens(_DATE, before_text) != _tokens(_DATE, after_text):
        in_text.append("date")
    if _tokens(_DOC_NUMBER, before_text) != _tokens(_DOC_NUMBER, after_text):
        in_text.append("doc_number")
    if any(before_text.count(name) != after_text.count(name) for name in issuers if len(name) >= 2):
        in_text.append("issuer")
    if not changes and not in_text:
        return None
    return StealthEdit(changes, tuple(in_text))


def _quote_changes(
    quotes: Sequence[str], before_text: str, after_text: str
) -> tuple[tuple[FieldChange, ...], str, str]:
    """The quoted passages present in `before_text` and altered or missing in `after_text`, and
    the two texts with those passages' sentences set aside (before: the sentence that held it;
    after: the closest sentence of an altered one)."""
    from pipelines.extraction.quotes import ALTERED, PRESENT, locate  # noqa: PLC0415

    changes: list[FieldChange] = []
    for quote in dict.fromkeys(q for q in quotes if q and q.strip()):
        was = locate(quote, before_text)
        if was.status != PRESENT or was.sentence_start is None or was.sentence_end is None:
            continue
        now = locate(quote, after_text)
        if now.status == PRESENT:
            continue
        before_text = before_text[: was.sentence_start] + before_text[was.sentence_end :]
        sentence = None
        if now.status == ALTERED and now.sentence_start is not None and now.sentence_end is not None:
            after_text = after_text[: now.sentence_start] + after_text[now.sentence_end :]
            sentence = now.sentence
        changes.append(FieldChange("quote", was.sentence, sentence))
    return tuple(changes), before_text, after_text


STEALTH_DETAIL = "stealth-edit"  # the re-check event's detail for a stealth edit


def recheck_stealth(
    before_page: object | None, after_page: object | None, quotes: Sequence[str] = ()
) -> StealthEdit | None:
    """The stealth edit between a re-checked page and its baseline (page rows), else None: what
    `recheck` flags as `changed` with detail STEALTH_DETAIL, ahead of ordinary edits (also when
    the extracted text is the same and only the date or 文号 of the metadata moved). `quotes`:
    the passages quoted from the page, watched too."""
    if before_page is None or after_page is None:
        return None
    before_text = str(getattr(before_page, "text", "") or "")
    after_text = str(getattr(after_page, "text", "") or "")
    return stealth_edit(
        page_fields(before_page), page_fields(after_page), before_text, after_text, quotes=quotes
    )
