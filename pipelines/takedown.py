"""The take-down decision: what one re-check fetch means, given what the archive knew before it.

`decide(previous, now, settings)` is a pure function (no crawl, no clock, no database): the
re-check pipeline judges a fetch into an `Outcome`, asks `decide`, and carries out the answer:

- `FetchAgain`: the body was cut short, which says nothing of the page: fetch it once more, at once;
- `RetryElsewhere`: blocked or unreachable may be the network's doing: fetch through the fallback
  vantage point before saying so (only with ARCHIVE_PROXY_FALLBACK set);
- `ConfirmAfter`: a removal of a source once captured with content is fetched again after
  RECHECK_CONFIRM_DELAY seconds before it is reported (both captures are kept and named);
- `Record`: the event to write: the state, its reason, which captures, whether the removal is new,
  whether the page flapped, and since when a source that is back had been gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from archive_store.index.baselines import RecheckTarget
from archive_store.index.events import duration_words

# a capture whose body was cut short (WARC-Truncated): never compared, fetched once more
TRUNCATED = "truncated"

# states that may be the network's doing rather than the source's: worth a second vantage point
RETRY_ELSEWHERE = ("blocked", "unreachable")


@dataclass(frozen=True)
class Outcome:
    """What one fetch showed."""

    state: str
    reason: str
    detail: str | None = None
    http_status: int | None = None
    capture_id: int | None = None
    diff: dict[str, Any] | None = None


@dataclass(frozen=True)
class Fetch:
    """`now`: what this fetch showed, and why it was made.

    `first`: the earlier fetch this one follows up (a confirmation of a removal, or the fetch again
    after a cut-short answer); `via`: what the first vantage point saw, when this fetch went through
    the fallback one (an `Outcome`'s fields and its `vantage`); `can_fetch`: whether the crawl can
    still take a request (not when it is ending)."""

    outcome: Outcome
    at: datetime
    first: Outcome | None = None
    via: Mapping[str, Any] | None = None
    can_fetch: bool = True


@dataclass(frozen=True)
class TakedownSettings:
    """The settings the decision reads: RECHECK_CONFIRM_DELAY, and the fallback vantage point
    (ARCHIVE_PROXY_FALLBACK, as it may be written anywhere: no password) or None."""

    confirm_delay: float
    fallback: str | None = None


@dataclass(frozen=True)
class FetchAgain:
    """Fetch the source once more at once; `cut` is the cut-short answer (it stays in history)."""

    cut: Outcome


@dataclass(frozen=True)
class RetryElsewhere:
    """Fetch the source through the fallback vantage point; `seen` is what the first one saw."""

    seen: Outcome


@dataclass(frozen=True)
class ConfirmAfter:
    """Fetch the source again after `delay` seconds, before reporting the removal `first`; through
    the fallback vantage point again when `via` is set (the removal was seen through it)."""

    delay: float
    first: Outcome
    via: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Record:
    """The re-check event to write (with the target's URL and the run's id)."""

    outcome: Outcome  # the final state and reason; its capture is this fetch's
    new_capture_id: int | None  # the capture the state is about (the first fetch's, when confirmed)
    confirm_capture_id: int | None  # the confirmation fetch's capture, if there was one
    flapped: bool  # looked removed, had content again on the confirmation fetch
    new_removal: bool  # a confirmed removal of a source not already known to be removed
    gone_since: datetime | None  # a restored source: when its removal was first seen
    checked_at: datetime  # when this fetch was judged (how long a restored source was gone is from it)


Decision = Record | ConfirmAfter | RetryElsewhere | FetchAgain


def decide(previous: RecheckTarget, now: Fetch, settings: TakedownSettings) -> Decision:
    """What to do with this fetch's outcome (see the module's docstring)."""
    outcome, first, via = now.outcome, now.first, now.via
    if first is None and outcome.detail == TRUNCATED and now.can_fetch:
        return FetchAgain(outcome)
    if via is None and first is None and settings.fallback and outcome.state in RETRY_ELSEWHERE:
        return RetryElsewhere(outcome)
    if via is not None:
        outcome = seen_from_two_vantages(outcome, via, settings.fallback or "the fallback vantage point")
    after_cut = first is not None and first.detail == TRUNCATED  # a whole answer at last
    if (first is None or after_cut) and outcome.state == "removed" and previous.baseline is not None:
        return ConfirmAfter(settings.confirm_delay, outcome, via)
    return record(previous, replace(now, outcome=outcome), settings)


def record(previous: RecheckTarget, now: Fetch, settings: TakedownSettings) -> Record:
    """The event for an outcome that needs no further fetch."""
    outcome, first = now.outcome, now.first
    flapped = False
    reason = outcome.reason
    if first is not None and first.detail == TRUNCATED:
        if outcome.detail == TRUNCATED:
            reason = f"{outcome.reason}, on two fetches in a row"
        else:
            reason = f"{outcome.reason} (fetched twice: the first answer was cut short)"
        first = None  # the complete answer is the new capture; the cut one stays in history
    elif first is not None:
        wait = f"{settings.confirm_delay:g} s later"
        if outcome.state == "removed":
            reason = f"{outcome.reason}; confirmed by a second fetch {wait}"
        else:
            flapped = True
            reason = (
                f"flapped: the first fetch looked removed ({first.reason}); "
                f"the confirmation fetch {wait}: {outcome.reason}"
            )
    final, gone_since = verdict_over_time(previous, replace(outcome, reason=reason), now.at)
    new_removal = (
        final.state == "removed" and previous.removed_since is None and previous.last_state != "removed"
    )
    return Record(
        outcome=final,
        new_capture_id=first.capture_id if first else final.capture_id,
        confirm_capture_id=final.capture_id if first else None,
        flapped=flapped,
        new_removal=new_removal,
        gone_since=gone_since,
        checked_at=now.at,
    )


def verdict_over_time(
    target: RecheckTarget, outcome: Outcome, now: datetime
) -> tuple[Outcome, datetime | None]:
    """What this answer means given the source's past: content again after a confirmed removal is
    `restored` (with the moment the removal was first seen); a removal of a source never captured
    with content is `gone` (it was gone since its first fetch: no removal we saw)."""
    if outcome.state in ("unchanged", "changed") and target.removed_since is not None:
        since = target.removed_since
        gone_for = duration_words((now - since).total_seconds())
        why = (
            f"back after a confirmed removal: gone for {gone_for} "
            f"(removed {since.isoformat(timespec='seconds')}Z); {outcome.reason}"
        )
        return replace(outcome, state="restored", reason=why), since
    if outcome.state == "removed" and target.baseline is None:
        why = (
            f"{outcome.reason}; never captured with content (gone since its first fetch), so no "
            f"removal we saw; `sourcekeeper recover {target.url}` asks public archives for a copy"
        )
        return replace(outcome, state="gone", reason=why), None
    return outcome, None


def seen_from_two_vantages(outcome: Outcome, first: Mapping[str, Any], second: str) -> Outcome:
    """The outcome through the fallback vantage point, its reason saying what each one saw."""
    reason = (
        f"through {second}: {outcome.reason}; from {first.get('vantage')}: "
        f"{first.get('state')} ({first.get('reason')})"
    )
    return replace(outcome, reason=reason)
