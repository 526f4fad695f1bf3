"""The metadata index schema (SQLAlchemy 2): one schema for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Run(Base):
    """One invocation of a crawl. `key` identifies "the same command" so a killed run can resume."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # running | interrupted | finished
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    command: Mapped[str] = mapped_column(Text)  # JSON
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    resumed: Mapped[int] = mapped_column(Integer, default=0)


class WarcFile(Base):
    __tablename__ = "warc_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # open | closed
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    location: Mapped[str | None] = mapped_column(Text, nullable=True)


class Capture(Base):
    """A response or revisit record: one HTTP exchange that got an answer."""

    __tablename__ = "captures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True, index=True)
    url: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(16), default="GET")
    captured_at: Mapped[datetime] = mapped_column(DateTime)
    warc_date: Mapped[str] = mapped_column(String(40))
    http_status: Mapped[int] = mapped_column(Integer)
    record_type: Mapped[str] = mapped_column(String(16))  # response | revisit
    record_id: Mapped[str] = mapped_column(String(64), unique=True)
    request_record_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    warc_file: Mapped[str] = mapped_column(String(255))
    warc_offset: Mapped[int] = mapped_column(Integer)
    warc_length: Mapped[int] = mapped_column(Integer)
    payload_digest: Mapped[str] = mapped_column(String(80), index=True)
    block_digest: Mapped[str] = mapped_column(String(80))
    payload_length: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(Text, nullable=True)
    truncated: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # "chunked" or not: a revisit only refers to an original framed the same way, because replay
    # tools (pywb) join the revisit's headers to the original's stored body
    chunked: Mapped[bool] = mapped_column(default=False)
    ip_address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    refers_to: Mapped[str | None] = mapped_column(String(64), nullable=True)
    state: Mapped[str] = mapped_column(String(64))
    state_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    hop: Mapped[int] = mapped_column(Integer, default=0)
    parent_url: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_captures_url_time", "url", "captured_at"),)


class Failure(Base):
    """A fetch that ended without a capture: `attempt` per try, `final` once per given-up URL."""

    __tablename__ = "failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True, index=True)
    url: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(16))  # attempt | final | seed | render | limit
    reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_failures_url", "url"),)


class Page(Base):
    """What extraction made of a capture (filled by the pipelines)."""

    __tablename__ = "pages"
    capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id"), primary_key=True)
    url: Mapped[str] = mapped_column(Text, index=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    date: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # 成文日期 / 签发日期 of an official document, beside the publication `date` (issue 15)
    document_date: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    author: Mapped[str | None] = mapped_column(Text, nullable=True)
    site: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    charset: Mapped[str | None] = mapped_column(String(40), nullable=True)
    declared_charset: Mapped[str | None] = mapped_column(String(40), nullable=True)
    platform: Mapped[str | None] = mapped_column(String(32), nullable=True)
    metadata_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    metadata_record_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # a document's text (PDF, DOCX, OFD, scan …) is a row too, for the document's own capture:
    # `kind` page | document; how its text was read and, when it was not, why
    kind: Mapped[str] = mapped_column(String(16), default="page", server_default="page")
    text_source: Mapped[str | None] = mapped_column(String(16), nullable=True)  # layer | ocr | mixed
    page_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ocr_confidence: Mapped[float | None] = mapped_column(Float, nullable=True)  # mean of OCR'd pages
    # encrypted | corrupt | too-large | timeout | unsupported | … ; NULL when the text was read
    text_skipped: Mapped[str | None] = mapped_column(String(32), nullable=True)
    conversion_record_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # an official document's identity (文号, 发文机关, 索引号, 发布日期, 主题分类)
    doc_number: Mapped[str | None] = mapped_column(Text, nullable=True)
    issuer: Mapped[str | None] = mapped_column(Text, nullable=True)
    index_number: Mapped[str | None] = mapped_column(Text, nullable=True)
    published_date: Mapped[str | None] = mapped_column(Text, nullable=True)
    topic: Mapped[str | None] = mapped_column(Text, nullable=True)

    @classmethod
    def from_analysis(
        cls, capture_id: int, url: str, result: Mapping[str, Any], metadata_record_id: str | None = None
    ) -> Page:
        """The row for what the extraction of one capture gave: `result` is the analysis
        (charset, declared_charset, page: {title, date, document_date, source, …}), the same for
        the crawl's pipeline, `reextract` and `import`."""
        page = result["page"]
        return cls(
            capture_id=capture_id,
            url=url,
            title=page.get("title"),
            date=page.get("date"),
            document_date=page.get("document_date"),
            source=page.get("source"),
            author=page.get("author"),
            site=page.get("site"),
            text=page.get("text") or "",
            charset=result.get("charset"),
            declared_charset=result.get("declared_charset"),
            platform=page.get("platform"),
            metadata_json=json.dumps(page, ensure_ascii=False),
            metadata_record_id=metadata_record_id,
            doc_number=page.get("doc_number"),
            issuer=page.get("issuer"),
            index_number=page.get("index_number"),
            published_date=page.get("date_published"),
            topic=page.get("topic"),
        )


class RecheckEvent(Base):
    """One re-check of one URL: its state then, why, and the captures it compared and made.

    Only ``removed`` is evidence of removal; a ``removed`` after a good capture is confirmed by a
    second fetch in the same run (``confirm_capture_id``), and ``flapped`` notes a page that was
    removed on the first fetch but back on the confirmation fetch.
    """

    __tablename__ = "recheck_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True, index=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    # unchanged|changed|removed|restored|gone|blocked|unreachable (archive_store.index.events.STATES)
    state: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(64), nullable=True)  # e.g. removed:soft-404
    reason: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    previous_capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"), nullable=True)
    new_capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"), nullable=True)
    confirm_capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"), nullable=True)
    flapped: Mapped[bool] = mapped_column(default=False)
    new_removal: Mapped[bool] = mapped_column(default=False)
    diff_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    # a `restored` source: when its confirmed removal was first seen (how long it was gone)
    gone_since: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (Index("ix_recheck_events_url_time", "url", "checked_at"),)


