"""Rewrite imports and dotted/slashed module names from the flat layout to the regrouped one, and
from the flat crawl room to its rooms (crawl/capture, crawl/render, net).

Usage: python scripts/remap_imports.py FILE...      (rewrites the files in place; idempotent)
       python scripts/remap_imports.py --rooms FILE...   (only the crawl's rooms: for branches
                                                          made after the regroup)
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

# the crawl room in rooms: old module -> new module (a name not listed here did not move)
ROOMS_MAP: dict[str, str] = {
    # the recording download handler and the path of its bytes into records
    "archive_store.crawl.capture": "archive_store.crawl.capture.handler",
    "archive_store.crawl.mediastream": "archive_store.crawl.capture.mediastream",
    "archive_store.crawl.fetchfacts": "archive_store.crawl.capture.fetchfacts",
    "archive_store.crawl.redact": "archive_store.crawl.capture.redact",
    "archive_store.crawl.endpoints": "archive_store.crawl.capture.endpoints",
    "archive_store.crawl.tlspolicy": "archive_store.crawl.capture.tlspolicy",
    # rendering in Chromium
    "archive_store.crawl.render_browser": "archive_store.crawl.render.browser",
    "archive_store.crawl.render_page": "archive_store.crawl.render.page",
    "archive_store.crawl.render_session": "archive_store.crawl.render.session",
    "archive_store.crawl.render_middleware": "archive_store.crawl.render.middleware",
    "archive_store.crawl.render_records": "archive_store.crawl.render.records",
    "archive_store.crawl.navigations": "archive_store.crawl.render.navigations",
    # the network without Scrapy or Twisted: address policy, proxies, TLS facts, urllib clients
    "archive_store.crawl.netpolicy": "archive_store.net.netpolicy",
    "archive_store.crawl.urlguard": "archive_store.net.urlguard",
    "archive_store.crawl.tlsfacts": "archive_store.net.tlsfacts",
    "archive_store.crawl.memento": "archive_store.net.memento",
    "archive_store.crawl.push": "archive_store.net.push",
    "archive_store.crawl.vantage": "archive_store.net.vantage",
}
# names that moved on their own, before the modules are mapped
ROOMS_NAMES: dict[str, str] = {
    "archive_store.crawl.vantage.VantageMiddleware": "archive_store.crawl.proxying.VantageMiddleware",
    "archive_store.crawl.vantage import VantageMiddleware": (
        "archive_store.crawl.proxying import VantageMiddleware"
    ),
    "python -m archive_store.crawl.settings_doc": "python scripts/settings_doc.py",
}
_ROOMS_DOTTED = re.compile(r"(?<![\w.])(archive_store\.crawl\.[A-Za-z_]\w*)")
_ROOMS_SLASHED = re.compile(r"(?<![\w/])(archive_store/crawl/[A-Za-z_]\w*)\.py\b")
_ROOMS_NEW = set(ROOMS_MAP.values())

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


def remap_rooms(text: str) -> str:
    """Map `archive_store.crawl.module` (and `archive_store/crawl/module.py`) to the crawl's rooms."""
    for old, new in ROOMS_NAMES.items():
        text = text.replace(old, new)

    def dotted(match: re.Match[str]) -> str:
        old = match.group(1)
        new = ROOMS_MAP.get(old)
        if new is None:
            return old
        following = _NEXT_NAME.match(text, match.end())
        if following and f"{old}.{following.group(1)}" in _ROOMS_NEW:
            return old  # already a name of the rooms (archive_store.crawl.capture.handler)
        return new

    def slashed(match: re.Match[str]) -> str:
        new = ROOMS_MAP.get(match.group(1).replace("/", "."))
        return match.group(0) if new is None else new.replace(".", "/") + ".py"

    return _ROOMS_SLASHED.sub(slashed, _ROOMS_DOTTED.sub(dotted, text))


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
    rooms = "--rooms" in argv
    files = [Path(a) for a in argv if a not in {"--relative", "--rooms"}]
    for path in files:
        text = path.read_text(encoding="utf-8")
        new = absolutize(path, text) if relative else text
        new = remap_rooms(new) if rooms else remap_text(new)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
