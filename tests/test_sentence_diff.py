"""The sentence diff of Chinese texts: splitting, moved / edited / added / removed sentences with
their offsets, and the stealth-edit rule (a change limited to the date, the 文号, the issuer)."""

from __future__ import annotations

import pytest

from pipelines.extraction.sentencediff import diff_sentences, split_sentences
from pipelines.extraction.stealth import stealth_edit

S = [
    "为切实做好本县在外人员劝返工作，现将有关事项通知如下。",
    "一、提高思想认识，各单位要充分认识此项工作的重要性。",
    "二、加强亲属联系，对在外人员亲属开展政策宣讲。",
    "三、严格工作纪律，按时报送工作进展情况！",
    "联系电话：0000-1234567；",
    "联系人：王某。",
]


def test_sentences_end_at_chinese_marks_and_line_breaks_keeping_closing_quotes():
    text = "他说：“要快。”随后离开！真的吗？！\n第二段没有句号\n  三、严格纪律；（完）"
    found = split_sentences(text)
    assert [s.text for s in found] == [
        "他说：“要快。”",
        "随后离开！",
        "真的吗？！",
        "第二段没有句号",
        "三、严格纪律；",
        "（完）",
    ]
    assert all(text[s.start : s.end] == s.text for s in found)  # offsets point into the text


def _ops(before: list[str], after: list[str]) -> list[tuple[str, list[str], list[str]]]:
    diff = diff_sentences("".join(before), "\n".join(after))
    return [(h.op, [s.text for s in h.before], [s.text for s in h.after]) for h in diff.hunks]


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # a sentence moved to the end: one `moved` hunk, not a removal plus an addition
        (
            [S[0], S[2], S[3], S[4], S[5], S[1]],
            [("moved", [S[1]], [S[1]])],
        ),
        # one sentence edited by two characters: `edited`, with the characters that changed
        (
            [S[0], S[1], "二、加强亲属联系，对在外人员亲属开展法律宣讲。", *S[3:]],
            [("edited", [S[2]], ["二、加强亲属联系，对在外人员亲属开展法律宣讲。"])],
        ),
        # a sentence added and another removed elsewhere
        (
            [S[0], S[1], S[2], "四、本通知自发布之日起施行。", S[4], S[5]],
            [("removed", [S[3]], []), ("added", [], ["四、本通知自发布之日起施行。"])],
        ),
        # edited and moved to the end: one `edited` hunk (moved), not a removal plus an addition
        (
            [S[0], S[2], S[3], S[4], S[5], "一、提高思想认识，各单位要充分认识此项工作的必要性。"],
            [("edited", [S[1]], ["一、提高思想认识，各单位要充分认识此项工作的必要性。"])],
        ),
        ([*S, "附件：名单。"], [("added", [], ["附件：名单。"])]),
        ([S[0], *S[2:]], [("removed", [S[1]], [])]),
        (S, []),
    ],
    ids=["moved", "edited", "replaced", "edited-and-moved", "added", "removed", "same"],
)
def test_diff_names_moved_edited_added_removed_sentences(after, expected):
    assert _ops(S, after) == expected


def test_an_edited_sentence_that_moved_says_so():
    diff = diff_sentences("".join(S), "".join([S[0], *S[2:], S[1].replace("重要性", "必要性")]))
    (hunk,) = diff.hunks
    assert hunk.op == "edited" and hunk.moved and hunk.to_json()["moved"] is True
    assert [r.op for r in diff.rows].count("moved-away") == 1


def test_edited_sentence_carries_character_changes_and_offsets_in_each_text():
    before = "".join(S)
    after = "".join([S[1], S[0], S[2].replace("政策", "法律"), *S[3:]])
    diff = diff_sentences(before, after)
    assert diff.counts() == {"removed": 0, "added": 0, "edited": 1, "moved": 1}
    edited = next(h for h in diff.hunks if h.op == "edited")
    assert ("-", "政策") in edited.changes and ("+", "法律") in edited.changes
    (old,), (new,) = edited.before, edited.after
    assert before[old.start : old.end] == S[2]
    assert after[new.start : new.end] == S[2].replace("政策", "法律")
    data = diff.to_json()
    assert {h["op"] for h in data["hunks"]} == {"moved", "edited"}
    assert diff.summary() == "1 sentence(s) edited, 1 moved"


def test_white_space_alone_is_no_change():
    assert not diff_sentences("第一句。\n第二句。", "第一句。  第二句。\u3000").hunks


