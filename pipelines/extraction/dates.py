"""Chinese publication dates: formats, labels (发布日期 / 成文日期), URLs, and which one to believe.

htmldate and trafilatura have no 年/月/日 pattern: ``2020年01月14日`` comes back as 2020-01-01 with
extensive search. Everything here parses explicit dates only and never guesses a missing day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8))
_MIN_YEAR = 1980

_TIME = (
    r"(?:(?:\s*|T)(?P<H>[01]?\d|2[0-3])\s*[:：时]\s*(?P<M>[0-5]\d)"
    r"(?:\s*[:：分]\s*(?P<S>[0-5]\d))?)?"
)
_DATE_RE = re.compile(
    r"(?<![\d.])(?P<y>(?:19|20)\d{2})\s*(?:"
    r"(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?!\d)"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})(?!\d)\s*日?)" + _TIME
)
# "7/5/2005 9:23:57 PM" (ASP/.NET en-US, month first) or "06/02/2022" (day first, RFI & co).
_US_DATE_RE = re.compile(
    r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)\d{2})(?![\d/])"
    r"(?:\s+(?P<H>\d{1,2}):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?\s*(?P<ampm>[AaPp]\.?[Mm]\.?|上午|下午)?)?"
)
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {
    "○": 0,
    "零": 0,
    "Ｏ": 0,
    "O": 0,
}
# "January 14, 2024", "Jan. 14 2024", "14 Jan 2024" (English-language portals, wire copy)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAME = r"(?P<mon>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6})\.?"
_EN_DATE_RE = re.compile(
    r"(?<![a-z])(?:" + _MONTH_NAME + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{2})"
    r"|(?P<d2>\d{1,2})\s+" + _MONTH_NAME.replace("mon", "mon2") + r",?\s+(?P<y2>(?:19|20)\d{2}))(?!\d)",
    re.IGNORECASE,
)
# full-width digits and separators (２０２４年１月１４日, ２０２４－０１－１４) read as ASCII; same length
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－／．：", "0123456789-/.:")
# "3小时前", "20分钟前", "2天前", "刚刚", "昨天 10:20", "今天 08:15": against the capture time
_RELATIVE_RE = re.compile(
    r"(?P<n>\d{1,3})\s*(?P<unit>秒|分钟|小时|天|周|星期)前|(?P<word>刚刚|今天|昨天|前天)"
    r"(?:\s*(?P<H>[01]?\d|2[0-3])[:：](?P<M>[0-5]\d))?"
)
_YEAR_HINT_RE = re.compile(r"(?:19|20)\d\d|年")
_RELATIVE_UNITS = {"秒": 1, "分钟": 60, "小时": 3600, "天": 86400, "周": 7 * 86400, "星期": 7 * 86400}
_CN_DATE_RE = re.compile(
    r"(?P<y>[〇○零Ｏ一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"
)
# Labels in front of a date, by what they mean. Order matters: longer labels first.
_WRITTEN_LABELS = ("成文日期", "成文时间", "印发日期", "发文日期", "签发日期")
_PUBLISHED_LABELS = (
    "发布时间",
    "发布日期",
    "发表时间",
    "发表日期",
    "发稿时间",
    "公开日期",
    "发文时间",
    "发表于",
    "发布于",
    "上传时间",
    "发布",
)
_WEAK_LABELS = ("更新时间", "更新日期", "时间", "日期", "Date", "Published")
_LABEL_RE = re.compile(
    "(?P<label>"
    + "|".join(map(re.escape, _WRITTEN_LABELS + _PUBLISHED_LABELS + _WEAK_LABELS))
    + r")\s*[:：]?\s*[\]】]?\s*"
    + r"(?=(?:19|20)\d{2}|\d{1,2}/\d{1,2}/\d{4}|[〇○零Ｏ一二三四五六七八九]{4}年)"
)
_LABEL_AT_END_RE = re.compile(
    "(?:" + "|".join(map(re.escape, _WRITTEN_LABELS + _PUBLISHED_LABELS + _WEAK_LABELS)) + r")\s*[:：]?\s*$"
)
# Lines whose dates are never the page's own: neighbours, copyright, comment stamps.
_FOREIGN_LINE_RE = re.compile(
    r"上一篇|下一篇|上一条|下一条|版权|copyright|©|\(C\)|今天是|今日是|当前时间", re.IGNORECASE
)

_URL_PATTERNS = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),  # TRS: /202406/t20240627_84922242.html
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/art_"),  # Hanweb
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})/(\d{1,2})/"),  # xinhuanet /2005-08/22/
    re.compile(r"/((?:19|20)\d{2})[/_-](\d{1,2})[/_-](\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})/"),  # people.com.cn /202001/14/
    # /20240114/, _20240114_, -20240114- (on.cc: /odn-20230329-0329_00174_002/)
    re.compile(r"[/_-]((?:19|20)\d{2})(\d{2})(\d{2})(?:[/_.-]|\d{2,})"),
)


@dataclass(frozen=True)
class FoundDate:
    """An explicit calendar date, with the clock time when the page gave one."""

    day: date
    time: str | None = None  # "HH:MM" or "HH:MM:SS", China time

    @property
    def iso(self) -> str:
        return self.day.isoformat()

    def iso_datetime(self) -> str | None:
        """ISO 8601 with +08:00, or None without a time of day."""
        if self.time is None:
            return None
        clock = self.time if self.time.count(":") == 2 else f"{self.time}:00"
        return f"{self.iso}T{clock}+08:00"


def _make(year: int, month: int, day: int, time: str | None = None) -> FoundDate | None:
    """A FoundDate if the numbers form a real, plausible date."""
    if not _MIN_YEAR <= year <= date.today().year + 1:
        return None
    try:
        return FoundDate(date(year, month, day), time)
    except ValueError:
        return None


def _cn_number(text: str) -> int:
    """一 .. 三十一 as int (month and day numerals)."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    tens, _, units = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)


