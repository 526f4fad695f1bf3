"""Shared fixtures: the mock site, a raw-socket server in a subprocess on port 0.

Also the guard behind `pytest -m "not slow"`: a test that starts a crawl in a subprocess
(`python -m sourcekeeper …`, `scrapy crawl …`, the `sourcekeeper` script) must be marked
`@pytest.mark.slow` (or `pytestmark = pytest.mark.slow` in its module); an unmarked one fails
when it tries, so the fast layer stays fast."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from sourcekeeper.demo.rawsite import ServedSite

# The suite's sites are on 127.0.0.1, which the archive refuses by default (issue 16); every crawl a
# test starts, in this process or a subprocess, inherits this. Tests of the refusal set it back.
os.environ.setdefault("ARCHIVE_ALLOW_PRIVATE", "true")

_SLOW_TESTS: set[str] = set()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    _SLOW_TESTS.update(item.nodeid for item in items if item.get_closest_marker("slow"))


def _is_crawl(argv: Any) -> bool:
    args = [str(a) for a in argv] if isinstance(argv, Sequence) and not isinstance(argv, str) else [str(argv)]
    modules = ("sourcekeeper", "scrapy")
    if any(args[i] == "-m" and args[i + 1] in modules for i in range(len(args) - 1)):
        return True
    return bool(args) and Path(args[0]).name in ("sourcekeeper", "scrapy")


@pytest.fixture(scope="session", autouse=True)
def _crawls_only_in_slow_tests() -> Iterator[None]:
    original = subprocess.Popen.__init__

    def guarded(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        current = os.environ.get("PYTEST_CURRENT_TEST", "")
        nodeid = current.rsplit(" ", 1)[0]
        if current and _is_crawl(args) and nodeid not in _SLOW_TESTS:
            raise RuntimeError(f"{nodeid} starts a crawl in a subprocess: mark it @pytest.mark.slow")
        original(self, args, *rest, **kwargs)

    subprocess.Popen.__init__ = guarded  # type: ignore[method-assign]
    try:
        yield
    finally:
        subprocess.Popen.__init__ = original  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def mocksite() -> Iterator[ServedSite]:
    with ServedSite("tests/mocksite.py:ROUTES") as site:
        yield site
