"""Structural validator for WARC 1.1 files and collections; the rules are docs/capture-rules.md.

It reads files only (never the index), keeps going after damage, and reports every finding as a
Problem naming file, gzip-member offset and rule.
CLI: `python -m archive_store.validate.validator FILE|DIR ...` (exit 1 when anything is wrong).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from archive_store.validate.crosschecks import cross_check
from archive_store.validate.gzipmembers import GzipMember, iter_gzip_members, member_pieces, scan_members
from archive_store.validate.httpchecks import is_http_record
from archive_store.validate.problems import Problem, RecordFacts, RecordSummary
from archive_store.validate.recordchecks import check_record
from archive_store.validate.warcparse import WarcRecord, split_records, stream_records

__all__ = [
    "Problem",
    "RecordSummary",
    "iter_gzip_members",
    "main",
    "validate_collection",
    "validate_warc_file",
]

OPEN_SUFFIX = ".open"
FILE_NAME = re.compile(
    r"(?P<prefix>.+?)-(?P<timestamp>\d{17})-(?P<serial>\d{5})-(?P<host>[A-Za-z0-9][A-Za-z0-9.-]*)"
    r"\.warc\.gz",
    re.ASCII,
)
_MEMBER_RULES = {"truncated": "W-FILE-4", "corrupt": "gzip", "garbage": "gzip", "multi": "W-FILE-1"}


def validate_warc_file(
    path: str | Path, *, expect_name: bool = True
) -> tuple[list[Problem], list[RecordSummary]]:
    """Per-file checks: gzip members, every record on its own, warcinfo first, the file name.

    Links between records (W-REL-1/2, W-REV-4, request/response dates, duplicate ids) may cross
    files, so validate_collection checks them, also for a collection of one file.
    """
    problems, facts = _validate_file(Path(path), expect_name)
    return problems, [f.summary for f in facts]


def validate_collection(paths: Sequence[str | Path], *, expect_name: bool = True) -> list[Problem]:
    """Per-file checks of every file plus the checks across records and files."""
    problems: list[Problem] = []
    facts: list[RecordFacts] = []
    for raw in paths:
        path = Path(raw)
        if path.name.endswith(OPEN_SUFFIX):
            problems.append(
                Problem(
                    str(path),
                    None,
                    "W-FILE-3",
                    "file is still open (being written, or left by a crash); recover it (cut back "
                    "to the last whole gzip member and rename) before indexing, packing or upload",
                )
            )
            continue
        file_problems, file_facts = _validate_file(path, expect_name)
        problems += file_problems
        facts += file_facts
    return problems + cross_check(facts)


def _validate_file(path: Path, expect_name: bool) -> tuple[list[Problem], list[RecordFacts]]:
    """Stream the file member by member; only findings and small facts are kept."""
    name = str(path)
    problems = _check_name(path) if expect_name else []
    facts: list[RecordFacts] = []
    first: WarcRecord | None = None
    methods = _Methods()
    try:
        for member in scan_members(path):
            problems += _member_problems(name, member)
            records, member_problems = _records(name, path, member)
            problems += member_problems
            for record in records:
                first = first or record
                methods.note(record)
                problems += methods.check(name, record)
                if record.version:
                    facts.append(_facts(name, record))
    except OSError as exc:
        return [*problems, Problem(name, None, "io", f"cannot read the file: {exc}")], []
    problems += methods.settle()
    problems += _check_file_start(path, first, expect_name)
    problems.sort(key=lambda p: -1 if p.offset is None else p.offset)
    return problems, facts


def _records(name: str, path: Path, member: GzipMember) -> tuple[list[WarcRecord], list[Problem]]:
    """The member's records; a big one is read again as a stream, never held whole."""
    if not member.streamed:
        data = member.data if member.data is not None else b""
        return (split_records(data, member.offset, member.length) if data else []), []
    records = stream_records(member_pieces(path, member), member.offset, member.length)
    if len(records) < 2:
        return records, []
    text = (
        f"one gzip member holds {len(records)} WARC records (whole-file gzip?); write one "
        f"member per record (`warcio recompress` fixes an existing file)"
    )
    return records, [Problem(name, member.offset, "W-FILE-1", text)]


