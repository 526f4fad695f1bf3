"""Find the documents a page links to (attachments), the way gov CMSs and WeChat link them.

This runs in the spider callback, on the reactor thread, for every page, so a fetched page is not
decoded: compiled bytes patterns find the candidate links in the body as fetched, an ASCII test on
the bytes drops those without a wanted extension, and only the few left are decoded, as Scrapy
decodes the page. The page is decoded and parsed as a whole only when an article-body container
really holds images. `attachment_links` does the same for text that is already decoded.
"""

from __future__ import annotations

import codecs
import itertools
import operator
import re
from collections.abc import Iterable, Iterator
from functools import cached_property, lru_cache
from html import unescape
from typing import NamedTuple
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
)

from pipelines.extraction import wechat_urls
from pipelines.extraction.charsets import codec_for_label

IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "tif", "tiff", "webp"})
# Where article bodies live on the platforms we archive: images there are images of documents.
# plain substring tests: a case-insensitive regex alternation costs milliseconds per page
_BODY_MARKERS = ("TRS_Editor", "TRS_UEDITOR", "trs_editor", "UCAP-CONTENT", "js_content", "zoom", "<article")
_BODY_CONTAINERS = (
    "//*[contains(@class,'TRS_Editor') or contains(@class,'TRS_UEDITOR') or contains(@class,'trs_editor')]"
    " | //*[@id='UCAP-CONTENT'] | //*[@id='js_content'] | //*[@id='zoom'] | //article"
)
# a, iframe, embed, object links; onclick="window.open('...')"; viewer?file=... parameters.
# One spelling for the text and the bytes patterns; groups: tag, the attributes before the name
# up to its separator, the "=" with its spaces, the value "…", '…' or bare. In the text the
# separators are \s. In bytes {s} is \s plus \x1c-\x1f (str's \s has them, bytes' has not),
# and a separator {w} also takes what a wide space (U+3000, NBSP: \s in the text) may end in: a
# non-ASCII byte, "@" (Big5, Shift_JIS) or a digit (4-byte GB18030). A link with such a byte
# there, or a non-ASCII one right after the tag name (a CJK letter leaves no word boundary for
# \b), is left to the text (`_NeedsText`).
_LINK_ATTR = (
    r"""<(a|iframe|embed|object)\b([^>]*?{w})(?:href|src|data)({w}*={s}*)"""
    r"""(?:"([^"]*)"|'([^']*)'|([^{s_}>]+))"""
)
_WINDOW_OPEN = r"""(?:window\.open|location\.href{w}*=){w}*\(?{w}*['"]([^'"]+)['"]"""
_TEXT_LINK_ATTR = re.compile(_LINK_ATTR.format(w=r"\s", s=r"\s", s_=r"\s"), re.I)
_TEXT_WINDOW_OPEN = re.compile(_WINDOW_OPEN.format(w=r"\s"))
_BYTES_SPACES = {"w": r"[\s\x1c-\x1f\x80-\xff0-9@]", "s": r"[\s\x1c-\x1f]", "s_": r"\s\x1c-\x1f"}
_ODD_SEPARATOR = re.compile(rb"[\x80-\xff0-9@]")
# One pass over the body finds the link attributes and the <article> tags (body images); the
# lookahead spares the match attempt at the many "<" that open neither. An article tag is a
# match of its own and holds no "<": the link matches are those of the link pattern alone.
_BYTES_SCAN = re.compile(
    ("<(?=[aAiIeEoO])(?:" + _LINK_ATTR[1:] + r"|(article)(?![\w:.-]))").format(**_BYTES_SPACES).encode(), re.I
)
_BYTES_WINDOW_OPEN = re.compile(_WINDOW_OPEN.format(w=_BYTES_SPACES["w"]).encode())
_WINDOW_OPEN_HINTS = (b"window.open", b"location.href")
_VIEWER_TAGS = ("iframe", "embed")
_VIEWER_TAGS_BYTES = (b"iframe", b"embed")
_ANCHOR_TAGS = frozenset({b"a", b"A"})
_FIRST_BYTE, _LAST_BYTE = operator.itemgetter(slice(1)), operator.itemgetter(slice(-1, None))
# The link values worth decoding, in the values of a page each after a NUL, one match each:
# those whose path (up to "?" or "#") holds a non-ASCII byte (its extension, or a wide space the
# text ends an unquoted value at), an entity (unescaped, the path may end otherwise), or ends in
# a space (strip() drops it) or a wanted extension. Look-behinds have a fixed width: one per
# extension length.
_CANDIDATE_VALUES = r"\x00[^#?&\x00\x80-\xff]*+(?:[&\x80-\xff]|(?<=[\s\x1c-\x1f]){extensions})"

