"""`python -m sourcekeeper` started ahead of its command: the demo's later steps each run in a
child process (a Twisted reactor cannot be started twice in the demo's own), and each child spent
a second or more importing Scrapy, Twisted, SQLAlchemy and the extraction stack before its step
could begin. Started with `child.start_sourcekeeper` while the step before runs, it imports those
now, then reads its command line (one JSON list) from stdin and runs it as `python -m sourcekeeper`
would. Its stdin closed without a command (the demo ended early): it ends at once.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    try:
        # what the demo's crawl commands import anyway; none of it installs a reactor
        import scrapy.crawler  # noqa: F401, PLC0415

        import pipelines.pipeline  # noqa: PLC0415
        import pipelines.recheck  # noqa: F401, PLC0415
        import scrapers.listing  # noqa: PLC0415
        import scrapers.recheck  # noqa: PLC0415
        import scrapers.recover  # noqa: F401, PLC0415
        import sourcekeeper.jobs.crawl  # noqa: PLC0415
        import sourcekeeper.jobs.recheck  # noqa: PLC0415
        import sourcekeeper.jobs.recover  # noqa: F401, PLC0415
        from sourcekeeper.cli import main as sourcekeeper_main  # noqa: PLC0415

        line = sys.stdin.readline()
    except KeyboardInterrupt:  # Ctrl-C while waiting: the demo reports the stop
        return 130
    if not line.strip():
        return 0
    argv = [str(arg) for arg in json.loads(line)]
    sys.argv[1:] = argv
    return sourcekeeper_main(argv)


if __name__ == "__main__":
    sys.exit(main())
