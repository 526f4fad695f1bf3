"""A larger development set, generated at evaluation time from the corpus pages, truth by construction.

Nothing here is a real page: every case is derived from a corpus page read at run time (the corpus
stays outside the repository) or written from documented patterns. Kinds:

- ``nodecl``: the page with every charset declaration removed (truth: the page's own truth);
- ``wrongdecl``: a GB page declared (``<meta>`` and HTTP) as UTF-8 — GBK bytes served as UTF-8 —
  or a UTF-8 page declared GBK, or a GB page declared as a Cyrillic code page;
- ``moved``: the page's boilerplate (nav, footer, sidebars) moved to the other side of the body;
- ``dated``: a corpus page's hand-cleaned text placed in a government template, with a title and a
  date line in one of the forms official pages use (TRS 来源/发布时间, 年月日, xxgk
  成文日期 + 发布日期, US-style ``M/D/YYYY h:mm:ss AM``, gov meta ``PubDate``), encoded GBK or UTF-8;
- ``blocked``: verification pages written from vendor patterns (:mod:`bench.eval.blockpages`).

Each case keeps the *site* of the corpus page it came from, so leave-one-site-out evaluation holds
out a site's variants together with the site.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from bench.eval.blockpages import article_controls, block_pages

_META_CHARSET_RE = re.compile(rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*[A-Za-z0-9_.:\-]+[^>]*>", re.I)
_HOST_RE = re.compile(rb"https?://([a-z0-9.-]+\.[a-z]{2,})", re.I)
_SECOND_LEVEL = {"com", "gov", "org", "net", "edu", "ac"}
_IGNORED_HOSTS = {"w3.org", "yimg.com", "doi.org", "google.com", "googlesyndication.com"}
_HEAD_RE = re.compile(rb"<head[^>]*>", re.I)
_BOILERPLATE_RE = re.compile(
    rb"<(div|ul|table)\b[^>]*\b(?:id|class)\s*=\s*[\"'][^\"']*(?:nav|menu|footer|foot|copyright|sidebar|"
    rb"banner|top)[^\"']*[\"'][^>]*>",
    re.I,
)


@dataclass
class DevCase:
    """One generated case. ``truth_*`` are known by construction; None means "not scored"."""

    name: str
    site: str
    kind: str
    url: str
    body: bytes
    content_type: str = "text/html"
    truth_title: str | None = None
    truth_date: str | None = None  # ISO publication date
    truth_document_date: str | None = None
    truth_text: str | None = None
    truth_state: str = "ok"
    truth_decoded: str | None = None  # the correctly decoded markup (charset variants)
    meta: dict[str, str] = field(default_factory=dict)


def site_of(body: bytes, fallback: str) -> str:
    """The registered domain most linked from the page (the site it was saved from)."""
    counts: Counter[str] = Counter()
    for host in _HOST_RE.findall(body[:400_000]):
        labels = host.decode("ascii", "replace").lower().split(".")
        keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
        domain = ".".join(labels[-keep:])
        if domain not in _IGNORED_HOSTS:
            counts[domain] += 1
    return counts.most_common(1)[0][0] if counts else fallback


def strip_declarations(body: bytes) -> bytes:
    return _META_CHARSET_RE.sub(b"", body)


def declare(body: bytes, charset: str) -> bytes:
    """The page with its declarations replaced by ``charset``."""
    tag = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'.encode("ascii")
    stripped = strip_declarations(body)
    match = _HEAD_RE.search(stripped)
    if match is None:
        return stripped  # no <head> to put a <meta> in: the HTTP header carries the declaration
    return stripped[: match.end()] + tag + stripped[match.end() :]


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not body.isascii()


def move_boilerplate(body: bytes) -> bytes | None:
    """Move the first nav/menu/footer block to the end of <body> (or the last one to the start)."""
    match = _BOILERPLATE_RE.search(body)
    if match is None:
        return None
    tag = match.group(1).lower()
    depth = 0
    opener = re.compile(rb"<(/?)" + tag + rb"\b[^>]*>", re.I)
    for token in opener.finditer(body, match.start()):
        depth += -1 if token.group(1) else 1
        if depth == 0:
            block = body[match.start() : token.end()]
            rest = body[: match.start()] + body[token.end() :]
            end = rest.lower().rfind(b"</body>")
            end = len(rest) if end < 0 else end
            return rest[:end] + block + rest[end:]
    return None


# date line forms seen on official pages (issue 15)
def _date_lines(day: date, index: int) -> tuple[str, str, str | None, str]:
    """(html above the body, meta tags, document date or None, name of the form)."""
    written = date.fromordinal(day.toordinal() - 1)
    forms = [
        (
            "<div class='fb'><span>来源：示例市人民政府办公室</span>"
            f"<span>发布时间：{day:%Y-%m-%d} 16:18</span></div>",
            "",
            None,
            "trs-line",
        ),
        (
            f"<p class='info'>发布日期：{day.year}年{day.month:02d}月{day.day:02d}日 浏览次数：125</p>",
            "",
            None,
            "nianyueri",
        ),
        (
            "<table class='xxgk'><tr><td>索引号：</td><td>11220000/2024-00012</td><td>发文字号：</td>"
            f"<td>示政办发〔{day.year}〕3号</td></tr><tr><td>成文日期：</td><td>{written.year}年"
            f"{written.month:02d}月{written.day:02d}日</td><td>发布日期：</td><td>{day.year}年{day.month:02d}月"
            f"{day.day:02d}日</td></tr></table>",
            "",
            written.isoformat(),
            "xxgk-two-dates",
        ),
        (
            f"<p>更新时间：{day.month}/{day.day}/{day.year} 9:23:57 AM　点击数：88</p>",
            "",
            None,
            "us-ampm",
        ),
        ("<p>来源：本站</p>", f'<meta name="PubDate" content="{day:%Y-%m-%d %H:%M}">', None, "gov-meta"),
        (f"<span class='time'>{day:%Y/%m/%d}</span> <span>作者：办公室</span>", "", None, "slash"),
    ]
    return forms[index % len(forms)]


def dated_page(title: str, text: str, day: date, index: int, encoding: str) -> tuple[bytes, str | None, str]:
    """A government-template page around ``text`` with a date line of form ``index``."""
    above, meta, written, form = _date_lines(day, index)
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())
    nav = "".join(f"<li><a href='/col/{i}/'>栏目{i}</a></li>" for i in range(1, 9))
    related = "".join(f"<li><a href='/art/{i}.html'>相关新闻标题第{i}条</a></li>" for i in range(1, 6))
    label = "gbk" if encoding == "gb18030" else "utf-8"
    markup = (
        f"<!DOCTYPE html><html><head><meta http-equiv='Content-Type' content='text/html; charset={label}'>"
        f"<title>{html.escape(title)}_示例市人民政府</title>{meta}</head><body>"
        f"<div class='top-nav'><ul>{nav}</ul></div><div class='crumb'>当前位置：首页 > 政务公开</div>"
        f"<div class='article'><h1>{html.escape(title)}</h1>{above}"
        f"<div class='article-content'>{paragraphs}</div></div>"
        f"<div class='related'><h3>相关阅读</h3><ul>{related}</ul></div>"
        "<div class='footer'>版权所有：示例市人民政府 网站标识码：0000000000 备案号：示ICP备00000000号</div>"
        "</body></html>"
    )
    return markup.encode(encoding, "replace"), written, form


@dataclass(frozen=True)
class Source:
    """A corpus page and its truth, as the generator needs it."""

    name: str
    url: str
    body: bytes
    title: str | None
    date: str | None  # usable ISO date
    text: str | None


def generate(sources: list[Source]) -> list[DevCase]:
    """Every generated case for ``sources`` (corpus pages) plus the written verification pages."""
    cases: list[DevCase] = []
    for number, src in enumerate(sources):
        site = site_of(src.body, src.name)
        base = DevCase(
            f"{src.name}",
            site,
            "",
            src.url,
            src.body,
            truth_title=src.title,
            truth_date=src.date,
            truth_text=src.text,
        )
        utf8 = _is_utf8(src.body)
        if not src.body.isascii():
            cases.append(
                replace(base, name=f"{src.name}~nodecl", kind="nodecl", body=strip_declarations(src.body))
            )
            wrong = "gbk" if utf8 else "utf-8"
            cases.append(
                replace(
                    base,
                    name=f"{src.name}~wrongdecl-{wrong}",
                    kind="wrongdecl",
                    body=declare(src.body, wrong),
                    content_type=f"text/html; charset={wrong}",
                )
            )
            if not utf8:
                cases.append(
                    replace(
                        base,
                        name=f"{src.name}~wrongdecl-cp1251",
                        kind="wrongdecl",
                        body=declare(src.body, "windows-1251"),
                        content_type="text/html; charset=windows-1251",
                    )
                )
        moved = move_boilerplate(src.body)
        if moved is not None:
            cases.append(replace(base, name=f"{src.name}~moved", kind="moved", body=moved))
        if src.text:
            lines = [line.strip() for line in src.text.splitlines() if line.strip()]
            if len(lines) >= 3:
                title, text = lines[0][:60], "\n".join(lines[1:])
                day = date(2015 + number % 10, 1 + number % 12, 1 + (number * 7) % 28)
                encoding = "gb18030" if number % 2 else "utf-8"
                body, written, form = dated_page(title, text, day, number, encoding)
                path = f"/a/{number}.html"  # no date in the URL: the date line alone must give it
                cases.append(
                    DevCase(
                        f"{src.name}~dated-{form}",
                        site,
                        "dated",
                        f"http://dev.invalid{path}",
                        body,
                        truth_title=title,
                        truth_date=day.isoformat(),
                        truth_document_date=written,
                        truth_text=text,
                    )
                )
    for page in block_pages() + article_controls():
        cases.append(
            DevCase(
                f"written/{page.name}",
                f"written-{page.name.split('-')[0]}",
                "blocked" if page.state != "ok" else "control",
                f"http://dev.invalid/{page.name}.html",
                page.html.encode("utf-8"),
                truth_state=page.state,
            )
        )
    return cases