class Report(Base):
    """A report whose citations were archived (`archive --from-report`), one row per run."""

    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True, index=True)
    source: Mapped[str] = mapped_column(Text)  # the file path or URL as given
    format: Mapped[str] = mapped_column(String(16))  # html | markdown | pdf | docx | text
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    sha256: Mapped[str] = mapped_column(String(64))  # of the report's bytes as read
    added_at: Mapped[datetime] = mapped_column(DateTime)
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"), nullable=True)


class Citation(Base):
    """One cited URL of a report (deduplicated per report), with where and how it was cited."""

    __tablename__ = "citations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order of first appearance, from 1
    url: Mapped[str] = mapped_column(Text, index=True)  # as archived (fragment dropped)
    url_as_written: Mapped[str] = mapped_column(Text)
    anchor: Mapped[str | None] = mapped_column(Text, nullable=True)
    footnote: Mapped[str | None] = mapped_column(String(32), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))  # footnote | source | link | bare
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    context: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the capture the run made of it (filled in when the run's manifest is written)
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"), nullable=True)


# issue 17: captures that are not our own (imported WARC/WACZ files, recovered mementos) --------
class ImportedFile(Base):
    """One file given to `import` (a WARC or a WACZ), once per SHA-256: importing it again adds
    nothing. `stored_as` lists the names its WARCs were copied to under `warcs/` (JSON)."""

    __tablename__ = "imported_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(Text)  # the path as given
    kind: Mapped[str] = mapped_column(String(16))  # warc | warc.gz | wacz
    size: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    stored_as: Mapped[str] = mapped_column(Text)  # JSON list of warcs/ names
    summary: Mapped[str] = mapped_column(Text)  # JSON: the import summary's counts


class CaptureOrigin(Base):
    """Where a capture that is not our own came from; a capture without a row is `own`.

    `via` is `import` (a record of a WARC another tool made) or `memento` (a copy fetched from a
    public web archive by `recover`). Such captures are never evidence of what we saw."""

    __tablename__ = "capture_origins"
    capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id"), primary_key=True)
    origin: Mapped[str] = mapped_column(String(16))  # third-party
    via: Mapped[str] = mapped_column(String(16))  # import | memento
    source: Mapped[str | None] = mapped_column(Text, nullable=True)  # file or archive name
    source_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    original_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    memento_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    memento_datetime: Mapped[str | None] = mapped_column(String(40), nullable=True)
    timemap_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list of what was odd


class MonitoredSource(Base):
    """A URL `recheck` and `report` cover although no run of ours took it as a seed: an imported
    capture's URL the user asked to keep watching (`import --monitor`). Seeds, profile pages and
    citations are monitored without a row here (see archive_store.index.baselines)."""

    __tablename__ = "monitored_sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, index=True)
    via: Mapped[str] = mapped_column(String(16))  # import
    source: Mapped[str | None] = mapped_column(Text, nullable=True)  # the imported file as given
    added_at: Mapped[datetime] = mapped_column(DateTime)


class CitationPlace(Base):
    """Issue 17: every place a report cites a URL (`kind` place: its n-th citation in reading
    order and footnote label), and every link it holds that is not a citation (`kind` skipped:
    share button, social profile, navigation, footer, comments… with the reason)."""

    __tablename__ = "citation_places"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # place | skipped
    url: Mapped[str] = mapped_column(Text)
    occurrence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    footnote: Mapped[str | None] = mapped_column(String(32), nullable=True)
    anchor: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the link as written at this place, fragment included (`…html#para2`)
    url_as_written: Mapped[str | None] = mapped_column(Text, nullable=True)


class QuoteCheck(Base):
    """A passage quoted for a source (seed line, `--quotes` file, citing paragraph of a report),
    looked for in one capture: `present` (offsets and sentence), `altered` (the closest sentence
    and the diff) or `missing`. One row per quote per capture checked; the first row of a quote is
    its registration, later ones are re-checks (`previous_status` tells a change)."""

    __tablename__ = "quotes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, index=True)  # the source the passage is quoted from
    quote: Mapped[str] = mapped_column(Text)  # as the analyst wrote it
    quote_sha256: Mapped[str] = mapped_column(String(64))  # of the folded passage
    given_in: Mapped[str | None] = mapped_column(Text, nullable=True)  # seeds.txt:3, the report
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True, index=True)
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"), nullable=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))  # present | altered | missing
    previous_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    found_url: Mapped[str | None] = mapped_column(Text, nullable=True)  # the page or its document
    found_capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"), nullable=True)
    start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sentence: Mapped[str | None] = mapped_column(Text, nullable=True)
    sentence_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    diff_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    record_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the WARC metadata record