def _from_us_match(match: re.Match[str]) -> FoundDate | None:
    """n/n/yyyy: month first with AM/PM (.NET en-US) or when the first number cannot be a day."""
    first, second = int(match["m"]), int(match["d"])
    month_first = bool(match["ampm"]) or second > 12
    month, day = (first, second) if month_first else (second, first)
    time = None
    if match["H"]:
        afternoon = (match["ampm"] or "").lower().startswith(("p", "下"))
        hour = int(match["H"]) % 12 + (12 if afternoon else 0)
        hour = int(match["H"]) if not match["ampm"] else hour
        time = f"{hour:02d}:{match['M']}" + (f":{match['S']}" if match["S"] else "")
    return _make(int(match["y"]), month, day, time)


def _from_match(match: re.Match[str]) -> FoundDate | None:
    groups = match.groupdict()
    if "mon" in groups:
        name = (groups["mon"] or groups["mon2"])[:3].lower()
        return _make(
            int(groups["y"] or groups["y2"]), _MONTHS.index(name) + 1, int(groups["d"] or groups["d2"])
        )
    if "ampm" in groups:
        return _from_us_match(match)
    if "sep" not in groups:  # Chinese-numeral date (二〇二〇年一月十四日)
        year = int("".join(str(_CN_DIGITS.get(c, 0)) for c in groups["y"]))
        return _make(year, _cn_number(groups["m"]), _cn_number(groups["d"]))
    month = int(groups["m"] or groups["m2"])
    day = int(groups["d"] or groups["d2"])
    time = None
    if groups.get("H"):
        time = f"{int(groups['H']):02d}:{groups['M']}" + (f":{groups['S']}" if groups["S"] else "")
    return _make(int(groups["y"]), month, day, time)


def iter_dates(text: str) -> list[tuple[int, FoundDate]]:
    """Every explicit date in ``text`` with its offset, in order."""
    text = text.translate(_FULL_WIDTH)
    if not _YEAR_HINT_RE.search(text):
        return []  # every form below has a 4-digit year or a 年 (most lines have neither)
    found: list[tuple[int, FoundDate]] = []
    for regex in (_DATE_RE, _CN_DATE_RE, _US_DATE_RE, _EN_DATE_RE):
        for match in regex.finditer(text):
            parsed = _from_match(match)
            if parsed is not None:
                found.append((match.start(), parsed))
    return sorted(found, key=lambda item: item[0])


def parse_date(text: str | None) -> FoundDate | None:
    """The first explicit date in ``text`` (an attribute, a meta value, a label's value)."""
    if not text:
        return None
    found = iter_dates(text)
    return found[0][1] if found else None


def url_date(url: str | None) -> FoundDate | None:
    """Date encoded in a CMS article URL (TRS ``t20200114_``, Hanweb ``/art/2020/1/14/``...)."""
    if not url:
        return None
    path = url.split("?", 1)[0]
    for regex in _URL_PATTERNS:
        match = regex.search(path)
        if match:
            parsed = _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            if parsed is not None:
                return parsed
    return None


@dataclass
class LabelledDates:
    """Dates found after a label, first occurrence of each kind."""

    written: FoundDate | None = None
    published: FoundDate | None = None
    weak: FoundDate | None = None


