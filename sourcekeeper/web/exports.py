"""Export from the web view: a WACZ, a BagIt bag, Robust Links snippets or a citation manifest,
for one source or one report's citations, made by the library the `export` and `report` commands
use, into a private folder, then sent as a download."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from archive_store.index.lookup import url_variants
from sourcekeeper.web.views import Context


class ExportFailed(Exception):
    """Nothing to export (no capture of these URLs), said in plain words."""


def _wacz(ctx: Context, urls: list[str], folder: Path, title: str) -> Path:
    from archive_store.export.wacz import ExportError, export_wacz  # noqa: PLC0415
    from archive_store.export.waczselect import ExportFilter  # noqa: PLC0415

    spellings = tuple(dict.fromkeys(s for url in urls for s in url_variants(url)))
    out = folder / "sources.wacz"
    try:
        export_wacz(ctx.archive, out, ExportFilter(urls=spellings), title=title, db_url=ctx.index.db_url)
    except ExportError as exc:
        raise ExportFailed(str(exc)) from None
    return out


def _bag(ctx: Context, folder: Path) -> Path:
    from archive_store.export.bag import export_bag  # noqa: PLC0415
    from archive_store.export.wacz import ExportError  # noqa: PLC0415

    try:
        result = export_bag(ctx.archive, folder / "bag")
    except ExportError as exc:
        raise ExportFailed(str(exc)) from None
    return Path(shutil.make_archive(str(folder / "archive-bag"), "zip", root_dir=result.path))


def _robust(ctx: Context, urls: list[str], folder: Path, replay_base: str) -> Path:
    from archive_store.index.robustlinks import robust_entry  # noqa: PLC0415

    parts = []
    for number, url in enumerate(urls, start=1):
        entry = robust_entry(ctx.index, url, replay_base, str(number))
        parts.append(f"<!-- {number} -->\n{entry['html']}\n\n{entry['markdown']}\n")
    out = folder / "robust-links.txt"
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


def _manifest(ctx: Context, report_id: int, folder: Path, replay_base: str) -> Path:
    from archive_store.export.citations import citations_of, manifest_entry  # noqa: PLC0415
    from archive_store.index.schema import Report  # noqa: PLC0415

    with ctx.index.session() as s:
        report = s.get(Report, report_id)
    if report is None:
        raise ExportFailed("no such report")
    entries = [
        manifest_entry(ctx.index, ctx.warc_dir, report, c, replay_base)
        for c in citations_of(ctx.index, report.id)
    ]
    head = {"source": report.source, "format": report.format, "title": report.title, "sha256": report.sha256}
    out = folder / "citations.json"
    out.write_text(json.dumps({"report": head, "citations": entries}, ensure_ascii=False, indent=2), "utf-8")
    return out


def make_export(
    ctx: Context, kind: str, urls: list[str], folder: Path, replay_base: str, report: str | None
) -> tuple[Path, str]:
    """(file, media type) of the export asked for."""
    if kind == "wacz":
        if not urls:
            raise ExportFailed("the report cites no URL")
        return _wacz(ctx, urls, folder, "sourcekeeper export"), "application/wacz+zip"
    if kind == "bag":
        return _bag(ctx, folder), "application/zip"
    if kind == "robust":
        return _robust(ctx, urls, folder, replay_base), "text/plain; charset=utf-8"
    if report is None or not report.isdigit():
        raise ExportFailed("a citation manifest is made for a report: choose one")
    return _manifest(ctx, int(report), folder, replay_base), "application/json"
