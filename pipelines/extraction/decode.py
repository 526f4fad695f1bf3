"""Turn an HTTP entity body into ``str`` and record how the charset was chosen.

Order (HTML-spec style): BOM, HTTP ``charset``, ``<meta>`` in the first few KB, detection, UTF-8.
Chinese pages often declare ``gb2312``/``gbk`` while using GB18030-only bytes, or declare GB2312
while being UTF-8 (pages saved from a browser's DOM); a declaration is therefore only trusted
when the body decodes strictly under it. Extractors get our ``str``, never the raw bytes.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

from pipelines.extraction.charsetguess import choose, clean_gb18030, is_cjk_codec, read_as, says_chinese
from pipelines.extraction.charsets import codec_for_label
from pipelines.extraction.mixed import decode_mixed

logger = logging.getLogger(__name__)

# Labels whose codec decodes (nearly) any byte string: a "success" under them proves nothing.
_WEAK_CODECS = frozenset(codecs.lookup(name).name for name in ("latin-1", "cp1252", "ascii"))

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HTTP_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
# Matches both <meta charset="x"> and <meta http-equiv=... content="text/html; charset=x">.
_META_CHARSET_RE = re.compile(rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
_META_SCAN_BYTES = 8192
MIXED_CHARSET = "utf-8+gb18030"  # used_charset of a body mixing both (see pipelines.extraction.mixed)


@dataclass(frozen=True)
class DecodedDocument:
    """A decoded body plus the provenance of its charset."""

    text: str
    declared_charset: str | None
    charset_source: str
    used_charset: str
    replacements: int
    evidence: str = ""  # why this charset: declarations rejected, candidates' plausibility


def normalize_label(label: str) -> str | None:
    """Map a charset label to a Python codec name as browsers do (GB family to gb18030, Big5 to
    Big5-HKSCS, the rest per the WHATWG table: pipelines.extraction.charsets); None if unknown."""
    return codec_for_label(label)


def http_charset(content_type: str | None) -> str | None:
    """The lower-case ``charset`` label of a Content-Type header value."""
    if not content_type:
        return None
    match = _HTTP_CHARSET_RE.search(content_type)
    return match.group(1).lower() if match else None


def meta_charset(body: bytes) -> str | None:
    """The lower-case charset label declared by a ``<meta>`` tag near the top of the body."""
    match = _META_CHARSET_RE.search(body[:_META_SCAN_BYTES])
    if not match:
        return None
    return match.group(1).decode("ascii", "replace").lower()


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _lenient(body: bytes, codec: str) -> tuple[str, int]:
    """Decode with U+FFFD for bad bytes; the count comes from comparing with errors='ignore'."""
    text = body.decode(codec, errors="replace")
    dropped = body.decode(codec, errors="ignore")
    return text, len(text) - len(dropped)


def _sniff(body: bytes, declared: list[tuple[str, str, str]]) -> tuple[str, str, int, str]:
    """(text, codec, replacements, evidence) of a non-UTF-8 body among the plausible candidates.

    The winner is decoded leniently: a stray bad byte in a GB page costs one U+FFFD, not the
    whole page read in another script."""
    codec, evidence = choose(body, [c for _source, _label, c in declared])
    text, bad = _lenient(body, codec)
    return text, codec, bad, evidence


def _contradicted(body: bytes, codec: str) -> str | None:
    """Why a declared single-byte code page cannot be right for this page, if it cannot."""
    if codec in ("gb18030", "utf-8") or codec in _WEAK_CODECS:
        return None
    clean = clean_gb18030(body)
    if clean is not None and (not is_cjk_codec(codec) or read_as(body[:262_144], codec).score < clean.score):
        return f"declared {codec} ignored: the bytes read cleanly as GB18030 with common hanzi"
    if says_chinese(body) and not is_cjk_codec(codec):
        return f"declared {codec} ignored: the page says lang=zh"
    return None


def _declared(body: bytes, content_type: str | None) -> list[tuple[str, str, str]]:
    """(source, label, codec) for each usable declaration, HTTP first."""
    found: list[tuple[str, str, str]] = []
    for source, label in (("http", http_charset(content_type)), ("meta", meta_charset(body))):
        if label is None:
            continue
        codec = normalize_label(label)
        if codec is None:
            logger.debug("unknown charset label %r from %s", label, source)
            continue
        if source == "meta" and codec.startswith("utf-16"):
            codec = "utf-8"  # a <meta> readable as ASCII cannot really be UTF-16 (HTML spec)
        found.append((source, label, codec))
    return found


def decode_body(body: bytes, content_type: str | None) -> DecodedDocument:
    """Decode ``body`` (already content-decoded) using BOM, HTTP, meta, detection, then UTF-8."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            text, bad = _lenient(body[len(bom) :], codec)
            return DecodedDocument(text, codec, "bom", codec, bad)
    declared = _declared(body, content_type)
    first_label = declared[0][1] if declared else None
    if body.isascii():
        source = declared[0][0] if declared else "default"
        return DecodedDocument(body.decode("ascii"), first_label, source, "utf-8", 0)
    # Valid UTF-8 with non-ASCII bytes is near-proof of UTF-8 (GB byte pairs almost never form
    # valid UTF-8), so it beats a GB declaration: browser-saved pages keep a stale charset=GB2312.
    utf8_text = _strict(body, "utf-8")
    mixed = decode_mixed(body) if utf8_text is None else None
    if mixed is not None:  # before the declarations: GB18030 "succeeds" on UTF-8 runs too
        return DecodedDocument(mixed[0], first_label, "mixed", MIXED_CHARSET, mixed[1])
    notes: list[str] = []
    for source, _label, codec in declared:
        if codec in _WEAK_CODECS:
            continue  # servers default to ISO-8859-1; on Chinese pages that label means nothing
        if codec == "utf-8" or utf8_text is not None:
            if utf8_text is not None and codec == "utf-8":
                return DecodedDocument(utf8_text, first_label, source, "utf-8", 0)
            continue
        contradiction = _contradicted(body, codec)
        if contradiction is not None:
            notes.append(contradiction)
            continue
        decoded = _strict(body, codec)
        if decoded is not None:
            return DecodedDocument(decoded, first_label, source, codec, 0, "; ".join(notes))
        notes.append(f"declared {codec} ({source}) does not decode strictly")
    if utf8_text is not None:
        return DecodedDocument(utf8_text, first_label, "detected", "utf-8", 0, "valid UTF-8")
    text, codec, bad, evidence = _sniff(body, declared)
    if bad:
        logger.info("lossy decoding with %s: %d replacement(s)", codec, bad)
    return DecodedDocument(text, first_label, "detected", codec, bad, "; ".join([*notes, evidence]))
