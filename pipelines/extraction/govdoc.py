"""Government document identity: 文号, 发文机关/发布机构, 索引号, 成文日期, 发布日期, 主题分类.

Two places give it:

- the 信息公开 header box of gov CMS pages (索引号 / 发布机构 / 发文机关 / 文号 / 成文日期 /
  发布日期 / 主题分类), one or two label–value pairs per table row, or a label in one cell and its
  value in the next line (`identity_from_lines`);
- the document itself (`identity_from_text`: a PDF, Word file or scan's text): the same labels
  when it prints them, else its layout — the red header (``青海省公安厅文件``), the 文号 line
  under it (``青公通〔2020〕12号``, possibly with ``签发人：…``), the 落款 (issuing body) and the
  signing date closing it, the 主题词 line of older documents.

Only the document's own number counts: numbers cited in its sentences (《…》（黔人发〔2006〕4号）)
are never taken. Values are kept as printed (brackets included; spaces inside a 文号, which only
OCR puts there, are dropped); dates are ISO (YYYY-MM-DD). Pure functions of strings, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace

from pipelines.extraction.bodylines import is_signing_date
from pipelines.extraction.dates import iter_dates, parse_date

FIELDS = ("doc_number", "issuer", "index_number", "document_date", "published_date", "topic")


@dataclass(frozen=True)
class GovDocIdentity:
    """What analysts cite of an official document; None where nothing says it."""

    doc_number: str | None = None  # 文号 as printed: 青公通〔2020〕12号
    issuer: str | None = None  # 发文机关, else 发布机构, else the 落款 / red header
    index_number: str | None = None  # 索引号
    document_date: str | None = None  # 成文日期 / signing date, YYYY-MM-DD
    published_date: str | None = None  # 发布日期, YYYY-MM-DD
    topic: str | None = None  # 主题分类 / 主题词

    def to_json(self) -> dict[str, str | None]:
        return asdict(self)

    def or_else(self, other: GovDocIdentity) -> GovDocIdentity:
        """This identity, its missing fields taken from `other`."""
        return replace(
            self, **{f.name: getattr(other, f.name) for f in fields(self) if getattr(self, f.name) is None}
        )

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in FIELDS)


# the numbers ---------------------------------------------------------------------------------
_OPEN = "〔［\\[【(（﹝〖"
_CLOSE = "〕］\\]】)）﹞〗"
# 机关代字 + optional 字, bracketed year, optional 第, number, 号: 青公通〔2020〕12号, 京政发[2020]5号,
# 国发明电（2020）1号, 公通字〔2019〕第3号; spaces between the parts (OCR) allowed
_PREFIX = r"[\u4e00-\u9fffA-Za-z](?:[ \u3000]?[\u4e00-\u9fffA-Za-z]){0,15}"
DOC_NUMBER_RE = re.compile(
    rf"(?P<prefix>{_PREFIX})\s*[{_OPEN}]\s*(?P<year>(?:19|20)\d{{2}})\s*[{_CLOSE}]"
    r"\s*第?\s*(?P<number>\d{1,5})\s*号"
)
_SIGNER_RE = re.compile(r"^(?:签\s*发\s*人|签\s*发|签批人)\s*[:：]")


# labels of the 信息公开 box -------------------------------------------------------------------
_LABELS: dict[str, tuple[str, ...]] = {
    # earlier in a tuple wins when a page gives several (发文机关 is the document's own issuer)
    "doc_number": ("发文字号", "发文文号", "发文编号", "文件字号", "文件编号", "文号"),
    "issuer": (
        "发文机关",
        "发文机构",
        "发文单位",
        "制发机关",
        "成文机关",
        "发布机构",
        "发布机关",
        "发布单位",
    ),
    "index_number": ("索引号",),
    "document_date": ("成文日期", "成文时间", "签发日期", "印发日期", "发文日期"),
    "published_date": ("发布日期", "公开日期", "发布时间"),
    "topic": ("主题分类", "主题词", "所属主题"),
}
# labels that only end the value before them (the other cells of such boxes)
_OTHER_LABELS = (
    "名称",
    "标题",
    "文件名称",
    "信息名称",
    "体裁分类",
    "组配分类",
    "服务对象分类",
    "服务对象",
    "主题",
    "分类",
    "关键词",
    "关键字",
    "有效性",
    "效力状态",
    "时效",
    "生效日期",
    "失效日期",
    "废止日期",
    "来源",
    "信息来源",
    "公开方式",
    "公开范围",
    "公开时限",
    "公开形式",
    "公文种类",
    "文种",
    "信息类别",
    "所属机构",
    "内容概述",
    "浏览次数",
    "访问量",
    "统一编码",
    "文件类型",
)
_LABEL_OF = {label: name for name, labels in _LABELS.items() for label in labels}
_GAP = r"[\s\u3000]*"


def _label_pattern(label: str) -> str:
    return _GAP.join(map(re.escape, label))


_ALL_LABELS = sorted([*_LABEL_OF, *_OTHER_LABELS], key=len, reverse=True)
# a label starts a line or follows a space or punctuation (never inside a word: 发文字号, not 字号)
_LABEL_RE = re.compile(
    r"(?<![\w])(?P<label>"
    + "|".join(f"(?:{_label_pattern(label)})" for label in _ALL_LABELS)
    + rf"){_GAP}(?P<colon>[:：])?"
)
_UNKNOWN_LABEL_RE = re.compile(r"[\s\u3000][\u4e00-\u9fff]{2,6}[:：]")
_EMPTY_VALUES = {"", "无", "-", "--", "/", "—", "暂无", "空"}
_MAX_LABEL_LINE = 300
_BOX_REACH = 3  # lines either side where a box's other labels are
_VALUE_MAX = {"doc_number": 40, "issuer": 80, "index_number": 60, "topic": 80}


def _canonical(label: str) -> str:
    return re.sub(r"[\s\u3000]", "", label)


def _label_matches(line: str) -> list[re.Match[str]]:
    """The labels of a box line: with a colon, or (distinctive ones) followed by a space or the
    line's end; a line of prose is not a box line."""
    if len(line) > _MAX_LABEL_LINE:
        return []
    found = []
    for match in _LABEL_RE.finditer(line):
        label = _canonical(match["label"])
        after = line[match.end() : match.end() + 1]
        if match["colon"] or (label in _LABEL_OF and len(label) >= 3 and (not after or after.isspace())):
            found.append(match)
    return found


