"""The re-check decisions as tables: which re-check state a classified capture stands for
(`state_of_capture`), and how an answer with content compares with the last good capture
(`RecheckPipeline._compare`: payload digest first, then the extracted text, then a sentence diff)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from crawler_harness import archive_crawler
from scrapy.utils.misc import build_from_crawler

from archive_store.index.baselines import Baseline, RecheckTarget, removal_start
from archive_store.index.database import ArchiveIndex
from archive_store.index.events import duration_words
from archive_store.index.schema import Capture, Page, RecheckEvent
from pipelines.recheck import RecheckPipeline, state_of_capture
from scrapers.recheck import RecheckSpider

URL = "http://www.example.gov.cn/xxgk/t1.html"


@pytest.mark.parametrize(
    ("capture_state", "recheck_state"),
    [
        ("ok", "ok"),
        ("removed:http-404", "removed"),
        ("removed:http-410", "removed"),
        ("removed:soft-404", "removed"),
        ("removed:redirect-home", "removed"),
        ("removed:wechat-deleted", "removed"),
        ("blocked:ruishu", "blocked"),
        ("blocked:jiasule", "blocked"),
        ("blocked:http-403", "blocked"),
        ("blocked:wechat-verify", "blocked"),
        # a meta-refresh or frameset page is a page: compared like any other
        ("redirect:meta-refresh", "ok"),
        ("redirect:frameset", "ok"),
        # a bare redirect is a 3xx that could not be followed: nothing to compare
        ("redirect", "unreachable"),
        ("error:http-5xx", "unreachable"),
        ("error:http-304", "unreachable"),
        ("error:empty", "unreachable"),
        ("error", "unreachable"),
        ("", "unreachable"),
    ],
)
def test_state_of_capture(capture_state: str, recheck_state: str) -> None:
    assert state_of_capture(capture_state) == recheck_state


BEFORE = "关于开展劝返工作的通知\n一、各单位要高度重视。二、对在外人员的国内亲属开展走访工作。"
AFTER = "关于开展劝返工作的通知\n一、各单位要高度重视。二、对在外人员的国内亲属开展约谈工作。"


def _capture(index: ArchiveIndex, number: int, digest: str, text: str | None) -> Capture:
    """A capture row (and its extracted page, when `text` is given) as a crawl leaves them."""
    values = {
        "url": URL,
        "method": "GET",
        "captured_at": datetime(2024, 1, number, tzinfo=UTC).replace(tzinfo=None),
        "warc_date": f"2024-01-{number:02d}T00:00:00.000000Z",
        "http_status": 200,
        "record_type": "response",
        "record_id": f"<urn:uuid:00000000-0000-4000-8000-00000000000{number}>",
        "warc_file": "x.warc.gz",
        "warc_offset": 0,
        "warc_length": 1,
        "payload_digest": digest,
        "block_digest": "sha1:B",
        "payload_length": 1,
        "chunked": False,
        "state": "ok",
        "hop": 0,
    }
    capture_id = index.insert_capture(values)
    if text is not None:
        title, body = text.split("\n", 1)
        index.save_page(Page(capture_id=capture_id, url=URL, title=title, text=body))
    with index.session() as s:
        found = s.get(Capture, capture_id)
        assert found is not None
        return found


def _baseline(capture: Capture) -> Baseline:
    return Baseline(
        capture.id, URL, capture.payload_digest, capture.record_id, URL, capture.warc_date, None, None
    )


# (baseline: (digest, text) or None, new capture: (digest, text)) -> (state, reason)
COMPARE_TABLE = [
    pytest.param(
        None,
        ("sha1:B", AFTER),
        "changed",
        "the URL answers with content again; no earlier capture of it was good",
        id="no-good-capture-before",
    ),
    pytest.param(
        ("sha1:A", BEFORE),
        ("sha1:A", BEFORE),
        "unchanged",
        "same payload as the last good capture",
        id="same-payload",
    ),
    # the digest decides before the text is even read
    pytest.param(
        ("sha1:A", None),
        ("sha1:A", None),
        "unchanged",
        "same payload as the last good capture",
        id="same-payload-no-text",
    ),
    pytest.param(
        ("sha1:A", BEFORE),
        ("sha1:B", BEFORE),
        "unchanged",
        "the payload differs but the extracted text is the same",
        id="new-bytes-same-text",
    ),
    pytest.param(
        ("sha1:A", BEFORE),
        ("sha1:B", AFTER),
        "changed",
        "text changed: 1 sentence(s) removed, 1 added",
        id="edited",
    ),
    pytest.param(
        ("sha1:A", None),
        ("sha1:B", AFTER),
        "changed",
        "the payload differs from the last good capture (no extracted text to compare)",
        id="baseline-never-extracted",
    ),
    pytest.param(
        ("sha1:A", BEFORE),
        ("sha1:B", None),
        "changed",
        "the payload differs from the last good capture (no extracted text to compare)",
        id="answer-not-extracted",
    ),
]


@pytest.mark.parametrize(("before", "after", "state", "reason"), COMPARE_TABLE)
def test_compare(
    tmp_path: Path,
    before: tuple[str, str | None] | None,
    after: tuple[str, str | None],
    state: str,
    reason: str,
) -> None:
    pipeline = build_from_crawler(RecheckPipeline, archive_crawler(tmp_path / "archive", RecheckSpider))
    index = pipeline.index
    baseline = _baseline(_capture(index, 1, *before)) if before else None
    new = _capture(index, 2, *after)
    target = RecheckTarget(URL, baseline, baseline.capture_id if baseline else None, None)
    outcome = pipeline._compare(target, new)
    assert (outcome.state, outcome.reason) == (state, reason)
    assert (outcome.detail, outcome.http_status, outcome.capture_id) == ("ok", 200, new.id)
    if reason.startswith("text changed"):
        assert outcome.diff is not None
        assert (outcome.diff["removed"], outcome.diff["added"]) == (1, 1)
    else:
        assert outcome.diff is None
    pipeline.session.close("finished")


def test_the_diff_keeps_at_most_the_configured_sentences(tmp_path: Path) -> None:
    crawler = archive_crawler(tmp_path / "archive", RecheckSpider, RECHECK_DIFF_MAX_SENTENCES=1)
    pipeline = build_from_crawler(RecheckPipeline, crawler)
    before = "标题\n" + "".join(f"第{n}条原有内容。" for n in range(5))
    after = "标题\n" + "".join(f"第{n}条新的内容。" for n in range(5))
    baseline = _baseline(_capture(pipeline.index, 1, "sha1:A", before))
    new = _capture(pipeline.index, 2, "sha1:B", after)
    outcome = pipeline._compare(RecheckTarget(URL, baseline, baseline.capture_id, None), new)
    assert outcome.state == "changed" and outcome.diff is not None
    assert outcome.reason == "text changed: 5 sentence(s) removed, 5 added"
    kept = [s for hunk in outcome.diff["hunks"] for s in hunk["before"] + hunk["after"]]
    assert kept == ["第0条原有内容。"] and outcome.diff["truncated"] is True
    pipeline.session.close("finished")


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(0, "0 s"), (40.9, "40 s"), (60, "1 min"), (7 * 60 + 5, "7 min"), (3600, "1 h"),
     (2 * 3600 + 5 * 60, "2 h 5 min"), (86_400, "1 d"), (3 * 86_400 + 4 * 3600 + 59, "3 d 4 h")],
)  # fmt: skip
def test_how_long_a_source_was_gone_in_words(seconds: float, words: str) -> None:
    assert duration_words(seconds) == words


def _event(day: int, state: str, confirmed: bool = True) -> RecheckEvent:
    return RecheckEvent(
        url=URL,
        checked_at=datetime(2026, 1, day),
        state=state,
        reason="",
        confirm_capture_id=7 if confirmed and state == "removed" else None,
    )


# the events of a URL, oldest first -> when its current confirmed removal began (day), or None
REMOVAL_TABLE = [
    pytest.param([], None, id="never-rechecked"),
    pytest.param(["unchanged", "removed"], 2, id="removed"),
    pytest.param(["removed", "removed", "removed"], 1, id="still-removed-since-the-first"),
    pytest.param(["removed", "unreachable", "blocked"], 1, id="goes-on-through-inconclusive-checks"),
    pytest.param(["removed", "restored"], None, id="back"),
    pytest.param(["removed", "restored", "removed"], 3, id="removed-again"),
    pytest.param(["unreachable"], None, id="only-unreachable"),
]


@pytest.mark.parametrize(("states", "since"), REMOVAL_TABLE)
def test_when_the_current_removal_began(states: list[str], since: int | None) -> None:
    events = [_event(day, state) for day, state in enumerate(states, start=1)]
    assert removal_start(events) == (datetime(2026, 1, since) if since else None)


def test_a_removal_never_confirmed_is_no_removal_to_come_back_from() -> None:
    """Recorded before `gone` existed: a source without a good capture, removed, never confirmed."""
    assert removal_start([_event(1, "removed", confirmed=False)]) is None
