"""A CaptureDiff as JSON (`diff --json`, the web view) and as terminal lines (`diff`, the report's
text form). The terminal lines are ready to print: every archived string in them has gone through
`sourcekeeper.printable` (control characters escaped) before any colour was added; the JSON is
printed through `json_line`."""

from __future__ import annotations

import base64
from typing import Any

from pipelines.extraction.sentencediff import Hunk, SentenceDiff
from pipelines.extraction.stealth import FIELD_WORDS
from sourcekeeper.changes.model import CaptureDiff, CaptureSide, DocumentChange, VisualDiff
from sourcekeeper.printable import printable
from sourcekeeper.urltext import shown

RED, GREEN, YELLOW, CYAN, BOLD, RESET = "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[36m", "\x1b[1m", "\x1b[0m"


def _side_json(side: CaptureSide) -> dict[str, Any]:
    return {
        "capture_id": side.capture_id,
        "url": side.url,
        "captured_at": side.when,
        "http_status": side.http_status,
        "state": side.state,
        "record_id": side.record_id,
        "payload_digest": side.payload_digest,
        "title": side.title,
        "rendered": side.rendered,
        "fields": side.fields,
        "text_length": len(side.text),
    }


def _document_json(doc: DocumentChange) -> dict[str, Any]:
    return {
        "url": doc.url,
        "name": doc.name,
        "change": doc.change,
        "before_capture": doc.before_capture,
        "after_capture": doc.after_capture,
        "before_digest": doc.before_digest,
        "after_digest": doc.after_digest,
        "text": doc.text.to_json() if doc.text is not None else None,
        "note": doc.note,
    }


def _visual_json(visual: VisualDiff | None, images: bool) -> dict[str, Any] | None:
    if visual is None:
        return None
    data: dict[str, Any] = {
        "width": visual.width,
        "height": visual.height,
        "changed_share": round(visual.changed_share, 6),
        "size_changed": visual.size_changed,
        "regions": [
            {"left": b.left, "top": b.top, "right": b.right, "bottom": b.bottom} for b in visual.regions
        ],
    }
    if images:
        for name in ("before_png", "after_png", "marked_png"):
            data[name] = base64.b64encode(getattr(visual, name)).decode("ascii")
    return data


def capture_diff_to_json(diff: CaptureDiff, *, images: bool = False) -> dict[str, Any]:
    """Plain JSON data: both captures, `changed`, `stealth`, `text` ({removed, added, edited, moved,
    hunks: [{op, before: [{text, start, end}], after: [...], changes}]} with offsets into each
    capture's extracted text, as `show --json` gives it), `fields`, `links`, `documents`, `visual`
    (the PNGs base64-encoded only with `images`)."""
    return {
        "url": diff.url,
        "before": _side_json(diff.before),
        "after": _side_json(diff.after),
        "changed": diff.changed,
        "same_payload": diff.same_payload,
        "stealth": diff.stealth.to_json() if diff.stealth is not None else None,
        "text": diff.text.to_json(),
        "fields": [change.to_json() for change in diff.fields],
        "links": {
            "added": [{"url": link.url, "text": link.text} for link in diff.links_added],
            "removed": [{"url": link.url, "text": link.text} for link in diff.links_removed],
        },
        "documents": [_document_json(doc) for doc in diff.documents],
        "visual": _visual_json(diff.visual, images),
        "visual_note": diff.visual_note,
        "notes": list(diff.notes),
    }


def _p(text: str) -> str:
    return printable(text, one_line=True)


def _paint(text: str, colour: str, colour_on: bool) -> str:
    return f"{colour}{text}{RESET}" if colour_on else text


