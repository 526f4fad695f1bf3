"""Government document identity (文号, issuer, 索引号, 成文日期, 发布日期, 主题分类): from a page's
信息公开 box, from a document's own text, and from real corpus pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.extraction.decode import decode_body
from pipelines.extraction.extract import extract_page
from pipelines.extraction.govdoc import (
    DOC_NUMBER_RE,
    GovDocIdentity,
    identity_from_lines,
    identity_from_text,
    page_identity,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

# (lines of a box, the identity they give)
BOXES = [
    (
        # the common two-pairs-a-row table, label and value in neighbouring cells
        [
            "索 引 号： 11220000/2024-00012 主题分类： 公安、安全、司法\\其他",
            "发布机构： 示例县公安局 成文日期： 2020年03月05日",
            "名 称： 关于做好劝返工作的通知",
            "文 号： 青公通〔2020〕12号 发布日期： 2020年03月06日",
        ],
        GovDocIdentity(
            "青公通〔2020〕12号",
            "示例县公安局",
            "11220000/2024-00012",
            "2020-03-05",
            "2020-03-06",
            "公安、安全、司法\\其他",
        ),
    ),
    (
        # one cell per line, full-width spaces inside the labels, no colons on some
        [
            "索　引　号",
            "000014349/2020-00123",
            "发文机关：",
            "中共示例县委办公室　示例县人民政府办公室",
            "发文字号：",
            "示办发[2020]3号",
            "成文日期：",
            "2020-01-27",
            "发布日期",
            "2020-01-28",
        ],
        GovDocIdentity(
            "示办发[2020]3号",
            "中共示例县委办公室 示例县人民政府办公室",
            "000014349/2020-00123",
            "2020-01-27",
            "2020-01-28",
        ),
    ),
    (
        # 发文机关 is the document's own issuer: it wins over 发布机构 wherever it is
        ["发布机构：示例市政府办公室 有效性：有效", "发文机关：示例市公安局 文号：无", "主题词：劝返 通知"],
        GovDocIdentity(issuer="示例市公安局", topic="劝返 通知"),
    ),
    (
        # bracket variants are kept as printed
        ["文号：粤府函（2021）3号", "索引号：QH-GA-2021-0003"],
        GovDocIdentity(doc_number="粤府函（2021）3号", index_number="QH-GA-2021-0003"),
    ),
    (
        # prose that mentions the words is not a box
        [
            "本文号召各单位学习，发布机构改革方案的主题分类工作由办公室负责，成文日期另行通知，"
            "各单位要认真组织学习，切实把思想和行动统一到决策部署上来，确保各项工作取得实效。" * 3
        ],
        GovDocIdentity(),
    ),
]


@pytest.mark.parametrize(
    ("lines", "expected"),
    BOXES,
    ids=["two-pairs-a-row", "cell-per-line", "issuer-first", "brackets", "prose"],
)
def test_identity_from_a_disclosure_box(lines: list[str], expected: GovDocIdentity) -> None:
    assert identity_from_lines(lines) == expected


RED_HEADER_NOTICE = """青海省公安厅文件

青公通〔２０２０〕12号            签发人：张三

关于做好在外人员劝返工作的通知

各市（州）公安局，厅机关各部门：
根据《关于加强有关工作的通知》（公通字〔2019〕3号）要求，现将有关事项通知如下。
一、提高认识，加强领导。
附件：1．劝返工作方案

