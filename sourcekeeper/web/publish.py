"""`publish REPORT --out DIR`: a static citation page for one report's readers, made from the
index: each citation in the report's order with its state, first and last capture, quote status
(when known), a thumbnail, its Robust Link, one WACZ of just those sources and a page per citation
that replays it in the browser through ReplayWeb.page (its files from the pinned npm package,
replaywebpage.py). Publishing again rewrites DIR's files from the current index (after a re-check).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from archive_store.index.database import ArchiveIndex
from archive_store.index.schema import Report

HERE = Path(__file__).parent
WACZ_NAME = "sources.wacz"
THUMBNAIL_MAX_BYTES = 2_000_000


class PublishError(Exception):
    """No such report, or nothing of it archived: said in plain words."""


@dataclass
class Published:
    out: Path
    citations: int
    wacz: bool
    replay: bool


def find_report(index: ArchiveIndex, given: str) -> Report:
    """A report by its number, its file (as given to `archive --from-report`, or its name), or its
    title; the newest when several runs read it."""
    from sqlalchemy import select  # noqa: PLC0415

    with index.session() as s:
        reports = list(s.scalars(select(Report).order_by(Report.id.desc())))
    for report in reports:
        if given.isdigit() and report.id == int(given):
            return report
    for report in reports:
        if given in (report.source, Path(report.source).name, report.title, str(Path(given).resolve())):
            return report
    known = ", ".join(f"{r.id}: {Path(r.source).name}" for r in reports[:10]) or "none"
    raise PublishError(f"no report {given!r} in this archive (reports: {known})")


def _citations(index: ArchiveIndex, archive: Path, report: Report, base: str) -> list[dict[str, Any]]:
    from archive_store.export.citations import citations_of  # noqa: PLC0415
    from archive_store.index.quotes import quotes_json  # noqa: PLC0415
    from sourcekeeper.reporting.data import source_entry  # noqa: PLC0415
    from sourcekeeper.web.views import Context, screenshot_png  # noqa: PLC0415

    ctx = Context(archive, index)
    rows = []
    for number, citation in enumerate(citations_of(index, report.id), start=1):
        entry = source_entry(index, citation.url, base)
        captures = [p for p in entry["timeline"] if p["kind"] == "capture"]
        last_good = entry["last_good"]
        thumb = None
        if last_good:
            try:
                png = screenshot_png(ctx, int(last_good["capture_id"]))
            except (OSError, ValueError):
                png = None
            if png and len(png) <= THUMBNAIL_MAX_BYTES:
                thumb = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        rows.append(
            {
                "n": number,
                "footnote": citation.footnote,
                "anchor": citation.anchor,
                "url": citation.url,
                "state": entry["state"],
                "reason": entry["reason"],
                "title": entry["title"],
                "first": captures[0]["t"] if captures else None,
                "last": captures[-1]["t"] if captures else None,
                "last_good": last_good["captured_at"] if last_good else None,
                "ts": "".join(ch for ch in last_good["captured_at"] if ch.isdigit())[:14]
                if last_good
                else None,
                # each passage quoted from the source and its newest check
                "quotes": [
                    {"quote": q["quote"], "status": q["status"], "sentence": q["sentence"]}
                    for q in quotes_json(index, citation.url)
                ],
                "thumbnail": thumb,
                "robust_html": entry["robust_links"]["html"],
            }
        )
    return rows


def _write_wacz(archive: Path, db_url: str, urls: list[str], out: Path, title: str) -> bool:
    from archive_store.export.wacz import ExportError, export_wacz  # noqa: PLC0415
    from archive_store.export.waczselect import ExportFilter  # noqa: PLC0415
    from archive_store.index.lookup import url_variants  # noqa: PLC0415

    spellings = tuple(dict.fromkeys(s for url in urls for s in url_variants(url)))
    with tempfile.TemporaryDirectory(dir=out) as scratch:
        made = Path(scratch) / WACZ_NAME
        try:
            export_wacz(archive, made, ExportFilter(urls=spellings), title=title, db_url=db_url)
        except ExportError:
            return False
        os.replace(made, out / WACZ_NAME)  # DIR is ours to update, the archive is not touched
    return True


def publish_report(
    index: ArchiveIndex, archive: Path, given: str, out: Path, base_url: str = ""
) -> Published:
    from sourcekeeper.web.replaywebpage import ASSETS, LICENCE_NAMES, find_assets  # noqa: PLC0415

    report = find_report(index, given)
    out.mkdir(parents=True, exist_ok=True)
    base = base_url.rstrip("/") + "/" if base_url else ""
    rows = _citations(index, archive, report, f"{base}replay/#")
    title = report.title or Path(report.source).name
    has_wacz = _write_wacz(archive, index.db_url, [r["url"] for r in rows], out, title)
    assets = find_assets()
    if assets is not None:
        (out / "replay").mkdir(exist_ok=True)
        for name in (*ASSETS, *LICENCE_NAMES):
            if (assets / name).is_file():
                shutil.copy(assets / name, out / "replay" / name)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates" / "publish"), autoescape=True)
    page = {
        "title": title,
        "source": Path(report.source).name,
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "wacz": WACZ_NAME if has_wacz else None,
        "replay": assets is not None and has_wacz,
        "citations": rows,
    }
    shutil.copy(HERE / "static" / "style.css", out / "style.css")
    (out / "index.html").write_text(env.get_template("index.html").render(**page), "utf-8")
    for row in rows:
        if page["replay"] and row["ts"]:
            html = env.get_template("view.html").render(row=row, title=title, wacz=WACZ_NAME)
            (out / f"view-{row['n']}.html").write_text(html, "utf-8")
    data = {k: v for k, v in page.items() if k != "citations"}
    data["citations"] = [{k: v for k, v in r.items() if k != "thumbnail"} for r in rows]
    (out / "citations.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    return Published(out, len(rows), has_wacz, bool(page["replay"]))