def hunk_lines(hunk: Hunk, colour: bool = False) -> list[str]:
    """A hunk as `- …`, `+ …`, `~ …` (edited: [-old-]{+new+} inside) and `↷ …` (moved) lines."""
    if hunk.op == "moved":
        (was,), (now,) = hunk.before, hunk.after
        where = f"(moved: was at character {was.start}, now at {now.start})"
        return [_paint(f"↷ {_p(now.text)}  {where}", CYAN, colour)]
    if hunk.op == "edited":
        marked = "".join(
            _p(text)
            if op == "="
            else _paint(f"[-{_p(text)}-]", RED, colour)
            if op == "-"
            else _paint(f"{{+{_p(text)}+}}", GREEN, colour)
            for op, text in hunk.changes
        )
        if hunk.moved:
            (was,), (now,) = hunk.before, hunk.after
            return [f"~ {marked}  (edited and moved: was at character {was.start}, now at {now.start})"]
        return [f"~ {marked}"]
    return [_paint(f"- {_p(s.text)}", RED, colour) for s in hunk.before] + [
        _paint(f"+ {_p(s.text)}", GREEN, colour) for s in hunk.after
    ]


def text_diff_lines(diff: SentenceDiff, colour: bool = False, limit: int | None = None) -> list[str]:
    lines = [line for hunk in diff.hunks for line in hunk_lines(hunk, colour)]
    if limit is not None and len(lines) > limit:
        lines = [*lines[:limit], f"  … {len(lines) - limit} more changed line(s): `sourcekeeper diff URL`"]
    return lines


def stealth_line(diff: CaptureDiff, colour: bool = False) -> str | None:
    if diff.stealth is None:
        return None
    what = _p(diff.stealth.reason().removeprefix("stealth edit: "))
    return _paint(f"STEALTH EDIT: {what}", YELLOW + BOLD, colour)


def capture_diff_lines(diff: CaptureDiff, *, colour: bool = False) -> list[str]:
    """The diff for a terminal: both captures, then what changed, most telling first."""
    lines = [
        _p(shown(diff.url)),
        f"  from {diff.before.when}  capture #{diff.before.capture_id}  HTTP {diff.before.http_status} "
        f"{diff.before.state}",
        f"  to   {diff.after.when}  capture #{diff.after.capture_id}  HTTP {diff.after.http_status} "
        f"{diff.after.state}",
    ]
    stealth = stealth_line(diff, colour)
    if stealth:
        lines.append(stealth)
    if not diff.changed:
        same = "same payload" if diff.same_payload else "the payloads differ, but not what was extracted"
        lines.append(f"no change ({same})")
    for change in diff.fields:
        word = FIELD_WORDS.get(change.name, change.name).removeprefix("the ")
        lines.append(f"{word}: {_p(change.before or '—')} → {_p(change.after or '—')}")
    if diff.text.hunks:
        lines.append(f"text: {diff.text.summary()}")
        lines += [f"  {line}" for line in text_diff_lines(diff.text, colour)]
    for link in diff.links_removed:
        lines.append(_paint(f"link removed: {_p(shown(link.url))}  {_p(link.text)}".rstrip(), RED, colour))
    for link in diff.links_added:
        lines.append(_paint(f"link added:   {_p(shown(link.url))}  {_p(link.text)}".rstrip(), GREEN, colour))
    for doc in diff.documents:
        if doc.change == "same":
            continue
        name = f"  {_p(doc.name)}" if doc.name else ""
        lines.append(f"document {doc.change}: {_p(shown(doc.url))}{name}")
        if doc.text is not None:
            lines.append(f"  text: {doc.text.summary()}")
            lines += [f"    {line}" for line in text_diff_lines(doc.text, colour, limit=20)]
        elif doc.note:
            lines.append(f"  ({doc.note})")
    if diff.visual is not None:
        boxes = ", ".join(f"{b.left},{b.top}–{b.right},{b.bottom}" for b in diff.visual.regions[:8])
        more = f" and {len(diff.visual.regions) - 8} more" if len(diff.visual.regions) > 8 else ""
        lines.append(
            f"screenshots: {diff.visual.changed_share:.2%} of pixels changed in "
            f"{len(diff.visual.regions)} region(s){': ' + boxes + more if boxes else ''}"
            " (--html FILE shows them)"
        )
    elif diff.visual_note:
        lines.append(f"screenshots: {diff.visual_note}")
    lines += [f"note: {_p(note)}" for note in diff.notes]
    return lines
