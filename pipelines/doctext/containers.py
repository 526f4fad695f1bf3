"""ZIP containers (DOCX, XLSX, OFD, plain ZIP) checked before anything is inflated: what their
members declare must not expand past the limits (a decompression bomb). zipfile never inflates a
member past its declared size, so the declared sizes bound what is read."""

from __future__ import annotations

import io
import zipfile

from pipelines.doctext.model import CORRUPT, ENCRYPTED, TOO_LARGE, Limits, Skipped

_MB = 1024 * 1024


def open_zip(data: bytes, limits: Limits, what: str) -> zipfile.ZipFile:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise Skipped(CORRUPT, f"not a readable {what} (the ZIP container is damaged: {exc})") from None
    if any(member.flag_bits & 0x1 for member in members):
        package.close()
        raise Skipped(ENCRYPTED, f"the {what}'s ZIP members need a password")
    expanded = sum(member.file_size for member in members)
    ratio = expanded / max(len(data), 1)
    if expanded > limits.max_expanded_mb * _MB or (
        expanded > limits.expand_floor_mb * _MB and ratio > limits.max_expansion
    ):
        package.close()
        raise Skipped(
            TOO_LARGE,
            f"the {what} expands to {expanded / _MB:,.1f} MB from {len(data) / _MB:,.2f} MB "
            f"({ratio:,.0f} times: a decompression bomb?)",
        )
    return package


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its maker wrote it: ZIPs made on Chinese Windows store GBK names without
    the UTF-8 flag, which zipfile reads as code page 437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.filename
