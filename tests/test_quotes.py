"""Quoted passages located in a text (simplified/traditional, full-width, punctuation and spacing
variants), altered or missing; read from seed lines, `--quotes` files and report paragraphs; a
report's every citing place kept, fragments included; alert messages and the redaction of the
notification URLs' secrets."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from pipelines.documents.links import parse_html
from pipelines.documents.markdown import parse_markdown
from pipelines.documents.seeds import parse_seed_quotes, parse_seeds, read_quotes_file
from pipelines.extraction.quotes import diff_text, folded, locate, locate_in, quoted_passages
from sourcekeeper.configfile import read_layer
from sourcekeeper.jobs.notify import SecretFilter, build_alert, redact_text, redact_url

TEXT = (
    "关于做好在外人员有关事项的通知\n"
    "为切实做好本县在外人员劝返工作，现将有关事项通知如下。\n"
    "一、各单位要在２０２４年３月底前完成ＡＢＣ核查。二、加强亲属联系！\n"
)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_traditional_quote_is_found_in_a_simplified_page_with_offsets_into_the_page():
    match = locate("在外人員勸返工作", TEXT)
    assert match.status == "present"
    assert TEXT[match.start : match.end] == "在外人员劝返工作" == match.matched
    assert match.sentence == "为切实做好本县在外人员劝返工作，现将有关事项通知如下。"
    assert match.quote_sha256 == sha("在外人员劝返工作")  # the folded passage
    assert match.sentence_sha256 == sha(match.sentence)


def test_full_width_forms_spaces_and_punctuation_do_not_hide_a_quote():
    match = locate("3 月底前完成 abc 核查", TEXT)
    assert match.status == "present"
    assert match.matched == "３月底前完成ＡＢＣ核查"
    # a passage over a sentence end: the sentences around it are both named
    across = locate("完成ABC核查.二,加强", TEXT)
    assert across.status == "present"
    assert across.sentence == "一、各单位要在２０２４年３月底前完成ＡＢＣ核查。二、加强亲属联系！"


def test_a_quote_altered_by_one_character_names_the_closest_sentence_and_the_change():
    match = locate("在外人员劝归工作", TEXT)
    assert match.status == "altered"
    assert match.sentence == "为切实做好本县在外人员劝返工作，现将有关事项通知如下。"
    assert [p for p in match.diff if p["op"] != "equal"] == [{"op": "replace", "quote": "归", "page": "返"}]
    assert diff_text(match.diff) == "在外人员劝[归→返]工作"
    assert match.start is None and 0.8 < match.score < 1


def test_a_quote_never_there_is_missing_with_the_closest_sentence():
    match = locate("坚决打击外出务工人员诈骗", TEXT)
    assert match.status == "missing"
    assert (
        match.sentence == "关于做好在外人员有关事项的通知" and match.score < 0.7
    )  # the shortest of the closest
    nothing_alike = locate("坚决打击电信网络诈骗", TEXT)
    assert nothing_alike.status == "missing" and nothing_alike.sentence is None
    assert locate("劝返工作", "").status == "missing"


def test_the_best_text_of_a_page_and_its_documents_wins():
    name, match = locate_in("附件内容第三条", [("page", TEXT), ("doc", "附件\n附件内容第三条：按时报送。")])
    assert (name, match.status) == ("doc", "present")


def test_seed_lines_carry_quotes_and_a_quotes_file_is_read(tmp_path: Path):
    entries = [
        ("s:1", 'http://a.gov.cn/x.html  "劝返工作"  # cited in report 3'),
        ("s:2", "http://a.gov.cn/x.html 「在外人員」 “第二句”"),
        ("s:3", "http://a.gov.cn/y.html"),
    ]
    urls, errors = parse_seeds(entries)
    assert urls == ["http://a.gov.cn/x.html", "http://a.gov.cn/y.html"] and errors == []
    assert parse_seed_quotes(entries) == {
        "http://a.gov.cn/x.html": [("劝返工作", "s:1"), ("在外人員", "s:2"), ("第二句", "s:2")]
    }
    tsv = tmp_path / "quotes.tsv"
    tsv.write_text("# url\tquote\nhttp://a.gov.cn/z.html\t开展政策宣讲\n\nhttp://a.gov.cn/w.html\n", "utf-8")
    read = read_quotes_file(str(tsv))
    assert parse_seeds(read)[0] == ["http://a.gov.cn/z.html", "http://a.gov.cn/w.html"]
    assert parse_seed_quotes(read) == {"http://a.gov.cn/z.html": [("开展政策宣讲", f"{tsv}:2")]}


def test_quoted_passages_of_a_paragraph():
    text = '报告称「劝返工作」“要做好”，又说"ABC"，见 http://x.gov.cn/"a" 「」'
    assert quoted_passages(text) == ["劝返工作", "要做好", "ABC"]
    assert folded("Ａ Ｂ。c") == "abc"


def test_a_source_cited_twice_keeps_both_places_with_their_fragment_and_the_quotes():
    html = (
        "<html><body><p>通知要求「在外人員勸返工作」 <a href='http://a.gov.cn/x.html'>通知</a></p>"
        "<p>第二处“按时报送” <a href='http://a.gov.cn/x.html#para2'>第二段</a></p></body></html>"
    )
    [link] = parse_html(html).links
    assert link.places == [(1, None), (2, None)]
    assert link.written == ["http://a.gov.cn/x.html", "http://a.gov.cn/x.html#para2"]
    assert link.quotes == ["在外人員勸返工作", "按时报送"]
    [md] = parse_markdown(
        "见[通知](http://a.gov.cn/x.html)\n\n又见[第二段](http://a.gov.cn/x.html#p2)\n"
    ).links
    assert md.written == ["http://a.gov.cn/x.html", "http://a.gov.cn/x.html#p2"]


# alerts -------------------------------------------------------------------------------------------
def _event(url: str, state: str, **extra: object) -> dict[str, object]:
    return {
        "url": url,
        "state": state,
        "reason": f"{state} reason",
        "new_removal": False,
        "title": None,
        **extra,
    }


def test_one_alert_names_each_source_that_needs_a_person_and_no_other():
    quote = {"quote": "劝返工作", "status": "altered", "previous_status": "present"}
    events = [
        _event("http://a/removed", "removed", new_removal=True, title="被删通知"),
        _event("http://a/old-removal", "removed"),  # not new: no alert
        _event("http://a/changed", "changed"),
        _event("http://a/back", "restored"),
        _event("http://a/same", "unchanged"),
        _event("http://a/quoted", "unchanged", quotes=[quote]),
    ]
    alert = build_alert(events, 7)
    assert alert is not None and alert.sources == 4
    assert (
        alert.title
        == "sourcekeeper re-check run 7: 1 new removals, 1 changes, 1 quote changes, 1 restorations"
    )
    assert "- 被删通知 — http://a/removed\n  removed (new): removed reason" in alert.body
    assert "quote 「劝返工作」: present → altered" in alert.body
    assert "sourcekeeper diff http://a/changed" in alert.body
    assert "http://a/same" not in alert.body and "http://a/old-removal" not in alert.body
    assert build_alert([_event("http://a/same", "unchanged")], 8) is None


def test_notification_urls_are_redacted():
    assert (
        redact_url("mailto://me:pa55word@127.0.0.1:2525?to=a@b.org")
        == "mailto://me:***@127.0.0.1:2525/?to=***"
    )
    assert (
        redact_url("json://127.0.0.1:8080/hooks/abcdef123?token=zz9") == "json://127.0.0.1:8080/***?token=***"
    )
    assert redact_url("tgram://123456:BOTTOKEN/4242") == "tgram://***"
    assert redact_url("json://host") == "json://host/"
    line = "failed: json://u:hunter22@h/x?key=sekret99 and hunter22 again"
    cleaned = redact_text(line, ["json://u:hunter22@h/x?key=sekret99"])
    assert "hunter22" not in cleaned and "sekret99" not in cleaned


def test_the_log_filter_blanks_secrets_in_any_message(caplog):
    log = logging.getLogger("apprise")
    guard = SecretFilter(["mailto://me:pa55word@mail.example.org"])
    log.addFilter(guard)
    try:
        with caplog.at_level(logging.WARNING, logger="apprise"):
            log.warning("could not log in with %s", "pa55word")
    finally:
        log.removeFilter(guard)
    assert "pa55word" not in caplog.text and "could not log in with ***" in caplog.text


def test_the_config_file_takes_a_list_of_notification_urls(tmp_path: Path):
    config = tmp_path / "sourcekeeper.toml"
    config.write_text('notify = ["json://127.0.0.1:9/x", "mailto://a:b@c"]\n', "utf-8")
    assert read_layer(config, "file").options["notify"] == ["json://127.0.0.1:9/x", "mailto://a:b@c"]


def test_quote_sentences_are_the_diff_sentences() -> None:
    """One splitter: a quote's sentence is the sentence the diff shows, closing quote included,
    with the same offsets."""
    from pipelines.extraction.quotes import locate, sentence_spans
    from pipelines.extraction.sentencediff import split_sentences

    text = "他表示：“劝返工作已全部完成。”  下一阶段继续推进！？\n第三句"
    assert sentence_spans(text) == split_sentences(text)
    assert [s.text for s in sentence_spans(text)] == [
        "他表示：“劝返工作已全部完成。”",
        "下一阶段继续推进！？",
        "第三句",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentence_spans(text))
    found = locate("劝返工作已全部完成", text)
    assert found.status == "present"
    assert found.sentence == "他表示：“劝返工作已全部完成。”"