# The bytes scan reads ASCII bytes as the characters they are: true of single-byte encodings and
# of these, whose multibyte characters never contain the ASCII bytes markup is made of (<>"'=
# whitespace &./?#). Not of UTF-16/32, Johab, or the escape-switched ISO-2022 and HZ.
_MULTIBYTE_SCAN_SAFE = frozenset(
    {"utf-8", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "cp932", "shift_jis", "euc_jp"}
    | {"euc_jis_2004", "euc_jisx0213", "euc_kr", "cp949"}
)
_STATEFUL_ENCODINGS = ("iso2022", "hz", "utf-7", "utf_7")

# A body-images container: a class or id attribute value that the XPath selects, or an <article>
# tag; and an image somewhere after it.
_UNDERSCORE_MARKERS = re.compile(rb"_(?:Editor|UEDITOR|editor|content)")
_MARKER_HEADS = {b"_Editor": b"TRS", b"_UEDITOR": b"TRS", b"_editor": b"trs", b"_content": b"js"}
_ID_MARKERS = (re.compile(rb"UCAP-CONTENT"), re.compile(rb"zoom"))  # compiled: faster than bytes.find
_IN_CLASS_VALUE = re.compile(rb"""\bclass[\s\x1c-\x1f]*=[\s\x1c-\x1f]*(?:"[^"]*|'[^']*|[^\s>]*)\Z""", re.I)
_AT_ID_VALUE = re.compile(rb"""\bid[\s\x1c-\x1f]*=[\s\x1c-\x1f]*["']?\Z""", re.I)
_ARTICLE_TAG = re.compile(rb"<article(?![\w:.-])", re.I)
# a tag up to a point: anything but ">", except within quotes (a quoted ">" does not end a tag)
_TAG_SO_FAR = re.compile(rb"""<(?:[^>"']++|"[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z))*+""")
_IMG_TAG = re.compile(rb"<img", re.I)


class _NeedsText(Exception):
    """A link the bytes cannot settle (undecodable bytes in it, a wide space in its tag): the
    page's text is scanned instead."""


def declared_encoding(body: bytes, content_type: bytes | str | None) -> str | None:
    """The charset a response declares (BOM, Content-Type charset, <meta>), as Scrapy reads it.

    None when it declares none: Scrapy would then guess, which is what the bytes path avoids.
    """
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    found = read_bom(body)[0] or http_content_type_encoding(content_type) or html_body_declared_encoding(body)
    # w3lib names the GB labels `gbk`, which loses GB18030-only characters: the project's table decides
    return codec_for_label(found) if found else None


@lru_cache(maxsize=64)
def _scan_safe(encoding: str) -> bool:
    try:
        name = codecs.lookup(encoding).name
        same_ascii = bytes(range(128)).decode(name) == "".join(map(chr, range(128)))
        single_byte = len(bytes(range(256)).decode(name, "replace")) == 256
    except (LookupError, UnicodeError):
        return False
    return (
        same_ascii
        and not name.startswith(_STATEFUL_ENCODINGS)
        and (single_byte or name in _MULTIBYTE_SCAN_SAFE)
    )


