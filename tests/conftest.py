"""Shared fixtures: the mock site, a raw-socket server in a subprocess on port 0."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sourcekeeper.demo.rawsite import ServedSite

# The suite's sites are on 127.0.0.1, which the archive refuses by default (issue 16); every crawl a
# test starts, in this process or a subprocess, inherits this. Tests of the refusal set it back.
os.environ.setdefault("ARCHIVE_ALLOW_PRIVATE", "true")


@pytest.fixture(scope="session")
def mocksite() -> Iterator[ServedSite]:
    with ServedSite("tests/mocksite.py:ROUTES") as site:
        yield site
