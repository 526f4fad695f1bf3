"""Re-checks against a site that goes from "before" to "after" in every way a source disappears:
one state per URL with its reason, confirmed removals, 304 revisits, nothing archived replaced."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from archive_helpers import all_records, archive_cli, cli_here, warc_files
from takedown_helpers import SITE, by_path, json_lines, recheck_cli
from takedown_site import EXPECTED, SENTENCES, WECHAT, p

from archive_store.audit.verify import verify_archive
from archive_store.index.database import ArchiveIndex, default_db_url
from archive_store.validate.validator import validate_collection
from archive_store.warc.members import read_record
from archive_store.warc.recordbuilder import REVISIT_NOT_MODIFIED
from sourcekeeper.demo.rawsite import ServedSite

pytestmark = pytest.mark.slow  # crawls in subprocesses (see conftest.py)


@dataclass
class Rechecked:
    site: ServedSite
    archive: Path
    before_ids: set[str]
    first: Any  # CliResult of the first recheck
    events: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def rechecked(tmp_path_factory) -> Iterator[Rechecked]:
    archive = tmp_path_factory.mktemp("recheck") / "archive"
    with ServedSite(SITE) as site:
        # the home page is archived too: the pages later redirected there must still read as removed
        # although the home page itself answers with the very bytes archived before
        archived = archive_cli(archive, *[site.url(path) for path in (*EXPECTED, "/")])
        assert archived.returncode == 0, archived.stderr
        before_ids = {r.record_id for r in all_records(archive)}
        site.set_mode("after")
        first = recheck_cli(archive, "--json")
        yield Rechecked(site, archive, before_ids, first, by_path(json_lines(first.stdout), site.base_url))


def test_every_url_gets_exactly_one_state_with_a_reason(rechecked):
    assert rechecked.first.returncode == 3, rechecked.first.stderr  # new removals
    got = {path: (e["state"], e["detail"]) for path, e in rechecked.events.items()}
    assert got == {**EXPECTED, "/": ("unchanged", "ok")}
    assert all(e["reason"] for e in rechecked.events.values())


def test_json_lines_carry_the_contract_fields(rechecked):
    for event in rechecked.events.values():
        assert {"url", "state", "reason", "http_status", "previous_capture", "new_capture"} <= set(event)
        assert event["previous_capture"]["state"] == "ok"  # every page was good before
    removed = rechecked.events[p(4)]
    assert removed["http_status"] == 404 and removed["new_capture"]["http_status"] == 404


def test_blocked_names_the_vendor_and_is_never_a_removal(rechecked):
    for path, vendor in ((p(9), "Ruishu"), (p(10), "Jiasule"), (p(11), "Huawei")):
        event = rechecked.events[path]
        assert vendor in event["reason"]
        assert not event["new_removal"] and event["confirm_capture"] is None


def test_connection_reset_is_unreachable_not_removed(rechecked):
    event = rechecked.events[p(13)]
    assert event["state"] == "unreachable" and not event["new_removal"]
    assert "reset" in event["reason"]


def test_a_removal_is_confirmed_by_a_second_fetch_and_both_are_kept(rechecked):
    for path in (p(4), p(5), p(6), p(7), p(8), WECHAT):
        event = rechecked.events[path]
        assert event["new_removal"] and "confirmed by a second fetch" in event["reason"]
        first, confirm = event["new_capture"], event["confirm_capture"]
        assert first["record_id"] != confirm["record_id"]
        for ref in (first, confirm):
            record = read_record(
                rechecked.archive / "warcs" / ref["warc_file"], ref["warc_offset"], ref["warc_length"]
            )
            assert record.record_id == ref["record_id"]


def test_a_flapping_page_is_reported_by_its_confirmation_fetch(rechecked):
    event = rechecked.events[p(12)]
    assert event["flapped"] and not event["new_removal"]
    assert event["state"] == "unchanged" and "flapped" in event["reason"]
    assert event["new_capture"]["http_status"] == 404 and event["confirm_capture"]["http_status"] == 200


def test_a_304_is_a_server_not_modified_revisit_of_the_earlier_capture(rechecked):
    for path, header in ((p(2), b"If-None-Match"), (p(3), b"If-Modified-Since")):
        event = rechecked.events[path]
        revisit, previous = event["new_capture"], event["previous_capture"]
        assert revisit["record_type"] == "revisit" and revisit["http_status"] == 304
        record = read_record(
            rechecked.archive / "warcs" / revisit["warc_file"], revisit["warc_offset"], revisit["warc_length"]
        )
        assert record.get("WARC-Profile") == REVISIT_NOT_MODIFIED
        assert record.get("WARC-Refers-To") == previous["record_id"]
        original = next(r for r in all_records(rechecked.archive) if r.record_id == previous["record_id"])
        assert record.get("WARC-Refers-To-Date") == original.get("WARC-Date")
        assert record.get("WARC-Payload-Digest") == original.get("WARC-Payload-Digest")
        assert header + b": " in rechecked.site.received(path)  # the request was conditional


def test_a_changed_page_has_a_sentence_level_diff(rechecked):
    diff = rechecked.events[p(1)]["diff"]
    gone = [s for h in diff["hunks"] for s in h["before"]]
    came = [s for h in diff["hunks"] for s in h["after"]]
    assert SENTENCES[1] in gone and "二、依法依规开展工作，保障当事人合法权益。" in came
    assert SENTENCES[0] not in gone  # unchanged sentences are not in the diff


def test_show_still_returns_the_last_good_capture_of_removed_and_blocked_pages(rechecked):
    for path in (p(4), p(7), p(9), WECHAT):
        shown = cli_here("show", "--archive", rechecked.archive, "--json", rechecked.site.url(path))
        fields = json.loads(shown.stdout)
        assert fields["state"] == "ok" and fields["http_status"] == 200, path


def test_show_of_an_unchanged_page_after_a_304_keeps_its_text(rechecked):
    fields = json.loads(
        cli_here("show", "--archive", rechecked.archive, "--json", rechecked.site.url(p(2))).stdout
    )
    assert fields["record_type"] == "revisit" and SENTENCES[0] in fields["text"]


def test_nothing_archived_is_replaced_and_the_archive_verifies(rechecked):
    after_ids = {r.record_id for r in all_records(rechecked.archive)}
    assert rechecked.before_ids < after_ids
    assert validate_collection(warc_files(rechecked.archive)) == []
    assert verify_archive(rechecked.archive).ok


def test_the_run_summary_is_in_the_index_and_in_a_file(rechecked):
    index = ArchiveIndex(default_db_url(rechecked.archive), create=False)
    try:
        from archive_store.index.schema import Run

        with index.session() as s:
            run = s.query(Run).filter(Run.kind == "recheck").one()
    finally:
        index.close()
    summary = json.loads(run.summary)
    assert summary["recheck"]["removed"] == 6 and len(summary["recheck"]["new_removals"]) == 6
    on_disk = json.loads((rechecked.archive / "runs" / f"{run.id}.json").read_text())
    assert on_disk["recheck"] == summary["recheck"]


def test_a_second_recheck_finds_no_new_removals(rechecked):
    again = recheck_cli(rechecked.archive, "--json", rechecked.site.url(p(4)), rechecked.site.url(p(2)))
    assert again.returncode == 0, again.stderr
    events = by_path(json_lines(again.stdout), rechecked.site.base_url)
    assert events[p(4)]["state"] == "removed" and not events[p(4)]["new_removal"]
    assert events[p(2)]["state"] == "unchanged"


def test_older_than_skips_urls_checked_recently(rechecked):
    result = cli_here("recheck", "--archive", rechecked.archive, "--older-than", "1h")
    assert result.returncode == 0 and "nothing to re-check" in result.stderr


def test_a_url_that_was_never_archived_is_a_usage_error(rechecked):
    result = cli_here("recheck", "--archive", rechecked.archive, rechecked.site.url("/never/archived.html"))
    assert result.returncode == 2 and "not in the archive" in result.stderr


def test_human_summary_counts_the_states(rechecked):
    assert "6 removed (6 new), 3 blocked, 1 unreachable, 1 changed, 4 unchanged" in rechecked.first.stderr