def _clean(value: str) -> str:
    value = re.sub(r"[\s\u3000]+", " ", value).strip(" :：，,；;。|｜")
    return value


def _field_value(name: str, value: str) -> str | None:
    value = _clean(value)
    if value in _EMPTY_VALUES:
        return None
    if name in ("document_date", "published_date"):
        found = parse_date(value)
        return found.iso if found else None
    if name == "index_number":
        value = value.split(" ")[0]
        return value if re.search(r"\d", value) and len(value) <= _VALUE_MAX[name] else None
    if name == "doc_number":
        value = re.sub(r"[\s\u3000]+", "", value)
    if len(value) > _VALUE_MAX[name]:
        return None
    if name != "doc_number" and parse_date(value) is not None:
        return None  # a date where a name belongs: the cells were read out of order
    return value


def _in_a_box(every: list[list[re.Match[str]]], i: int) -> bool:
    """Another label on the line or on the lines close by: a box, where labels go without colons."""
    near = every[max(0, i - _BOX_REACH) : i + _BOX_REACH + 1]
    return sum(len(matches) for matches in near) > 1


def _labelled(lines: list[str]) -> dict[str, list[tuple[int, str]]]:
    """Every labelled value: field -> [(rank of its label, value)], in page order."""
    found: dict[str, list[tuple[int, str]]] = {}
    every = [_label_matches(line) for line in lines]
    for i, (line, matches) in enumerate(zip(lines, every, strict=True)):
        for n, match in enumerate(matches):
            label = _canonical(match["label"])
            name = _LABEL_OF.get(label)
            if name is None:
                continue
            if not match["colon"] and not _in_a_box(every, i):
                continue  # a menu item named 主题分类, not a box's label
            end = matches[n + 1].start() if n + 1 < len(matches) else len(line)
            raw = line[match.end() : end]
            unknown = _UNKNOWN_LABEL_RE.search(raw)
            if unknown:
                raw = raw[: unknown.start()]
            if not raw.strip() and n + 1 == len(matches) and i + 1 < len(lines):
                following = lines[i + 1]
                if not _label_matches(following):  # "发布机构：" in a cell, the value in the next
                    raw = following
            value = _field_value(name, raw)
            if value is not None:
                found.setdefault(name, []).append((_LABELS[name].index(label), value))
    return found


def identity_from_lines(lines: list[str]) -> GovDocIdentity:
    """The identity a page's labelled 信息公开 box gives (lines of visible text, as the page shows
    them: a table row per line, or a cell per line)."""
    found = _labelled([line for line in lines if line.strip()])
    chosen = {name: min(values, key=lambda v: v[0])[1] for name, values in found.items()}
    return GovDocIdentity(**chosen)


