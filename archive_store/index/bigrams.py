"""Overlapping character bigrams: the tokens the search index is built from (issue 28).

Chinese has no spaces and most search words are two characters (劝返, 侨联), so the index holds every
pair of neighbouring characters that are both letters or digits (of any script: `str.isalnum`);
pairs with a space, punctuation or 〔〕 in them are left out. Every bigram of a term is then a
bigram of any text containing the term, so the index gives a superset of the hits and the exact
substring check on those candidates gives exactly the pages a scan would (see `search.py`).
A term without two neighbouring letters or digits (one character, "〔1〕") cannot use the index.

The index keeps which bigrams a page holds, not where (the substring check does the rest), so a
page gives each distinct bigram once. Bigrams keep their case (search is case-sensitive; FTS5's
`ascii` tokenizer folds ASCII letters, the same way for pages and queries), and are made only of
characters that tokenizer keeps inside a token (ASCII letters and digits, every non-ASCII
character): each one is one FTS5 token.
"""

from __future__ import annotations

from operator import add


def bigrams(text: str | None) -> set[str]:
    """The distinct bigrams of `text`."""
    if not text or len(text) < 2:
        return set()
    return {pair for pair in set(map(add, text, text[1:])) if pair.isalnum()}


def bigram_text(*texts: str | None) -> str:
    """The distinct bigrams of some texts, separated by spaces: what the FTS5 table is given."""
    found: set[str] = set()
    for text in texts:
        found |= bigrams(text)
    return " ".join(found)


def bigram_list(*texts: str | None) -> list[str]:
    """The distinct bigrams of some texts, sorted: PostgreSQL's array column."""
    found: set[str] = set()
    for text in texts:
        found |= bigrams(text)
    return sorted(found)
