"""`archive --from-report` takes the article's citations only (issue 17): a report page's share
buttons, social profiles, navigation, footer and comment links are left out and named, with the
reason, in the manifest; a source cited at several places keeps every place and footnote."""

from __future__ import annotations

import json

import pytest
from archive_helpers import archive_cli
from takedown_helpers import SITE
from takedown_site import p

from pipelines.documents.report import parse_report
from sourcekeeper.demo.rawsite import ServedSite

SHARE = "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Freports.example.org%2Fr1"
TWEET = "https://twitter.com/intent/tweet?url=https%3A%2F%2Freports.example.org%2Fr1"
PROFILE = "https://twitter.com/ExampleNGO"
A_TWEET = "https://twitter.com/someone/status/1234567890"  # a post is a source, not a profile


def report_page(base: str) -> str:
    first, second = base + p(2), base + p(3)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>跨国压制调查</title></head><body>
<header><a href="https://reports.example.org/">机构首页</a></header>
<nav><a href="https://reports.example.org/about">关于我们</a></nav>
<main><article>
<h1>跨国压制调查</h1>
<div class="share-buttons"><a href="{SHARE}">Facebook</a> <a href="{TWEET}">X</a></div>
<p>县公安局发布通知<sup><a href="#fn1">1</a></sup>，又见另一通知<sup><a href="#fn2">2</a></sup>。</p>
<p>同一通知再次引用<sup><a href="#fn3">3</a></sup>，正文中也直接链接：<a href="{first}">通知原文</a>。</p>
<p>相关帖子：<a href="{A_TWEET}">推文</a></p>
<section class="footnotes"><ol>
<li id="fn1"><a href="{first}">关于做好劝返工作的通知</a></li>
<li id="fn2"><a href="{second}">另一通知</a></li>
<li id="fn3"><a href="{first}">关于做好劝返工作的通知</a>，第二段。</li>
</ol></section>
</article>
<section id="comments"><p>读者评论：<a href="https://spam.example.net/">看这里</a></p></section>
</main>
<aside><a href="https://reports.example.org/other">其他报告</a></aside>
<footer><a href="{PROFILE}">Follow us</a> · <a href="https://reports.example.org/privacy">隐私</a></footer>
</body></html>"""


def test_only_the_article_body_is_cited_and_the_rest_is_named_with_a_reason():
    parsed = parse_report(report_page("http://127.0.0.1:9").encode(), "report.html")
    cited = [link.url for link in parsed.links]
    assert cited == ["http://127.0.0.1:9" + p(2), A_TWEET, "http://127.0.0.1:9" + p(3)]  # first appearance
    reasons = {s.url: s.reason for s in parsed.skipped}
    assert reasons == {
        "https://reports.example.org/": "page header",
        "https://reports.example.org/about": "navigation",
        SHARE: "share button",
        TWEET: "share button",
        "https://spam.example.net/": "comments",
        "https://reports.example.org/other": "sidebar",
        PROFILE: "social profile",
        "https://reports.example.org/privacy": "page footer",
    }
    first = parsed.links[0]
    assert first.places == [(1, None), (3, "1"), (5, "3")]  # body link, footnote 1, footnote 3
    assert first.occurrences == 3 and first.footnote == "1"


def test_markdown_reports_leave_share_links_and_profiles_out_too():
    weibo = "http://service.weibo.com/share/share.php?url=x"
    text = f"正文引用 [通知](http://127.0.0.1:9{p(2)})。\n\n[分享到微博]({weibo}) [关注]({PROFILE})\n"
    parsed = parse_report(text.encode(), "report.md")
    assert [link.url for link in parsed.links] == ["http://127.0.0.1:9" + p(2)]
    assert sorted(s.reason for s in parsed.skipped) == ["share button", "social profile"]


@pytest.mark.slow
def test_the_manifest_names_what_was_skipped_and_every_place_of_a_citation(tmp_path):
    archive = tmp_path / "archive"
    with ServedSite(SITE) as site:
        report = tmp_path / "report.html"
        report.write_text(report_page(site.base_url), encoding="utf-8")
        result = archive_cli(archive, "--from-report", report, "-s", "EXTRACT_PROCESSES=0")
    [manifest] = (archive / "citations").glob("*.json")
    document = json.loads(manifest.read_text())
    by_url = {c["url"]: c for c in document["citations"]}
    assert set(by_url) == {site.base_url + p(2), site.base_url + p(3), A_TWEET}
    assert [place["footnote"] for place in by_url[site.base_url + p(2)]["places"]] == [None, "1", "3"]
    assert [place["citation"] for place in by_url[site.base_url + p(2)]["places"]] == [1, 3, 5]
    skipped = {s["url"]: s["reason"] for s in document["skipped"]}
    assert skipped[SHARE] == "share button" and skipped[PROFILE] == "social profile"
    assert skipped["https://reports.example.org/privacy"] == "page footer"
    assert SHARE not in result.stderr  # never fetched
    rows = manifest.with_suffix(".csv").read_text("utf-8-sig")
    assert "share button" in rows and ",skipped," in rows
