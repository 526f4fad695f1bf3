"""The Chinese-text extraction library: decode (charset with provenance), classify
(challenge / deleted / soft-404 pages), extract (platform rules, then trafilatura), dates, fields,
WeChat page and URL rules, text diffs. Its evaluation (`make eval`) lives in `bench/eval/`.

May import: nothing of ours: the item pipelines, the spiders and the archive use it, never the other
way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

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

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "classify": ["Classification"],
        "dates": ["first_date", "from_unix", "labelled_dates", "parse_date", "stamp_date", "url_date"],
        "decode": ["decode_body", "http_charset", "normalize_label"],
        "extract": ["ExtractedPage", "extract_page"],
        "facts": ["ResponseFacts", "analyse_in_worker"],
        "textdiff": ["diff_lines", "sentence_diff"],
        "wechat_urls": ["canonical_article_url", "is_short_link", "is_wechat_image_host"],
    },
)
