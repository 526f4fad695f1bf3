"""`sourcekeeper` command line: each subcommand parses its arguments and calls one library function.

Every subcommand is one module in `sourcekeeper/commands/` with `register(subparsers,
add_common_options)`; they are found by name, so adding one touches no other file. Exit codes are
`sourcekeeper.exitcodes.ExitCode`: 0 success; 1 the work ran but something failed (named on
stderr); 2 usage or configuration error; 3 a re-check found new removals; 75 the archive is locked
by another run (try again later, as cron would); 130 interrupted (Ctrl-C); 143 stopped by SIGTERM.
See docs/unattended-operation.md.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import pkgutil
import signal
import sys
from collections.abc import Sequence
from types import FrameType, ModuleType

from archive_store.lock import ArchiveLocked
from sourcekeeper import __version__, commands, manners
from sourcekeeper.configfile import ConfigError, load_config
from sourcekeeper.exitcodes import ExitCode
from sourcekeeper.jobs.runner import BadSettings, CrawlFailed
from sourcekeeper.manners import (
    Interrupted,
    exit_code_for,
    install_stop_handlers,
    interrupted_line,
    quiet_broken_pipe,
)
from sourcekeeper.options import UsageError, add_common_options, check_setting_names


def command_modules() -> list[ModuleType]:
    """The subcommand modules, `sourcekeeper/commands/<name>.py`, in name order."""
    names = sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"{commands.__name__}.{name}") for name in names]


# what `sourcekeeper --help` opens with: what the tool does for the person running it
DESCRIPTION = (
    "Keep verifiable copies of the web pages a report cites: capture them into standard WARC "
    "files, show and search what was captured, and re-check the sources to record, with "
    "evidence, when they change, disappear or get blocked."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sourcekeeper", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"sourcekeeper {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in command_modules():
        module.register(sub, add_common_options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; Ctrl-C anywhere ends it with one line and 130, a closed pipe quietly."""
    command = None
    previous = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    install_stop_handlers()  # SIGTERM ends a command as Ctrl-C does, with its own exit code
    interrupted = False
    try:
        parser = build_parser()
        args = parse_args(parser, argv)
        command = manners.current_command = args.command
        code = _run(args)
        sys.stdout.flush()  # a reader gone before the last buffered lines: caught here, not at exit
        if manners.pending_stop is not None:  # raised where Python dropped it (a GC callback)
            interrupted = True
            return _interrupted(command, manners.pending_stop)
        return code
    except KeyboardInterrupt as exc:
        interrupted = True  # its handlers stay: the process is ending
        return _interrupted(command, exc)
    except BrokenPipeError:
        return quiet_broken_pipe()
    finally:
        if not interrupted:  # a caller in the same process (a test, a script) gets its own back
            signal.signal(signal.SIGINT, previous[0])
            signal.signal(signal.SIGTERM, previous[1])


def _interrupted(command: str | None, exc: KeyboardInterrupt) -> int:
    """Ctrl-C (130) or SIGTERM (143): one line; a second signal during a crawl's graceful stop
    ends the process at once (no interpreter shutdown: it would wait for the crawl's threads and
    worker processes, which end by themselves when this process is gone)."""
    code = exit_code_for(exc)

    def at_once(_signum: int, _frame: FrameType | None) -> None:
        os._exit(code)

    signal.signal(signal.SIGINT, at_once)  # from here on, another signal ends it without a word
    signal.signal(signal.SIGTERM, at_once)
    line = interrupted_line(command, exc)
    with contextlib.suppress(OSError, ValueError):
        if line:
            print(line, file=sys.stderr, flush=True)
        sys.stdout.flush()
    if isinstance(exc, Interrupted) and exc.at_once:
        from archive_store.crawl.children import before_exit_at_once  # noqa: PLC0415

        before_exit_at_once()
        os._exit(code)
    return code


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """`parser.parse_args`, except that an unknown option is refused by the subcommand's own
    parser, so the usage printed (exit 2) is that subcommand's, not the top level's."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        innermost(parser, args).error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def innermost(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The (sub-)subcommand parser that `args` were parsed by (`export wacz` is two levels down)."""
    while True:
        chooser = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        chosen = getattr(args, chooser.dest, None) if chooser is not None and chooser.dest else None
        if chooser is None or chosen not in chooser.choices:
            return parser
        parser = chooser.choices[chosen]


def run_command(argv: Sequence[str]) -> int:
    """One command in a caller's process (`sourcekeeper demo`'s steps): parsed and run as `main`
    does, but a Ctrl-C or SIGTERM (KeyboardInterrupt) reaches the caller, whose signal handlers
    are left as they are."""
    return _run(parse_args(build_parser(), argv))


def _run(args: argparse.Namespace) -> int:
    try:
        load_config(args)  # sourcekeeper.toml: fills what the command line left open
        check_setting_names(args)  # -s NAME=VALUE: a typo'd NAME must not pass silently
        return int(args.func(args))
    except ConfigError as exc:
        print(f"sourcekeeper {args.command}: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except ArchiveLocked as exc:
        print(f"sourcekeeper: {exc}", file=sys.stderr)
        return ExitCode.LOCKED
    except BadSettings as exc:
        print(f"sourcekeeper {args.command}: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except CrawlFailed as exc:
        print(f"sourcekeeper {args.command}: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    except UsageError as exc:
        print(f"sourcekeeper {args.command}: {exc}", file=sys.stderr)
        return ExitCode.USAGE


if __name__ == "__main__":
    sys.exit(main())
