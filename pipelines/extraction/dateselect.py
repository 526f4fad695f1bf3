"""Which of a page's dates is its publication date.

Evidence, strongest first: a 发布日期/发布时间 label before the body (the one nearest the body); the
platform's own field (gov meta ``PubDate``, TRS ``#NewsArticlePubDay``); standard publication meta
tags and structured data (JSON-LD, ``<time>``); a forum/blog posting stamp; the first date just
below (or above) the headline (a relative "3小时前" there counts against the capture time); a weak
时间/日期 label; a script variable (``publish_time``, ``pubDate``, ``ct``); the CMS URL; a label
below the body; then the unlabelled date standing nearest the article, above or below its body.
Dates of neighbour articles (上一篇/下一篇), of lists of other articles (a line that is mostly a
link), copyright lines, "今天是…" bars and the body text itself are not used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from pipelines.extraction.bodylines import is_signing_date
from pipelines.extraction.dates import (
    FoundDate,
    LabelledDates,
    first_date,
    labelled_dates,
    parse_date,
    relative_date,
    stamp_date,
    url_date,
)
from pipelines.extraction.htmltext import meta_content
from pipelines.extraction.scriptdates import iso_moment, json_ld_date, script_date, time_element_date

_META_DATE_NAMES = (
    "article:published_time",
    "og:published_time",
    "og:release_date",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "publish_time",
    "publishtime",
    "firstpublishedtime",
    "datePublished",
    "article:published",
    "sailthru.date",
    "parsely-pub-date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
)
_WRITTEN_HINTS = ("成文", "印发", "发文", "签发")
_BELOW_TITLE = 6
_ABOVE_TITLE = 2
_ABOVE_BODY = 8
_BELOW_BODY = 8


@dataclass(frozen=True)
class DateFields:
    """ISO strings for ExtractedPage."""

    date: str | None = None
    written: str | None = None
    published: str | None = None
    published_at: str | None = None
    source: str | None = None  # where ``date`` came from
    document: str | None = None  # 成文日期 / 签发日期 / signing date (China calendar date)
    document_source: str | None = None


def _meta_date(root: etree._Element) -> FoundDate | None:
    """Publication meta tag; ISO values with an offset are converted to China time."""
    return iso_moment(meta_content(root, *_META_DATE_NAMES))


def _structured_date(root: etree._Element) -> FoundDate | None:
    """Meta tags, then JSON-LD, then a ``<time>`` element marked as the publication time."""
    return _meta_date(root) or json_ld_date(root) or time_element_date(root)


def _near_title(lines: list[str], title: str | None, captured: datetime | None = None) -> FoundDate | None:
    """First date on the lines right below the headline, else right above it (``lines`` end
    where the body starts, and hold no lines of lists of other articles)."""
    if not title:
        return None
    index = next(
        (i for i, line in enumerate(lines) if title in line or (len(line) >= 6 and line in title)),
        None,
    )
    if index is None:
        return None
    below = lines[index : index + 1 + _BELOW_TITLE]
    found = first_date(below) or first_date(lines[max(0, index - _ABOVE_TITLE) : index])
    if found is None and captured is not None:
        found = next((r for r in (relative_date(line, captured) for line in below) if r), None)
    return found


def _nearest_unlabelled(header: list[str], trailer: list[str]) -> FoundDate | None:
    """The date standing nearest the body: the last one above it or the first one below it."""
    above = next(
        ((d, f) for d, line in enumerate(header[-_ABOVE_BODY:][::-1]) if (f := first_date([line]))), None
    )
    below = next(((d, f) for d, line in enumerate(trailer[:_BELOW_BODY]) if (f := first_date([line]))), None)
    if above is None or below is None:
        return (above or below or (0, None))[1]
    return above[1] if above[0] <= below[0] else below[1]


def _with_time(day: FoundDate, others: list[FoundDate | None]) -> FoundDate:
    """Borrow a clock time from another source that agrees on the day."""
    if day.time is not None:
        return day
    for other in others:
        if other is not None and other.day == day.day and other.time is not None:
            return other
    return day


def choose_dates(
    root: etree._Element,
    *,
    header: list[str],
    trailer: list[str],
    page_lines: list[str],
    title: str | None,
    url: str,
    platform_date: FoundDate | None,
    body: list[str] | None = None,
    captured: datetime | None = None,
) -> DateFields:
    """Publication date plus the written (成文) and published (发布) dates the page labels.

    ``header`` holds the lines above the body (plus its byline), ``trailer`` a few lines below it,
    ``page_lines`` the whole page, ``body`` the body's lines (searched only for posting stamps);
    lines of lists of other articles are already left out of all three. ``captured`` (the capture
    time) dates "3小时前" next to the headline.
    """
    labels = labelled_dates(header[::-1])  # the label nearest the body wins
    after = labelled_dates(trailer)  # blog/forum stamps: "发表于 …", "发布时间 … by …" under the post
    candidates: list[tuple[str, Callable[[], FoundDate | None]]] = [
        ("label:published", lambda: labels.published),
        ("platform", lambda: platform_date),
        ("meta", lambda: _structured_date(root)),
        # forum/blog "由某某于…发表", "张贴 @ …": a posting label (not comments below)
        ("stamp", lambda: stamp_date(header + (body or []))),
        ("near-title", lambda: _near_title(header, title, captured)),
        ("label:weak", lambda: labels.weak),
        ("script", lambda: script_date(root)),
        ("url", lambda: url_date(url)),
        ("label:below-body", lambda: after.published or after.weak),
        ("nearest", lambda: _nearest_unlabelled(header, trailer)),
        ("header", lambda: first_date(header)),
    ]
    document, document_source = _document_date(labels, after, page_lines, body or [])
    found: list[tuple[str, FoundDate]] = []
    for name, get in candidates:
        value = get()
        if value is None:
            continue
        found.append((name, value))
        # the first found is the date; later ones are only read for a clock time on the same day
        if found[0][1].time is not None or (value.day == found[0][1].day and value.time is not None):
            break
    if not found:
        return DateFields(
            written=labels.written.iso if labels.written else None,
            document=document,
            document_source=document_source,
        )
    source, chosen = found[0]
    chosen = _with_time(chosen, [value for _, value in found])
    return DateFields(
        date=chosen.iso,
        written=labels.written.iso if labels.written else None,
        published=labels.published.iso if labels.published else None,
        published_at=chosen.iso_datetime(),
        source=source,
        document=document,
        document_source=document_source,
    )


def _document_date(
    labels: LabelledDates, after: LabelledDates, page_lines: list[str], body: list[str]
) -> tuple[str | None, str | None]:
    """The document's own date: a 成文日期/签发日期 label, else the signing date closing the body."""
    if labels.written is not None:
        return labels.written.iso, "label:written"
    if after.written is not None:
        return after.written.iso, "label:written"
    # only lines that can hold such a label (a substring test is far cheaper than the label regex)
    anywhere = labelled_dates([line for line in page_lines if any(k in line for k in _WRITTEN_HINTS)]).written
    if anywhere is not None:
        return anywhere.iso, "label:written"
    for line in body[-3:][::-1]:
        if is_signing_date(line):
            signed = parse_date(line)
            if signed is not None:
                return signed.iso, "body:signing-date"
    return None, None
