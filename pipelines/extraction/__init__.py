"""The Chinese-text extraction library: decode (charset with provenance), classify
(challenge / deleted / soft-404 pages), extract (platform rules, then trafilatura), dates, fields,
WeChat page and URL rules, text diffs, and the corpus evaluation (`make eval`).

May import: nothing of ours: the item pipelines, the spiders and the archive use it, never the other
way.

The names below are its public face (loaded on first use, so importing one room does not
load them all); every other name is private to the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.extraction.classify import Classification as Classification
    from pipelines.extraction.dates import first_date as first_date
    from pipelines.extraction.dates import from_unix as from_unix
    from pipelines.extraction.dates import labelled_dates as labelled_dates
    from pipelines.extraction.dates import parse_date as parse_date
    from pipelines.extraction.dates import stamp_date as stamp_date
    from pipelines.extraction.dates import url_date as url_date
    from pipelines.extraction.decode import decode_body as decode_body
    from pipelines.extraction.decode import http_charset as http_charset
    from pipelines.extraction.decode import normalize_label as normalize_label
    from pipelines.extraction.extract import ExtractedPage as ExtractedPage
    from pipelines.extraction.extract import extract_page as extract_page
    from pipelines.extraction.facts import ResponseFacts as ResponseFacts
    from pipelines.extraction.facts import analyse_in_worker as analyse_in_worker
    from pipelines.extraction.textdiff import diff_lines as diff_lines
    from pipelines.extraction.textdiff import sentence_diff as sentence_diff
    from pipelines.extraction.wechat_urls import canonical_article_url as canonical_article_url
    from pipelines.extraction.wechat_urls import is_short_link as is_short_link
    from pipelines.extraction.wechat_urls import is_wechat_image_host as is_wechat_image_host

_PUBLIC = {
    "Classification": "pipelines.extraction.classify",
    "ExtractedPage": "pipelines.extraction.extract",
    "ResponseFacts": "pipelines.extraction.facts",
    "analyse_in_worker": "pipelines.extraction.facts",
    "canonical_article_url": "pipelines.extraction.wechat_urls",
    "decode_body": "pipelines.extraction.decode",
    "diff_lines": "pipelines.extraction.textdiff",
    "extract_page": "pipelines.extraction.extract",
    "first_date": "pipelines.extraction.dates",
    "from_unix": "pipelines.extraction.dates",
    "http_charset": "pipelines.extraction.decode",
    "is_short_link": "pipelines.extraction.wechat_urls",
    "is_wechat_image_host": "pipelines.extraction.wechat_urls",
    "labelled_dates": "pipelines.extraction.dates",
    "normalize_label": "pipelines.extraction.decode",
    "parse_date": "pipelines.extraction.dates",
    "sentence_diff": "pipelines.extraction.textdiff",
    "stamp_date": "pipelines.extraction.dates",
    "url_date": "pipelines.extraction.dates",
}

__all__ = [
    "Classification",
    "ExtractedPage",
    "ResponseFacts",
    "analyse_in_worker",
    "canonical_article_url",
    "decode_body",
    "diff_lines",
    "extract_page",
    "first_date",
    "from_unix",
    "http_charset",
    "is_short_link",
    "is_wechat_image_host",
    "labelled_dates",
    "normalize_label",
    "parse_date",
    "sentence_diff",
    "stamp_date",
    "url_date",
]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
