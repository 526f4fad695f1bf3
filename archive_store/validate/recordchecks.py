"""Rules that one WARC record can be checked against on its own (see docs/capture-rules.md)."""

from __future__ import annotations

import ipaddress
import re

from archive_store.validate.httpchecks import check_http_block, is_http_record
from archive_store.validate.warcdigest import parse_digest
from archive_store.validate.warcparse import WarcRecord, uri_problem, valid_date

Finding = tuple[str, str]  # (rule id, what is wrong and what to do)

WARC_VERSION = "WARC/1.1"
# Fields the warcinfo block must name (W-REL-3); names from the WARC 1.1 annex and IIPC guidelines.
WARCINFO_FIELDS = ("software", "hostname", "operator", "robots", "http-header-user-agent")
TRUNCATION_REASONS = ("length", "time", "disconnect", "unspecified")
_MANDATORY = ("WARC-Record-ID", "WARC-Date", "WARC-Type", "Content-Length")
_REPEATABLE = {"warc-concurrent-to"}  # the only field WARC 1.1 lets a record repeat
_NEEDS_TARGET = {"response", "resource", "request", "revisit", "conversion", "continuation"}
_NO_PAYLOAD_DIGEST = {"warcinfo", "metadata"}
_UUID_ID = re.compile(r"<urn:uuid:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}>", re.IGNORECASE)
_BRACKETED = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:[^<>\s]+>")


def check_record(record: WarcRecord, request_method: bytes | None = None) -> list[Finding]:
    """All single-record findings; request_method is the paired request's method, if known."""
    found = list(record.problems)
    if not record.version:
        return found
    found += _check_header(record)
    found += _check_digest_fields(record)
    rtype = record.get("WARC-Type") or ""
    if record.block_unknown:
        return found
    if rtype == "warcinfo":
        found += _check_warcinfo(record)
    elif is_http_record(record):
        found += check_http_block(record, request_method)
    else:
        found += _check_plain_block(record, rtype)
    return found


def _check_header(record: WarcRecord) -> list[Finding]:
    found: list[Finding] = []
    if record.version != WARC_VERSION:
        found.append(("W-ALL-1", f"first line is {record.version!r}; our files are {WARC_VERSION}"))
    names = [name.lower() for name, _ in record.fields]
    for name in _MANDATORY:
        count = names.count(name.lower())
        if count != 1:
            found.append(("W-ALL-1", f"has {count} {name} fields; exactly one is required"))
    mandatory = {name.lower() for name in _MANDATORY}  # already reported above
    for name in sorted({n for n in names if names.count(n) > 1} - _REPEATABLE - mandatory):
        found.append(("W-ALL-1", f"repeats the {name} field; WARC allows it once"))
    record_id = record.get("WARC-Record-ID")
    if record_id is not None and not _UUID_ID.fullmatch(record_id):
        found.append(("W-ALL-1", f"WARC-Record-ID {record_id!r} is not <urn:uuid:...>"))
    date = record.get("WARC-Date")
    if date is not None and not valid_date(date):
        found.append(("W-ALL-3", f"WARC-Date {date!r} is not UTC YYYY-MM-DDThh:mm:ss[.fff]Z"))
    rtype = record.get("WARC-Type") or ""
    if record.block_length and not record.get("Content-Type"):
        found.append(("W-ALL-4", "non-empty block has no Content-Type"))
    target = record.get("WARC-Target-URI")
    if target is None and rtype in _NEEDS_TARGET:
        found.append(("W-ALL-5", "has no WARC-Target-URI"))
    elif target is not None and rtype == "warcinfo":
        found.append(("W-ALL-5", "a warcinfo record must not have a WARC-Target-URI"))
    elif target is not None and (problem := uri_problem(target)):
        found.append(("W-ALL-5", f"WARC-Target-URI: {problem}"))
    found += _check_links(record, rtype)
    if rtype in ("request", "response") and target and target.lower().startswith("http"):
        found += _check_ip(record.get("WARC-IP-Address"))
    truncated = record.get("WARC-Truncated")
    if truncated is not None and truncated not in TRUNCATION_REASONS:
        found.append(
            (
                "W-TRUNC",
                f"WARC-Truncated {truncated!r} is not one of {', '.join(TRUNCATION_REASONS)}",
            )
        )
    return found


