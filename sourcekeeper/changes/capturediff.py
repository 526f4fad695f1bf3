"""`diff_captures`: what changed between two captures of a URL, read from the index and the WARCs.

Which captures (WHEN, as `--from`/`--to` take it):

- a capture id (`#12`, `id:12`, or a bare number that is no timestamp), a record id
  (`urn:uuid:…`), or a WHEN value (`archive_store.index.when`: a date, month, ISO time or
  14-digit timestamp), which names the latest capture with content at or before the end of
  that span, as `show --at` does;
- by default the later one is the latest capture with content, the earlier one the latest capture
  before it whose payload differs (the two latest captures with different content); when every
  capture has the same payload the two latest are compared (and nothing changed).

Only our own captures are compared (an imported or recovered copy is never what we saw), unless
a third party's capture is named by its id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from pipelines.extraction.sentencediff import diff_sentences
from pipelines.extraction.stealth import STEALTH_FIELDS, FieldChange, page_fields, stealth_edit
from sourcekeeper.changes.model import CaptureDiff, CaptureSide, DiffUnavailable, DocumentChange, Link

if TYPE_CHECKING:
    from archive_store.index.database import ArchiveIndex
    from archive_store.index.schema import Capture
    from sourcekeeper.changes.model import VisualDiff

GOOD = "ok"
FIELDS = ("title", *STEALTH_FIELDS)
_TIMESTAMP_LENGTHS = (4, 6, 8, 10, 12, 14, 17)
_UUID = re.compile(r"^(?:urn:uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
MAX_LINK_PAGE = 32 * 1024 * 1024  # a larger stored page is not parsed for its links


def diff_captures(
    index: ArchiveIndex,
    warc_dir: Path,
    url: str,
    from_when: str | None = None,
    to_when: str | None = None,
    *,
    visual: bool = True,
) -> CaptureDiff:
    """The diff of two captures of `url` (see the module docstring for which ones).

    `warc_dir`: the archive's `warcs/` folder (WARCs only in S3 are read from there, as `show`
    does). `visual=False` leaves the screenshots out (no Pillow work). Raises DiffUnavailable
    with a plain sentence when there is nothing to compare."""
    before, after = pick_captures(index, url, from_when, to_when)
    return diff_two(index, warc_dir, before, after, visual=visual)


# which captures ------------------------------------------------------------------------------
def own_captures(index: ArchiveIndex, url: str) -> list[Capture]:
    """Our captures of `url` (all its spellings), oldest first."""
    from archive_store.index.lookup import url_variants  # noqa: PLC0415
    from archive_store.index.origins import third_party_ids  # noqa: PLC0415

    every = [c for variant in url_variants(url) for c in index.captures_for(variant)]
    theirs = third_party_ids(index, (c.id for c in every))
    return sorted((c for c in every if c.id not in theirs), key=lambda c: (c.captured_at, c.id))


def pick_captures(
    index: ArchiveIndex, url: str, from_when: str | None, to_when: str | None
) -> tuple[Capture, Capture]:
    """(earlier, later) as `diff_captures` compares them; DiffUnavailable when there are none."""
    captures = own_captures(index, url)
    if not captures:
        raise DiffUnavailable(f"no capture of {url} in this archive")
    good = [c for c in captures if c.state == GOOD] or captures
    later = _named(index, url, captures, to_when) if to_when else good[-1]
    if from_when:
        earlier = _named(index, url, captures, from_when)
    else:
        before = [c for c in good if (c.captured_at, c.id) < (later.captured_at, later.id)]
        if not before:
            whole = "only one capture" if len(captures) == 1 else "no earlier capture with content"
            raise DiffUnavailable(
                f"{whole} of {url} before {_when(later)}: nothing to compare it with "
                "(`sourcekeeper recheck URL` takes a new one)"
            )
        differing = [c for c in before if c.payload_digest != later.payload_digest]
        earlier = (differing or before)[-1]
    if earlier.id == later.id:
        raise DiffUnavailable(f"--from and --to name the same capture of {url} ({_when(later)})")
    if (earlier.captured_at, earlier.id) > (later.captured_at, later.id):
        earlier, later = later, earlier  # always earlier → later
    return earlier, later


def _when(capture: Capture) -> str:
    return capture.captured_at.isoformat(timespec="seconds") + "Z"


def _named(index: ArchiveIndex, url: str, captures: list[Capture], when: str) -> Capture:
    from archive_store.index.when import HELP, parse_when  # noqa: PLC0415

    text = when.strip()
    number = text.removeprefix("#").removeprefix("id:")
    if number.isdigit() and (text != number or len(number) not in _TIMESTAMP_LENGTHS):
        found = next((c for c in captures if c.id == int(number)), None)
        if found is None:
            found = _third_party(index, url, int(number))
        if found is None:
            raise DiffUnavailable(f"capture {number} is not a capture of {url}")
        return found
    if _UUID.match(text):
        record_id = text if text.lower().startswith("urn:uuid:") else f"urn:uuid:{text}"
        found = next((c for c in captures if c.record_id.lower() == record_id.lower()), None)
        if found is None:
            raise DiffUnavailable(f"record {text} is not a capture of {url}")
        return found
    try:
        span = parse_when(text)
    except ValueError:
        raise DiffUnavailable(
            f"not a capture or a time: {text!r}; expected a capture id (#12), a record id or {HELP}"
        ) from None
    upto = [c for c in captures if c.captured_at <= span.last]
    good = [c for c in upto if c.state == GOOD]
    if not (good or upto):
        raise DiffUnavailable(
            f"no capture of {url} at or before {text}; the first is of {_when(captures[0])}"
        )
    return (good or upto)[-1]


def _third_party(index: ArchiveIndex, url: str, capture_id: int) -> Capture | None:
    from archive_store.index.events import captures_by_id  # noqa: PLC0415
    from archive_store.index.lookup import url_variants  # noqa: PLC0415

    found = captures_by_id(index, {capture_id}).get(capture_id)
    return found if found is not None and found.url in url_variants(url) else None


# the diff ------------------------------------------------------------------------------------
def diff_two(
    index: ArchiveIndex, warc_dir: Path, before: Capture, after: Capture, *, visual: bool = True
) -> CaptureDiff:
    """The diff of two given captures (earlier first)."""
    notes: list[str] = []
    old, new = _side(index, before), _side(index, after)
    text = diff_sentences(old.text, new.text)
    fields = tuple(
        FieldChange(name, old.fields.get(name), new.fields.get(name))
        for name in FIELDS
        if name in old.fields
        and name in new.fields
        and (old.fields.get(name) or None) != (new.fields.get(name) or None)
    )
    old_links, new_links = _links(index, warc_dir, before, notes), _links(index, warc_dir, after, notes)
    shown_old = {link.url for link in old_links}
    shown_new = {link.url for link in new_links}
    same = before.payload_digest == after.payload_digest
    stealth = (
        None
        if same
        else stealth_edit(old.fields, new.fields, old.text, new.text, quotes=_quotes(index, after.url))
    )
    found, note = _visual(index, warc_dir, before, after) if visual else (None, "not asked for")
    return CaptureDiff(
        url=after.url,
        before=old,
        after=new,
        same_payload=same,
        text=text,
        fields=fields,
        links_added=tuple(link for link in new_links if link.url not in shown_old),
        links_removed=tuple(link for link in old_links if link.url not in shown_new),
        documents=tuple(_documents(index, before, after)),
        visual=found,
        visual_note=note,
        stealth=stealth,
        notes=tuple(notes),
    )


def _quotes(index: ArchiveIndex, url: str) -> list[str]:
    """The passages a report quotes from `url` (the quotes index): a change limited to one of them
    is a stealth edit."""
    from archive_store.index.quotes import known_quotes  # noqa: PLC0415

    return list(known_quotes(index, [url]))


def _side(index: ArchiveIndex, capture: Capture) -> CaptureSide:
    from archive_store.crawl.render.records import rendered_for  # noqa: PLC0415

    page = index.page_for(capture.id)
    fields = page_fields(page)
    return CaptureSide(
        capture_id=capture.id,
        url=capture.url,
        captured_at=capture.captured_at,
        http_status=capture.http_status,
        state=capture.state,
        record_id=capture.record_id,
        payload_digest=capture.payload_digest,
        title=fields.get("title"),
        text=page.text if page is not None else "",
        fields=fields,
        rendered="screenshot" in rendered_for(index, capture.id),
    )


def _links(index: ArchiveIndex, warc_dir: Path, capture: Capture, notes: list[str]) -> list[Link]:
    """The links of the stored page (<a href>, absolute, without #fragment), in order, once each."""
    if "html" not in (capture.content_type or "").lower() or capture.payload_length > MAX_LINK_PAGE:
        return []
    from archive_store.storage.reader import decode_content, load_capture  # noqa: PLC0415
    from archive_store.warc.members import BrokenMember  # noqa: PLC0415
    from pipelines.extraction.decode import decode_body  # noqa: PLC0415
    from pipelines.extraction.htmltext import inline_text, parse_html  # noqa: PLC0415

    try:
        loaded = load_capture(index, warc_dir, capture)
        body = decode_content(loaded.payload, loaded.content_encoding)
    except (OSError, ValueError, BrokenMember) as exc:
        notes.append(f"the links of the capture of {_when(capture)} could not be read: {exc}")
        return []
    root = parse_html(decode_body(body, capture.content_type).text)
    if root is None:
        return []
    links: dict[str, Link] = {}
    for node in root.iter("a", "area"):
        target = _absolute(capture.url, node.get("href"))
        if target and target not in links:
            links[target] = Link(target, inline_text(node)[:200])
    return list(links.values())


def _absolute(base: str, href: str | None) -> str | None:
    if not href or not href.strip() or href.strip().startswith("#"):
        return None
    try:
        parts = urlsplit(urljoin(base, href.strip()))
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    return urlunsplit(parts._replace(fragment=""))


# documents -----------------------------------------------------------------------------------
def _linked_documents(index: ArchiveIndex, capture: Capture) -> dict[str, str]:
    """url -> name of the documents a capture of a page links: its extracted attachments and the
    captures its run made with the page as their parent."""
    import json  # noqa: PLC0415

    from sqlalchemy import select  # noqa: PLC0415

    from archive_store.index.lookup import url_variants  # noqa: PLC0415
    from archive_store.index.schema import Capture as CaptureRow  # noqa: PLC0415

    found: dict[str, str] = {}
    page = index.page_for(capture.id)
    try:
        stored: Any = json.loads(page.metadata_json or "{}") if page is not None else {}
    except ValueError:
        stored = {}
    for attachment in (stored.get("attachments") if isinstance(stored, dict) else None) or []:
        if isinstance(attachment, dict) and attachment.get("url"):
            found.setdefault(str(attachment["url"]).split("#", 1)[0], str(attachment.get("name") or ""))
    with index.session() as s:
        children = s.scalars(
            select(CaptureRow)
            .where(CaptureRow.run_id == capture.run_id, CaptureRow.parent_url.in_(url_variants(capture.url)))
            .order_by(CaptureRow.id)
        ).all()
    for child in children:
        if child.hop > capture.hop and not (child.content_type or "").startswith("text/html"):
            found.setdefault(child.url, "")
    return found


def _document_capture(index: ArchiveIndex, url: str, page: Capture) -> Capture | None:
    """The capture of a document as of a capture of its page: the one the page's run made, else
    the latest made before the page was captured."""
    captures = [c for c in index.captures_for(url) if c.http_status < 400]
    same_run = [c for c in captures if c.run_id == page.run_id]
    if same_run:
        return same_run[-1]
    earlier = [c for c in captures if c.captured_at <= page.captured_at]
    return earlier[-1] if earlier else None


def _documents(index: ArchiveIndex, before: Capture, after: Capture) -> Iterable[DocumentChange]:
    old, new = _linked_documents(index, before), _linked_documents(index, after)
    for url in [*old, *(u for u in new if u not in old)]:
        name = new.get(url) or old.get(url) or ""
        if url not in new:
            yield DocumentChange(
                url, name, "removed", before_capture=_id(_document_capture(index, url, before))
            )
            continue
        if url not in old:
            yield DocumentChange(url, name, "added", after_capture=_id(_document_capture(index, url, after)))
            continue
        first, second = _document_capture(index, url, before), _document_capture(index, url, after)
        if first is None or second is None:
            yield DocumentChange(url, name, "same", _id(first), _id(second), note="not captured both times")
        elif first.id == second.id:
            yield DocumentChange(url, name, "same", first.id, second.id, note="not fetched again")
        elif first.payload_digest == second.payload_digest:
            yield DocumentChange(
                url, name, "same", first.id, second.id, first.payload_digest, second.payload_digest
            )
        else:
            one, two = index.page_for(first.id), index.page_for(second.id)
            text = diff_sentences(one.text, two.text) if one is not None and two is not None else None
            yield DocumentChange(
                url,
                name,
                "replaced",
                first.id,
                second.id,
                first.payload_digest,
                second.payload_digest,
                text,
                note="" if text is not None else "no extracted text of both versions to compare",
            )


def _id(capture: Capture | None) -> int | None:
    return capture.id if capture is not None else None


# screenshots ---------------------------------------------------------------------------------
def _visual(
    index: ArchiveIndex, warc_dir: Path, before: Capture, after: Capture
) -> tuple[VisualDiff | None, str]:
    from archive_store.crawl.render.records import rendered_block, rendered_for  # noqa: PLC0415
    from sourcekeeper.changes.visual import NotComparable, compare_screenshots  # noqa: PLC0415

    shots = [rendered_for(index, c.id).get("screenshot") for c in (before, after)]
    if shots[0] is None and shots[1] is None:
        return None, "neither capture was rendered (no screenshots)"
    if shots[0] is None or shots[1] is None:
        which = "earlier" if shots[0] is None else "later"
        return None, f"the {which} capture has no screenshot (it was not rendered)"
    try:
        blocks = [rendered_block(index, warc_dir, shot) for shot in shots if shot is not None]
        return compare_screenshots(blocks[0], blocks[1]), ""
    except NotComparable as exc:
        return None, str(exc)
    except (OSError, ValueError) as exc:
        return None, f"the screenshots could not be read: {exc}"
