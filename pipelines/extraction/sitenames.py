"""A site's name learned from its other pages in the archive, by rule (no list of names).

A part at the same end of the ``<title>`` of most of a host's pages ("…座谈会-中国科普网",
"…英雄的城！_新华网") is the site's name: it is the part that stays while the headlines change.
Parts inside the title ("…-新闻动态-某某网": the column) and parts a minority of pages share (the
pages of one column) are not taken. Site names the earlier pages recorded (``og:site_name``, the
footer's copyright line: ``pages.site``) are taken when several pages agree.
"""

from __future__ import annotations

from collections import Counter

from pipelines.extraction.fields import split_title

# distinct <title>s of other pages that must share an end part before it is taken for the site's name
MIN_SHARING_PAGES = 3
_MIN_NAME_CHARS = 3  # shorter shared ends ("首页", "新闻") are too common to cut from titles


def _key(text: str) -> str:
    return "".join(text.split()).lower()


def learned_site_names(titles: list[str], sites: list[str]) -> list[str]:
    """Names of a site from the ``<title>`` texts (``titles``) and recorded site names (``sites``)
    of its other pages: an end part shared by at least ``MIN_SHARING_PAGES`` distinct titles and
    by at least two thirds of those titles with more than one part; a recorded name shared by at
    least two pages and by at least half of the pages that recorded one."""
    distinct = list(dict.fromkeys(t.strip() for t in titles if t and t.strip()))
    parted = [parts for parts in map(split_title, distinct) if len(parts) >= 2]
    names: list[str] = []
    for end in (-1, 0):
        counts = Counter(_key(parts[end]) for parts in parted)
        spelled = {_key(parts[end]): parts[end] for parts in parted}
        for key, n in counts.most_common(1):
            if n >= MIN_SHARING_PAGES and 3 * n >= 2 * len(parted) and len(key) >= _MIN_NAME_CHARS:
                names.append(spelled[key])
    recorded = [s.strip() for s in sites if s and s.strip()]
    for key, n in Counter(map(_key, recorded)).most_common(1):
        if n >= 2 and 2 * n >= len(recorded) and len(key) >= _MIN_NAME_CHARS:
            name = next(s for s in recorded if _key(s) == key)
            if name not in names:
                names.append(name)
    return names
