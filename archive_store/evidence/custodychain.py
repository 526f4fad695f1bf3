"""The custody log as a hash chain: an entry edited, removed or moved is found, by line number.

Each chained entry of `custody.jsonl` carries three fields besides its own:
- `line`: its line number in the file (1-based), so a moved entry names where it was written;
- `prev_sha256`: the `entry_sha256` of the entry before it (None for the first line of a log that
  was chained from its start; for a `chain_started` entry, the SHA-256 of every byte before it);
- `entry_sha256`: the SHA-256 of the entry's canonical JSON (keys sorted, no spaces, UTF-8) without
  this one field, so anyone can recompute it from the parsed line.

A log written before the chain existed is never rewritten: the first chained append adds a
`chain_started` entry whose `prev_sha256` is the SHA-256 of all the bytes before it, so the old
lines are covered too. A chain alone does not stop someone who rewrites the whole file; the head
written into the WARC manifest after each closed WARC (and time-stamped with the WARC when a TSA is
configured) anchors it: a head the log no longer contains means entries up to it were changed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive_store.evidence.appendonly import TornTail, torn_tail_of, write_whole

CHAIN_START = "chain_started"
HASH_FIELD = "entry_sha256"
PREV_FIELD = "prev_sha256"
LINE_FIELD = "line"
# on a chain_started entry that ends a line an interrupted write left without its newline
REPAIRED_FIELD = "repaired"
_TAIL_BLOCK = 64 << 10


@dataclass(frozen=True)
class ChainLink:
    """Where an appended entry landed: its line number and its SHA-256 (the chain head)."""

    line: int
    sha256: str


def canonical(entry: dict[str, Any]) -> bytes:
    body = {key: value for key, value in entry.items() if key != HASH_FIELD}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def entry_digest(entry: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def _sealed(entry: dict[str, Any], line: int, prev: str | None) -> dict[str, Any]:
    # values go through JSON first, so the digest is over what a reader parses back
    plain: dict[str, Any] = json.loads(json.dumps(entry, ensure_ascii=False, default=str))
    plain[LINE_FIELD] = line
    plain[PREV_FIELD] = prev
    plain[HASH_FIELD] = entry_digest(plain)
    return plain


def _dump(entry: dict[str, Any]) -> bytes:
    return (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")


def append_chained(path: Path, entry: dict[str, Any], start: dict[str, Any]) -> ChainLink:
    """Append `entry` linked to the last one; the file is locked (flock) from reading the last
    entry to the fsync, as uploads (a thread) and other processes append to the same log.
    `start` holds the fields (time, actor) of a `chain_started` entry, if one is needed first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            out, link = _linked_lines(handle, entry, start)
            write_whole(handle.fileno(), out, path.name)
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return link


def _linked_lines(handle: Any, entry: dict[str, Any], start: dict[str, Any]) -> tuple[bytes, ChainLink]:
    size = handle.seek(0, os.SEEK_END)
    if size == 0:
        sealed = _sealed(entry, 1, None)
        return _dump(sealed), ChainLink(1, sealed[HASH_FIELD])
    last = _last_entry(handle, size)
    if last is not None:
        sealed = _sealed(entry, int(last[LINE_FIELD]) + 1, str(last[HASH_FIELD]))
        return _dump(sealed), ChainLink(sealed[LINE_FIELD], sealed[HASH_FIELD])
    # an unchained (older) log, or one whose last line is not a chained entry: start a chain that
    # covers every byte so far; a last line cut short by a crash (a process killed inside its
    # write) is ended first, never removed, and the chain start names it as the repair it is
    torn = not _ends_with_newline(handle, size)
    out = b"\n" if torn else b""
    handle.seek(0)
    digest = hashlib.sha256()
    lines = 0
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
        lines += block.count(b"\n")
    digest.update(out)
    lines += out.count(b"\n")
    covers: dict[str, Any] = {"covers_lines": lines, "covers_bytes": size + len(out)}
    if torn:
        handle.seek(size - min(size, _TAIL_BLOCK))
        cut = handle.read().rpartition(b"\n")[2]
        covers |= {REPAIRED_FIELD: "interrupted write", "cut_line": lines, "cut_bytes": len(cut)}
    chain_start = _sealed({**start, "event": CHAIN_START, **covers}, lines + 1, digest.hexdigest())
    sealed = _sealed(entry, lines + 2, chain_start[HASH_FIELD])
    return out + _dump(chain_start) + _dump(sealed), ChainLink(lines + 2, sealed[HASH_FIELD])


