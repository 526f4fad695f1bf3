"""What the WACZ export does so ReplayWeb.page replays and searches it as pywb does (issue 17).

- A 304 answer to a conditional re-check is a server-not-modified revisit: it vouches for an
  earlier response but holds no page. pywb follows it to that response; ReplayWeb.page (and
  py-wacz's index) serve the bare 304, a blank page. The package CDXJ therefore leaves such a
  revisit out when the response it vouched for is in the package: both viewers then replay that
  response for the URL. (Indexing the revisit's time with the original's offset was tried:
  ReplayWeb.page 2.5.3 answers "Archived Page Not Found" for an entry whose record has another
  date.) The revisit stays in the WARC, byte for byte, and in the custody record of the export.
- ReplayWeb.page's text search splits `pages.jsonl` text at spaces, so a Chinese word inside a
  sentence is never a term of its own: `text` carries the text segmented into words by jieba
  (search mode: long words and their parts), `textUnsegmented` the text as extracted.
"""

from __future__ import annotations

import json
import logging
import re
from functools import cache
from pathlib import Path
from typing import Any

from archive_store.warc.members import iter_record_heads

NOT_MODIFIED_PROFILE = "/revisit/server-not-modified"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_SPACES = re.compile(r"[ \t\u3000]+")


@cache
def _jieba() -> Any:
    import jieba  # noqa: PLC0415 (loads its dictionary: only when an export needs it)

    jieba.setLogLevel(logging.WARNING)
    return jieba


def segment_for_search(text: str) -> str:
    """Words separated by spaces (lines kept); text without Chinese is returned unchanged."""
    if not text or not _CJK.search(text):
        return text
    jieba = _jieba()
    lines = []
    for line in text.splitlines():
        words = (w.strip() for w in jieba.cut_for_search(line))
        lines.append(_SPACES.sub(" ", " ".join(w for w in words if w)))
    return "\n".join(lines)


def resolve_not_modified(lines: list[str], staging: Path, warcs: list[str]) -> list[str]:
    """The package CDXJ lines less the 304 revisits whose vouched-for response is in them."""
    where: dict[str, tuple[str, int]] = {}  # record id -> (file, offset)
    vouches: dict[tuple[str, int], str] = {}  # (file, offset) of a 304 revisit -> original's id
    for relative in warcs:
        name = Path(relative).name
        for record in iter_record_heads(staging / relative):
            where[record.record_id] = (name, record.offset)
            profile = record.get("WARC-Profile") or ""
            refers_to = record.get("WARC-Refers-To")
            if record.record_type == "revisit" and profile.endswith(NOT_MODIFIED_PROFILE) and refers_to:
                vouches[(name, record.offset)] = refers_to
    if not vouches:
        return lines
    parsed = [(line, _split(line)[2]) for line in lines]
    by_location = {(f["filename"], int(f["offset"])): f for _, f in parsed}
    out = []
    for line, fields in parsed:
        original_id = vouches.get((fields["filename"], int(fields["offset"])))
        original = by_location.get(where[original_id]) if original_id in where else None
        if original is not None and original.get("mime") != "warc/revisit":
            continue  # replayed through the response it vouched for
        out.append(line)
    return out


def _split(line: str) -> tuple[str, str, dict[str, Any]]:
    key, stamp, data = line.split(" ", 2)
    return key, stamp, json.loads(data)
