"""A sentence diff of two extracted texts that is right for Chinese, with moves and edits named.

Chinese has no spaces between words, so a word diff is meaningless and a character diff is soup:
the unit is the sentence. A sentence ends at 。！？；(and ! ? ;) or at a line break; closing
quotes and brackets right after the end mark (`……。”`, `？）`, `！」`) stay with it, and a run of
end marks (`？！`) ends one sentence. Each sentence keeps its character offsets in the text it
came from, so a reader (the `diff` command, the report, the web view) can point into the text.

The diff aligns the two sentence lists (difflib), then names what changed:

- `moved`: a sentence that left one place and came back, identical, at another (not a removal
  plus an addition);
- `edited`: a removed sentence and an added one in the same place that are alike (at least
  EDIT_SIMILARITY of their characters agree), with the character-level changes inside it; an
  edited sentence that also moved elsewhere is `edited` with `moved` set (MOVED_EDIT_SIMILARITY);
- `removed` / `added`: the rest.

Pure functions over str; `SentenceDiff.to_json()` is plain JSON data.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

# what ends a sentence, and what may follow the end mark and still belong to it
END_MARKS = "。！？；!?;"
CLOSERS = "”’」』）)】〕》〉\"'］]"
_SENTENCE = re.compile(rf"[^{END_MARKS}\n]*(?:[{END_MARKS}]+[{re.escape(CLOSERS)}]*|\n|$)")
_SPACES = re.compile(r"[\s\u3000\xa0]+")
# how alike a removed and an added sentence in one place must be to be one edited sentence
EDIT_SIMILARITY = 0.6
# how alike they must be when the edited sentence also moved to another place
MOVED_EDIT_SIMILARITY = 0.75
# past this many removed x added sentences in one place, edits are paired by position only
_PAIRING_LIMIT = 400

Op = Literal["removed", "added", "edited", "moved"]


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text as written, and where it is in its text (`text[start:end]`)."""

    text: str
    start: int
    end: int

    @property
    def key(self) -> str:
        """What two sentences must share to be the same: the text, white space squeezed."""
        return _SPACES.sub(" ", self.text).strip()

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Hunk:
    """One change. `before`: the sentences as they were (in the earlier text), `after`: as they
    are (in the later text). A moved sentence has one of each; an edited one too, with `changes`:
    its characters as ("=" kept | "-" removed | "+" added, text) pieces, in order."""

    op: Op
    before: tuple[Sentence, ...] = ()
    after: tuple[Sentence, ...] = ()
    changes: tuple[tuple[str, str], ...] = ()
    moved: bool = False  # an edited sentence that also moved to another place

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "op": self.op,
            "before": [s.to_json() for s in self.before],
            "after": [s.to_json() for s in self.after],
        }
        if self.op == "edited":
            data["changes"] = [list(piece) for piece in self.changes]
            data["moved"] = self.moved
        return data


# how a sentence of one text fared: kept, or the op of the hunk it is in
RowOp = Literal["same", "removed", "added", "edited", "moved-away", "moved-here"]


@dataclass(frozen=True)
class Row:
    """One line of a two-column view: a sentence of the earlier text, of the later, or both."""

    op: RowOp
    before: Sentence | None
    after: Sentence | None
    hunk: int | None = None  # the index of its hunk in SentenceDiff.hunks


