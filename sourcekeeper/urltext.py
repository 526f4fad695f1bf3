"""URLs as a person reads and types them: every human printer shows `shown(url)`; `--json` keeps
the exact URL.

`shown` turns the URI the archive stores into the IRI it stands for, as RFC 3987 section 3.2 says:
percent-encoded UTF-8 is shown as the characters it encodes (`/%E9%80%9A%E7%9F%A5.html` ->
`/通知.html`) and IDNA host labels as Unicode (`xn--fiqs8s` -> `中国`). Nothing else changes: an
encoded ASCII character (`%2F`, `%2B`, `%20`) stays encoded, and so do bytes that are not UTF-8
(a GBK query), and characters that would mislead on a terminal (white space, controls, bidi
controls and other invisible ones). So what is shown, typed back (`show 通知 URL`), is encoded
again by the archive to the very URL it stores.

A library was tried first: hyperlink's `to_iri` also decodes ASCII (`%2B` becomes `+`, which reads
as a space in a query; `%0A` a line break) and drops passwords, so it cannot be typed back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import urlsplit

import idna

_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
# what a character must not be to be shown decoded (Unicode general categories): controls,
# format characters (bidi controls, zero-width ones), private use, unassigned, surrogates, spaces
_HIDDEN = {"Cc", "Cf", "Co", "Cn", "Cs", "Zs", "Zl", "Zp"}


def shown(url: str | None) -> str:
    """`url` as a person reads it (an IRI); anything that is not an http(s) URL, unchanged."""
    if not url:
        return url or ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return _decode_utf8(url)
    start = url.index(parts.netloc, len(parts.scheme))
    netloc = _shown_netloc(parts.netloc)
    return url[:start] + netloc + _decode_utf8(url[start + len(parts.netloc) :])


def _shown_netloc(netloc: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):  # an IPv6 literal: nothing to decode
        return netloc
    host, colon, port = hostport.partition(":")
    labels = [_unicode_label(label) for label in host.split(".")]
    return f"{_decode_utf8(userinfo)}{at}{'.'.join(labels)}{colon}{port}"


def _unicode_label(label: str) -> str:
    if not label.lower().startswith("xn--"):
        return label
    try:
        decoded = idna.decode(label)
    except (idna.IDNAError, UnicodeError, ValueError):
        return label  # not a valid IDNA label: shown as stored
    return decoded if all(unicodedata.category(ch) not in _HIDDEN for ch in decoded) else label


def _decode_utf8(text: str) -> str:
    return _PERCENT_RUN.sub(lambda match: _decode_run(match.group(0)), text)


def _decode_run(run: str) -> str:
    """A run of %XX: each UTF-8 sequence of a showable non-ASCII character decoded, the rest kept."""
    data = bytes.fromhex(run.replace("%", ""))
    out: list[str] = []
    i = 0
    while i < len(data):
        lead = data[i]
        size = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 0
        if size:
            try:
                char = data[i : i + size].decode("utf-8")  # strict: no overlong forms, no surrogates
            except UnicodeDecodeError:
                char = ""
            if len(char) == 1 and unicodedata.category(char) not in _HIDDEN:
                out.append(char)
                i += size
                continue
        out.append(run[3 * i : 3 * i + 3])  # as stored, hex case and all
        i += 1
    return "".join(out)


def scheme_hint(url: str, has_capture: Callable[[str], bool] | None = None) -> str | None:
    """For a URL typed without its scheme (`www.gov.cn/x.html`): the URL the user most likely
    meant — `https://…` when only that one is archived, else `http://…`; None for anything else."""
    from pipelines.documents.seeds import scheme_hint as bare_hint  # noqa: PLC0415

    guess = bare_hint(url)
    if guess is None or has_capture is None:
        return guess
    secure = "https://" + guess.removeprefix("http://")
    if not has_capture(guess) and has_capture(secure):
        return secure
    return guess


def did_you_mean(url: str, has_capture: Callable[[str], bool] | None = None) -> str:
    """ "; did you mean http://…?" for a URL typed without its scheme, else ""."""
    hint = scheme_hint(url, has_capture)
    return f"; did you mean {shown(hint)}?" if hint else ""
