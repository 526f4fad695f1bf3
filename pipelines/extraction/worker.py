"""The call a worker process (or thread) runs to analyse one response. The extractors (trafilatura,
htmldate, the platform rules) are imported where it runs, not by the crawl process that names it:
0.1 s of start-up, and memory, for work done in the workers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.extraction.facts import ResponseFacts


def analyse_in_worker(facts: ResponseFacts) -> dict[str, Any]:
    """`analyse.analyse(facts)`, importing the extractors where it runs."""
    from pipelines.extraction.analyse import analyse  # noqa: PLC0415 (not in the crawl process)

    return analyse(facts)