@dataclass(frozen=True)
class SentenceDiff:
    before: tuple[Sentence, ...]
    after: tuple[Sentence, ...]
    hunks: tuple[Hunk, ...]
    rows: tuple[Row, ...] = field(repr=False, default=())

    @property
    def changed(self) -> bool:
        return bool(self.hunks)

    def count(self, op: Op) -> int:
        """Sentences of the earlier text in `op` hunks (of the later text for `added`)."""
        return sum(len(h.after if op == "added" else h.before) for h in self.hunks if h.op == op)

    def counts(self) -> dict[str, int]:
        return {op: self.count(op) for op in ("removed", "added", "edited", "moved")}

    def summary(self) -> str:
        """ "2 sentence(s) edited, 1 moved, 1 removed" (or "no sentence changed")."""
        words = {"edited": "edited", "moved": "moved", "removed": "removed", "added": "added"}
        parts = [f"{n} {words[op]}" for op, n in self.counts().items() if n]
        if not parts:
            return "no sentence changed"
        first, *rest = parts
        number, word = first.split(" ", 1)
        return ", ".join([f"{number} sentence(s) {word}", *rest])

    def to_json(self) -> dict[str, Any]:
        return {**self.counts(), "hunks": [h.to_json() for h in self.hunks]}


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text` in order, each with its offsets; blank pieces are dropped and the
    white space around a sentence is left out of it."""
    found: list[Sentence] = []
    for match in _SENTENCE.finditer(text or ""):
        piece = match.group()
        stripped = piece.strip()
        if not stripped or not stripped.strip(END_MARKS + CLOSERS + " "):
            if stripped and found:  # a stray end mark or closer: it belongs to the sentence before
                last = found[-1]
                end = match.start() + piece.rstrip().__len__()
                found[-1] = Sentence(text[last.start : end], last.start, end)
            continue
        start = match.start() + (len(piece) - len(piece.lstrip()))
        end = start + len(stripped)
        found.append(Sentence(stripped, start, end))
    return found


def char_changes(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """The characters of an edited sentence: ("=", kept), ("-", removed), ("+", added) pieces."""
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    pieces: list[tuple[str, str]] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("=", before[a0:a1]))
            continue
        if a1 > a0:
            pieces.append(("-", before[a0:a1]))
        if b1 > b0:
            pieces.append(("+", after[b0:b1]))
    return tuple(pieces)


_NOT_WORDS = re.compile(rf"[\s\u3000\xa0{END_MARKS}{re.escape(CLOSERS)}，、：,.:“‘「『（(【〔《〈]+")


def _similarity(a: str, b: str) -> float:
    """How alike two sentences' words are (punctuation and spaces left out), 0 to 1."""
    a, b = _NOT_WORDS.sub("", a), _NOT_WORDS.sub("", b)
    if not a or not b:
        return 0.0
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.real_quick_ratio() < EDIT_SIMILARITY or matcher.quick_ratio() < EDIT_SIMILARITY:
        return 0.0
    return matcher.ratio()


def _pair_across(old: list[int], new: list[int], a: list[Sentence], b: list[Sentence]) -> dict[int, int]:
    """old index -> new index of very alike sentences left over in different places (edited and
    moved), best match first."""
    if not old or not new or len(old) * len(new) > _PAIRING_LIMIT:
        return {}
    candidates = [(_similarity(a[i].key, b[j].key), i, j) for i in old for j in new]
    pairs: dict[int, int] = {}
    for score, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if score >= MOVED_EDIT_SIMILARITY and i not in pairs and j not in pairs.values():
            pairs[i] = j
    return pairs


def _pair_edits(old: list[int], new: list[int], a: list[Sentence], b: list[Sentence]) -> dict[int, int]:
    """old index -> new index of the alike sentences in one changed place, in order (greedy,
    best match first, never crossing an earlier pair)."""
    if not old or not new:
        return {}
    if len(old) * len(new) > _PAIRING_LIMIT:  # a rewrite: pair by position
        candidates = [(_similarity(a[i].key, b[j].key), i, j) for i, j in zip(old, new, strict=False)]
    else:
        candidates = [(_similarity(a[i].key, b[j].key), i, j) for i in old for j in new]
    pairs: dict[int, int] = {}
    for score, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if score < EDIT_SIMILARITY or i in pairs or j in pairs.values():
            continue
        if any((i < pi) != (j < pj) for pi, pj in pairs.items()):
            continue  # would cross a pair already made: not the same place
        pairs[i] = j
    return pairs


def diff_sentences(before: str, after: str) -> SentenceDiff:
    """The sentence diff of two texts (see the module docstring)."""
    a, b = split_sentences(before), split_sentences(after)
    matcher = difflib.SequenceMatcher(a=[s.key for s in a], b=[s.key for s in b], autojunk=False)
    opcodes = matcher.get_opcodes()
    gone = [i for op, a0, a1, _b0, _b1 in opcodes if op != "equal" for i in range(a0, a1)]
    came = [j for op, _a0, _a1, b0, b1 in opcodes if op != "equal" for j in range(b0, b1)]
    # moved: an identical sentence left one place and came back at another (one to one)
    waiting: dict[str, list[int]] = defaultdict(list)
    for j in came:
        waiting[b[j].key].append(j)
    moved: dict[int, int] = {}
    for i in gone:
        if waiting.get(a[i].key):
            moved[i] = waiting[a[i].key].pop(0)
    moved_to = set(moved.values())
    # edited in place: alike sentences within one changed place
    block_pairs: dict[int, dict[int, int]] = {}
    for op, a0, a1, b0, b1 in opcodes:
        if op != "equal":
            old = [i for i in range(a0, a1) if i not in moved]
            new = [j for j in range(b0, b1) if j not in moved_to]
            block_pairs[a0 * (len(b) + 1) + b0] = _pair_edits(old, new, a, b)
    paired_old = {i for pairs in block_pairs.values() for i in pairs}
    paired_new = {j for pairs in block_pairs.values() for j in pairs.values()}
    # edited and moved: very alike sentences left over in different places
    across = _pair_across(
        [i for i in gone if i not in moved and i not in paired_old],
        [j for j in came if j not in moved_to and j not in paired_new],
        a,
        b,
    )

    rows: list[Row] = []
    hunks: list[Hunk] = []
    hunk_of_move: dict[int, int] = {}

    def add_hunk(hunk: Hunk) -> int:
        hunks.append(hunk)
        return len(hunks) - 1

    def removed_run(indices: list[int]) -> None:
        if indices:
            at = add_hunk(Hunk("removed", before=tuple(a[i] for i in indices)))
            rows.extend(Row("removed", a[i], None, at) for i in indices)

    def added_run(indices: list[int]) -> None:
        if indices:
            at = add_hunk(Hunk("added", after=tuple(b[j] for j in indices)))
            rows.extend(Row("added", None, b[j], at) for j in indices)

    def flush(pending_old: list[int], pending_new: list[int]) -> None:
        """The removed, then the added sentences waiting in one changed place."""
        removed_run(pending_old)
        added_run(pending_new)
        pending_old.clear()
        pending_new.clear()

    # every move is one hunk, listed where the sentence now stands
    here: dict[int, tuple[int, RowOp, Sentence | None]] = {}
    for i, j in sorted(moved.items(), key=lambda item: item[1]):
        hunk_of_move[i] = add_hunk(Hunk("moved", before=(a[i],), after=(b[j],)))
        here[j] = (hunk_of_move[i], "moved-here", None)
    for i, j in sorted(across.items(), key=lambda item: item[1]):
        changes = char_changes(a[i].text, b[j].text)
        hunk_of_move[i] = add_hunk(Hunk("edited", (a[i],), (b[j],), changes, moved=True))
        here[j] = (hunk_of_move[i], "edited", a[i])
    moved = {**moved, **across}
    moved_to = set(moved.values())

    for op, a0, a1, b0, b1 in opcodes:
        if op == "equal":
            rows.extend(Row("same", a[i], b[b0 + k]) for k, i in enumerate(range(a0, a1)))
            continue
        pairs = block_pairs[a0 * (len(b) + 1) + b0]
        pending_old: list[int] = []
        pending_new: list[int] = []
        new_iter = iter(range(b0, b1))
        next_new = next(new_iter, None)

        for i in range(a0, a1):
            if i in moved:
                flush(pending_old, pending_new)
                rows.append(Row("moved-away", a[i], None, hunk_of_move[i]))
                continue
            if i not in pairs:
                pending_old.append(i)
                continue
            target = pairs[i]
            while next_new is not None and next_new < target:
                if next_new in here:
                    flush(pending_old, pending_new)
                    at, row_op, source = here[next_new]
                    rows.append(Row(row_op, source, b[next_new], at))
                else:
                    pending_new.append(next_new)
                next_new = next(new_iter, None)
            flush(pending_old, pending_new)
            at = add_hunk(Hunk("edited", (a[i],), (b[target],), char_changes(a[i].text, b[target].text)))
            rows.append(Row("edited", a[i], b[target], at))
            next_new = next(new_iter, None)
        while next_new is not None:
            if next_new in here:
                flush(pending_old, pending_new)
                at, row_op, source = here[next_new]
                rows.append(Row(row_op, source, b[next_new], at))
            else:
                pending_new.append(next_new)
            next_new = next(new_iter, None)
        flush(pending_old, pending_new)

    # hunks in reading order: by where they first show in the rows (a move: where it now stands)
    first_row: dict[int, int] = {}
    for number, row in enumerate(rows):
        if row.hunk is not None and row.op != "moved-away":
            first_row.setdefault(row.hunk, number)
    hunks_by_position = sorted(first_row.items(), key=lambda item: item[1])
    order = {old: new for new, (old, _row) in enumerate(hunks_by_position)}
    ordered = tuple(hunks[old] for old, _row in hunks_by_position)
    rows = [Row(r.op, r.before, r.after, None if r.hunk is None else order[r.hunk]) for r in rows]
    return SentenceDiff(tuple(a), tuple(b), ordered, tuple(rows))
