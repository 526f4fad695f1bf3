"""文号 (document numbers) in search: one number, every bracket it is printed with.

青公通〔2020〕12号 is printed 青公通[2020]12号, 青公通【2020】12号, 青公通(2020)12号 or
青公通（2020）12号 by different sites and typists, and typed with whatever brackets a keyboard
has. A query term shaped like a 文号 matches any of these forms (`variants`); the bigram index
needs no change, as brackets are never part of a bigram.
"""

from __future__ import annotations

import re

# the pairs, the one gov style guides prescribe (六角括号) first
BRACKETS = ("〔〕", "[]", "【】", "()", "（）", "［］", "﹝﹞", "〖〗")
_OPEN = re.escape("".join(pair[0] for pair in BRACKETS))
_CLOSE = re.escape("".join(pair[1] for pair in BRACKETS))
# an optional 机关代字 (青公通), the bracketed year, an optional 第, the number, 号
_TERM_RE = re.compile(
    rf"^(?P<prefix>[^\s{_OPEN}{_CLOSE}]{{0,16}})[{_OPEN}](?P<year>(?:19|20)\d{{2}})[{_CLOSE}]"
    r"(?P<rest>第?\d{1,5}号)$"
)


def is_doc_number(term: str) -> bool:
    """The term is shaped like a 文号 (青公通〔2020〕12号, or just 〔2020〕12号)."""
    return _TERM_RE.match(term) is not None


def variants(term: str) -> list[str]:
    """The term as given, then the same 文号 with each other bracket pair; [term] for any other
    term."""
    match = _TERM_RE.match(term)
    if match is None:
        return [term]
    found = [term]
    for pair in BRACKETS:
        form = f"{match['prefix']}{pair[0]}{match['year']}{pair[1]}{match['rest']}"
        if form not in found:
            found.append(form)
    return found


def normalise(number: str) -> str:
    """One form per 文号 (六角括号, no spaces), for comparing two printed numbers."""
    compact = re.sub(r"\s+", "", number)
    match = _TERM_RE.match(compact)
    if match is None:
        return compact
    return f"{match['prefix']}〔{match['year']}〕{match['rest']}"
