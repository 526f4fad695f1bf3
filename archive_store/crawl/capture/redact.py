"""Replace secret request-header values before the request record is written (warcinfo says so)."""

from __future__ import annotations

from collections.abc import Sequence

from archive_store.warc.httpmessage import split_head

REDACTED = b"[redacted]"


def redact_request(raw: bytes, names: Sequence[bytes]) -> bytes:
    if not names:
        return raw
    parts = split_head(raw)
    if parts is None:
        return raw
    head, body = parts
    wanted = {n.lower() for n in names}
    lines = head.split(b"\r\n")
    for i, line in enumerate(lines[1:], start=1):
        name, sep, _ = line.partition(b":")
        if sep and name.strip().lower() in wanted:
            lines[i] = name + b": " + REDACTED
    return b"\r\n".join(lines) + body
