"""What became of each seed of a run: captured, redirected to …, gone at first fetch, refused, failed.

Read from the index after the run, so the extraction's classification counts (a soft-404 page is
gone, a challenge page failed) and a resumed run's earlier part too:

- `captured`: the seed answered with content (a page, a document, a meta refresh);
- `redirected`: it answered with HTTP redirects that led to content (the stored Location headers
  are followed through the run's own captures);
- `gone`: it (or where it redirected) answered 404/410 or a page that says it is gone (soft-404,
  redirect to the home page, a deleted WeChat article); "at first fetch" when no earlier run ever
  captured it with content: nothing was taken down since we saw it, and `recover` may find a copy;
- `refused`: the archive would not fetch it (a private address not allowed);
- `failed`: no usable answer (network failure, 5xx, a challenge that stayed, a redirect not
  followed, or the run stopped before it was fetched).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from sqlalchemy import select

from archive_store.index.baselines import stored_header
from archive_store.index.database import ArchiveIndex
from archive_store.index.lookup import GOOD_STATE, url_variants
from archive_store.index.schema import Capture, Run

VERDICTS = ("captured", "redirected", "gone", "refused", "failed")
GONE_STATUSES = (404, 410)
_MAX_HOPS = 20  # Scrapy's REDIRECT_MAX_TIMES default: a longer chain was not followed by the run


@dataclass(frozen=True)
class SeedVerdict:
    url: str
    verdict: str  # one of VERDICTS
    text: str  # what a person reads after the URL: "redirected to …", "failed: timed out"
    final_url: str | None = None  # where the redirects led
    http_status: int | None = None  # of the last answer
    first_fetch: bool = False  # gone: no run before this one captured it with content

    def line(self) -> str:
        return f"{self.url}: {self.text}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def run_seeds(index: ArchiveIndex, run_id: int) -> list[str]:
    """The seeds a run was started with (its identity, as the spider gave it)."""
    with index.session() as s:
        run = s.get(Run, run_id)
    if run is None:
        return []
    seeds = json.loads(run.command or "{}").get("seeds")
    return [str(u) for u in seeds] if isinstance(seeds, list) else []


def seed_verdicts(
    index: ArchiveIndex, warc_dir: Path, run_id: int, seeds: Iterable[str]
) -> list[SeedVerdict]:
    """One verdict per seed of run `run_id`, in the seeds' order."""
    seeds = list(seeds)
    with index.session() as s:
        rows = s.scalars(
            select(Capture).where(Capture.run_id == run_id, Capture.hop == 0).order_by(Capture.id)
        )
        answers = {c.url: c for c in rows}  # the latest answer of each URL in this run
    failures: dict[str, str] = {}
    for failure in index.failures_for_run(run_id):
        failures.setdefault(failure.url, failure.reason)
    seen_good = _captured_well_before(index, run_id, seeds)
    return [_verdict(seed, answers, failures, seen_good, warc_dir) for seed in seeds]


def count_verdicts(verdicts: list[SeedVerdict]) -> dict[str, Any]:
    """{"captured": n, …, "failed": n, "gone_at_first_fetch": [url, …]} for the run summary."""
    counts: dict[str, Any] = {kind: sum(v.verdict == kind for v in verdicts) for kind in VERDICTS}
    counts["gone_at_first_fetch"] = [v.url for v in verdicts if v.verdict == "gone" and v.first_fetch]
    return counts


def _captured_well_before(index: ArchiveIndex, run_id: int, seeds: list[str]) -> set[str]:
    """Seeds (any spelling) some other run captured with content."""
    spellings = {v: seed for seed in seeds for v in url_variants(seed)}
    found: set[str] = set()
    names = list(spellings)
    with index.session() as s:
        for start in range(0, len(names), 500):
            stmt = select(Capture.url).where(
                Capture.url.in_(names[start : start + 500]),
                Capture.state == GOOD_STATE,
                Capture.run_id.is_distinct_from(run_id),
            )
            found.update(spellings[url] for url in s.scalars(stmt))
    return found


def _verdict(
    seed: str, answers: dict[str, Capture], failures: dict[str, str], seen_good: set[str], warc_dir: Path
) -> SeedVerdict:
    spelling = next((v for v in url_variants(seed) if v in answers), None)
    failure = next((failures[v] for v in [seed, *url_variants(seed)] if v in failures), None)
    if spelling is None:
        if failure is None:
            return SeedVerdict(seed, "failed", "failed: not fetched (the run stopped before it)")
        if failure.startswith("refused"):
            return SeedVerdict(seed, "refused", failure)
        return SeedVerdict(seed, "failed", f"failed: {failure}")
    capture, chain = _follow(answers[spelling], answers, warc_dir)
    final = capture.url if len(chain) > 1 else None
    via = f" (redirected to {capture.url})" if final else ""
    status = capture.http_status
    family = capture.state.split(":", 1)[0]
    if family == "removed" or status in GONE_STATUSES:
        first = seed not in seen_good
        how = f"HTTP {status}" if status in GONE_STATUSES else (capture.state_reason or capture.state)
        when = "at first fetch" if first else "(captured with content by an earlier run)"
        return SeedVerdict(seed, "gone", f"gone ({how}) {when}{via}", final, status, first)
    if family == GOOD_STATE or capture.state.startswith("redirect:"):
        if final:
            return SeedVerdict(seed, "redirected", f"redirected to {final}", final, status)
        return SeedVerdict(seed, "captured", "captured", None, status)
    if 300 <= status < 400:  # the chain stops at a redirect this run did not follow to an answer
        why = failure or "a redirect that was not followed"
        return SeedVerdict(seed, "failed", f"failed: {why}{via}", final, status)
    why = capture.state_reason or f"HTTP {status} ({capture.state})"
    return SeedVerdict(seed, "failed", f"failed: {why}{via}", final, status)


def _follow(capture: Capture, answers: dict[str, Capture], warc_dir: Path) -> tuple[Capture, list[str]]:
    """The answer at the end of the stored redirects (within this run's captures), and the chain."""
    chain = [capture.url]
    while 300 <= capture.http_status < 400 and len(chain) <= _MAX_HOPS:
        location = stored_header(warc_dir, capture, b"location")
        target = urljoin(capture.url, location) if location else ""
        spelling = next((v for v in url_variants(target) if v in answers), None) if target else None
        following = answers[spelling] if spelling is not None and spelling not in chain else None
        if following is None:
            break
        chain.append(following.url)
        capture = following
    return capture, chain
