"""Small WARC files written byte by byte: one valid file, one tolerated edge-case file, and one
file per broken rule (BROKEN_CASES) that archive_store.validate.validator must flag.

Records are built by hand (headers, block, `zlib.compressobj(wbits=31)` per record) so every byte is
under control; warcio would fix some of the defects on the way out.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HOST = "crawler1.example.org"
GOOD_NAME = f"sk-20240501080000123-00000-{HOST}.warc.gz"
D1 = "2024-05-01T08:00:00.123Z"
D2 = "2024-05-01T08:00:01.456Z"
D3 = "2024-05-01T08:00:02.789Z"
D4 = "2024-06-01T08:00:00.000Z"
PAGE = "http://example.com/notice?id=7"
LIST = "http://example.com/list.html"
OLD = "http://example.com/old"
IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
HTTP_RESPONSE = "application/http;msgtype=response"
HTTP_REQUEST = "application/http;msgtype=request"
PAGE_BODY = "<html><head><title>通知</title></head><body><p>劝返 通知 正文</p></body></html>"
PAGE_HTML = PAGE_BODY.encode("gbk")
LIST_ITEMS = "".join(f"<li>列表 {i} {i * i * 7919 % 10007}</li>" for i in range(60))
LIST_HTML = f"<html><body><ul>{LIST_ITEMS}</ul></body></html>".encode()
LIST_GZIP = gzip.compress(LIST_HTML, mtime=0)


def sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def rid(name: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'sourcekeeper-test/' + name)}>"


def chunked(data: bytes, sizes: tuple[int, ...] = (100, 37)) -> bytes:
    """Chunked framing as a server sends it; the rest of data goes in the last chunk."""
    out, pos = b"", 0
    for size in (*sizes, len(data)):
        part = data[pos : pos + size]
        if part:
            out += f"{len(part):x}\r\n".encode() + part + b"\r\n"
        pos += len(part)
    return out + b"0\r\n\r\n"


@dataclass
class Rec:
    """One record; digests and Content-Length are filled in when written unless set by hand."""

    fields: list[tuple[str, str]]
    block: bytes
    payload: bytes | None = None  # what WARC-Payload-Digest covers; None = no payload digest
    version: str = "WARC/1.1"
    content_length: int | None = None  # set to lie about the block size
    block_digest: bool = True

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.fields if k.lower() == name.lower()), None)

    def set(self, name: str, value: str) -> None:
        self.drop(name)
        self.fields.append((name, value))

    def drop(self, name: str) -> None:
        self.fields = [(k, v) for k, v in self.fields if k.lower() != name.lower()]

    def to_bytes(self) -> bytes:
        fields = list(self.fields)
        names = {k.lower() for k, _ in fields}
        if self.payload is not None and "warc-payload-digest" not in names:
            fields.append(("WARC-Payload-Digest", sha1(self.payload)))
        if self.block_digest and "warc-block-digest" not in names:
            fields.append(("WARC-Block-Digest", sha1(self.block)))
        length = len(self.block) if self.content_length is None else self.content_length
        fields.append(("Content-Length", str(length)))
        head = "".join(f"{k}: {v}\r\n" for k, v in fields)
        return f"{self.version}\r\n{head}\r\n".encode() + self.block + b"\r\n\r\n"


Records = dict[str, Rec]  # key -> record, in file order


def member(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip wrapper around each record
    return compressor.compress(data) + compressor.flush()


def _fields(rtype: str, key: str, date: str, uri: str | None, **extra: str) -> list[tuple[str, str]]:
    fields = [("WARC-Type", rtype), ("WARC-Record-ID", rid(key)), ("WARC-Date", date)]
    if uri is not None:
        fields.append(("WARC-Target-URI", uri))
    fields += [(k.replace("_", "-"), v) for k, v in extra.items()]
    if rtype != "warcinfo":
        fields.append(("WARC-Warcinfo-ID", rid("warcinfo")))
    return fields


def _exchange(recs: Records, key: str, date: str, uri: str, *, line: str, block: bytes, **kw: str) -> None:
    """A response (payload digest over its Content-Length body) and its request."""
    body = block.partition(b"\r\n\r\n")[2]
    recs[key] = Rec(
        _fields(
            "response",
            key,
            date,
            uri,
            WARC_IP_Address="93.184.216.34",
            Content_Type=HTTP_RESPONSE,
            **kw,
        ),
        block,
        payload=body,
    )
    request = f"{line}\r\nHost: example.com\r\nUser-Agent: sourcekeeper/0.1.0\r\n\r\n"
    recs["req-" + key] = Rec(
        _fields(
            "request",
            "req-" + key,
            date,
            uri,
            WARC_IP_Address="93.184.216.34",
            Content_Type=HTTP_REQUEST,
            WARC_Concurrent_To=rid(key),
        ),
        request.encode(),
        payload=b"",
    )


def good_records(filename: str = GOOD_NAME, *, digest_chunked_payload: bool = False) -> Records:
    """warcinfo, 3 exchanges (GBK page, chunked gzip list, 301 hop), a revisit, derivatives."""
    recs: Records = {}
    info = (
        "software: sourcekeeper/0.1.0 (warcio/1.8.1)\r\nformat: WARC File Format 1.1\r\n"
        f"hostname: {HOST}\r\noperator: Test Operator <ops@example.org>\r\nrobots: obey\r\n"
        "http-header-user-agent: sourcekeeper/0.1.0\r\nsettings: DOWNLOAD_MAXSIZE=67108864\r\n"
        "redacted-headers: Cookie, Authorization\r\nnormalised-records: none\r\n"
    )
    recs["warcinfo"] = Rec(
        _fields(
            "warcinfo",
            "warcinfo",
            D1,
            None,
            WARC_Filename=filename,
            Content_Type="application/warc-fields",
        ),
        info.encode(),
    )
    page_head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=GBK\r\nSet-Cookie: a=1\r\n"
        b"Set-Cookie: b=2\r\nX-Title: " + "通知".encode("gbk") + b"\r\n"
        b"Content-Length: " + str(len(PAGE_HTML)).encode() + b"\r\n\r\n"
    )
    _exchange(recs, "page", D1, PAGE, line="GET /notice?id=7 HTTP/1.1", block=page_head + PAGE_HTML)
    list_head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    _exchange(recs, "list", D2, LIST, line="GET /list.html HTTP/1.1", block=list_head + chunked(LIST_GZIP))
    # warcio check hashes the chunked framing (warcio#74), so by default this record has no payload
    # digest; digest_chunked_payload=True writes the correct one (over the de-chunked body).
    recs["list"].payload = LIST_GZIP if digest_chunked_payload else None
    hop = f"HTTP/1.1 301 Moved Permanently\r\nLocation: {PAGE}\r\nContent-Length: 0\r\n\r\n"
    _exchange(recs, "hop", D3, OLD, line="GET /old HTTP/1.1", block=hop.encode())
    recs["revisit"] = Rec(
        _fields(
            "revisit",
            "revisit",
            D4,
            PAGE,
            WARC_Profile=IDENTICAL,
            WARC_Refers_To=rid("page"),
            WARC_Refers_To_Target_URI=PAGE,
            WARC_Refers_To_Date=D1,
            WARC_Payload_Digest=sha1(PAGE_HTML),
            WARC_IP_Address="93.184.216.34",
            Content_Type=HTTP_RESPONSE,
        ),
        page_head,
    )
    recs["req-revisit"] = Rec(
        _fields(
            "request",
            "req-revisit",
            D4,
            PAGE,
            WARC_IP_Address="93.184.216.34",
            Content_Type=HTTP_REQUEST,
            WARC_Concurrent_To=rid("revisit"),
        ),
        b"GET /notice?id=7 HTTP/1.1\r\nHost: example.com\r\n\r\n",
        payload=b"",
    )
    recs["conversion"] = Rec(
        _fields(
            "conversion",
            "conversion",
            D1,
            PAGE,
            WARC_Refers_To=rid("page"),
            Content_Type="text/plain; charset=utf-8",
        ),
        "通知\n劝返 通知 正文\n".encode(),
        payload="通知\n劝返 通知 正文\n".encode(),
    )
    recs["metadata"] = Rec(
        _fields(
            "metadata",
            "metadata",
            D1,
            PAGE,
            WARC_Refers_To=rid("page"),
            Content_Type="application/warc-fields",
        ),
        b"charset-declared: GBK\r\ncharset-used: gb18030\r\n",
    )
    return recs


def write_records(path: Path, recs: Records) -> Path:
    path.write_bytes(b"".join(member(rec.to_bytes()) for rec in recs.values()))
    return path


def write_good_warc(path: str | Path, *, digest_chunked_payload: bool = False) -> Path:
    """A valid file; its WARC-Filename is the name of path (without `.open`)."""
    path = Path(path)
    name = path.name.removesuffix(".open")
    return write_records(path, good_records(name, digest_chunked_payload=digest_chunked_payload))


# ---- defects -------------------------------------------------------------------------------------

Mutator = Callable[[Records], None]
Builder = Callable[[Path], Path]


def setf(key: str, name: str, value: str) -> Mutator:
    return lambda recs: recs[key].set(name, value)


def drop(key: str, *names: str) -> Mutator:
    def mutate(recs: Records) -> None:
        for name in names:
            recs[key].drop(name)

    return mutate


def edit(key: str, old: bytes, new: bytes) -> Mutator:
    """Replace bytes in a block; digests are recomputed unless set by hand."""

    def mutate(recs: Records) -> None:
        assert old in recs[key].block, (key, old)
        recs[key].block = recs[key].block.replace(old, new, 1)

    return mutate


def attr(key: str, **values: object) -> Mutator:
    def mutate(recs: Records) -> None:
        for name, value in values.items():
            setattr(recs[key], name, value)

    return mutate


def both(*mutators: Mutator) -> Mutator:
    def mutate(recs: Records) -> None:
        for mutator in mutators:
            mutator(recs)

    return mutate


def append(key: str, data: bytes) -> Mutator:
    def mutate(recs: Records) -> None:
        recs[key].block += data

    return mutate


def stale(key: str, old: bytes, new: bytes) -> Mutator:
    """Change stored bytes after the block digest was taken, as bit rot or a bad edit would."""

    def mutate(recs: Records) -> None:
        recs[key].set("WARC-Block-Digest", sha1(recs[key].block))
        edit(key, old, new)(recs)

    return mutate


def reorder(*keys: str) -> Mutator:
    """Keep only these keys, in this order, then the rest in their order."""

    def mutate(recs: Records) -> None:
        items = [(k, recs[k]) for k in keys] + [(k, r) for k, r in recs.items() if k not in keys]
        recs.clear()
        recs.update(items)

    return mutate


def remove(*keys: str) -> Mutator:
    def mutate(recs: Records) -> None:
        for key in keys:
            del recs[key]

    return mutate


def case(
    mutate: Mutator | None = None,
    *,
    name: str = GOOD_NAME,
    info_name: str | None = None,
    post: Callable[[bytes], bytes] | None = None,
    whole: bool = False,
) -> Builder:
    """A builder writing the good records, changed by mutate, into a directory."""

    def build(directory: Path) -> Path:
        recs = good_records(info_name or name.removesuffix(".open"))
        if mutate:
            mutate(recs)
        raw = [rec.to_bytes() for rec in recs.values()]
        data = member(b"".join(raw)) if whole else b"".join(member(r) for r in raw)
        path = directory / name
        path.write_bytes(post(data) if post else data)
        return path

    return build


def _flip_in_last_member(data: bytes) -> bytes:
    start = data.rfind(b"\x1f\x8b\x08")
    middle = start + (len(data) - start) // 2
    return data[:middle] + bytes([data[middle] ^ 0x55]) + data[middle + 1 :]


def _plain(data: bytes) -> bytes:
    """Undo the gzip members: an uncompressed WARC under a .warc.gz name."""
    out, rest = b"", data
    while rest:
        d = zlib.decompressobj(31)
        out += d.decompress(rest)
        rest = d.unused_data
    return out


def _empty_file(directory: Path) -> Path:
    path = directory / GOOD_NAME
    path.write_bytes(b"")
    return path


_CUT_LIST = chunked(LIST_GZIP)[:150]
_DECODED_LIST = chunked(LIST_HTML)
_OTHER_ID = "<urn:uuid:00000000-0000-4000-8000-000000000000>"

BROKEN_CASES: dict[str, tuple[Builder, str]] = {
    "chunked_header_on_dechunked_body": (
        case(edit("list", chunked(LIST_GZIP), LIST_GZIP)),
        "W-HTTP-1",
    ),
    "content_decoded_encoding_kept": (
        case(edit("list", chunked(LIST_GZIP), _DECODED_LIST)),
        "W-HTTP-2",
    ),
    "warc_content_length_wrong": (
        case(attr("page", content_length=len(PAGE_HTML) + 99)),
        "W-ALL-2",
    ),
    "warc_content_length_short": (case(attr("hop", content_length=40)), "W-ALL-2"),
    "http_content_length_wrong": (
        case(edit("page", b"Content-Length: %d" % len(PAGE_HTML), b"Content-Length: 9999")),
        "W-HTTP-3",
    ),
    "http2_status_line": (case(edit("page", b"HTTP/1.1 200 OK", b"HTTP/2 200")), "W-HTTP-4"),
    "status_line_without_code": (case(edit("hop", b"HTTP/1.1 301 ", b"HTTP/1.1 ")), "W-HTTP-4"),
    "revisit_without_refers_to_uri_date": (
        case(drop("revisit", "WARC-Refers-To-Target-URI", "WARC-Refers-To-Date")),
        "W-REV-3",
    ),
    "revisit_original_missing": (case(setf("revisit", "WARC-Refers-To", _OTHER_ID)), "W-REV-4"),
    "revisit_wrong_profile": (
        case(setf("revisit", "WARC-Profile", IDENTICAL.replace("1.1", "1.0"))),
        "W-REV-1",
    ),
    "revisit_digest_not_originals": (
        case(setf("revisit", "WARC-Payload-Digest", sha1(b"other"))),
        "W-REV-1",
    ),
    "revisit_with_body": (case(append("revisit", PAGE_HTML)), "W-REV-2"),
    "truncated_last_member": (case(post=lambda d: d[:-20]), "W-FILE-4"),
    "flipped_byte_in_member": (case(post=_flip_in_last_member), "gzip"),
    "trailing_garbage": (case(post=lambda d: d + b"not gzip at all\n" * 8), "gzip"),
    "whole_file_gzip": (case(whole=True), "W-FILE-1"),
    "plain_warc_named_gz": (case(post=_plain), "W-FILE-1"),
    "block_digest_mismatch": (case(setf("hop", "WARC-Block-Digest", sha1(b"x"))), "W-DIG-1"),
    "flipped_byte_stale_digest": (
        case(stale("page", b"a=1", b"a=3")),
        "W-DIG-1",
    ),
    "payload_digest_over_chunked_bytes": (
        case(attr("list", payload=chunked(LIST_GZIP))),
        "W-DIG-2",
    ),
    "warcinfo_not_first": (case(reorder("page", "warcinfo")), "W-REL-3"),
    "no_warcinfo": (case(remove("warcinfo")), "W-REL-3"),
    "missing_warcinfo_id": (case(drop("req-page", "WARC-Warcinfo-ID")), "W-REL-3"),
    "warcinfo_lacks_fields": (case(edit("warcinfo", b"robots: obey\r\n", b"")), "W-REL-3"),
    "response_without_request": (case(remove("req-hop")), "W-REL-1"),
    "dangling_concurrent_to": (
        case(lambda recs: recs["req-page"].fields.append(("WARC-Concurrent-To", _OTHER_ID))),
        "W-REL-2",
    ),
    "dangling_refers_to": (case(setf("metadata", "WARC-Refers-To", _OTHER_ID)), "W-REL-2"),
    "target_uri_in_angle_brackets": (
        case(
            both(
                setf("hop", "WARC-Target-URI", f"<{OLD}>"),
                setf("req-hop", "WARC-Target-URI", f"<{OLD}>"),
            )
        ),
        "W-ALL-5",
    ),
    "target_uri_with_space": (
        case(
            both(
                setf("hop", "WARC-Target-URI", OLD + " page"),
                setf("req-hop", "WARC-Target-URI", OLD + " page"),
            )
        ),
        "W-ALL-5",
    ),
    "date_not_utc": (
        case(
            both(
                setf("hop", "WARC-Date", "2024-05-01T16:00:02+08:00"),
                setf("req-hop", "WARC-Date", "2024-05-01T16:00:02+08:00"),
            )
        ),
        "W-ALL-3",
    ),
    "date_malformed": (
        case(
            both(
                setf("hop", "WARC-Date", "2024-05-01 08:00:02"),
                setf("req-hop", "WARC-Date", "2024-05-01 08:00:02"),
            )
        ),
        "W-ALL-3",
    ),
    "request_response_dates_differ": (
        case(setf("req-hop", "WARC-Date", "2024-05-01T08:00:03Z")),
        "W-ALL-3",
    ),
    "missing_content_type": (case(drop("conversion", "Content-Type")), "W-ALL-4"),
    "response_content_type_wrong": (case(setf("page", "Content-Type", "text/html")), "W-ALL-4"),
    "warc_1_0_version": (case(attr("warcinfo", version="WARC/1.0")), "W-ALL-1"),
    "duplicate_record_id": (case(setf("req-hop", "WARC-Record-ID", rid("req-page"))), "W-ALL-1"),
    "record_id_not_urn_uuid": (
        case(setf("metadata", "WARC-Record-ID", "<http://example.com/r/1>")),
        "W-ALL-1",
    ),
    "repeated_target_uri": (
        case(lambda recs: recs["metadata"].fields.append(("WARC-Target-URI", PAGE))),
        "W-ALL-1",
    ),
    "request_line_without_query": (
        case(edit("req-page", b"GET /notice?id=7 ", b"GET /notice ")),
        "W-HTTP-7",
    ),
    "payload_digest_on_warcinfo": (case(attr("warcinfo", payload=b"")), "W-DIG-3"),
    "payload_digest_on_metadata": (case(attr("metadata", payload=b"")), "W-DIG-3"),
    "lower_case_base32_digest": (
        case(setf("hop", "WARC-Payload-Digest", "sha1:" + sha1(b"")[5:].lower())),
        "W-DIG-3",
    ),
    "sha1_digest_in_hex": (
        case(setf("hop", "WARC-Payload-Digest", "sha1:" + hashlib.sha1(b"").hexdigest())),
        "W-DIG-3",
    ),
    "missing_ip_address": (case(drop("page", "WARC-IP-Address")), "W-IP"),
    "invalid_truncated_value": (case(setf("page", "WARC-Truncated", "too-big")), "W-TRUNC"),
    "chunked_body_cut_unmarked": (case(edit("list", chunked(LIST_GZIP), _CUT_LIST)), "W-TRUNC"),
    "bad_file_name": (case(name=f"sourcekeeper-20240501-1-{HOST}.warc.gz"), "W-FILE-2"),
    "warcinfo_filename_differs": (case(info_name=GOOD_NAME.replace("00000", "00001")), "W-FILE-2"),
    "open_file": (case(name=GOOD_NAME + ".open"), "W-FILE-3"),
    "empty_file": (_empty_file, "W-REL-3"),
}


# ---- edge cases the validator must accept --------------------------------------------------------


def _edge(recs: Records, key: str, uri: str, block: bytes, payload: bytes | None, **kw: str) -> None:
    line = "GET /" + uri.split("/", 3)[3] + " HTTP/1.1"
    _exchange(recs, key, kw.pop("date", D1), uri, line=line, block=block, **kw)
    recs[key].payload = payload


def edge_records(filename: str = GOOD_NAME) -> Records:
    """Legal but awkward records: truncation, HEAD, odd status lines, sha256, raw header bytes."""
    recs = {"warcinfo": good_records(filename)["warcinfo"]}
    framed = b"64;ext=1\r\n" + LIST_GZIP[:100] + b"\r\n" + f"{len(LIST_GZIP) - 100:X}".encode()
    framed += b"\r\n" + LIST_GZIP[100:] + b"\r\n0\r\nX-Trailer: 1\r\n\r\n"
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTRANSFER-ENCODING: Chunked\r\n\r\n"
    _edge(recs, "chunkdig", "http://example.com/a", head + framed, LIST_GZIP)
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + PAGE_HTML
    _edge(recs, "trunc", "http://example.com/b", cut, PAGE_HTML, WARC_Truncated="length")
    cut_chunked = head + chunked(LIST_GZIP)[:130]  # 4 + 100 + 2 + 4 framing bytes, then 20 more
    partial = LIST_GZIP[:120]
    _edge(
        recs,
        "trunc-chunked",
        "http://example.com/c",
        cut_chunked,
        partial,
        WARC_Truncated="disconnect",
    )
    _edge(
        recs,
        "head",
        "http://example.com/d",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
        b"",
    )
    recs["req-head"].block = recs["req-head"].block.replace(b"GET ", b"HEAD ", 1)
    _edge(
        recs,
        "noreason",
        "http://example.com/e",
        b"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok",
        b"ok",
    )
    gbk_reason = b"HTTP/1.0 404 " + "未找到".encode("gbk") + b"\r\ncontent-length: 0\r\n\r\n"
    _edge(recs, "gbkreason", "http://example.com/f", gbk_reason, b"")
    _edge(recs, "close", "http://example.com/g", b"HTTP/1.0 200 OK\r\n\r\nuntil close", b"until close")
    folded = b"HTTP/1.1 200 OK\r\nX-Name: \xe9\x80\x9a\xe7\x9f\xa5\r\nX-Long: a\r\n  b\r\n\r\n"
    _edge(recs, "folded", "http://example.com/h", folded, b"", WARC_Protocol="h2")
    deflated = zlib.compress(PAGE_HTML)
    deflate = b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n" + deflated
    _edge(
        recs,
        "deflate",
        "http://example.com/i",
        deflate,
        deflated,
        date="2024-05-01T08:00:00.123456789Z",
    )
    nobody = b"HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n"
    _edge(recs, "nocontent", "http://example.com/j", nobody, b"", date="2024-05-01T08:00:00Z")
    iri = "http://example.com/%E9%80%9A%E7%9F%A5?q=%E5%8A%9D&x=1"
    _edge(recs, "iri", iri, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", b"ok")
    _edge(recs, "escaped", "http://example.com/a%7Cb?x=%7C", b"HTTP/1.1 200 OK\r\n\r\n", b"")
    recs["req-escaped"].block = recs["req-escaped"].block.replace(b"/a%7Cb", b"/a|b", 1)
    recs["req-escaped"].set("WARC-Date", D1.replace(".123Z", ".12300Z"))  # the same instant
    sha = recs["iri"]
    sha.set("WARC-Payload-Digest", "sha256:" + hashlib.sha256(b"ok").hexdigest())
    sha.set(
        "WARC-Block-Digest",
        "sha256:" + base64.b32encode(hashlib.sha256(sha.block).digest()).decode(),
    )
    post = b"POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Length: 8\r\n\r\nq=%E5%8A"
    _edge(
        recs,
        "form",
        "http://example.com/form",
        b"HTTP/1.1 303 See Other\r\nLocation: /\r\n\r\n",
        b"",
    )
    recs["req-form"].block = post
    recs["req-form"].payload = b"q=%E5%8A"
    recs["not-modified"] = Rec(
        _fields(
            "revisit",
            "not-modified",
            D4,
            "http://example.com/b",
            WARC_Profile="http://netpreserve.org/warc/1.1/revisit/server-not-modified",
            WARC_Refers_To=rid("trunc"),
            WARC_Refers_To_Target_URI="http://example.com/b",
            WARC_Refers_To_Date=D1,
        ),
        b"",
    )
    return recs


def write_edge_warc(path: str | Path) -> Path:
    """A valid file full of cases a strict validator might wrongly flag."""
    path = Path(path)
    return write_records(path, edge_records(path.name.removesuffix(".open")))
