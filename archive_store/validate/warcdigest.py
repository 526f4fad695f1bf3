"""Parse and verify WARC digest values (`sha1:` base32, `sha256:` base32 or hex)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

_SIZES = {"sha1": 20, "sha256": 32}
_LABELS = {"sha1": "sha1", "sha-1": "sha1", "sha256": "sha256", "sha-256": "sha256"}
_BASE32 = re.compile(r"[A-Za-z2-7]+")
_HEX = re.compile(r"[0-9A-Fa-f]+")


@dataclass(frozen=True)
class ParsedDigest:
    algorithm: str | None  # hashlib name; None when we cannot verify it
    raw: bytes | None  # the decoded digest; None when the value does not decode
    problem: str | None  # why the written form breaks W-DIG-3, if it does


def parse_digest(value: str) -> ParsedDigest:
    label, sep, encoded = value.strip().partition(":")
    algorithm = _LABELS.get(label.lower())
    if not sep or algorithm is None:
        return ParsedDigest(None, None, f"digest {value!r} is not `sha1:` or `sha256:` + value")
    problem = None
    if label != algorithm:
        problem = f"digest label {label!r} should be written `{algorithm}:`"
    size = _SIZES[algorithm]
    if len(encoded) == 2 * size and _HEX.fullmatch(encoded):
        if algorithm == "sha1":
            problem = "sha1 digest is hex; write it in upper-case base32 as warcio does"
        return ParsedDigest(algorithm, binascii.unhexlify(encoded), problem)
    unpadded = encoded.rstrip("=")
    if len(unpadded) == -(-size * 8 // 5) and _BASE32.fullmatch(unpadded):
        if unpadded != unpadded.upper():
            problem = f"{algorithm} digest is lower-case base32; RFC 4648 base32 is upper case"
        padded = unpadded.upper() + "=" * (-len(unpadded) % 8)
        return ParsedDigest(algorithm, base64.b32decode(padded), problem)
    return ParsedDigest(algorithm, None, f"{algorithm} digest value {encoded!r} is neither base32 nor hex")


def digest_matches(value: str, data: bytes) -> bool | None:
    """True/False when the digest can be checked against data, None when it cannot be decoded."""
    parsed = parse_digest(value)
    if parsed.algorithm is None or parsed.raw is None:
        return None
    return hashlib.new(parsed.algorithm, data).digest() == parsed.raw


def same_digest(first: str, second: str) -> bool:
    """Compare two digest values by algorithm and decoded bytes, so base32 and hex agree."""
    a, b = parse_digest(first), parse_digest(second)
    if a.raw is None or b.raw is None:
        return first.strip() == second.strip()
    return (a.algorithm, a.raw) == (b.algorithm, b.raw)


def sha1_base32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")