def test_two_column_rows_cover_both_texts_in_order():
    before, after = "".join(S), "".join([S[5], *S[1:5], "新增一句。"])
    diff = diff_sentences(before, after)
    assert [r.before.text for r in diff.rows if r.before] == S
    assert [r.after.text for r in diff.rows if r.after] == [s.text for s in split_sentences(after)]


FIELDS = {
    "title": "关于做好劝返工作的通知",
    "date": "2024-01-05",
    "doc_number": "测公通〔2024〕1号",
    "issuer": "测试县公安局",
}
BODY = "测公通〔2024〕1号\n为切实做好劝返工作，现通知如下。\n测试县公安局\n2024年1月5日"


@pytest.mark.parametrize(
    ("changes", "body", "fields"),
    [
        ({"date": "2023-12-01"}, BODY.replace("2024年1月5日", "2023年12月1日"), ("date",)),
        ({"doc_number": "测公通〔2024〕7号"}, BODY.replace("〔2024〕1号", "〔2024〕7号"), ("doc_number",)),
        ({"issuer": "测试县人民政府"}, BODY.replace("测试县公安局", "测试县人民政府"), ("issuer",)),
        ({}, BODY.replace("2024年1月5日", "2024年3月5日"), ("date",)),  # only inside the text
    ],
    ids=["date", "doc_number", "issuer", "date-in-text"],
)
def test_a_change_limited_to_date_number_or_issuer_is_a_stealth_edit(changes, body, fields):
    found = stealth_edit(FIELDS, {**FIELDS, **changes}, BODY, body)
    assert found is not None and found.fields == fields
    assert found.reason().startswith("stealth edit: only ")


@pytest.mark.parametrize(
    ("changes", "body"),
    [
        ({"date": "2023-12-01"}, BODY.replace("现通知如下", "特通知如下")),  # the text changed too
        ({"title": "另一个标题"}, BODY),  # the title changed: visible, an ordinary edit
        ({}, BODY),  # nothing changed
    ],
)
def test_other_changes_are_no_stealth_edit(changes, body):
    assert stealth_edit(FIELDS, {**FIELDS, **changes}, BODY, body) is None


QUOTED_BODY = BODY.replace("现通知如下。", "现通知如下。\n对在外人员亲属开展劝返工作。")


@pytest.mark.parametrize(
    ("after_body", "after_sentence"),
    [
        (QUOTED_BODY.replace("开展劝返工作。", "开展依法工作。"), "对在外人员亲属开展依法工作。"),  # altered
        (QUOTED_BODY.replace("对在外人员亲属开展劝返工作。\n", ""), None),  # gone
        # altered, and the date moved with it
        (
            QUOTED_BODY.replace("开展劝返工作。", "开展依法工作。").replace("2024年1月5日", "2023年12月1日"),
            "对在外人员亲属开展依法工作。",
        ),
    ],
    ids=["altered", "missing", "altered-and-date"],
)
def test_a_change_limited_to_a_quoted_passage_is_a_stealth_edit(after_body, after_sentence):
    found = stealth_edit(FIELDS, FIELDS, QUOTED_BODY, after_body, quotes=["亲属开展劝返工作"])
    assert found is not None and found.fields[0] == "quote"
    (quote,) = [c for c in found.changes if c.name == "quote"]
    assert quote.before == "对在外人员亲属开展劝返工作。" and quote.after == after_sentence
    assert "the quoted passage (对在外人员亲属开展劝返工作。" in found.reason()


def test_a_quoted_passage_changed_with_other_text_is_no_stealth_edit():
    after = QUOTED_BODY.replace("开展劝返工作。", "开展依法工作。").replace("现通知如下", "特通知如下")
    assert stealth_edit(FIELDS, FIELDS, QUOTED_BODY, after, quotes=["亲属开展劝返工作"]) is None
    # the quote still there (in traditional characters even): the other edit is an ordinary one
    kept = QUOTED_BODY.replace("现通知如下", "特通知如下")
    assert stealth_edit(FIELDS, FIELDS, QUOTED_BODY, kept, quotes=["親屬開展勸返工作"]) is None
    # without the quotes watched, the quote's edit is an ordinary one
    altered = QUOTED_BODY.replace("开展劝返工作。", "开展依法工作。")
    assert stealth_edit(FIELDS, FIELDS, QUOTED_BODY, altered) is None
