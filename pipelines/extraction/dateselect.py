"""Which of a page's dates is its publication date.

Evidence, strongest first: a 发布日期/发布时间 label before the body; the platform's own field (gov
meta ``PubDate``, TRS ``#NewsArticlePubDay``); standard publication meta tags; the first date just
below (or above) the title; a weak 时间/日期 label; the CMS URL; a forum/blog posting stamp above
or in the body; the first date above the body.
Dates of neighbour articles (上一篇/下一篇), copyright lines and the body text itself are not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from pipelines.extraction.bodylines import is_signing_date
from pipelines.extraction.dates import (
    CHINA_TZ,
    FoundDate,
    LabelledDates,
    first_date,
    labelled_dates,
    parse_date,
    stamp_date,
    url_date,
)
from pipelines.extraction.htmltext import meta_content

_META_DATE_NAMES = (
    "article:published_time",
    "og:published_time",
    "og:release_date",
    "publishdate",
    "publish-date",
    "pubdate",
    "publish_time",
    "datePublished",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
)
_WRITTEN_HINTS = ("成文", "印发", "发文", "签发")
_BELOW_TITLE = 6
_ABOVE_TITLE = 2
_ABOVE_BODY = 8


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
    value = meta_content(root, *_META_DATE_NAMES)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return parse_date(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA_TZ)
        return parse_date(moment.strftime("%Y-%m-%d %H:%M:%S"))
    return parse_date(value)


def _near_title(lines: list[str], title: str | None) -> FoundDate | None:
    """First date on the lines right below the title line, else right above it."""
    if not title:
        return None
    index = next(
        (i for i, line in enumerate(lines) if title in line or (len(line) >= 6 and line in title)),
        None,
    )
    if index is None:
        return None
    below = first_date(lines[index : index + 1 + _BELOW_TITLE])
    return below or first_date(lines[max(0, index - _ABOVE_TITLE) : index])


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
) -> DateFields:
    """Publication date plus the written (成文) and published (发布) dates the page labels.

    ``header`` holds the lines above the body (plus its byline), ``trailer`` a few lines below it,
    ``page_lines`` the whole page, ``body`` the body's lines (searched only for posting stamps).
    """
    labels = labelled_dates(header)
    after = labelled_dates(trailer)  # blog/forum stamps: "发表于 …", "发布时间 … by …" under the post
    candidates: list[tuple[str, FoundDate | None]] = [
        ("label:published", labels.published),
        ("platform", platform_date),
        ("meta", _meta_date(root)),
        ("near-title", _near_title(page_lines, title)),
        ("label:weak", labels.weak),
        ("url", url_date(url)),
        ("label:below-body", after.published or after.weak),
        # forum/blog "由某某于…发表", "张贴 @ …" (not comments below)
        ("stamp", stamp_date(header + (body or []))),
        ("above-body", first_date(header[-_ABOVE_BODY:][::-1])),  # the nearest date above the body
        ("below-body", first_date(trailer)),
        ("header", first_date(header)),
    ]
    document, document_source = _document_date(labels, after, page_lines, body or [])
    found = [(name, value) for name, value in candidates if value is not None]
    if not found:
        return DateFields(
            written=labels.written.iso if labels.written else None,
            document=document,
            document_source=document_source,
        )
    source, chosen = found[0]
    chosen = _with_time(chosen, [value for _, value in candidates])
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
