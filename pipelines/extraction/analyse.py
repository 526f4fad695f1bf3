"""decode → classify → extract for one captured response: a pure function run in worker processes."""

from __future__ import annotations

import logging
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from pipelines.extraction.classify import classify
from pipelines.extraction.contentstate import charset_note, content_state
from pipelines.extraction.decode import decode_body
from pipelines.extraction.extract import extract_page
from pipelines.extraction.facts import ResponseFacts
from pipelines.extraction.magic import document_magic
from pipelines.extraction.sitenames import learned_site_names
from pipelines.extraction.version import EXTRACTOR_VERSION

logger = logging.getLogger(__name__)
__all__ = ["ResponseFacts", "analyse", "is_textual"]
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers if k.lower() == wanted), None)


def _capture_time(headers: list[tuple[str, str]]) -> datetime | None:
    """The response's ``Date`` header: when the server answered (dates "3小时前" on the page)."""
    value = _header(headers, "date")
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None


def is_textual(facts: ResponseFacts) -> bool:
    content_type = (_header(facts.headers, "content-type") or "").lower()
    if content_type:
        return content_type.split(";")[0].strip() in _HTML_TYPES
    return facts.body[:512].lstrip().lower().startswith((b"<!doctype html", b"<html"))


def analyse(facts: ResponseFacts) -> dict[str, Any]:
    """The extraction result as plain JSON data; never raises (errors become an `error` field)."""
    try:
        if not is_textual(facts) or document_magic(facts.body) is not None:
            verdict = classify(
                url=facts.url,
                status=facts.status,
                headers=facts.headers,
                text=None,
                requested_url=facts.requested_url,
                body=facts.body,
            )
            return {
                "extractor_version": EXTRACTOR_VERSION,
                "state": verdict.state,
                "reason": verdict.reason,
                "page": None,
            }
        decoded = decode_body(facts.body, _header(facts.headers, "content-type"))
        verdict = classify(
            url=facts.url,
            status=facts.status,
            headers=facts.headers,
            text=decoded.text,
            requested_url=facts.requested_url,
        )
        captured = _capture_time(facts.headers)
        known = (
            learned_site_names(list(facts.site_titles), list(facts.site_names))
            if facts.site_titles or facts.site_names
            else []
        )
        page = (
            extract_page(decoded.text, facts.url, captured, known).to_json() if verdict.is_content else None
        )
        state, reason = verdict.state, verdict.reason
        if page is not None:
            state, reason = content_state(state, reason, decoded.text, page)
            page = page if state == "ok" else None  # like classify: only content gets a page row
        note = charset_note(decoded)
        return {
            "extractor_version": EXTRACTOR_VERSION,
            "state": state,
            "reason": f"{reason}; {note}" if note else reason,
            "charset": decoded.used_charset,
            "declared_charset": decoded.declared_charset,
            "charset_source": decoded.charset_source,
            "replacements": decoded.replacements,
            "charset_evidence": decoded.evidence,
            "page": page,
        }
    except Exception as exc:  # one bad page must never stop a crawl
        logger.exception("extraction failed for %s", facts.url)
        return {"state": None, "reason": None, "page": None, "error": f"{type(exc).__name__}: {exc}"}