class _Page:
    """A fetched body, decoded only as far as needed and as Scrapy decodes the page.

    The encoding is the declared one, else UTF-8 when the whole body is valid UTF-8 (Scrapy's
    first guess too), else GB18030.
    """

    def __init__(self, body: bytes, declared: str | None) -> None:
        self.body = body
        self.declared = declared

    @cached_property
    def encoding(self) -> str:
        if self.declared:
            return self.declared
        try:
            self.__dict__["text"] = self.body.decode("utf-8")
        except UnicodeDecodeError:
            return "gb18030"
        return "utf-8"

    @cached_property
    def text(self) -> str:
        return html_to_unicode(f"charset={self.encoding}", self.body)[1]

    def decode(self, raw: bytes) -> str:
        """Bytes of the body: ASCII as is, else strictly decoded (valid bytes decode the same
        alone as in place; a malformed sequence is replaced in context, so only the text knows)."""
        if raw.isascii():
            return raw.decode("ascii")
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError as error:
            raise _NeedsText from error


def _extension(url: str) -> str:
    path = url.split("#", 1)[0].split("?", 1)[0]
    tail = path.rsplit("/", 1)[-1]
    return tail.rsplit(".", 1)[-1].lower() if "." in tail else ""


def _is_wanted(tag: str, extension: str, wanted: frozenset[str], documents: frozenset[str]) -> bool:
    # an image reached by a plain <a href> is a scan of a document; inline images are not
    return extension in documents or (extension in wanted and tag == "a")


@lru_cache(maxsize=16)
def _candidate_values(wanted: frozenset[str]) -> re.Pattern[bytes]:
    """`_CANDIDATE_VALUES` for these extensions (with "" wanted, every value is a candidate)."""
    if "" in wanted:
        return re.compile(rb"\x00")
    by_length: dict[int, list[str]] = {}
    for extension in sorted(wanted):
        by_length.setdefault(len(extension), []).append(re.escape(extension))
    extensions = "".join(f"|(?<=\\.(?:{'|'.join(same)}))" for _, same in sorted(by_length.items()))
    return re.compile(_CANDIDATE_VALUES.format(extensions=extensions).encode(), re.I)


def _candidates(values: list[bytes], wanted: frozenset[str]) -> Iterator[int]:
    """Indexes of the values worth decoding (none holds a NUL), found in one pass over all."""
    if not values:
        return
    joined = b"\x00" + b"\x00".join(values)  # a literal first byte: the pattern skips to it fast
    index, at = 0, 0
    for match in _candidate_values(wanted).finditer(joined):
        index += joined.count(b"\x00", at, match.start())
        at = match.start()
        yield index


def _with_viewer_targets(tag: str, raw: str) -> Iterator[tuple[str, str]]:
    yield tag, raw
    if tag in _VIEWER_TAGS and "?" in raw:
        for values in parse_qs(urlsplit(raw).query).values():
            yield tag, values[0]  # PDF viewers: viewer.html?file=/xxx.pdf


def _raw_links(html: str) -> Iterator[tuple[str, str]]:
    """(tag, raw URL) for every link-like attribute, plus script-opened and viewer-wrapped URLs."""
    for match in _TEXT_LINK_ATTR.finditer(html):
        tag, raw = match.group(1).lower(), unescape(match.group(4) or match.group(5) or match.group(6) or "")
        yield from _with_viewer_targets(tag, raw)
    for raw in _TEXT_WINDOW_OPEN.findall(html):
        yield "a", raw


