"""Reports and their citations in the index, and the citation manifest of a run (JSON and CSV):
report → anchor text / footnote → URL → capture (record id, WARC file, SHA-256, time, state)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from archive_store.index.baselines import stored_header
from archive_store.index.database import ArchiveIndex
from archive_store.index.lookup import find_capture, url_variants
from archive_store.index.schema import Capture, Citation, Failure, Report
from archive_store.layout import CITATIONS_DIR, WARCS_DIR
from archive_store.storage.reader import load_capture

MANIFEST_DIR = CITATIONS_DIR
CSV_FIELDS = (
    "report",
    "position",
    "footnote",
    "anchor",
    "kind",
    "url",
    "url_as_written",
    "record_id",
    "warc_file",
    "warc_offset",
    "warc_length",
    "payload_sha256",
    "captured_at",
    "http_status",
    "state",
    "captured_url",
    "failure",
    # issue 17: Robust Links columns (archive_store/robustlinks.py)
    "archived_url",
    "archived_date",
    "third_party_urls",
    "third_party_dates",
    "robust_link_html",
    "footnotes",  # every footnote citing it, in order
    "skip_reason",  # rows of kind "skipped": a link of the report that is no citation
    "places_as_written",  # the link at every place it is cited, in order (`…html#para2` too)
)
_UNSAFE_NAME_RE = re.compile(r"[^\w.-]+")
MAX_REDIRECT_HOPS = 10


def add_report(index: ArchiveIndex, report: Report, citations: list[Citation]) -> int:
    with index.session() as s:
        s.add(report)
        s.flush()
        for citation in citations:
            citation.report_id = report.id
            s.add(citation)
        s.commit()
        return report.id


def reports_of_run(index: ArchiveIndex, run_id: int) -> list[Report]:
    with index.session() as s:
        return list(s.scalars(select(Report).where(Report.run_id == run_id).order_by(Report.id)))


def citations_of(index: ArchiveIndex, report_id: int) -> list[Citation]:
    with index.session() as s:
        stmt = select(Citation).where(Citation.report_id == report_id).order_by(Citation.position)
        return list(s.scalars(stmt))


def citing_reports(index: ArchiveIndex, url: str) -> list[tuple[Report, Citation]]:
    """Reports that cite `url` (any spelling `show` accepts), one entry per distinct report file."""
    with index.session() as s:
        stmt = (
            select(Report, Citation)
            .join(Citation, Citation.report_id == Report.id)
            .where(Citation.url.in_(url_variants(url)))
            .order_by(Report.added_at, Report.id)
        )
        rows = [(report, citation) for report, citation in s.execute(stmt)]  # (SQLAlchemy 2.1: no .tuples())
    seen: set[tuple[str, str]] = set()
    unique: list[tuple[Report, Citation]] = []
    for report, citation in rows:
        if (report.source, report.sha256) not in seen:
            seen.add((report.source, report.sha256))
            unique.append((report, citation))
    return unique


def cited_by_json(index: ArchiveIndex, url: str) -> list[dict[str, Any]]:
    """The reports citing `url`, for `show` and `history` (none in an archive made before
    citations were indexed)."""
    try:
        found = citing_reports(index, url)
    except OperationalError:  # no citations table yet: opened without creating tables
        return []
    return [
        {
            "report": report.source,
            "title": report.title,
            "anchor": citation.anchor,
            "footnote": citation.footnote,
            "kind": citation.kind,
            "added_at": report.added_at.isoformat() + "Z",
        }
        for report, citation in found
    ]


def all_cited_urls(index: ArchiveIndex) -> list[str]:
    """Every cited URL, in the order reports were added and citations appear."""
    with index.session() as s:
        stmt = select(Citation.url).join(Report).order_by(Report.id, Citation.position)
        return list(dict.fromkeys(s.scalars(stmt)))


# the manifest ----------------------------------------------------------------------------------
def manifest_stem(source: str) -> str:
    """A file-name stem for a report: its own file name (extension kept, so report.pdf and
    report.docx do not collide), or a hash for a URL (S-5: no path is ever built from a URL)."""
    if "://" in source:
        return "url-" + hashlib.sha256(source.encode()).hexdigest()[:12]
    return _UNSAFE_NAME_RE.sub("_", Path(source).name).strip("._") or "report"


def run_capture(index: ArchiveIndex, warc_dir: Path, url: str, run_id: int | None) -> Capture | None:
    """The capture a run made of a cited URL, through its redirects; else the latest good one."""
    current, seen = url, {url}
    for _ in range(MAX_REDIRECT_HOPS):
        made = [c for v in url_variants(current) for c in index.captures_for(v) if c.run_id == run_id]
        if not made:
            break
        last = max(made, key=lambda c: (c.captured_at, c.id))
        location = stored_header(warc_dir, last, b"location") if 300 <= last.http_status < 400 else None
        if not location or urljoin(last.url, location) in seen:
            return last
        current = urljoin(last.url, location)
        seen.add(current)
    return find_capture(index, url)


def _payload_sha256(index: ArchiveIndex, warc_dir: Path, capture: Capture) -> str | None:
    try:
        return hashlib.sha256(load_capture(index, warc_dir, capture).payload).hexdigest()
    except (OSError, ValueError):
        return None


def _failure(index: ArchiveIndex, url: str, run_id: int | None) -> str | None:
    with index.session() as s:
        stmt = select(Failure.reason).where(Failure.url == url, Failure.run_id == run_id)
        return s.scalars(stmt.order_by(Failure.id.desc())).first()


def manifest_entry(
    index: ArchiveIndex, warc_dir: Path, report: Report, citation: Citation, replay_base: str | None = None
) -> dict[str, Any]:
    from archive_store.index.robustlinks import DEFAULT_REPLAY_BASE, robust_entry  # noqa: PLC0415

    capture = run_capture(index, warc_dir, citation.url, report.run_id)
    entry: dict[str, Any] = {
        "position": citation.position,
        "footnote": citation.footnote,
        "anchor": citation.anchor,
        "kind": citation.kind,
        "url": citation.url,
        "url_as_written": citation.url_as_written,
        "occurrences": citation.occurrences,
        "context": citation.context,
        "capture": None,
        "failure": None if capture else _failure(index, citation.url, report.run_id),
        # archived copies as Robust Links HTML, a Markdown footnote and CSV columns (issue 17)
        "robust_links": robust_entry(
            index,
            citation.url,
            replay_base or DEFAULT_REPLAY_BASE,
            citation.footnote or str(citation.position),
            citation.anchor,
        ),
    }
    if capture is not None:
        _set_citation_capture(index, citation.id, capture.id)
        entry["capture"] = {
            "record_id": capture.record_id,
            "warc_file": capture.warc_file,
            "warc_offset": capture.warc_offset,
            "warc_length": capture.warc_length,
            "payload_sha256": _payload_sha256(index, warc_dir, capture),
            "captured_at": capture.captured_at.isoformat() + "Z",
            "http_status": capture.http_status,
            "state": capture.state,
            "url": capture.url,
        }
    return entry


def _set_citation_capture(index: ArchiveIndex, citation_id: int, capture_id: int) -> None:
    with index.session() as s:
        s.execute(update(Citation).where(Citation.id == citation_id).values(capture_id=capture_id))
        s.commit()


def write_manifest(
    index: ArchiveIndex, archive_dir: Path, report: Report, replay_base: str | None = None
) -> tuple[Path, Path]:
    """citations/citations-<stem>.json and .csv inside the archive; returns both paths."""
    from archive_store.index.citationplaces import places_of  # noqa: PLC0415

    warc_dir = archive_dir / WARCS_DIR
    entries = [
        manifest_entry(index, warc_dir, report, c, replay_base) for c in citations_of(index, report.id)
    ]
    places, skipped = places_of(index, report.id)
    for entry in entries:  # every place the report cites it: n-th citation, footnote number
        entry["places"] = places.get(entry["url"], [])
    head = {
        "source": report.source,
        "format": report.format,
        "title": report.title,
        "sha256": report.sha256,
        "added_at": report.added_at.isoformat() + "Z",
        "run": report.run_id,
    }
    folder = archive_dir / MANIFEST_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"citations-{manifest_stem(report.source)}"
    json_path, csv_path = folder / f"{stem}.json", folder / f"{stem}.csv"
    document = {"report": head, "citations": entries, "skipped": skipped}
    json_path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
        writer = csv.DictWriter(handle, CSV_FIELDS)
        writer.writeheader()
        for entry in entries:
            writer.writerow(_csv_row(report.source, entry))
        for skip in skipped:  # links that are no citations, named with the reason
            row = {"report": report.source, "kind": "skipped", "url": skip["url"], "anchor": skip["anchor"]}
            writer.writerow({**row, "skip_reason": skip["reason"]})
    return json_path, csv_path


def _csv_row(source: str, entry: dict[str, Any]) -> dict[str, Any]:
    capture = entry["capture"] or {}
    row = {name: entry.get(name) for name in CSV_FIELDS if name in entry}
    row.update({k: capture.get(k) for k in CSV_FIELDS if k in capture})
    row["captured_url"] = capture.get("url")
    row["report"] = source
    links = entry.get("robust_links") or {}
    row.update(
        {k: links.get(k) for k in ("archived_url", "archived_date", "third_party_urls", "third_party_dates")}
    )
    row["robust_link_html"] = links.get("html")
    row["footnotes"] = " ".join(str(p["footnote"]) for p in entry.get("places", []) if p["footnote"])
    row["places_as_written"] = " ".join(p.get("url_as_written") or "" for p in entry.get("places", []))
    return row
