"""The WARC format only: building records as exact bytes (recordbuilder), the rotating writer
and its gzip members (writer), HTTP/1.x message framing (httpmessage), reading files member by member
(members). Like warcio's builder/writer split.

May import: `archive_store.layout` and nothing else of ours — no Scrapy, no database.
"""