# the document's own layout -------------------------------------------------------------------
_HEAD_LINES = 20
_TAIL_LINES = 12
_RED_HEADER_RE = re.compile(
    r"^(?P<issuer>[\u4e00-\u9fff（）()、·\s\u3000]{2,60}?)[\s\u3000]*文[\s\u3000]*件$"
)
_ISSUER_MAX_CHARS = 30
_NOT_ISSUER_RE = re.compile(r"附\s*件|抄\s*送|印\s*发|主题词|联系人|电话|[：:。，,；;？！?!《》“”\d]")
_TITLE_WORDS_RE = re.compile(r"关于|印发|转发|废止|通知|规范性|有关")
_ORGAN_END_RE = re.compile(
    r"(?:局|厅|部|委|委员会|办公室|办公厅|政府|院|署|会|处|科|室|所|站|中心|队|支队|大队|庭|党委|党组|联合会|"
    r"侨联|公司|街道|乡|镇|村|社区|小组|指挥部|办)$"
)


def _own_doc_number(lines: list[str]) -> str | None:
    """The 文号 on a line of its own near the top (after the red header), maybe beside 签发人."""
    for line in lines[:_HEAD_LINES]:
        compact = line.strip()
        match = DOC_NUMBER_RE.match(compact)
        if match is None:
            continue
        rest = compact[match.end() :].strip()
        if not rest or _SIGNER_RE.match(rest):
            return re.sub(r"[\s\u3000]+", "", match.group(0))
    return None


def _red_header(lines: list[str]) -> str | None:
    """The issuer of the red header ``青海省公安厅文件`` (joint issuers kept, one space apart)."""
    for line in lines[:5]:
        match = _RED_HEADER_RE.match(line.strip())
        if match:
            issuer = re.sub(r"[\s\u3000]+", " ", match["issuer"]).strip()
            # an organ's name, not a title ending in 文件 (关于废止部分规范性文件)
            if _ORGAN_END_RE.search(issuer) and not _TITLE_WORDS_RE.search(issuer):
                return issuer
    return None


def _is_issuer_line(line: str) -> bool:
    compact = re.sub(r"[\s\u3000]+", "", line)
    return (
        2 <= len(compact) <= _ISSUER_MAX_CHARS
        and not _NOT_ISSUER_RE.search(compact)
        and not compact.startswith(("（", "("))
        and _ORGAN_END_RE.search(compact) is not None
    )


def _signature(lines: list[str]) -> tuple[str | None, str | None]:
    """(issuer, signing date) of the 落款 closing the document: the last bare date among its last
    lines (or a date after the issuer's name on one line), the organ names right above it."""
    tail = lines[-_TAIL_LINES:]
    for i in range(len(tail) - 1, -1, -1):
        line = tail[i].strip()
        if "印发" in line or "发布" in line:
            continue
        compact = re.sub(r"[\s\u3000]+", "", line)
        issuer_here = None
        if is_signing_date(compact):
            signed = parse_date(compact)
        else:
            dates = iter_dates(line)
            if len(dates) != 1 or not is_signing_date(line[dates[0][0] :].strip()):
                continue
            before = line[: dates[0][0]].strip()
            if not _is_issuer_line(before):
                continue
            signed, issuer_here = dates[0][1], re.sub(r"[\s\u3000]+", " ", before)
        if signed is None:
            continue
        names: list[str] = [issuer_here] if issuer_here else []
        j = i - 1
        while not names and j >= 0 and len(names) < 2 and _is_issuer_line(tail[j]):
            names.insert(0, re.sub(r"[\s\u3000]+", " ", tail[j].strip()))
            j -= 1
        return (" ".join(names) or None), signed.iso
    return None, None


def identity_from_text(text: str | None) -> GovDocIdentity:
    """The identity of a document from its text (PDF, Word, OCR of a scan): what it prints under
    labels, else its red header, its 文号 line, its 落款 and signing date."""
    if not text:
        return GovDocIdentity()
    # full-width digits (OCR, some Word files) read as ASCII ones; brackets stay as printed
    lines = [line.translate(_FULLWIDTH_DIGITS).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    labelled = identity_from_lines(lines[:_HEAD_LINES] + lines[-_TAIL_LINES:])
    signer, signed = _signature(lines)
    layout = GovDocIdentity(
        doc_number=_own_doc_number(lines),
        issuer=_red_header(lines) or signer,
        document_date=signed,
    )
    return labelled.or_else(layout)


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def page_identity(header: list[str], after: list[str], body: list[str]) -> GovDocIdentity:
    """A web page's identity: its 信息公开 box (above the body, else below it), then the document
    the body shows (its own 文号 line, 落款 and signing date)."""
    box = identity_from_lines(header).or_else(identity_from_lines(after))
    return box.or_else(identity_from_text("\n".join(body)))
