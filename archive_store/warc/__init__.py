"""The WARC format only: building records as exact bytes (recordbuilder), the rotating writer
and its gzip members (writer), HTTP/1.x message framing (httpmessage), reading files member by member
(members). Like warcio's builder/writer split.

May import: `archive_store.layout` and nothing else of ours — no Scrapy, no database.

The names below are its public face (loaded on first use, so importing one room does not
load them all); every other name is private to the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive_store.warc.httpmessage import ParsedResponse as ParsedResponse
    from archive_store.warc.httpmessage import parse_response as parse_response
    from archive_store.warc.httpmessage import split_head as split_head
    from archive_store.warc.members import BrokenMember as BrokenMember
    from archive_store.warc.members import StoredRecord as StoredRecord
    from archive_store.warc.members import inflate_member as inflate_member
    from archive_store.warc.members import iter_members as iter_members
    from archive_store.warc.members import iter_records as iter_records
    from archive_store.warc.members import parse_record as parse_record
    from archive_store.warc.members import read_member as read_member
    from archive_store.warc.members import read_record as read_record
    from archive_store.warc.recordbuilder import GZIP_LEVELS as GZIP_LEVELS
    from archive_store.warc.recordbuilder import REVISIT_IDENTICAL as REVISIT_IDENTICAL
    from archive_store.warc.recordbuilder import REVISIT_NOT_MODIFIED as REVISIT_NOT_MODIFIED
    from archive_store.warc.recordbuilder import OriginalRef as OriginalRef
    from archive_store.warc.recordbuilder import WarcRecord as WarcRecord
    from archive_store.warc.recordbuilder import derived_record as derived_record
    from archive_store.warc.recordbuilder import gzip_member as gzip_member
    from archive_store.warc.recordbuilder import request_record as request_record
    from archive_store.warc.recordbuilder import response_record as response_record
    from archive_store.warc.recordbuilder import revisit_record as revisit_record
    from archive_store.warc.recordbuilder import sha1_digest as sha1_digest
    from archive_store.warc.recordbuilder import target_uri as target_uri
    from archive_store.warc.recordbuilder import warc_date as warc_date
    from archive_store.warc.writer import OPEN_SUFFIX as OPEN_SUFFIX
    from archive_store.warc.writer import ArchiveWriteError as ArchiveWriteError
    from archive_store.warc.writer import ClosedFile as ClosedFile
    from archive_store.warc.writer import RotatingWarcWriter as RotatingWarcWriter
    from archive_store.warc.writer import file_sha256 as file_sha256
    from archive_store.warc.writer import safe_hostname as safe_hostname

_PUBLIC = {
    "ArchiveWriteError": "archive_store.warc.writer",
    "BrokenMember": "archive_store.warc.members",
    "ClosedFile": "archive_store.warc.writer",
    "GZIP_LEVELS": "archive_store.warc.recordbuilder",
    "OPEN_SUFFIX": "archive_store.warc.writer",
    "OriginalRef": "archive_store.warc.recordbuilder",
    "ParsedResponse": "archive_store.warc.httpmessage",
    "REVISIT_IDENTICAL": "archive_store.warc.recordbuilder",
    "REVISIT_NOT_MODIFIED": "archive_store.warc.recordbuilder",
    "RotatingWarcWriter": "archive_store.warc.writer",
    "StoredRecord": "archive_store.warc.members",
    "WarcRecord": "archive_store.warc.recordbuilder",
    "derived_record": "archive_store.warc.recordbuilder",
    "file_sha256": "archive_store.warc.writer",
    "gzip_member": "archive_store.warc.recordbuilder",
    "inflate_member": "archive_store.warc.members",
    "iter_members": "archive_store.warc.members",
    "iter_records": "archive_store.warc.members",
    "parse_record": "archive_store.warc.members",
    "parse_response": "archive_store.warc.httpmessage",
    "read_member": "archive_store.warc.members",
    "read_record": "archive_store.warc.members",
    "request_record": "archive_store.warc.recordbuilder",
    "response_record": "archive_store.warc.recordbuilder",
    "revisit_record": "archive_store.warc.recordbuilder",
    "safe_hostname": "archive_store.warc.writer",
    "sha1_digest": "archive_store.warc.recordbuilder",
    "split_head": "archive_store.warc.httpmessage",
    "target_uri": "archive_store.warc.recordbuilder",
    "warc_date": "archive_store.warc.recordbuilder",
}

__all__ = [
    "GZIP_LEVELS",
    "OPEN_SUFFIX",
    "REVISIT_IDENTICAL",
    "REVISIT_NOT_MODIFIED",
    "ArchiveWriteError",
    "BrokenMember",
    "ClosedFile",
    "OriginalRef",
    "ParsedResponse",
    "RotatingWarcWriter",
    "StoredRecord",
    "WarcRecord",
    "derived_record",
    "file_sha256",
    "gzip_member",
    "inflate_member",
    "iter_members",
    "iter_records",
    "parse_record",
    "parse_response",
    "read_member",
    "read_record",
    "request_record",
    "response_record",
    "revisit_record",
    "safe_hostname",
    "sha1_digest",
    "split_head",
    "target_uri",
    "warc_date",
]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