class PushResult(Base):
    """Issue 17: a Save-Page-Now-style request asking an independent archive to keep a URL we just
    captured, and the memento it answered with (or why it failed: never fatal)."""

    __tablename__ = "push_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, index=True)
    endpoint: Mapped[str] = mapped_column(Text)
    pushed_at: Mapped[datetime] = mapped_column(DateTime)
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    memento_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class CaptureFacts(Base):
    """How a capture was fetched (issue 16): vantage point, TLS facts; the full facts, chain PEM
    included, are in the `metadata` record `metadata_record_id` refers the response from."""

    __tablename__ = "capture_facts"
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the capture's record
    metadata_record_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    vantage: Mapped[str] = mapped_column(Text, default="direct")
    tls_protocol: Mapped[str | None] = mapped_column(String(16), nullable=True)
    tls_cipher: Mapped[str | None] = mapped_column(Text, nullable=True)
    tls_mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    tls_verified: Mapped[bool | None] = mapped_column(nullable=True)
    tls_json: Mapped[str | None] = mapped_column(Text, nullable=True)  # tlsfacts.summary


# issue 14: what a render leaves beside the exchanges ------------------------------------------
class RenderedRecordRow(Base):
    """A screenshot, PDF, rendered DOM or provenance record of a rendered page: where it is in the
    WARCs, so `show --screenshot`, the report and `export wacz` find it without reading them."""

    __tablename__ = "rendered_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capture_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)  # the final page
    page_url: Mapped[str | None] = mapped_column(Text, index=True, nullable=True)
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)  # screenshot | pdf | dom | provenance
    record_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    warc_file: Mapped[str | None] = mapped_column(String(255), nullable=True)
    warc_offset: Mapped[int | None] = mapped_column(Integer, nullable=True)
    warc_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    content_type: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


# the web view's accounts (`serve --login`, `users add`) -----------------------------------------
class Account(Base):
    """A person who may use `serve --login`: a role (viewer, analyst, admin) and an argon2id hash
    of the password (never the password itself)."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # viewer | analyst | admin
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
