"""`sourcekeeper enqueue`: push seed URLs onto the shared Redis frontier that workers crawl.

sourcekeeper enqueue --frontier redis://127.0.0.1:6379/0 --seeds cited.txt
sourcekeeper enqueue --frontier redis://127.0.0.1:6379/0 https://example.gov.cn/a.html --recrawl

A URL some worker already requested (the shared dupefilter has it) is not queued again unless
`--recrawl` says so. Exit codes: 0 queued; 1 some seeds were bad (named on stderr; the good ones
are queued); 2 usage error; and 1 when the frontier cannot be reached.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sourcekeeper.options import UsageError, add_seeds_option, check_seed_files

if TYPE_CHECKING:
    from pipelines.documents.seeds import SeedError

FRONTIER_ENV = "SOURCEKEEPER_FRONTIER"


def add_frontier_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--frontier",
        metavar="URL",
        default=os.environ.get(FRONTIER_ENV),
        help=f"Redis URL of the shared frontier, e.g. redis://HOST:6379/0 (default: ${FRONTIER_ENV}; "
        "keep a password out of the command line by setting it there)",
    )


def frontier_url(args: argparse.Namespace) -> str:
    url = str(args.frontier or "")
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise UsageError(f"--frontier: expected redis://HOST:PORT/DB (or ${FRONTIER_ENV}), got {url!r}")
    return url


def register(subparsers: Any, add_common_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = subparsers.add_parser("enqueue", help="push seed URLs onto the shared Redis frontier")
    parser.add_argument("urls", nargs="*", metavar="URL")
    add_seeds_option(parser)
    add_frontier_option(parser)
    parser.add_argument(
        "--recrawl", action="store_true", help="queue URLs even if a worker already requested them"
    )
    add_common_options(parser)
    parser.set_defaults(func=enqueue)


def enqueue(args: argparse.Namespace) -> int:
    from pipelines.documents.seeds import parse_seeds, read_seed_files  # noqa: PLC0415

    url = frontier_url(args)
    if not args.urls and not args.seeds:
        raise UsageError("give at least one URL or --seeds FILE")
    entries = [(f"argument {i}", u) for i, u in enumerate(args.urls, start=1)]
    entries += read_seed_files(check_seed_files(args.seeds))
    urls, errors = parse_seeds(entries)
    try:
        queued = push_seeds(url, urls, recrawl=args.recrawl)
    except Exception as exc:  # redis.exceptions.RedisError and socket errors
        print(f"sourcekeeper enqueue: frontier unreachable: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    _report(urls, queued, errors, as_json=args.json, quiet=args.quiet)
    return 1 if errors else 0


def push_seeds(url: str, urls: list[str], *, recrawl: bool = False) -> list[bool]:
    """Library entry point: queue `urls` on the frontier at `url`; one bool per URL (queued?)."""
    import redis  # noqa: PLC0415

    from scrapers.distributed import SPIDER_NAME  # noqa: PLC0415
    from scrapers.frontier import FrontierKeys, enqueue_urls  # noqa: PLC0415

    server = redis.Redis.from_url(url, socket_connect_timeout=10)
    try:
        return enqueue_urls(server, FrontierKeys(SPIDER_NAME), urls, recrawl=recrawl)
    finally:
        server.close()


def _report(
    urls: list[str], queued: list[bool], errors: list[SeedError], *, as_json: bool, quiet: bool
) -> None:
    fresh = [u for u, q in zip(urls, queued, strict=True) if q]
    seen = [u for u, q in zip(urls, queued, strict=True) if not q]
    if as_json:
        bad = [{"seed": e.line, "where": e.where, "reason": e.reason} for e in errors]
        print(json.dumps({"queued": fresh, "already_requested": seen, "bad": bad}, ensure_ascii=False))
    for error in errors:
        print(f"  {error}", file=sys.stderr)
    if not quiet:
        print(
            f"queued {len(fresh)} URL(s); {len(seen)} already requested by a worker "
            f"(--recrawl to fetch again); {len(errors)} bad",
            file=sys.stderr,
        )
