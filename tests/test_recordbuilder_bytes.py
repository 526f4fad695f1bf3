"""Each record the builder makes, byte for byte, with the record id and the date given (as warcio's
own tests do): the field order, CRLFs, digests and Content-Length are pinned, so a change to any
of them shows here first. warcio then reads each one back and checks its digests."""

from __future__ import annotations

import gzip
import io
import zlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive_store.warc.recordbuilder import (
    OriginalRef,
    WarcRecord,
    derived_record,
    gzip_member,
    request_record,
    response_record,
    revisit_record,
    target_uri,
    warc_date,
    warcinfo_record,
)

DATE = "2024-01-14T02:30:15.123456Z"
URL = "http://www.example.gov.cn/xxgk/t1.html?id=3"
ID = "<urn:uuid:00000000-0000-4000-8000-00000000000{}>"
REQUEST_BLOCK = (
    b"GET /xxgk/t1.html?id=3 HTTP/1.1\r\nHost: www.example.gov.cn\r\nAuthorization: [redacted]\r\n\r\n"
)
# chunked as sent; the payload digest is over the body without the framing (W-DIG-2)
RESPONSE_BLOCK = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=GBK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"4\r\n\xc4\xe3\xba\xc3\r\n0\r\n\r\n"
)
PAYLOAD = "你好".encode("gbk")


def lines(*parts: bytes) -> bytes:
    return b"\r\n".join(parts)


def test_warcinfo_record() -> None:
    info = [("software", "sourcekeeper/0.1.0"), ("operator", "某 NGO")]
    record = warcinfo_record(
        "sourcekeeper-20240114023015123-00000-host.warc.gz", DATE, info, record_id=ID.format(0)
    )
    assert record.to_bytes() == lines(
        b"WARC/1.1",
        b"WARC-Type: warcinfo",
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000000>",
        b"WARC-Date: 2024-01-14T02:30:15.123456Z",
        b"WARC-Filename: sourcekeeper-20240114023015123-00000-host.warc.gz",
        b"Content-Type: application/warc-fields",
        b"WARC-Block-Digest: sha1:ZYEKQVM43NTYNWZIGW6DF3GDQ2YARP74",
        b"Content-Length: 49",
        b"",
        b"software: sourcekeeper/0.1.0",
        "operator: 某 NGO".encode(),  # warc-fields values are UTF-8
        b"",
        b"",
        b"",
    )


def test_request_record() -> None:
    record = request_record(URL, DATE, REQUEST_BLOCK, "10.0.0.7", ID.format(2), record_id=ID.format(1))
    assert record.to_bytes() == lines(
        b"WARC/1.1",
        b"WARC-Type: request",
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>",
        b"WARC-Date: 2024-01-14T02:30:15.123456Z",
        b"WARC-Target-URI: http://www.example.gov.cn/xxgk/t1.html?id=3",
        b"WARC-IP-Address: 10.0.0.7",
        b"WARC-Concurrent-To: <urn:uuid:00000000-0000-4000-8000-000000000002>",
        b"Content-Type: application/http;msgtype=request",
        b"WARC-Block-Digest: sha1:WFHUTHDZBARO2HZIJU6QPWIFC6KV5E2Z",
        b"Content-Length: 88",
        b"",
        b"GET /xxgk/t1.html?id=3 HTTP/1.1",
        b"Host: www.example.gov.cn",
        b"Authorization: [redacted]",
        b"",
        b"",
        b"",
        b"",
    )


def test_response_record_keeps_the_chunked_block_and_digests_the_payload() -> None:
    record = response_record(URL, DATE, RESPONSE_BLOCK, PAYLOAD, "10.0.0.7", record_id=ID.format(2))
    assert record.to_bytes() == lines(
        b"WARC/1.1",
        b"WARC-Type: response",
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000002>",
        b"WARC-Date: 2024-01-14T02:30:15.123456Z",
        b"WARC-Target-URI: http://www.example.gov.cn/xxgk/t1.html?id=3",
        b"WARC-IP-Address: 10.0.0.7",
        b"Content-Type: application/http;msgtype=response",
        b"WARC-Block-Digest: sha1:R6QMELMG4DE3XVFFCQK5A43HSVBOOWFW",
        b"WARC-Payload-Digest: sha1:JPM2XKRT5IEDIOB6CX7PTLRXP53C7QB3",
        b"Content-Length: 100",
        b"",
        b"HTTP/1.1 200 OK",
        b"Content-Type: text/plain; charset=GBK",
        b"Transfer-Encoding: chunked",
        b"",
        b"4",
        b"\xc4\xe3\xba\xc3",
        b"0",
        b"",
        b"",
        b"",
        b"",
    )


def test_a_truncated_response_says_why() -> None:
    record = response_record(URL, DATE, RESPONSE_BLOCK, PAYLOAD, None, "length", record_id=ID.format(2))
    head = record.to_bytes().split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    # no server address known: no WARC-IP-Address; the truncation comes after the digests
    assert head[4:] == [
        b"WARC-Target-URI: http://www.example.gov.cn/xxgk/t1.html?id=3",
        b"Content-Type: application/http;msgtype=response",
        b"WARC-Block-Digest: sha1:R6QMELMG4DE3XVFFCQK5A43HSVBOOWFW",
        b"WARC-Payload-Digest: sha1:JPM2XKRT5IEDIOB6CX7PTLRXP53C7QB3",
        b"WARC-Truncated: length",
        b"Content-Length: 100",
    ]


