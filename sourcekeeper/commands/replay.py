"""`replay [--port N]`: serve the archive with pywb on 127.0.0.1 until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

from archive_store.layout import INDEX_NAME, WARCS_DIR
from sourcekeeper.options import UsageError

if TYPE_CHECKING:
    from archive_store.export.replay import ReplayServer

AddCommon = Callable[[argparse.ArgumentParser], None]
# archive_store.export.replay.DEFAULT_PORT (tests/test_cli_imports.py checks they agree), not imported:
# that module (subprocess, ctypes, CDXJ) would load on every start of the CLI just for --help
DEFAULT_PORT = 8090


def register(subparsers: Any, add_common_options: AddCommon) -> None:
    replay = subparsers.add_parser(
        "replay", help="serve the archive with pywb on 127.0.0.1 (collection `archive`)"
    )
    replay.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})"
    )
    add_common_options(replay)
    replay.set_defaults(func=run_replay)


class Terminated(KeyboardInterrupt):
    """SIGTERM: the way a service manager stops replay; a normal end (exit 0)."""


def _stop_on_sigterm() -> None:
    """SIGTERM (systemd, a test) stops pywb cleanly, as Ctrl-C does."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise Terminated

    signal.signal(signal.SIGTERM, interrupt)


def _fetch_remote_warcs(args: argparse.Namespace) -> None:
    """Scale-out: WARCs that only S3 holds are fetched (and checked) into the local cache first."""
    from archive_store.index.database import ArchiveIndex, default_db_url  # noqa: PLC0415
    from archive_store.storage.sidecars import fetch_remote_warcs  # noqa: PLC0415

    if not args.db and not (args.archive / INDEX_NAME).exists():
        return
    index = ArchiveIndex(args.db or default_db_url(args.archive), create=False)
    try:
        fetch_remote_warcs(args.archive, index)
    finally:
        index.close()


def run_replay(args: argparse.Namespace) -> int:
    from archive_store.export.replay import ReplayError, ReplayServer  # noqa: PLC0415

    if args.db:  # scale-out: a folder of its own for what is fetched from S3 (copies, CDXJ)
        (args.archive / WARCS_DIR).mkdir(parents=True, exist_ok=True)
    if not (args.archive / WARCS_DIR).is_dir():
        raise UsageError(f"no archive at {args.archive} (use --archive DIR)")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port: not a port: {args.port}")
    _fetch_remote_warcs(args)
    server = ReplayServer(args.archive, args.port)
    _stop_on_sigterm()
    try:
        try:
            server.start(log_to_terminal=args.verbose)
        except ReplayError as exc:
            print(f"sourcekeeper replay: {exc}", file=sys.stderr)
            return 1
        _announce(server, args)
        code = server.wait()
        print(f"sourcekeeper replay: pywb stopped ({code}):\n{server.log_text()}", file=sys.stderr)
        return 1
    except Terminated:
        return 0  # stopped as a service is (Ctrl-C goes on to the one line and exit 130)
    finally:
        server.stop()


def _announce(server: ReplayServer, args: argparse.Namespace) -> None:
    if args.json:
        print(json.dumps({"url": server.base_url, "archive": str(args.archive)}), flush=True)
    if not args.quiet:
        print(
            f"Replaying {args.archive} at {server.base_url} (Ctrl-C to stop)\n"
            f"  page as archived, in the replay frame: {server.base_url}<url>\n"
            f"  archived body, unchanged:              {server.base_url}id_/<url>",
            file=sys.stderr,
            flush=True,
        )