class _Methods:
    """Request methods by linked record id, so an answer to HEAD may declare a length it lacks.

    warcio-style writers put the response before its request, so a response whose only findings
    depend on the method waits (findings only, not the record) until the end of the file.
    """

    def __init__(self) -> None:
        self.by_request: dict[str, bytes] = {}
        self.by_answer: dict[str, bytes] = {}
        self.waiting: list[tuple[str, list[str], list[Problem], list[Problem]]] = []

    def note(self, record: WarcRecord) -> None:
        if record.get("WARC-Type") == "request":
            method = (record.scan.prefix if record.scan is not None else b"").split(b" ", 1)[0]
            self.by_request[record.get("WARC-Record-ID") or ""] = method
            for answer in record.get_all("WARC-Concurrent-To"):
                self.by_answer[answer] = method

    def method_for(self, rid: str, linked: list[str]) -> bytes | None:
        found = [self.by_request[i] for i in linked if i in self.by_request]
        return self.by_answer.get(rid) or (found[0] if found else None)

    def check(self, name: str, record: WarcRecord) -> list[Problem]:
        rid = record.get("WARC-Record-ID") or "(no id)"
        linked = record.get_all("WARC-Concurrent-To")
        method = self.method_for(rid, linked)
        found = _problems(name, record, check_record(record, method))
        if method is None and any(p.rule == "W-HTTP-3" for p in found):
            as_head = _problems(name, record, check_record(record, b"HEAD"))
            self.waiting.append((rid, linked, found, as_head))
            return []
        return found

    def settle(self) -> list[Problem]:
        problems: list[Problem] = []
        for rid, linked, found, as_head in self.waiting:
            problems += as_head if self.method_for(rid, linked) == b"HEAD" else found
        return problems


def _problems(name: str, record: WarcRecord, findings: list[tuple[str, str]]) -> list[Problem]:
    label = f"{record.get('WARC-Type') or '?'} record {record.get('WARC-Record-ID') or '(no id)'}"
    return [Problem(name, record.offset, rule, f"{label}: {text}") for rule, text in findings]


def _member_problems(name: str, member: GzipMember) -> list[Problem]:
    if member.error is None:
        return []
    rule = _MEMBER_RULES.get(member.kind, "gzip")
    if member.kind == "garbage" and member.offset == 0:
        rule = "W-FILE-1"  # the file itself is not a multi-member gzip
    return [Problem(name, member.offset, rule, member.error)]


def _check_name(path: Path) -> list[Problem]:
    base = path.name.removesuffix(OPEN_SUFFIX)
    match = FILE_NAME.fullmatch(base)
    if match:
        try:
            datetime.strptime(match.group("timestamp")[:14], "%Y%m%d%H%M%S")
            return []
        except ValueError:
            pass
    return [
        Problem(
            str(path),
            None,
            "W-FILE-2",
            f"file name {base!r} is not <prefix>-<17-digit UTC timestamp>-<5-digit serial>-<host>.warc.gz",
        )
    ]


def _check_file_start(path: Path, first: WarcRecord | None, expect_name: bool) -> list[Problem]:
    name = str(path)
    if first is None:
        if path.stat().st_size:
            return []  # nothing readable: the gzip problems already say why
        return [Problem(name, None, "W-REL-3", "file is empty; each file starts with a warcinfo")]
    if first.offset != 0:
        return []  # the first member is damaged and already reported
    if first.get("WARC-Type") != "warcinfo":
        return [Problem(name, 0, "W-REL-3", "file does not start with a warcinfo record")]
    recorded = first.get("WARC-Filename")
    base = path.name.removesuffix(OPEN_SUFFIX)
    if expect_name and recorded != base:
        return [
            Problem(
                name,
                0,
                "W-FILE-2",
                f"warcinfo WARC-Filename is {recorded!r}, not the file's name {base!r}; the facts "
                f"in the name must be in the warcinfo too",
            )
        ]
    return []


def _facts(name: str, record: WarcRecord) -> RecordFacts:
    summary = RecordSummary(
        path=name,
        offset=record.offset,
        length=record.length,
        record_type=record.get("WARC-Type") or "?",
        record_id=record.get("WARC-Record-ID") or "(no id)",
        target_uri=record.get("WARC-Target-URI"),
        date=record.get("WARC-Date") or "",
        payload_digest=record.get("WARC-Payload-Digest"),
        block_digest=record.get("WARC-Block-Digest"),
        concurrent_to=tuple(record.get_all("WARC-Concurrent-To")),
        refers_to=record.get("WARC-Refers-To"),
    )
    return RecordFacts(
        summary,
        is_http_record(record),
        record.get("WARC-Warcinfo-ID"),
        record.get("WARC-Profile"),
        record.get("WARC-Refers-To-Target-URI"),
        record.get("WARC-Refers-To-Date"),
    )


def _expand(args: Sequence[str]) -> list[Path]:
    paths: list[Path] = []
    for arg in args:
        path = Path(arg)
        paths += sorted(path.glob("*.warc.gz*")) if path.is_dir() else [path]
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m archive_store.validate.validator",
        description="Check WARC files against docs/capture-rules.md; exit 1 if anything is wrong.",
    )
    parser.add_argument("paths", nargs="+", help="WARC files, or folders holding *.warc.gz")
    parser.add_argument("--no-name-check", action="store_true", help="skip W-FILE-2 naming")
    parser.add_argument("--json", action="store_true", help="one JSON object per problem")
    args = parser.parse_args(argv)
    problems = validate_collection(_expand(args.paths), expect_name=not args.no_name_check)
    for problem in problems:
        print(json.dumps(asdict(problem), ensure_ascii=False) if args.json else problem)
    if problems:
        files = len({p.path for p in problems})
        print(f"{len(problems)} problem(s) in {files} file(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
