"""What a worker process is handed to analyse one response, and the call that runs there.

Kept apart from `analyse` so the crawl process does not import the extractors (trafilatura,
htmldate, the platform rules): 0.1 s of start-up, and memory, for work done in the workers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ResponseFacts:
    """What the worker needs of a response (picklable, no Scrapy objects)."""

    url: str
    requested_url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # content-decoded entity body


def analyse_in_worker(facts: ResponseFacts) -> dict[str, Any]:
    """`analyse.analyse(facts)`, importing the extractors where it runs."""
    from pipelines.extraction.analyse import analyse  # noqa: PLC0415 (see the module docstring)

    return analyse(facts)
