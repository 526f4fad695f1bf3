"""A re-check of a document compares its text with the previous capture's: a replaced PDF whose
text changed is `changed` with the sentence diff, whatever line breaks its new layout has; one set
again with the same text is `unchanged`; one whose text could not be read is never `unchanged`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from crawler_harness import archive_crawler
from scrapy.utils.misc import build_from_crawler

from archive_store.index.baselines import Baseline, RecheckTarget
from archive_store.index.database import ArchiveIndex
from archive_store.index.schema import Capture, Page
from pipelines.doccompare import comparable_text, unwrap
from pipelines.recheck import RecheckPipeline
from scrapers.recheck import RecheckSpider

URL = "http://gaj.example.gov.cn/tzgg/P020200306_fangan.pdf"
PARAGRAPH = (
    "为切实做好在外人员劝返工作，各派出所要对在外人员的国内亲属逐一开展走访工作，"
    "及时掌握在外人员的工作生活情况，做好思想工作，确保劝返工作取得实效。"
)
EDITED = PARAGRAPH.replace("开展走访工作", "开展约谈工作")
HEAD = ["青海省公安厅文件", "青公通〔2020〕12号", "关于做好在外人员劝返工作的通知", "各市（州）公安局："]
TAIL = ["青海省公安厅", "2020年3月5日"]


def wrapped(paragraph: str, width: int) -> str:
    """A document's text as a PDF's text layer gives it: the paragraph broken at the line width."""
    lines = [paragraph[i : i + width] for i in range(0, len(paragraph), width)]
    return "\n".join([*HEAD, *lines, "二、加强组织领导。", *TAIL])


def test_unwrap_joins_the_lines_of_a_paragraph_and_keeps_the_rest() -> None:
    assert unwrap(wrapped(PARAGRAPH, 22)) == unwrap(wrapped(PARAGRAPH, 30))
    assert unwrap(wrapped(PARAGRAPH, 22)).split("\n") == [*HEAD, PARAGRAPH, "二、加强组织领导。", *TAIL]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("Sheet1!A1 姓名\nSheet1!B1 所在国家\nSheet1!A2 张三\nSheet1!B2 意大利", None),  # cells stay lines
        (
            "one two three four five six seven\neight nine ten。",
            "one two three four five six seven eight nine ten。",
        ),
        (
            "第一页的最后一行文字仍在句子之中\f第二页接着写完这句话。",
            "第一页的最后一行文字仍在句子之中第二页接着写完这句话。",
        ),
    ],
    ids=["empty", "spreadsheet-cells", "latin-words-keep-a-space", "page-break"],
)
def test_unwrap_cases(text: str, expected: str | None) -> None:
    assert unwrap(text) == (text if expected is None else expected)


def _capture(
    index: ArchiveIndex, number: int, digest: str, text: str | None, skipped: str | None = None
) -> Capture:
    capture_id = index.insert_capture(
        {
            "url": URL,
            "method": "GET",
            "captured_at": datetime(2024, 1, number),
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
            "content_type": "application/pdf",
            "chunked": False,
            "state": "ok",
            "hop": 0,
        }
    )
    if text is not None:
        index.save_page(
            Page(capture_id=capture_id, url=URL, kind="document", text=text, text_skipped=skipped)
        )
    with index.session() as s:
        found = s.get(Capture, capture_id)
        assert found is not None
        return found


COMPARE = [
    pytest.param(
        wrapped(PARAGRAPH, 22),
        None,
        wrapped(EDITED, 30),
        None,
        "changed",
        "text changed: 1 sentence(s) removed, 1 added",
        id="replaced-pdf-new-text-new-layout",
    ),
    pytest.param(
        wrapped(PARAGRAPH, 22),
        None,
        wrapped(PARAGRAPH, 30),
        None,
        "unchanged",
        "the payload differs but the extracted text is the same",
        id="set-again-same-text",
    ),
    pytest.param(
        "",
        "encrypted",
        "",
        "encrypted",
        "changed",
        "the payload differs from the last good capture (no extracted text to compare)",
        id="both-unreadable",
    ),
    pytest.param(
        wrapped(PARAGRAPH, 22),
        None,
        "",
        "corrupt",
        "changed",
        "the payload differs from the last good capture (no extracted text to compare)",
        id="replaced-by-a-corrupt-file",
    ),
]


@pytest.mark.parametrize(("before", "before_skip", "after", "after_skip", "state", "reason"), COMPARE)
def test_a_replaced_document_is_compared_by_its_text(
    tmp_path: Path,
    before: str,
    before_skip: str | None,
    after: str,
    after_skip: str | None,
    state: str,
    reason: str,
) -> None:
    pipeline = build_from_crawler(RecheckPipeline, archive_crawler(tmp_path / "archive", RecheckSpider))
    old = _capture(pipeline.index, 1, "sha1:A", before, before_skip)
    new = _capture(pipeline.index, 2, "sha1:B", after, after_skip)
    baseline = Baseline(old.id, URL, old.payload_digest, old.record_id, URL, old.warc_date, None, None)
    outcome = pipeline._compare(RecheckTarget(URL, baseline, old.id, None), new)
    assert (outcome.state, outcome.reason) == (state, reason)
    if state == "changed" and outcome.diff is not None:
        # the one sentence that changed, whole, although both layouts broke it at other places
        assert outcome.diff["hunks"] == [{"op": "replace", "before": [PARAGRAPH], "after": [EDITED]}]
    else:
        assert outcome.diff is None
    pipeline.session.close("finished")


def test_a_page_is_still_compared_by_title_and_text(tmp_path: Path) -> None:
    pipeline = build_from_crawler(RecheckPipeline, archive_crawler(tmp_path / "archive", RecheckSpider))
    capture_id = pipeline.index.insert_capture(
        {
            "url": "http://gaj.example.gov.cn/a.html",
            "method": "GET",
            "captured_at": datetime(2024, 1, 1),
            "warc_date": "",
            "http_status": 200,
            "record_type": "response",
            "record_id": "<urn:uuid:00000000-0000-4000-8000-0000000000aa>",
            "warc_file": "x.warc.gz",
            "warc_offset": 0,
            "warc_length": 1,
            "payload_digest": "sha1:P",
            "block_digest": "sha1:B",
            "payload_length": 1,
            "chunked": False,
            "state": "ok",
            "hop": 0,
        }
    )
    pipeline.index.save_page(
        Page(
            capture_id=capture_id, url="http://gaj.example.gov.cn/a.html", title="标题", text="第一行\n第二行"
        )
    )
    assert comparable_text(pipeline.index, capture_id) == "标题\n第一行\n第二行"  # line breaks kept
    pipeline.session.close("finished")