def _script_opened(body: bytes) -> Iterator[re.Match[bytes]]:
    """`_BYTES_WINDOW_OPEN.finditer(body)`, trying the pattern only where one of its words is:
    it has no literal prefix, so scanning a page with it is slow."""
    upcoming = {hint: body.find(hint) for hint in _WINDOW_OPEN_HINTS}
    while (index := min((at for at in upcoming.values() if at >= 0), default=-1)) >= 0:
        match = _BYTES_WINDOW_OPEN.match(body, index)
        if match:
            yield match
        end = match.end() if match else index + 1
        for hint, at in upcoming.items():
            if 0 <= at < end:
                upcoming[hint] = body.find(hint, end)


def _body_raw_links(page: _Page, wanted: frozenset[str]) -> tuple[list[tuple[str, str]], bool]:
    """What `_raw_links` yields for the page's text, less links that cannot be wanted; and
    whether an <article> tag is there.

    Per link only C code runs (the scan, columns, one pass over the joined values), except for
    the few values worth decoding. Raises `_NeedsText` where the text may match otherwise: on a
    byte right after a tag name or around an attribute name that may be a wide space's (see
    `_LINK_ATTR`), a NUL (it joins the values), an unquoted value holding a "<" or opening with
    a wide space (the text skips it, and may read a quoted value after it), undecodable bytes.
    """
    body = page.body
    rows = _BYTES_SCAN.findall(body)
    tags, before, equals, double, single, bare, articles = list(zip(*rows, strict=True)) or [()] * 7
    after_tag, before_name = b"".join(map(_FIRST_BYTE, before)), b"".join(map(_LAST_BYTE, before))
    odd = _ODD_SEPARATOR.search(before_name) or _ODD_SEPARATOR.search(b"".join(equals))
    # an unquoted value ends at a wide space in the text: beyond one, it may hold the next tag
    if odd or not after_tag.isascii() or b"<" in b"".join(bare) or b"\x00" in body:
        raise _NeedsText
    values = list(map(operator.add, map(operator.add, double, single), bare))
    picked = set(_candidates(values, wanted))
    if not _ANCHOR_TAGS.issuperset(tags):  # viewer?file=... on an iframe or embed
        others = itertools.compress(
            range(len(tags)), map(operator.not_, map(_ANCHOR_TAGS.__contains__, tags))
        )
        picked.update(i for i in others if tags[i].lower() in _VIEWER_TAGS_BYTES and b"?" in values[i])
    links: list[tuple[str, str]] = []
    for i in sorted(picked):
        raw = page.decode(values[i])
        if bare[i]:  # in the text it ends at a wide space too
            if raw[0].isspace():
                raise _NeedsText
            raw = raw.split(maxsplit=1)[0]
        links.extend(_with_viewer_targets(tags[i].decode("ascii").lower(), unescape(raw)))
    for match in _script_opened(body):
        if _ODD_SEPARATOR.search(body, match.start(), match.start(1)):
            raise _NeedsText
        if next(_candidates([match.group(1)], wanted), None) is not None:
            links.append(("a", page.decode(match.group(1))))
    return links, any(articles)


def _parsed_body_images(html: str) -> list[str]:
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    return [
        src
        for container in tree.xpath(_BODY_CONTAINERS)
        for img in container.iter("img")
        if (src := img.get("data-src") or img.get("src"))
    ]


def _body_images(html: str) -> list[str]:
    if not any(marker in html for marker in _BODY_MARKERS):
        return []
    return _parsed_body_images(html)


def _in_tag(body: bytes, index: int, attribute: re.Pattern[bytes]) -> bool:
    """Whether `body[index:]` starts inside a tag, in the value of `attribute` (not in CSS)."""
    start = body.rfind(b"<", 0, index)
    tag = _TAG_SO_FAR.match(body, start, index) if start >= 0 else None
    return tag is not None and tag.end() == index and attribute.search(body, start, index) is not None


