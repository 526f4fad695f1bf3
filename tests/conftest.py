"""Shared fixtures: the mock site, a raw-socket server in a subprocess on port 0."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sourcekeeper.demo.rawsite import ServedSite


@pytest.fixture(scope="session")
def mocksite() -> Iterator[ServedSite]:
    with ServedSite("tests/mocksite.py:ROUTES") as site:
        yield site