def _ends_with_newline(handle: Any, size: int) -> bool:
    handle.seek(size - 1)
    return bool(handle.read(1) == b"\n")


def _last_entry(handle: Any, size: int) -> dict[str, Any] | None:
    """The last line, if it is a whole chained entry whose digest holds; else None."""
    if not _ends_with_newline(handle, size):
        return None
    start = size - 1
    tail = b""
    while start > 0 and b"\n" not in tail:
        begin = max(0, start - _TAIL_BLOCK)
        handle.seek(begin)
        tail = handle.read(start - begin) + tail
        start = begin
    line = tail.rpartition(b"\n")[2] if b"\n" in tail else tail
    entry = _parse(line)
    if entry is None or not isinstance(entry.get(LINE_FIELD), int):
        return None
    return entry if entry.get(HASH_FIELD) == entry_digest(entry) else None


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        entry = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return entry if isinstance(entry, dict) and HASH_FIELD in entry else None


# verify ---------------------------------------------------------------------------------------
@dataclass
class ChainState:
    """What a walk over the log found: the first broken link (if any) and every entry's digest."""

    problem: str | None
    digests: dict[int, str]  # line number -> entry_sha256 of the chained entries before any break
    torn: TornTail | None = None  # a last line an interrupted write left without its newline
    repaired: list[int] = field(default_factory=list)  # such lines a later chain start ended


def _is_chain_start(raw: bytes) -> bool:
    entry = _parse(raw.rstrip(b"\r\n"))
    return entry is not None and entry.get("event") == CHAIN_START


def check_chain(path: Path) -> ChainState:
    """Walk the log; stop at the first broken link and say where and why. A last line without
    its newline is an interrupted write, not a link: it is set aside (`torn`) and the walk stops
    before it; a line that is not an entry, directly followed by the chain start that ended and
    covered it, is one that was repaired (`repaired`)."""
    whole = path.read_bytes() if path.exists() else b""
    torn = torn_tail_of(whole)
    data = whole[: torn.offset] if torn else whole
    repaired: list[int] = []
    digests: dict[int, str] = {}
    prev: str | None = None
    chained = False
    unchained_after: int | None = None  # first unchained line after the chain began
    offset = 0
    lines = data.splitlines(keepends=True)
    for number, raw in enumerate(lines, start=1):
        before, offset = offset, offset + len(raw)
        entry = _parse(raw.rstrip(b"\r\n"))
        if entry is None and raw.strip() and number < len(lines) and _is_chain_start(lines[number]):
            repaired.append(number)
        if entry is None:
            if chained and unchained_after is None:
                unchained_after = number
            continue
        problem = _link_problem(
            entry, number, prev, memoryview(data)[:before], chained and unchained_after is None
        )
        if problem and unchained_after is not None:
            problem = "entry without a chain link after the chain began"
            return ChainState(f"line {unchained_after}: {problem}", digests, torn, repaired)
        if problem:
            return ChainState(f"line {number}: {problem}", digests, torn, repaired)
        chained, unchained_after = True, None
        prev = str(entry[HASH_FIELD])
        digests[number] = prev
    if unchained_after is not None:
        return ChainState(
            f"line {unchained_after}: entry without a chain link after the chain began "
            "(appended by something other than sourcekeeper, or the chain fields were removed)",
            digests,
            torn,
            repaired,
        )
    return ChainState(None, digests, torn, repaired)


def _link_problem(
    entry: dict[str, Any], number: int, prev: str | None, before: memoryview, linked: bool
) -> str | None:
    """Why this entry does not link to the one before (None: it does). `before`: every byte of
    the file before it (a view, hashed only for a chain_started entry)."""
    if entry.get(HASH_FIELD) != entry_digest(entry):
        return "entry changed after it was written (its entry_sha256 does not match its content)"
    if entry.get(LINE_FIELD) != number:
        return f"entry was written as line {entry.get(LINE_FIELD)} (entries were removed, inserted or moved)"
    if entry.get("event") == CHAIN_START and entry.get(PREV_FIELD) == hashlib.sha256(before).hexdigest():
        return None  # a chain (re)started over every byte before it
    if entry.get("event") == CHAIN_START:
        return "chain_started does not match the lines before it (they were changed, removed or moved)"
    expected = prev if linked else None
    if number > 1 and not linked:
        return "chained entry after unchained lines without a chain_started entry covering them"
    if entry.get(PREV_FIELD) != expected:
        return "prev_sha256 is not the previous entry's SHA-256 (an entry was removed, inserted or moved)"
    return None
