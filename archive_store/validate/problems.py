"""The validator's result types: one Problem per finding, one RecordSummary per record."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    path: str  # file
    offset: int | None  # byte offset of the gzip member / record, None for file-level
    rule: str  # "W-ALL-2", "W-DIG-2", "W-FILE-4", "gzip", ...
    message: str  # one sentence a person can act on

    def __str__(self) -> str:
        where = self.path if self.offset is None else f"{self.path}@{self.offset}"
        return f"{where}: {self.rule}: {self.message}"


@dataclass(frozen=True)
class RecordSummary:
    path: str
    offset: int  # gzip member offset in the file
    length: int  # gzip member length
    record_type: str
    record_id: str
    target_uri: str | None
    date: str
    payload_digest: str | None
    block_digest: str | None
    concurrent_to: tuple[str, ...]
    refers_to: str | None


@dataclass(frozen=True)
class RecordFacts:
    """A summary plus the fields only the collection-level checks need."""

    summary: RecordSummary
    http: bool
    warcinfo_id: str | None
    profile: str | None
    refers_to_target_uri: str | None
    refers_to_date: str | None

    def problem(self, rule: str, text: str) -> Problem:
        s = self.summary
        return Problem(s.path, s.offset, rule, f"{s.record_type} record {s.record_id}: {text}")
