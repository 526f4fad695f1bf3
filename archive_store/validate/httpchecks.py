"""Checks of the HTTP message in request/response/revisit records: W-HTTP-*, W-DIG-2, W-REV-*."""

from __future__ import annotations

import re
import zlib
from urllib.parse import unquote_to_bytes

from archive_store.validate.warcdigest import digest_matches
from archive_store.validate.warcparse import (
    HttpMessage,
    WarcRecord,
    dechunk,
    parse_http,
    uri_problem,
    valid_date,
)

Finding = tuple[str, str]

PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
_STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})(?: .*)?", re.DOTALL)  # any reason bytes, or none
_REQUEST_LINE = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP/1\.[01]")
_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")
_NEWER_HTTP = re.compile(rb"HTTP/[23]")


def is_http_record(record: WarcRecord) -> bool:
    """Request/response/revisit records of http(s) URIs hold HTTP messages."""
    target = (record.get("WARC-Target-URI") or "").strip("<> \t").lower()
    content_type = (record.get("Content-Type") or "").lower()
    http = content_type.startswith("application/http") or target.startswith(("http:", "https:"))
    return record.get("WARC-Type") in ("request", "response", "revisit") and http


def check_http_block(record: WarcRecord, request_method: bytes | None) -> list[Finding]:
    rtype = record.get("WARC-Type") or ""
    found = _check_content_type(record, rtype)
    if rtype == "revisit":
        return found + _check_revisit(record)
    truncated = record.get("WARC-Truncated") is not None
    message = parse_http(record.block)
    if message is None:
        if truncated:  # cut inside the headers: nothing more can be checked
            return found
        rule = "W-HTTP-7" if rtype == "request" else "W-HTTP-4"
        return [*found, (rule, "block has no end of HTTP headers (blank line)")]
    no_body = False
    if rtype == "request":
        found += _check_request_line(message.start_line, record.get("WARC-Target-URI") or "")
    else:
        status, problems = _check_status_line(message.start_line)
        found += problems
        # No body belongs to these answers even when Content-Length names the representation's size.
        no_body = request_method == b"HEAD" or (status is not None and _bodiless(status))
    payload, problems = _entity_body(message, truncated, no_body)
    found += problems
    if payload is not None:
        found += _check_content_encoding(message, payload)
        found += _check_payload_digest(record, message, payload)
    return found


def _bodiless(status: int) -> bool:
    return status // 100 == 1 or status in (204, 304)


def _check_content_type(record: WarcRecord, rtype: str) -> list[Finding]:
    content_type = (record.get("Content-Type") or "").replace(" ", "").lower()
    wanted = "application/http;msgtype=" + ("request" if rtype == "request" else "response")
    if record.block and content_type and not content_type.startswith(wanted):
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


def _entity_body(message: HttpMessage, truncated: bool, no_body: bool) -> tuple[bytes | None, list[Finding]]:
    """The payload (entity body without chunked framing) and framing findings."""
    body = message.body
    if b"chunked" in message.codings(b"transfer-encoding"):
        if no_body and not body:
            return body, []
        payload, state = dechunk(body)
        if state in ("not-chunked", "broken"):
            what = (
                "is not chunked (stored de-chunked?)"
                if state == "not-chunked"
                else "has broken chunk framing"
            )
            fix = "store the body as sent, or drop the Transfer-Encoding header"
            return None, [("W-HTTP-1", f"headers say Transfer-Encoding: chunked but the body {what}; {fix}")]
        if state == "trailing":
            return payload, [("W-HTTP-1", "bytes follow the last chunk of the chunked body")]
        if state == "incomplete" and not truncated:
            return payload, [
                (
                    "W-TRUNC",
                    "chunked body ends before its last chunk; mark the record WARC-Truncated "
                    "or store it whole",
                )
            ]
        return payload, []
    lengths = {value.strip() for value in message.get_all(b"content-length")}
    if not lengths:
        return body, []
    declared = next(iter(lengths))
    if len(lengths) > 1 or not declared.isdigit():
        return body, [("W-HTTP-3", f"HTTP Content-Length headers {sorted(lengths)!r} are not one number")]
    size = int(declared)
    if no_body or size == len(body) or (truncated and size > len(body)):
        return body, []
    fix = "mark the record WARC-Truncated" if size > len(body) else "store exactly the body sent"
    return body, [
        (
            "W-HTTP-3",
            f"HTTP Content-Length is {size} but the stored body is {len(body)} bytes; {fix}",
        )
    ]


def _check_content_encoding(message: HttpMessage, payload: bytes) -> list[Finding]:
    codings = message.codings(b"content-encoding")
    if not codings or not payload:
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
    try:
        zlib.decompressobj(wbits).decompress(data)
    except zlib.error:
        return False
    return True


def _check_payload_digest(record: WarcRecord, message: HttpMessage, payload: bytes) -> list[Finding]:
    value = record.get("WARC-Payload-Digest")
    if not value or digest_matches(value, payload) is not False:
        return []
    if payload != message.body and digest_matches(value, message.body):
        hint = "; it was computed over the chunked framing: remove the framing first"
    elif digest_matches(value, record.block):
        hint = "; it was computed over the whole block: use the entity body"
    else:
        hint = ""
    return [
        (
            "W-DIG-2",
            f"WARC-Payload-Digest {value} does not match the {len(payload)}-byte entity body{hint}",
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
    if record.block:
        message = parse_http(record.block)
        if message is None or message.body:
            found.append(("W-REV-2", "revisit block holds more than HTTP headers; store headers only"))
        else:
            found += _check_status_line(message.start_line)[1]
    return found