def test_revisit_record_names_its_original() -> None:
    original = OriginalRef(ID.format(2), URL, DATE, "sha1:JPM2XKRT5IEDIOB6CX7PTLRXP53C7QB3")
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"
    record = revisit_record(
        "http://www.example.gov.cn/xxgk/t2.html",
        "2024-02-01T00:00:00.000000Z",
        head,
        original,
        "10.0.0.7",
        record_id=ID.format(3),
    )
    assert record.to_bytes() == lines(
        b"WARC/1.1",
        b"WARC-Type: revisit",
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000003>",
        b"WARC-Date: 2024-02-01T00:00:00.000000Z",
        b"WARC-Target-URI: http://www.example.gov.cn/xxgk/t2.html",
        b"WARC-IP-Address: 10.0.0.7",
        b"WARC-Profile: http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
        b"WARC-Refers-To: <urn:uuid:00000000-0000-4000-8000-000000000002>",
        b"WARC-Refers-To-Target-URI: http://www.example.gov.cn/xxgk/t1.html?id=3",
        b"WARC-Refers-To-Date: 2024-01-14T02:30:15.123456Z",
        b"Content-Type: application/http;msgtype=response",
        b"WARC-Block-Digest: sha1:LFULQNKXAUNFZYX4PLBDTN7DYLITGYIM",
        b"WARC-Payload-Digest: sha1:JPM2XKRT5IEDIOB6CX7PTLRXP53C7QB3",
        b"Content-Length: 38",
        b"",
        b"HTTP/1.1 200 OK",
        b"Content-Length: 4",
        b"",
        b"",
        b"",
        b"",
    )


def test_metadata_record_refers_to_its_capture() -> None:
    block = '{"title":"通知"}'.encode()
    record = derived_record(
        URL, DATE, ID.format(2), block, "application/json", "metadata", record_id=ID.format(4)
    )
    assert record.to_bytes() == lines(
        b"WARC/1.1",
        b"WARC-Type: metadata",
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000004>",
        b"WARC-Date: 2024-01-14T02:30:15.123456Z",
        b"WARC-Target-URI: http://www.example.gov.cn/xxgk/t1.html?id=3",
        b"WARC-Refers-To: <urn:uuid:00000000-0000-4000-8000-000000000002>",
        b"Content-Type: application/json",
        b"WARC-Block-Digest: sha1:WAPSHV66WSTU4MNDQG5A6JKYUQV25ELZ",
        b"Content-Length: 18",
        b"",
        '{"title":"通知"}'.encode(),
        b"",
        b"",
    )


def test_without_an_id_each_record_gets_a_new_uuid() -> None:
    first = request_record(URL, DATE, REQUEST_BLOCK, None, ID.format(2))
    second = request_record(URL, DATE, REQUEST_BLOCK, None, ID.format(2))
    assert first.record_id != second.record_id
    assert first.record_id.startswith("<urn:uuid:") and first.record_id.endswith(">")
    assert first.to_bytes().replace(first.record_id.encode(), b"") == second.to_bytes().replace(
        second.record_id.encode(), b""
    )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2024, 1, 14, 2, 30, 15, 123456, tzinfo=UTC), "2024-01-14T02:30:15.123456Z"),
        # Beijing time is written as UTC
        (
            datetime(2024, 1, 14, 10, 30, 15, tzinfo=timezone(timedelta(hours=8))),
            "2024-01-14T02:30:15.000000Z",
        ),
    ],
)
def test_warc_date(moment: datetime, expected: str) -> None:
    assert warc_date(moment) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.example.gov.cn/a?b=1&c=2#x", "http://www.example.gov.cn/a?b=1&c=2#x"),
        ("http://www.example.gov.cn/通知 1.html", "http://www.example.gov.cn/%E9%80%9A%E7%9F%A5%201.html"),
        # escapes already there are kept (never encoded twice); spaces around the URL go
        (" http://www.example.gov.cn/a%20b ", "http://www.example.gov.cn/a%20b"),
    ],
)
def test_target_uri(url: str, expected: str) -> None:
    assert target_uri(url) == expected


def _all_records() -> list[WarcRecord]:
    plain = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=GBK\r\nContent-Length: 4\r\n\r\n" + PAYLOAD
    return [
        warcinfo_record("x.warc.gz", DATE, [("software", "sourcekeeper")], record_id=ID.format(0)),
        request_record(URL, DATE, REQUEST_BLOCK, "10.0.0.7", ID.format(2), record_id=ID.format(1)),
        response_record(URL, DATE, plain, PAYLOAD, "10.0.0.7", record_id=ID.format(2)),
    ]


@pytest.mark.parametrize("level", [0, 3, 6])
def test_gzip_members_read_back_with_warcio_and_digests_check(level: int) -> None:
    records = _all_records()
    data = b"".join(gzip_member(r.to_bytes(), level) for r in records)
    assert gzip.decompress(data) == b"".join(r.to_bytes() for r in records)
    # one member per record (W-FILE-1): each inflates alone, with nothing left over
    offset = 0
    for record in records:
        inflater = zlib.decompressobj(31)
        assert inflater.decompress(data[offset:]) == record.to_bytes()
        offset = len(data) - len(inflater.unused_data)
    read = []
    for parsed in ArchiveIterator(io.BytesIO(data), check_digests=True):
        parsed.content_stream().read()
        read.append((parsed.rec_type, parsed.rec_headers.get_header("WARC-Record-ID")))
        assert parsed.digest_checker.problems == []
    assert read == [(r.record_type, r.record_id) for r in records]
