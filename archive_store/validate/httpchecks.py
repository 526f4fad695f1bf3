"""Checks of the HTTP message in request/response/revisit records: W-HTTP-*, W-DIG-2, W-REV-*."""

from __future__ import annotations

import re
import zlib
from urllib.parse import unquote_to_bytes

from archive_store.validate.blockscan import HEAD_LIMIT, BlockScan
from archive_store.validate.warcparse import WarcRecord, uri_problem, valid_date

Finding = tuple[str, str]

PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
_STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})(?: .*)?", re.DOTALL)  # any reason bytes, or none
_REQUEST_LINE = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP/1\.[01]")
_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")
_NEWER_HTTP = re.compile(rb"HTTP/[23]")


def is_http_record(record: WarcRecord) -> bool:
    """Request/response/revisit records of http(s) URIs hold HTTP messages."""
    return record.holds_http()


def check_http_block(record: WarcRecord, request_method: bytes | None) -> list[Finding]:
    rtype = record.get("WARC-Type") or ""
    found = _check_content_type(record, rtype)
    if rtype == "revisit":
        return found + _check_revisit(record)
    truncated = record.get("WARC-Truncated") is not None
    scan = record.scan
    if scan is None or scan.head is None:
        if truncated:  # cut inside the headers: nothing more can be checked
            return found
        rule = "W-HTTP-7" if rtype == "request" else "W-HTTP-4"
        if scan is not None and scan.head_too_long:
            why = f"HTTP headers run past {HEAD_LIMIT} bytes without their end (blank line)"
            return [*found, (rule, why)]
        return [*found, (rule, "block has no end of HTTP headers (blank line)")]
    no_body = False
    if rtype == "request":
        found += _check_request_line(scan.head.start_line, record.get("WARC-Target-URI") or "")
    else:
        status, problems = _check_status_line(scan.head.start_line)
        found += problems
        # No body belongs to these answers even when Content-Length names the representation's size.
        no_body = request_method == b"HEAD" or (status is not None and _bodiless(status))
    has_payload, problems = _entity_body(scan, truncated, no_body)
    found += problems
    if has_payload:
        found += _check_content_encoding(scan)
        found += _check_payload_digest(record, scan)
    return found


def _bodiless(status: int) -> bool:
    return status // 100 == 1 or status in (204, 304)


def _check_content_type(record: WarcRecord, rtype: str) -> list[Finding]:
    content_type = (record.get("Content-Type") or "").replace(" ", "").lower()
    wanted = "application/http;msgtype=" + ("request" if rtype == "request" else "response")
    if record.block_length and content_type and not content_type.startswith(wanted):
        return [("W-ALL-4", f"Content-Type {content_type!r} should be {wanted!r}")]
    return []


def _check_status_line(line: bytes) -> tuple[int | None, list[Finding]]:
    match = _STATUS_LINE.fullmatch(line)
    if match:
        return int(match.group(1)), []
    if _NEWER_HTTP.match(line):
        why = "HTTP/2 and HTTP/3 must be written as HTTP/1.1 with a WARC-Protocol field"
        return None, [("W-HTTP-4", f"status line {line[:80]!r}: {why}")]
    return None, [("W-HTTP-4", f"status line {line[:80]!r} is not `HTTP/1.x NNN reason`")]


def _check_request_line(line: bytes, target_uri: str) -> list[Finding]:
    match = _REQUEST_LINE.fullmatch(line)
    if match is None:
        if _NEWER_HTTP.search(line):
            return [("W-HTTP-4", f"request line {line[:80]!r} is not HTTP/1.0 or HTTP/1.1")]
        return [("W-HTTP-7", f"request line {line[:80]!r} is not `METHOD target HTTP/1.x`")]
    sent = match.group(2)
    if uri_problem(target_uri):  # already W-ALL-5; comparing with a malformed URI is noise
        return []
    without_fragment = target_uri.split("#", 1)[0]
    authority = _AUTHORITY.match(without_fragment)
    origin = without_fragment[authority.end() :] if authority else without_fragment
    origin = origin if origin.startswith("/") else "/" + origin
    expected = origin.encode("utf-8")
    # Compare decoded, so `%7C` and `|` agree: the rule is about the path and query, not escaping.
    forms = {unquote_to_bytes(expected), unquote_to_bytes(without_fragment)}  # origin or absolute
    if unquote_to_bytes(sent) in forms:
        return []
    if b"?" in expected and b"?" not in sent:
        return [("W-HTTP-7", f"request line {sent!r} drops the query string of {target_uri!r}")]
    return [("W-HTTP-7", f"request line target {sent!r} is not {expected!r} from the Target-URI")]