def labelled_dates(lines: list[str]) -> LabelledDates:
    """成文日期 / 发布日期 / plain 日期 values on the page, skipping neighbour-article lines."""
    result = LabelledDates()
    for i, raw in enumerate(lines):
        if _FOREIGN_LINE_RE.search(raw):
            continue
        line = raw.translate(_FULL_WIDTH)
        if _LABEL_AT_END_RE.search(raw) and i + 1 < len(lines):
            # "发布日期：" in one cell, the date in the next
            line = f"{line} {lines[i + 1].translate(_FULL_WIDTH)}"
        for match in _LABEL_RE.finditer(line):
            value = parse_date(line[match.end() : match.end() + 40])
            if value is None:
                continue
            label = match.group("label")
            if label in _WRITTEN_LABELS:
                result.written = result.written or value
            elif label in _PUBLISHED_LABELS:
                result.published = result.published or value
            else:
                result.weak = result.weak or value
    return result


# Forum and blog posting stamps, where the label follows the date or an "@" precedes it:
# "本贴由某某于2005年8月12日16:12:21在〖版块〗发表", "由某某张贴 @ 2005-03-21 01:20:44",
# "该文于2020年1月14日发布".
_VERB_BEFORE_RE = re.compile(r"(?:张贴|发表|发布|发帖|posted)\s*(?:@|于|at|on)\s*$", re.IGNORECASE)
_YU_BEFORE_RE = re.compile(r"于\s*$")
_VERB_AFTER_RE = re.compile(r"^[^。！？!?，,；;]{0,40}?(?:发表|发布|张贴|发帖)")
_STAMP_LINE_CHARS = 120
_STAMP_HINT_RE = re.compile(r"张贴|发表|发布|发帖|posted|于", re.IGNORECASE)  # what every stamp above holds


def stamp_date(lines: list[str]) -> FoundDate | None:
    """The first posting stamp on a short line (a sentence that mentions a date is not one)."""
    for line in lines:
        if len(line) > _STAMP_LINE_CHARS or not _STAMP_HINT_RE.search(line) or _FOREIGN_LINE_RE.search(line):
            continue
        for offset, found in iter_dates(line):
            before, after = line[max(0, offset - 12) : offset], line[offset:]
            after = after[_date_length(after) :]
            if _VERB_BEFORE_RE.search(before) or (
                _YU_BEFORE_RE.search(before) and _VERB_AFTER_RE.search(after)
            ):
                return found
    return None


def _date_length(text: str) -> int:
    """Characters the date (and time) at the start of ``text`` takes."""
    text = text.translate(_FULL_WIDTH)
    for regex in (_DATE_RE, _CN_DATE_RE, _US_DATE_RE, _EN_DATE_RE):
        match = regex.match(text)
        if match:
            return match.end()
    return 0


def first_date(lines: list[str]) -> FoundDate | None:
    """First explicit date on lines that are not about other articles or copyright."""
    for line in lines:
        if _FOREIGN_LINE_RE.search(line):
            continue
        found = parse_date(line)
        if found is not None:
            return found
    return None


def from_unix(value: str | int | None) -> FoundDate | None:
    """WeChat ``var ct``: seconds since the epoch, shown in China time."""
    try:
        stamp = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    if stamp <= 0:
        return None
    moment = datetime.fromtimestamp(stamp, CHINA_TZ)
    return _make(moment.year, moment.month, moment.day, moment.strftime("%H:%M:%S"))


def relative_date(text: str, captured: datetime | None) -> FoundDate | None:
    """ "3小时前", "昨天 10:20" on a short line, as a China calendar date counted back from ``captured``."""
    if captured is None or len(text) > _STAMP_LINE_CHARS:
        return None
    match = _RELATIVE_RE.search(text.translate(_FULL_WIDTH))
    if match is None:
        return None
    now = captured.astimezone(CHINA_TZ) if captured.tzinfo else captured.replace(tzinfo=CHINA_TZ)
    if match["unit"]:
        moment = now - timedelta(seconds=int(match["n"]) * _RELATIVE_UNITS[match["unit"]])
        clock = moment.strftime("%H:%M") if match["unit"] in ("秒", "分钟", "小时") else None
        return _make(moment.year, moment.month, moment.day, clock)
    back = {"刚刚": 0, "今天": 0, "昨天": 1, "前天": 2}[match["word"]]
    moment = now - timedelta(days=back)
    clock = f"{int(match['H']):02d}:{match['M']}" if match["H"] else None
    return _make(moment.year, moment.month, moment.day, clock)
