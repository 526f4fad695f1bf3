"""The text of a Word 97-2003 document (and of Kingsoft Writer's OLE form, which keeps Word's
WordDocument stream) from its piece table, as [MS-DOC] lays it out: the FIB at the start of the
WordDocument stream gives the CLX's place in the table stream (0Table or 1Table); the CLX's
PlcPcd maps each run of character positions to bytes of WordDocument, 8-bit (compressed) or
UTF-16. The OLE container is read by olefile.

Why not only antiword or catdoc: neither reads every file — antiword refuses small files that
LibreOffice writes ("the text stream of this file is too small"), catdoc drops their tables — so
they are the fallback (office.read_word_binary), this reader the first try."""

from __future__ import annotations

import re

from pipelines.doctext.model import CORRUPT, ENCRYPTED, Skipped

_FIB_FLAGS = 0x0A
_FIB_CCP_TEXT = 0x4C
_FIB_FC_CLX = 0x1A2
_FIELD_CODE_RE = re.compile("\x13[^\x13\x14\x15]*\x14?|\x15")  # a field's instructions; its result stays
_DROP = dict.fromkeys(map(ord, "\x01\x02\x03\x04\x05\x08"))  # pictures, footnote marks, drawn objects


def _u32(data: bytes, offset: int) -> int:
    if offset + 4 > len(data):
        raise Skipped(CORRUPT, "the Word file's header is cut short")
    return int.from_bytes(data[offset : offset + 4], "little")


def word_text(data: bytes) -> str:
    import olefile  # noqa: PLC0415

    try:
        with olefile.OleFileIO(data) as ole:
            if not ole.exists("WordDocument"):
                raise Skipped(CORRUPT, "the OLE file holds no WordDocument stream")
            word = ole.openstream("WordDocument").read()
            flags = int.from_bytes(word[_FIB_FLAGS : _FIB_FLAGS + 2], "little")
            if flags & 0x0100:
                raise Skipped(ENCRYPTED, "the document needs a password")
            table_name = "1Table" if flags & 0x0200 else "0Table"
            if not ole.exists(table_name):
                raise Skipped(CORRUPT, f"the Word file has no {table_name} stream")
            table = ole.openstream(table_name).read()
    except (OSError, ValueError, IndexError, TypeError) as exc:
        raise Skipped(CORRUPT, f"not a readable OLE file ({exc})") from None
    ccp_text = _u32(word, _FIB_CCP_TEXT)
    fc_clx, lcb_clx = _u32(word, _FIB_FC_CLX), _u32(word, _FIB_FC_CLX + 4)
    clx = table[fc_clx : fc_clx + lcb_clx]
    at = 0
    while at < len(clx) and clx[at] == 0x01:  # Prc: property modifiers, skipped
        at += 3 + int.from_bytes(clx[at + 1 : at + 3], "little")
    if at >= len(clx) or clx[at] != 0x02:
        raise Skipped(CORRUPT, "the Word file's piece table is missing")
    size = _u32(clx, at + 1)
    plc = clx[at + 5 : at + 5 + size]
    pieces = (len(plc) - 4) // 12
    if pieces <= 0:
        raise Skipped(CORRUPT, "the Word file's piece table is empty")
    positions = [_u32(plc, 4 * n) for n in range(pieces + 1)]
    out: list[str] = []
    for n in range(pieces):
        descriptor = plc[4 * (pieces + 1) + 8 * n : 4 * (pieces + 1) + 8 * n + 8]
        fc = _u32(descriptor, 2)
        count = max(positions[n + 1] - positions[n], 0)
        if fc & 0x40000000:
            start = (fc & 0x3FFFFFFF) // 2
            out.append(word[start : start + count].decode("cp1252", "replace"))
        else:
            out.append(word[fc : fc + 2 * count].decode("utf-16-le", "replace"))
    text = "".join(out)[:ccp_text]  # the main document (footnotes, headers follow it)
    text = _FIELD_CODE_RE.sub("", text).translate(_DROP)
    text = text.replace("\x07\x07", "\n")  # a cell's end, then its row's end
    return text.replace("\x07", "\t").replace("\r", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
