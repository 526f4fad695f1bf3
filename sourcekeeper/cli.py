"""`sourcekeeper` command line: each subcommand parses its arguments and calls one library function.

Exit codes: 0 success; 1 the work ran but something failed (named on stderr); 2 usage or
configuration error; 3 a re-check found new removals; 75 the archive is locked by another run
(try again later, as cron would). See docs/readme/unattended.md.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from archive_store.lock import ArchiveLocked

from . import __version__, commands
from .recover_option import add_recover_option
from .runner import BadSettings, CrawlFailed
from .unattended import add_log_format_option

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75


def _setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--archive",
        type=Path,
        default=Path("archive"),
        metavar="DIR",
        help="archive folder (default: ./archive)",
    )
    parser.add_argument("--db", metavar="URL", help="index database URL (default: SQLite in the archive)")
    parser.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        type=_setting,
        default=[],
        metavar="NAME=VALUE",
        help="Scrapy/archive setting, as with `scrapy crawl -s`",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("-v", "--verbose", action="store_true", help="show the crawl log (INFO)")
    parser.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr")


class _SettingOption(argparse.Action):
    """An option that is shorthand for `-s NAME=VALUE` (adds to the same list as -s)."""

    def __init__(self, option_strings: list[str], dest: str, *, setting: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, default=argparse.SUPPRESS, **kwargs)
        self.setting = setting

    def __call__(self, parser: object, namespace: argparse.Namespace, values: object, *_: object) -> None:
        items = [*(getattr(namespace, self.dest, None) or []), (self.setting, str(values))]
        setattr(namespace, self.dest, items)


def add_tsa_option(parser: argparse.ArgumentParser) -> None:
    """`--tsa URL` for any command that writes WARCs (sets ARCHIVE_TSA_URL)."""
    parser.add_argument(
        "--tsa",
        dest="settings",
        action=_SettingOption,
        setting="ARCHIVE_TSA_URL",
        metavar="URL",
        help="RFC 3161 time-stamp authority: timestamp each closed WARC's SHA-256 "
        "(token kept as warcs/<warc>.tsr; -s ARCHIVE_TSA_CA=PEM to check its signer)",
    )


def command_modules() -> list[ModuleType]:
    """Subcommands that live in their own module, `sourcekeeper/cmd_<name>.py`, each with
    `register(subparsers, add_common_options)`; found by name so adding one touches no other file."""
    package = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(package)]) if m.name.startswith("cmd_"))
    return [importlib.import_module(f"{__package__}.{name}") for name in names]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sourcekeeper", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"sourcekeeper {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    archive = sub.add_parser("archive", help="capture URLs and the documents they link to")
    archive.add_argument("urls", nargs="*", metavar="URL")
    archive.add_argument("--seeds", metavar="FILE", help="file with one URL per line (# comments)")
    archive.add_argument("--no-extract", action="store_true", help="capture only; skip text extraction")
    archive.add_argument(
        "--from-report",
        metavar="FILE|URL",
        help="archive every link an HTML/Markdown/PDF/DOCX report cites (and a report URL itself); "
        "writes citations/citations-<report>.json and .csv",
    )
    add_log_format_option(archive)
    add_tsa_option(archive)
    add_recover_option(archive)  # issue 17
    _common(archive)
    archive.set_defaults(func=commands.archive)

    show = sub.add_parser("show", help="show a capture of a URL (latest good one by default)")
    show.add_argument("url", metavar="URL")
    show.add_argument("--at", metavar="TIME", help="capture as of TIME (ISO date/time or 14-digit)")
    output = show.add_mutually_exclusive_group()
    output.add_argument("--text", action="store_true", help="print only the extracted text")
    output.add_argument("--raw", action="store_true", help="write the HTTP response exactly as archived")
    _common(show)
    show.set_defaults(func=commands.show)

    search = sub.add_parser("search", help="full-text search of extracted titles and text")
    search.add_argument("query", metavar="QUERY", help="one or more terms; every term must occur")
    search.add_argument("--limit", type=int, default=20, help="at most this many hits (default 20)")
    _common(search)
    search.set_defaults(func=commands.search)

    verify = sub.add_parser("verify", help="check fixity and structure of the whole archive")
    _common(verify)
    verify.set_defaults(func=commands.verify)

    for module in command_modules():
        module.register(sub, _common)

    demo = sub.add_parser("demo", help="serve the bundled sample site and archive it")
    _common(demo)
    demo.set_defaults(func=commands.demo, archive=None)
    demo.add_argument("--keep", action="store_true", help="keep an existing demo archive (default: fresh)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ArchiveLocked as exc:
        print(f"sourcekeeper: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    except BadSettings as exc:
        print(f"sourcekeeper {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CrawlFailed as exc:
        print(f"sourcekeeper {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except commands.UsageError as exc:
        print(f"sourcekeeper {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("sourcekeeper: interrupted; rerun the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
