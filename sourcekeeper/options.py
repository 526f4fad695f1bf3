"""What every subcommand shares: the common options, how they become settings, and usage errors.

Each subcommand is one module in `sourcekeeper/commands/` (its argument parser and one library
call); this module is the only thing they share besides the library.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive_store.layout import INDEX_NAME
from sourcekeeper.configfile import CONFIG_NAME, DEFAULT_ARCHIVE

if TYPE_CHECKING:
    from archive_store.index.when import When

# what --at/--since/--until take (archive_store/index/when.py), for the help of each
WHEN_HELP = "a date (the whole day, UTC), month, year, ISO time or 14-digit timestamp"


class UsageError(Exception):
    """Bad arguments or configuration (exit code 2)."""


def _setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def when_value(text: str) -> When:
    """argparse type of every --at/--since/--until: the one WHEN parser (a bare date = that day)."""
    from archive_store.index.when import parse_when  # noqa: PLC0415

    try:
        return parse_when(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """--archive, --db, -s NAME=VALUE, --json, -v, -q: the options every subcommand takes."""
    parser.add_argument(
        "--archive",
        type=Path,
        default=DEFAULT_ARCHIVE,  # this object: not given (a config file may name the folder)
        metavar="DIR",
        help="archive folder (default: ./archive)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help=f"read settings from FILE only (default: ./{CONFIG_NAME}, then DIR/{CONFIG_NAME})",
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


class SettingOption(argparse.Action):
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
        action=SettingOption,
        setting="ARCHIVE_TSA_URL",
        metavar="URL",
        help="RFC 3161 time-stamp authority: timestamp each closed WARC's SHA-256 "
        "(token kept as warcs/<warc>.tsr; -s ARCHIVE_TSA_CA=PEM to check its signer)",
    )


def check_setting_names(args: argparse.Namespace) -> None:
    """Every `-s NAME=VALUE` names a setting Scrapy or the archive knows (else exit 2, with the
    closest known name); the config files' names are checked where they are read."""
    given = [name for name, _ in getattr(args, "cli_settings", None) or []]
    if not given:
        return
    from sourcekeeper.configfile import unknown_setting_names  # noqa: PLC0415 (imports Scrapy's defaults)

    problems = unknown_setting_names(given)
    if problems:
        raise UsageError("\n  ".join(problems))


def log_level(args: argparse.Namespace) -> str:
    if getattr(args, "verbose", False):
        return "INFO"
    return "ERROR" if getattr(args, "quiet", False) else "WARNING"


def overrides(args: argparse.Namespace) -> dict[str, str]:
    """The -s settings, plus --db as ARCHIVE_DB_URL."""
    found = dict(args.settings)
    if args.db:
        found["ARCHIVE_DB_URL"] = args.db
    return found


def db_url(args: argparse.Namespace) -> str:
    # the SQLAlchemy-free spelling of database.default_db_url: read-only commands stay quick
    from archive_store.index.reader import archive_db_url  # noqa: PLC0415

    return str(args.db or archive_db_url(args.archive))


def err(text: str) -> None:
    """A line on stderr; archived strings in it are shown with their control characters escaped."""
    from sourcekeeper.printable import printable  # noqa: PLC0415

    print(printable(text), file=sys.stderr)


def add_seeds_option(parser: argparse.ArgumentParser) -> None:
    """`--seeds FILE`, as often as wanted: every file is read, in order."""
    parser.add_argument(
        "--seeds",
        action="append",
        metavar="FILE",
        help="file with one URL per line (`# comments`, also after a URL); may be given more than once",
    )


def check_seed_files(paths: list[str] | None) -> list[str]:
    """The --seeds files, each one there (a usage error names the first one that is not)."""
    for path in paths or []:
        if not Path(path).is_file():
            raise UsageError(f"seed file not found: {path}")
    return list(paths or [])


def require_archive(args: argparse.Namespace) -> None:
    if not (args.archive / INDEX_NAME).exists() and not args.db:
        raise UsageError(f"no archive at {args.archive} (use --archive DIR)")
