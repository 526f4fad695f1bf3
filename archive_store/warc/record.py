"""A WARC record read back, whoever wrote it: our strict reader (`members`) and the lenient one for
other tools' files (`foreign`) both give these."""

from __future__ import annotations

from dataclasses import dataclass


class NamedFields:
    """Reading a record's named header fields (case-insensitive, first wins), for every kind of
    record read back: `fields` is the header in file order."""

    fields: list[tuple[str, str]]

    def get(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.fields if k.lower() == wanted), None)

    @property
    def record_type(self) -> str:
        return self.get("WARC-Type") or ""

    @property
    def record_id(self) -> str:
        return self.get("WARC-Record-ID") or ""


@dataclass(frozen=True)
class StoredRecord(NamedFields):
    """A WARC record read back: named fields in file order, and the block bytes."""

    fields: list[tuple[str, str]]
    block: bytes
    offset: int = 0
    length: int = 0
