"""Checks between records, within and across files: ids, links, pairs and revisit originals."""

from __future__ import annotations

from archive_store.validate.httpchecks import PROFILE_IDENTICAL
from archive_store.validate.problems import Problem, RecordFacts
from archive_store.validate.warcdigest import same_digest
from archive_store.validate.warcparse import valid_date

_ORIGINAL_TYPES = ("response", "resource", "revisit")


def cross_check(facts: list[RecordFacts]) -> list[Problem]:
    problems: list[Problem] = []
    by_id: dict[str, RecordFacts] = {}
    for fact in facts:
        rid = fact.summary.record_id
        first = by_id.setdefault(rid, fact)
        if first is not fact:
            where = f"{first.summary.path}@{first.summary.offset}"
            problems.append(fact.problem("W-ALL-1", f"the same WARC-Record-ID is used at {where}"))
    by_capture = {(f.summary.target_uri, f.summary.date): f for f in facts}
    answered: set[str] = set()
    for request, answer in _pairs(facts, by_id):
        answered.add(answer.summary.record_id)
        problems += _check_pair(request, answer)
    for fact in facts:
        problems += _check_links(fact, by_id, by_capture)
        s = fact.summary
        if s.record_type == "response" and fact.http and s.record_id not in answered:
            problems.append(
                fact.problem("W-REL-1", "no request record is linked to it by WARC-Concurrent-To")
            )
    return problems


def same_instant(first: str, second: str) -> bool:
    """WARC dates equal as instants: `…:00.120Z` and `…:00.12Z` name the same moment."""

    def instant(value: str) -> tuple[str, str]:
        head, _, fraction = value.removesuffix("Z").partition(".")
        return head, fraction.rstrip("0")

    if valid_date(first) and valid_date(second):
        return instant(first) == instant(second)
    return first == second


def _pairs(facts: list[RecordFacts], by_id: dict[str, RecordFacts]) -> list[tuple[RecordFacts, RecordFacts]]:
    """(request, response-or-revisit) pairs linked in either direction, each once."""
    seen: set[tuple[str, str]] = set()
    pairs: list[tuple[RecordFacts, RecordFacts]] = []
    for fact in facts:
        for linked_id in fact.summary.concurrent_to:
            other = by_id.get(linked_id)
            if other is None:
                continue
            kinds = (fact.summary.record_type, other.summary.record_type)
            if kinds in (("request", "response"), ("request", "revisit")):
                pair = (fact, other)
            elif kinds in (("response", "request"), ("revisit", "request")):
                pair = (other, fact)
            else:
                continue
            key = (pair[0].summary.record_id, pair[1].summary.record_id)
            if key not in seen:
                seen.add(key)
                pairs.append(pair)
    return pairs


def _check_pair(request: RecordFacts, answer: RecordFacts) -> list[Problem]:
    problems: list[Problem] = []
    req, ans = request.summary, answer.summary
    if not same_instant(req.date, ans.date):
        problems.append(
            request.problem(
                "W-ALL-3",
                f"WARC-Date {req.date} differs from {ans.date} of its {ans.record_type} "
                f"{ans.record_id}; a request and its response share the capture's start time",
            )
        )
    if req.target_uri != ans.target_uri:
        problems.append(
            request.problem(
                "W-REL-1",
                f"WARC-Target-URI {req.target_uri!r} differs from {ans.target_uri!r} of its "
                f"{ans.record_type} {ans.record_id}",
            )
        )
    return problems


def _check_links(
    fact: RecordFacts,
    by_id: dict[str, RecordFacts],
    by_capture: dict[tuple[str | None, str], RecordFacts],
) -> list[Problem]:
    problems: list[Problem] = []
    s = fact.summary
    for linked_id in s.concurrent_to:
        if linked_id not in by_id:
            problems.append(
                fact.problem("W-REL-2", f"WARC-Concurrent-To {linked_id} is not in the collection")
            )
    if s.record_type == "revisit":
        problems += _check_original(fact, by_id, by_capture)
    elif s.refers_to is not None and s.refers_to not in by_id:
        problems.append(fact.problem("W-REL-2", f"WARC-Refers-To {s.refers_to} is not in the collection"))
    info = by_id.get(fact.warcinfo_id or "")
    if fact.warcinfo_id is not None and (info is None or info.summary.record_type != "warcinfo"):
        problems.append(
            fact.problem(
                "W-REL-3",
                f"WARC-Warcinfo-ID {fact.warcinfo_id} is not a warcinfo record in the collection",
            )
        )
    return problems


def _check_original(
    fact: RecordFacts,
    by_id: dict[str, RecordFacts],
    by_capture: dict[tuple[str | None, str], RecordFacts],
) -> list[Problem]:
    s = fact.summary
    if s.refers_to is not None:
        original = by_id.get(s.refers_to)
    else:  # without WARC-Refers-To (already W-REV-3), replay falls back to URI + date
        original = by_capture.get((fact.refers_to_target_uri, fact.refers_to_date or ""))
    if original is None:
        wanted = s.refers_to or f"{fact.refers_to_target_uri} at {fact.refers_to_date}"
        return [fact.problem("W-REV-4", f"its original {wanted} is not in the collection; replay will fail")]
    o = original.summary
    problems: list[Problem] = []
    if o.record_type not in _ORIGINAL_TYPES:
        problems.append(fact.problem("W-REV-4", f"its original {o.record_id} is a {o.record_type}"))
    if fact.refers_to_target_uri is not None and fact.refers_to_target_uri != o.target_uri:
        problems.append(
            fact.problem(
                "W-REV-3",
                f"WARC-Refers-To-Target-URI {fact.refers_to_target_uri!r} is not the original's "
                f"{o.target_uri!r}",
            )
        )
    if fact.refers_to_date is not None and not same_instant(fact.refers_to_date, o.date):
        problems.append(
            fact.problem(
                "W-REV-3",
                f"WARC-Refers-To-Date {fact.refers_to_date} is not the original's {o.date}",
            )
        )
    if (
        fact.profile == PROFILE_IDENTICAL
        and s.payload_digest
        and o.payload_digest
        and not same_digest(s.payload_digest, o.payload_digest)
    ):
        problems.append(
            fact.problem(
                "W-REV-1",
                f"WARC-Payload-Digest {s.payload_digest} is not the original's {o.payload_digest}",
            )
        )
    return problems
