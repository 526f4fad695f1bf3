"""The WARC format only: building records as exact bytes (recordbuilder), the rotating writer
and its gzip members (writer), HTTP/1.x message framing (httpmessage), reading files member by member
(members). Like warcio's builder/writer split.

May import: `archive_store.layout` and nothing else of ours — no Scrapy, no database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

if TYPE_CHECKING:
    from archive_store.warc.httpmessage import ParsedResponse as ParsedResponse
    from archive_store.warc.httpmessage import parse_response as parse_response
    from archive_store.warc.httpmessage import split_head as split_head
    from archive_store.warc.members import BrokenMember as BrokenMember
    from archive_store.warc.members import inflate_member as inflate_member
    from archive_store.warc.members import iter_members as iter_members
    from archive_store.warc.members import iter_records as iter_records
    from archive_store.warc.members import parse_record as parse_record
    from archive_store.warc.members import read_member as read_member
    from archive_store.warc.members import read_record as read_record
    from archive_store.warc.record import StoredRecord as StoredRecord
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

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "httpmessage": ["ParsedResponse", "parse_response", "split_head"],
        "members": [
            "BrokenMember",
            "inflate_member",
            "iter_members",
            "iter_records",
            "parse_record",
            "read_member",
            "read_record",
        ],
        "record": ["StoredRecord"],
        "recordbuilder": [
            "GZIP_LEVELS",
            "OriginalRef",
            "REVISIT_IDENTICAL",
            "REVISIT_NOT_MODIFIED",
            "WarcRecord",
            "derived_record",
            "gzip_member",
            "request_record",
            "response_record",
            "revisit_record",
            "sha1_digest",
            "target_uri",
            "warc_date",
        ],
        "writer": [
            "ArchiveWriteError",
            "ClosedFile",
            "OPEN_SUFFIX",
            "RotatingWarcWriter",
            "file_sha256",
            "safe_hostname",
        ],
    },
)
