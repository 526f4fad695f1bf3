"""Rewrite imports and dotted/slashed module names from the flat layout to the regrouped one (issue 13).

Usage: python scripts/remap_imports.py FILE...      (rewrites the files in place; idempotent)
       python scripts/remap_imports.py --relative FILE...   (first turn relative imports absolute,
                                                            using each file's path in the OLD layout)

Branches started before the regroup run it over the files they added or changed after merging main.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# old module -> new module
MODULE_MAP: dict[str, str] = {
    # archive folder: layout and lock at the bottom
    "archive_store.warcfiles": "archive_store.layout",
    "archive_store.lock": "archive_store.lock",
    # WARC format only
    "archive_store.recordbuilder": "archive_store.warc.recordbuilder",
    "archive_store.writer": "archive_store.warc.writer",
    "archive_store.httpmessage": "archive_store.warc.httpmessage",
    "archive_store.members": "archive_store.warc.members",
    # the independent validator
    "archive_store.validate": "archive_store.validate.validator",
    "archive_store.crosschecks": "archive_store.validate.crosschecks",
    "archive_store.httpchecks": "archive_store.validate.httpchecks",
    "archive_store.recordchecks": "archive_store.validate.recordchecks",
    "archive_store.problems": "archive_store.validate.problems",
    "archive_store.gzipmembers": "archive_store.validate.gzipmembers",
    "archive_store.warcdigest": "archive_store.validate.warcdigest",
    "archive_store.warcparse": "archive_store.validate.warcparse",
    # the metadata index and the CDXJ indexes
    "archive_store.schema": "archive_store.index.schema",
    "archive_store.index": "archive_store.index.database",
    "archive_store.search": "archive_store.index.search",
    "archive_store.search_setup": "archive_store.index.search_setup",
    "archive_store.lookup": "archive_store.index.lookup",
    "archive_store.events": "archive_store.index.events",
    "archive_store.baselines": "archive_store.index.baselines",
    "archive_store.stored": "archive_store.index.stored",
    "archive_store.cdxj": "archive_store.index.cdxj",
    "archive_store.migrations": "archive_store.index.migrations",
    # evidence files: manifest, custody log, RFC 3161, export records
    "archive_store.fixity": "archive_store.evidence.fixity",
    "archive_store.tsa": "archive_store.evidence.tsa",
    "archive_store.evidence": "archive_store.evidence.exports",
    # where the bytes live beyond the local folder
    "archive_store.storage": "archive_store.storage.remote",
    "archive_store.uploads": "archive_store.storage.uploads",
    "archive_store.reader": "archive_store.storage.reader",
    # the whole-archive check
    "archive_store.verify": "archive_store.audit.verify",
    # exports and replay
    "archive_store.wacz": "archive_store.export.wacz",
    "archive_store.waczselect": "archive_store.export.waczselect",
    "archive_store.waczsign": "archive_store.export.waczsign",
    "archive_store.waczcheck": "archive_store.export.waczcheck",
    "archive_store.bag": "archive_store.export.bag",
    "archive_store.replay": "archive_store.export.replay",
    "archive_store.pywb_launch": "archive_store.export.pywb_launch",
    "archive_store.citations": "archive_store.export.citations",
    # the only part that knows Scrapy
    "archive_store.addon": "archive_store.crawl.addon",
    "archive_store.capture": "archive_store.crawl.capture",
    "archive_store.extension": "archive_store.crawl.extension",
    "archive_store.session": "archive_store.crawl.session",
    "archive_store.resume": "archive_store.crawl.resume",
    "archive_store.recovery": "archive_store.crawl.recovery",
    "archive_store.redact": "archive_store.crawl.redact",
    "archive_store.default_settings": "archive_store.crawl.default_settings",
    "archive_store.failures": "archive_store.crawl.failures",
    "archive_store.warcinfo": "archive_store.crawl.warcinfo",
    # pipelines: item pipelines stay on top; the extraction library below
    **{
        f"pipelines.{name}": f"pipelines.extraction.{name}"
        for name in [
            "analyse",
            "attachments",
            "classify",
            "contentstate",
            "dates",
            "dateselect",
            "decode",
            "density",
            "evaluate",
            "extract",
            "facts",
            "fields",
            "htmltext",
            "mixed",
            "navigation",
            "platforms",
            "scoring",
            "signatures",
            "textdiff",
            "wechat",
        ]
    },
    "scrapers.wechat": "pipelines.extraction.wechat_urls",
    # reading input documents (reports, seed lists) into URLs
    "scrapers.report_links": "pipelines.documents.links",
    "scrapers.report_markdown": "pipelines.documents.markdown",
    "scrapers.report_office": "pipelines.documents.office",
    "scrapers.seeds": "pipelines.documents.seeds",
    # command line
    "sourcekeeper.commands": "sourcekeeper.options",
    "sourcekeeper.cmd_crawl": "sourcekeeper.commands.crawl",
    "sourcekeeper.cmd_enqueue": "sourcekeeper.commands.enqueue",
    "sourcekeeper.cmd_export": "sourcekeeper.commands.export",
    "sourcekeeper.cmd_history": "sourcekeeper.commands.history",
    "sourcekeeper.cmd_recheck": "sourcekeeper.commands.recheck",
    "sourcekeeper.cmd_replay": "sourcekeeper.commands.replay",
    "sourcekeeper.cmd_report": "sourcekeeper.commands.report",
    "sourcekeeper.cmd_worker": "sourcekeeper.commands.worker",
    "sourcekeeper.demo_run": "sourcekeeper.demo.run",
    "sourcekeeper.demo_takedown": "sourcekeeper.demo.takedown",
    "sourcekeeper.rawsite": "sourcekeeper.demo.rawsite",
    "sourcekeeper.runner": "sourcekeeper.jobs.runner",
    "sourcekeeper.unattended": "sourcekeeper.jobs.unattended",
    "sourcekeeper.recheck_run": "sourcekeeper.jobs.recheck",
    "sourcekeeper.report_run": "sourcekeeper.jobs.report",
    "sourcekeeper.profile_crawl": "sourcekeeper.jobs.crawl",
    "sourcekeeper.report_data": "sourcekeeper.reporting.data",
    "sourcekeeper.report_html": "sourcekeeper.reporting.html",
}

_DOTTED = re.compile(r"(?<![\w.])((?:archive_store|pipelines|scrapers|sourcekeeper)\.[A-Za-z_]\w*)")
_SLASHED = re.compile(r"(?<![\w/])((?:archive_store|pipelines|scrapers|sourcekeeper)/[A-Za-z_]\w*)\.py\b")
_NEW_MODULES = set(MODULE_MAP.values())
_NEW_PACKAGES = {m.rsplit(".", 1)[0] for m in _NEW_MODULES}
_NEXT_NAME = re.compile(r"\.([A-Za-z_]\w*)")


def _new_name(old: str) -> str | None:
    return MODULE_MAP.get(old)


def remap_text(text: str) -> str:
    """Map `pkg.module` (and `pkg/module.py`) names of the flat layout to the regrouped layout."""

    def dotted(match: re.Match[str]) -> str:
        old = match.group(1)
        new = _new_name(old)
        if new is None or new == old:
            return old
        following = _NEXT_NAME.match(text, match.end())
        if following and f"{old}.{following.group(1)}" in _NEW_MODULES | _NEW_PACKAGES:
            return old  # already a name of the new layout (e.g. archive_store.index.database)
        return new

    def slashed(match: re.Match[str]) -> str:
        old = match.group(1).replace("/", ".")
        new = _new_name(old)
        return match.group(0) if new is None else new.replace(".", "/") + ".py"

    return _SLASHED.sub(slashed, _DOTTED.sub(dotted, text))


_RELATIVE = re.compile(r"^(\s*)from (\.+)([\w.]*) import ", re.MULTILINE)


def absolutize(path: Path, text: str) -> str:
    """Turn `from .x import y` into `from pkg.x import y`, by the file's own module path."""
    parts = list(path.with_suffix("").parts)
    package = parts[:-1]

    def repl(match: re.Match[str]) -> str:
        indent, dots, rest = match.groups()
        base = package[: len(package) - (len(dots) - 1)]
        target = ".".join([*base, rest] if rest else base)
        return f"{indent}from {target} import "

    return _RELATIVE.sub(repl, text)


def main(argv: list[str]) -> int:
    relative = "--relative" in argv
    files = [Path(a) for a in argv if a != "--relative"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        new = absolutize(path, text) if relative else text
        new = remap_text(new)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
