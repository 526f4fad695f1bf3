"""What a worker process is handed to analyse one response (the call that runs there: `worker`).

Kept apart from `analyse` so the crawl process does not import the extractors (trafilatura,
htmldate, the platform rules): 0.1 s of start-up, and memory, for work done in the workers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResponseFacts:
    """What the worker needs of a response (picklable, no Scrapy objects)."""

    url: str
    requested_url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # content-decoded entity body
    # the <title>s and recorded site names of other pages of the same host in the archive, from
    # which extraction learns the site's name (pipelines/extraction/sitenames.py)
    site_titles: tuple[str, ...] = ()
    site_names: tuple[str, ...] = ()