def _entity_body(scan: BlockScan, truncated: bool, no_body: bool) -> tuple[bool, list[Finding]]:
    """Whether the payload (entity body without chunked framing) is known, and framing findings."""
    assert scan.head is not None
    if scan.chunked:
        if no_body and not scan.body_length:
            return True, []
        state = scan.chunk_state
        if state in ("not-chunked", "broken"):
            what = (
                "is not chunked (stored de-chunked?)"
                if state == "not-chunked"
                else "has broken chunk framing"
            )
            fix = "store the body as sent, or drop the Transfer-Encoding header"
            return False, [("W-HTTP-1", f"headers say Transfer-Encoding: chunked but the body {what}; {fix}")]
        if state == "trailing":
            return True, [("W-HTTP-1", "bytes follow the last chunk of the chunked body")]
        if state == "incomplete" and not truncated:
            return True, [
                (
                    "W-TRUNC",
                    "chunked body ends before its last chunk; mark the record WARC-Truncated "
                    "or store it whole",
                )
            ]
        return True, []
    lengths = {value.strip() for value in scan.head.get_all(b"content-length")}
    if not lengths:
        return True, []
    declared = next(iter(lengths))
    if len(lengths) > 1 or not declared.isdigit():
        return True, [("W-HTTP-3", f"HTTP Content-Length headers {sorted(lengths)!r} are not one number")]
    size = int(declared)
    stored = scan.body_length
    if no_body or size == stored or (truncated and size > stored):
        return True, []
    fix = "mark the record WARC-Truncated" if size > stored else "store exactly the body sent"
    return True, [
        (
            "W-HTTP-3",
            f"HTTP Content-Length is {size} but the stored body is {stored} bytes; {fix}",
        )
    ]


def _check_content_encoding(scan: BlockScan) -> list[Finding]:
    assert scan.head is not None
    codings = scan.head.codings(b"content-encoding")
    payload = scan.payload_prefix  # the first bytes tell coded data from decoded
    if not codings or not scan.payload_length:
        return []
    last = codings[-1]  # the coding applied last is the one the stored bytes must start with
    if last in (b"gzip", b"x-gzip") and not payload.startswith(b"\x1f\x8b"):
        decoded = True
    elif last == b"deflate":
        decoded = not any(_inflates(payload[:4096], wbits) for wbits in (15, -15))
    else:
        return []
    if decoded:
        name = last.decode("ascii", "replace")
        return [
            (
                "W-HTTP-2",
                f"Content-Encoding: {name} but the body is not {name} data (stored decoded?)",
            )
        ]
    return []


def _inflates(data: bytes, wbits: int) -> bool:
    """Whether data starts a zlib/raw deflate stream; its output is made and dropped in bounded
    pieces (a few KB of input may inflate to megabytes)."""
    inflater = zlib.decompressobj(wbits)
    try:
        inflater.decompress(data, 1 << 16)
        while inflater.unconsumed_tail and not inflater.eof:
            inflater.decompress(inflater.unconsumed_tail, 1 << 16)
    except zlib.error:
        return False
    return True


def _check_payload_digest(record: WarcRecord, scan: BlockScan) -> list[Finding]:
    value = record.get("WARC-Payload-Digest")
    if not value or scan.payload.matches(value) is not False:
        return []
    # the payload differs from the stored body only when chunked framing was removed from it
    if scan.chunked and scan.body_length and scan.body.matches(value):
        hint = "; it was computed over the chunked framing: remove the framing first"
    elif scan.block.matches(value):
        hint = "; it was computed over the whole block: use the entity body"
    else:
        hint = ""
    return [
        (
            "W-DIG-2",
            f"WARC-Payload-Digest {value} does not match the {scan.payload_length}-byte entity body{hint}",
        )
    ]


def _check_revisit(record: WarcRecord) -> list[Finding]:
    found: list[Finding] = []
    profile = record.get("WARC-Profile")
    if profile not in (PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED):
        found.append(("W-REV-1", f"revisit WARC-Profile {profile!r} is not a WARC 1.1 revisit profile"))
    if profile == PROFILE_IDENTICAL and not record.get("WARC-Payload-Digest"):
        found.append(("W-REV-1", "identical-payload-digest revisit has no WARC-Payload-Digest"))
    fields = ("WARC-Refers-To", "WARC-Refers-To-Target-URI", "WARC-Refers-To-Date")
    missing = [name for name in fields if not record.get(name)]
    if missing:
        found.append(("W-REV-3", f"revisit lacks {', '.join(missing)}; pywb cannot find its original"))
    refers_date = record.get("WARC-Refers-To-Date")
    if refers_date and not valid_date(refers_date):
        found.append(("W-REV-3", f"WARC-Refers-To-Date {refers_date!r} is not a UTC timestamp"))
    refers_uri = record.get("WARC-Refers-To-Target-URI")
    if refers_uri and (problem := uri_problem(refers_uri)):
        found.append(("W-ALL-5", f"WARC-Refers-To-Target-URI: {problem}"))
    scan = record.scan
    if scan is not None and scan.length:
        if scan.head is None or scan.body_length:
            found.append(("W-REV-2", "revisit block holds more than HTTP headers; store headers only"))
        else:
            found += _check_status_line(scan.head.start_line)[1]
    return found