def _check_links(record: WarcRecord, rtype: str) -> list[Finding]:
    found: list[Finding] = []
    for name in ("WARC-Concurrent-To", "WARC-Refers-To"):
        for value in record.get_all(name):
            if not _BRACKETED.fullmatch(value):
                found.append(("W-REL-2", f"{name} {value!r} is not a <uri> record id"))
    warcinfo_id = record.get("WARC-Warcinfo-ID")
    if rtype != "warcinfo" and warcinfo_id is None:
        found.append(("W-REL-3", "has no WARC-Warcinfo-ID"))
    elif warcinfo_id is not None and not _BRACKETED.fullmatch(warcinfo_id):
        found.append(("W-REL-3", f"WARC-Warcinfo-ID {warcinfo_id!r} is not a <uri> record id"))
    return found


def _check_ip(value: str | None) -> list[Finding]:
    if value is None:
        return [("W-IP", "has no WARC-IP-Address (the server address it talked to)")]
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return [("W-IP", f"WARC-IP-Address {value!r} is not an IPv4/IPv6 address")]
    return []


def _check_digest_fields(record: WarcRecord) -> list[Finding]:
    found: list[Finding] = []
    rtype = record.get("WARC-Type") or ""
    for name in ("WARC-Block-Digest", "WARC-Payload-Digest"):
        value = record.get(name)
        if value is None:
            continue
        problem = parse_digest(value).problem
        if problem:
            found.append(("W-DIG-3", f"{name}: {problem}"))
        if name == "WARC-Payload-Digest" and rtype in _NO_PAYLOAD_DIGEST:
            found.append(("W-DIG-3", f"carries a WARC-Payload-Digest; {rtype} records must not"))
    block_digest = record.get("WARC-Block-Digest")
    if (
        block_digest
        and record.scan is not None
        and not record.block_unknown
        and record.scan.block.matches(block_digest) is False
    ):
        found.append(("W-DIG-1", f"WARC-Block-Digest {block_digest} does not match the stored block"))
    return found


def _check_warcinfo(record: WarcRecord) -> list[Finding]:
    found: list[Finding] = []
    content_type = (record.get("Content-Type") or "").split(";")[0].strip().lower()
    if record.block_length and content_type != "application/warc-fields":
        found.append(("W-ALL-4", f"warcinfo Content-Type is {content_type!r}, not warc-fields"))
    info = warcinfo_fields(record.scan.prefix if record.scan is not None else b"")
    missing = [name for name in WARCINFO_FIELDS if not info.get(name)]
    if missing:
        found.append(("W-REL-3", f"warcinfo block lacks {', '.join(missing)}"))
    software = info.get("software", "")
    if software and not re.search(r"\d", software):
        found.append(("W-REL-3", f"warcinfo software {software!r} has no version"))
    return found


def warcinfo_fields(block: bytes) -> dict[str, str]:
    """The `name: value` lines of an application/warc-fields block, names lower-cased."""
    fields: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            fields.setdefault(name.strip().lower(), value.strip())
    return fields


def _check_plain_block(record: WarcRecord, rtype: str) -> list[Finding]:
    """resource/metadata/conversion: the payload is the whole block."""
    payload_digest = record.get("WARC-Payload-Digest")
    if rtype in _NO_PAYLOAD_DIGEST or not payload_digest:
        return []
    if record.scan is not None and record.scan.block.matches(payload_digest) is False:
        return [("W-DIG-2", f"WARC-Payload-Digest {payload_digest} does not match the block")]
    return []