青海省公安厅
2020年3月5日
（此件公开发布）
主题词：公安 劝返 通知
抄送：省委政法委。
青海省公安厅办公室                2020年3月6日印发
"""

JOINT_NOTICE = """中共示例县委办公室　示例县人民政府办公室文件
示办发〔2021〕7号
关于印发《示例县在外人员劝返工作方案》的通知
各乡镇党委、政府，县直各单位：
现将《示例县在外人员劝返工作方案》印发给你们，请认真贯彻执行。
中共示例县委办公室　　　　示例县人民政府办公室
二〇二一年四月二日
"""

CITES_ONLY = """关于公开招聘工作人员的实施方案
根据《贵州省事业单位公开招聘操作办法（试行）》（黔人社厅发〔2013〕10号）等文件精神，制定本方案。
黔人社通〔2020〕212号文件规定的条件适用于本次招聘。
"""

SCAN_WITH_SPACES = """示例县公安局
示公 通 〔 2022 〕 5 号
关于开展劝返工作的通告
全县在外人员务必于规定期限内回国投案。
示例县公安局  2022年6月1日
"""

LABELLED_DOCUMENT = """索引号：11330000/2023-00045
发文机关：示例省侨务办公室
发文字号：示侨发【2023】8号
成文日期：2023年02月10日
发布日期：2023年02月14日
关于做好海外侨胞联络工作的通知
各市侨办：请认真落实。
"""

TEXTS = [
    (
        RED_HEADER_NOTICE,
        GovDocIdentity("青公通〔2020〕12号", "青海省公安厅", None, "2020-03-05", None, "公安 劝返 通知"),
    ),
    (
        JOINT_NOTICE,
        GovDocIdentity("示办发〔2021〕7号", "中共示例县委办公室 示例县人民政府办公室", None, "2021-04-02"),
    ),
    (CITES_ONLY, GovDocIdentity()),  # numbers cited in sentences are other documents'
    (SCAN_WITH_SPACES, GovDocIdentity("示公通〔2022〕5号", "示例县公安局", None, "2022-06-01")),
    (
        LABELLED_DOCUMENT,
        GovDocIdentity(
            "示侨发【2023】8号", "示例省侨务办公室", "11330000/2023-00045", "2023-02-10", "2023-02-14"
        ),
    ),
    ("", GovDocIdentity()),
    # a title ending in 文件 is no red header
    ("关于转发省厅文件\n关于废止部分规范性文件\n各单位：请遵照执行。", GovDocIdentity()),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    TEXTS,
    ids=["red-header", "joint-issuers", "cites-only", "ocr-spaces", "labelled", "empty", "title-not-header"],
)
def test_identity_from_a_documents_text(text: str, expected: GovDocIdentity) -> None:
    assert identity_from_text(text) == expected


def test_the_doc_number_pattern_takes_every_bracket_form() -> None:
    for printed in (
        "青公通〔2020〕12号",
        "青公通[2020]12号",
        "青公通【2020】12号",
        "青公通(2020)12号",
        "青公通（2020）12号",
        "青公通［2020］12号",
        "青公通﹝2020﹞12号",
        "公通字〔2019〕第3号",
    ):
        match = DOC_NUMBER_RE.fullmatch(printed)
        assert match is not None, printed
    assert DOC_NUMBER_RE.fullmatch("青公通2020年12号") is None


def test_a_page_takes_its_box_first_then_the_document_it_shows() -> None:
    header = ["首页 > 政务公开", "发布机构：示例县人民政府办公室", "发布日期：2020-03-06"]
    body = ["青公通〔2020〕12号", "各派出所：", "现将有关事项通知如下。", "示例县公安局", "2020年3月5日"]
    assert page_identity(header, [], body) == GovDocIdentity(
        "青公通〔2020〕12号", "示例县人民政府办公室", None, "2020-03-05", "2020-03-06"
    )


XXGK_PAGE = """<html><head><meta charset="utf-8"><title>关于做好劝返工作的通知_示例县人民政府</title></head>
<body><div class='nav'>首页 政务公开</div>
<table class='xxgk'>
<tr><td>索 引 号：</td><td>11220000/2024-00012</td><td>主题分类：</td><td>公安、安全、司法\\其他</td></tr>
<tr><td>发布机构：</td><td>示例县公安局</td><td>成文日期：</td><td>2020年03月05日</td></tr>
<tr><td>名　　称：</td><td colspan=3>关于做好劝返工作的通知</td></tr>
<tr><td>文　　号：</td><td>青公通〔2020〕12号</td><td>发布日期：</td><td>2020年03月06日</td></tr>
</table>
<div class='article'><h1>关于做好劝返工作的通知</h1>
<div class='content'><p>各派出所：</p>
<p>为切实做好本县在外人员劝返工作，现将有关事项通知如下。一是加强组织领导，二是落实工作责任，三是强化督导检查。各单位要高度重视，认真落实。</p>
<p>请各单位按照要求，认真组织实施，确保工作取得实效，有关情况及时报县局指挥中心。</p>
<p>示例县公安局</p><p>2020年3月5日</p></div></div></body></html>"""


def test_extraction_fills_the_identity_of_a_disclosure_page() -> None:
    page = extract_page(XXGK_PAGE, "http://gaj.example.gov.cn/xxgk/t20200306_1.html")
    got = {k: v for k, v in page.to_json().items() if k in ("doc_number", "issuer", "index_number", "topic")}
    assert got == {
        "doc_number": "青公通〔2020〕12号",
        "issuer": "示例县公安局",
        "index_number": "11220000/2024-00012",  # digits, '/' and '-' only: not a date
        "topic": "公安、安全、司法\\其他",
    }
    assert (page.document_date, page.date_published) == ("2020-03-05", "2020-03-06")


def _corpus_page(relative: str) -> str:
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"corpus page {relative} not found under {CORPUS}")
    return decode_body(path.read_bytes(), None).text


# real pages: (file, url, identity fields expected)
CORPUS_PAGES = [
    # a TRS county notice citing six other documents' 文号 in its body: none of them is its own
    (
        "gov/kaili-trs-2024.html",
        "https://www.kaili.gov.cn/xxgk/tzgg/202406/t20240627_84922242.html",
        {
            "doc_number": None,
            "issuer": None,
            "index_number": None,
            "topic": None,
            "date_published": "2024-06-27",
        },
    ),
    # a regional gov news page: 发布日期 in its header, no box
    (
        "cwced/original/d232c5df-4a6a-47f7-8c63-2dd47719ffe7.html",
        "https://www.nmg.gov.cn/zwyw/gzdt/bmdt/202202/t20220211_2003000.html",
        {
            "doc_number": None,
            "issuer": None,
            "index_number": None,
            "topic": None,
            "date_published": "2022-02-11",
        },
    ),
]


CORPUS_PAGES.append(
    # a news page whose menu has an item named 主题分类: a menu is not a box
    (
        "cwced/original/0ef8393b-0415-494c-b608-1d45bb33c6fb.html",
        "https://www.rfi.fr/cn/20220206-a",
        {"doc_number": None, "issuer": None, "index_number": None, "topic": None},
    )
)


@pytest.mark.parametrize(
    ("relative", "url", "expected"), CORPUS_PAGES, ids=["kaili-trs", "nmg-news", "menu-item"]
)
def test_identity_on_real_pages(relative: str, url: str, expected: dict[str, str | None]) -> None:
    page = extract_page(_corpus_page(relative), url).to_json()
    assert {name: page[name] for name in expected} == expected


def test_a_real_notice_body_read_as_a_document_gives_no_cited_number() -> None:
    page = extract_page(
        _corpus_page("gov/kaili-trs-2024.html"), "https://www.kaili.gov.cn/a/t20240627_1.html"
    )
    assert "黔人社通〔2024〕1号" in page.text  # cited in the body ...
    assert identity_from_text(page.text).doc_number is None  # ... yet not the document's own
