"""WHEN values (`show --at`, `export --since/--until`, `crawl --since/--until`): one parser for all.

A value names a span of time as wide as it is precise, in UTC unless it carries an offset:

    2026                        the whole year          20261207            the whole day
    2026-12                     the whole month         20261207103015      that second
    2026-12-07                  the whole day (UTC)     20261207103015123   that millisecond
    2026-12-07T10:30            that minute             2026-12-07T10:30:15.5Z   that tenth of a second
    2026-12-07T18:30+08:00      that minute, in UTC 10:30

So `--at 2026-12-07` is "as of the end of that day" (a capture made that afternoon is found),
`--since 2026-12` starts at the first instant of December and `--until 2026-12-07` ends at the
last instant of the 7th. Times are naive UTC datetimes, as the index stores them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

HELP = "a date such as 2026-12-07 (the whole day, UTC), a month, a year, an ISO time or a 14-digit timestamp"

_ISO = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2})"
    r"(?:[T ](?P<h>\d{2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,6}))?)?)?)?)?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
# a WARC/Wayback timestamp: its length is its precision (year ... second, then milliseconds)
_DIGIT_FIELDS = {4: 1, 6: 2, 8: 3, 10: 4, 12: 5, 14: 6, 17: 7}


@dataclass(frozen=True)
class When:
    """The span a WHEN value names: `start` inclusive, `end` exclusive, both naive UTC."""

    text: str
    start: datetime
    end: datetime

    @property
    def last(self) -> datetime:
        """The last instant of the span (for "at or before" and inclusive "until")."""
        return self.end - timedelta(microseconds=1)


def parse_when(text: str) -> When:
    """The span `text` names; ValueError (naming the forms understood) when it names none."""
    value = text.strip()
    try:
        fields, offset = _fields(value)
        given = min(len(fields), 7)  # how precise: 1 (year) ... 6 (second), 7 (a fraction)
        year, month, day, hour, minute, second, micro = [*fields[:given], *[1, 1, 0, 0, 0, 0][given - 1 :]]
        start = datetime(year, month, day, hour, minute, second, micro)
        try:
            end = _after(start, given, fields[7] if given == 7 else 0)
        except (ValueError, OverflowError):  # the span ends after year 9999
            end = datetime.max
    except (ValueError, KeyError):
        raise ValueError(f"not a time: {text!r}; expected {HELP}") from None
    return When(text, start - offset, end - offset)


def _fields(value: str) -> tuple[list[int], timedelta]:
    """[year, month, day, hour, minute, second, microsecond, fraction digits] as far as given."""
    if value.isdigit():
        count = _DIGIT_FIELDS[len(value)]
        cuts = [0, 4, 6, 8, 10, 12, 14, 17][: count + 1]
        fields = [int(value[a:b]) for a, b in pairwise(cuts)]
        if count == 7:
            fields[6] *= 1000  # milliseconds to microseconds
            fields.append(3)
        return fields, timedelta(0)
    match = _ISO.match(value)
    if match is None:
        raise ValueError(value)
    fields = [int(match[name]) for name in ("y", "mo", "d", "h", "mi", "s") if match[name] is not None]
    if match["f"] is not None:
        fields += [int(match["f"].ljust(6, "0")), len(match["f"])]
    return fields, _offset(match["tz"])


def _offset(zone: str | None) -> timedelta:
    if zone is None or zone.upper() == "Z":
        return timedelta(0)
    digits = zone[1:].replace(":", "")
    size = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return size if zone[0] == "+" else -size


def _after(start: datetime, precision: int, fraction_digits: int) -> datetime:
    """The first instant after the span that starts at `start` with this many fields given."""
    if precision == 1:
        return start.replace(year=start.year + 1)
    if precision == 2:
        return (
            start.replace(year=start.year + 1, month=1)
            if start.month == 12
            else start.replace(month=start.month + 1)
        )
    steps = {3: timedelta(days=1), 4: timedelta(hours=1), 5: timedelta(minutes=1), 6: timedelta(seconds=1)}
    if precision in steps:
        return start + steps[precision]
    return start + timedelta(microseconds=10 ** (6 - fraction_digits))