def _first_container(body: bytes, articles: bool) -> int:
    """Where the first element `_BODY_CONTAINERS` selects may start (its marker), else -1.

    A class marker counts inside a class attribute value, an id marker as an id value, so CSS
    (`.TRS_Editor p {…}`, `zoom:1`) does not. As in `_body_images`, an `<ARTICLE>` counts only
    when one of `_BODY_MARKERS` is in the page at all.
    """
    starts: list[int] = []
    present = False
    for match in _UNDERSCORE_MARKERS.finditer(body):
        head = _MARKER_HEADS[match.group()]
        index = match.start() - len(head)
        if index < 0 or not body.startswith(head, index):
            continue
        present = True
        if _in_tag(body, index, _AT_ID_VALUE if head == b"js" else _IN_CLASS_VALUE):
            starts.append(index)
            break
    for marker in _ID_MARKERS:
        hit = marker.search(body)
        present = present or hit is not None
        while hit:
            if _in_tag(body, hit.start(), _AT_ID_VALUE):
                starts.append(hit.start())
                break
            hit = marker.search(body, hit.end())
    if articles and (present or b"<article" in body) and (article := _ARTICLE_TAG.search(body)):
        starts.append(article.start())
    return min(starts, default=-1)


def _page_body_images(page: _Page, articles: bool) -> list[str]:
    first = _first_container(page.body, articles)
    if first < 0 or not _IMG_TAG.search(page.body, first):
        return []
    return _parsed_body_images(page.text)


def _resolve(
    links: Iterable[tuple[str, str]], images: Iterable[str], base_url: str, wanted: frozenset[str]
) -> list[str]:
    documents = wanted - IMAGE_EXTENSIONS
    found = [
        urljoin(base_url, raw.strip())
        for tag, raw in links
        if _is_wanted(tag, _extension(raw.strip()), wanted, documents)
    ]
    found.extend(urljoin(base_url, src.strip()) for src in images)
    unique = dict.fromkeys(u for u in found if u.startswith(("http://", "https://")) and u != base_url)
    return list(unique)


def _wanted(extensions: Iterable[str]) -> frozenset[str]:
    return frozenset(e.lower().lstrip(".") for e in extensions)


def attachment_links(html: str, base_url: str, extensions: Iterable[str]) -> list[str]:
    """Absolute http(s) URLs of linked documents and body images, in page order, deduplicated."""
    html = html or ""
    return _resolve(_raw_links(html), _body_images(html), base_url, _wanted(extensions))


def attachment_links_bytes(
    body: bytes, base_url: str, extensions: Iterable[str], encoding: str | None = None
) -> list[str]:
    """`attachment_links` of a fetched page, from its bytes: the links of its text.

    `encoding` is the charset the response declares (`declared_encoding`); without one the page
    is taken for UTF-8 when it is valid UTF-8, else for GB18030. Only the candidate links with a
    wanted extension are decoded, and the whole page only when body images must be parsed.
    """
    if encoding and not _scan_safe(encoding):
        return attachment_links(html_to_unicode(f"charset={encoding}", body)[1], base_url, extensions)
    page, wanted = _Page(body, encoding), _wanted(extensions)
    try:
        links, articles = _body_raw_links(page, wanted)
    except _NeedsText:  # the links of the text; the body images are still found from the bytes
        links, articles = list(_raw_links(page.text)), True
    return _resolve(links, _page_body_images(page, articles), base_url, wanted)


class PageLinks(NamedTuple):
    """What the spider needs of a fetched page to request its attachments."""

    links: list[str]  # `attachment_links_bytes`
    wechat_article: bool  # its images are fetched with the Referer mmbiz wants


def page_links(
    body: bytes, base_url: str, content_type: bytes | None, extensions: Iterable[str]
) -> PageLinks:
    """The attachment links of a fetched page (read with the charset it declares), and whether it
    is a WeChat article: the whole scan, in one call the link-scan worker can make."""
    encoding = declared_encoding(body, content_type)
    return PageLinks(
        attachment_links_bytes(body, base_url, extensions, encoding),
        wechat_urls.is_article_page(base_url, body),
    )
