"""Charset labels to Python codec names, as a browser reads them: the project's own table.

The WHATWG Encoding Standard decodes every GBK label with its gb18030 decoder ("The gbk decoder is
the gb18030 decoder"), so a page labelled GBK or GB2312 that holds a character only GB18030 has
(a four-byte sequence: rare hanzi in names, ethnic-minority scripts) shows it. Python's `gbk` codec
would lose it, and w3lib (2.6 and later) answers `gbk` for those labels: the label is therefore
mapped here, not by whatever w3lib says. Big5 labels read as Big5-HKSCS, the superset browsers use.
Every other label follows the WHATWG table (through w3lib); a label the table lacks but Python
knows (`cp936`, `windows-936`, `euc_jp` …) falls back to Python's codec registry.
"""

from __future__ import annotations

import codecs
from functools import lru_cache

from w3lib.encoding import resolve_encoding

# WHATWG's GBK and gb18030 labels, and the Windows/Python aliases of the same family.
GB_LABELS = frozenset(
    {
        "chinese",
        "csgb2312",
        "csiso58gb231280",
        "gb2312",
        "gb_2312",
        "gb_2312-80",
        "gbk",
        "iso-ir-58",
        "x-gbk",
        "gb18030",
        "gb-18030",
        "cp936",
        "ms936",
        "windows-936",
        "euc-cn",
        "euccn",
    }
)
# WHATWG's Big5 labels, and Windows' cp950: decoded as Big5-HKSCS.
BIG5_LABELS = frozenset({"big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5", "cp950"})

# What the WHATWG table answers for labels it decodes as nothing useful (ISO-2022-KR, HZ …).
_UNDECODABLE = frozenset({"replacement", "x-user-defined"})


@lru_cache(maxsize=256)
def codec_for_label(label: str | bytes | None) -> str | None:
    """The Python codec to decode text labelled `label` with, or None for an unknown label.

    >>> codec_for_label("GBK"), codec_for_label(" x-gbk "), codec_for_label("big5")
    ('gb18030', 'gb18030', 'big5hkscs')
    >>> codec_for_label("latin1"), codec_for_label("no-such-charset")
    ('cp1252', None)
    """
    if label is None:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    cleaned = label.strip().strip("\"'").strip().lower()
    if not cleaned:
        return None
    if cleaned in GB_LABELS:
        return "gb18030"
    if cleaned in BIG5_LABELS:
        return "big5hkscs"
    resolved = resolve_encoding(cleaned)
    if resolved in _UNDECODABLE:
        return None
    if resolved is None:
        try:
            resolved = codecs.lookup(cleaned).name
        except LookupError:
            return None
    name = codecs.lookup(resolved).name
    # whatever the table's version says for the GB and Big5 families, their supersets decode them
    return {"gbk": "gb18030", "gb2312": "gb18030", "big5": "big5hkscs", "cp950": "big5hkscs"}.get(name, name)
