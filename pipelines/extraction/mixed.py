"""Pages that mix UTF-8 and GB18030: a UTF-8 template around a GBK fragment (or the reverse).

Old CMS include files, pasted text and server-side includes leave gov pages with both encodings in
one body. No single codec reads them: GB18030 decodes almost any byte string without an error, so
the UTF-8 half turns silently into mojibake. Text between tags is almost always one encoding, so
each run between ``<``, ``>`` and line breaks is decoded with the codec that fits it.
"""

from __future__ import annotations

import re

_RUN_RE = re.compile(rb"[^<>\r\n]+")
# three UTF-8 encoded CJK ideographs in a row: cheap evidence that UTF-8 text is present at all
_UTF8_CJK_BYTES_RE = re.compile(rb"(?:[\xe4-\xe9][\x80-\xbf]{2}){3}")
_CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]{3,}")
# What Chinese UTF-8 text is made of; a "UTF-8" run with anything else is likely GBK read wrongly.
_NOT_CJK_TEXT_RE = re.compile(r"[^\x00-\x7f\u00b7\u2010-\u2027\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def decode_mixed(body: bytes) -> tuple[str, int] | None:
    """(text, replacement count) when ``body`` holds both UTF-8 Chinese runs and runs that are not
    UTF-8 but GB18030; None for a body in one encoding (the caller decodes it as usual)."""
    if not _UTF8_CJK_BYTES_RE.search(body):
        return None
    pieces: list[str] = []
    utf8_runs = gb_runs = 0
    position = 0
    for match in _RUN_RE.finditer(body):
        pieces.append(body[position : match.start()].decode("ascii"))  # only < > CR LF between runs
        position = match.end()
        run = match.group()
        if run.isascii():
            pieces.append(run.decode("ascii"))
            continue
        text = _strict(run, "utf-8")
        if text is not None and not _NOT_CJK_TEXT_RE.search(text):
            utf8_runs += bool(_CJK_RUN_RE.search(text))
            pieces.append(text)
            continue
        gb_text = _strict(run, "gb18030")
        if gb_text is not None and text is None:
            gb_runs += 1
        pieces.append(gb_text if gb_text is not None else run.decode("utf-8", "replace"))
    pieces.append(body[position:].decode("ascii"))
    if not (utf8_runs and gb_runs):
        return None
    text = "".join(pieces)
    return text, text.count("\ufffd")
