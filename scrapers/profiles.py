"""Site profiles: a TOML file that says how to walk one column of a government site.

See docs/profiles.md for the format. Every problem is reported as a
:class:`ProfileError` naming the file and the key, so `crawl` can exit 2 with a clear message.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipelines.documents.seeds import check_url

PAGINATIONS = ("trs", "hanweb", "query")
HANWEB_PROXY = "/module/web/jpage/dataproxy.jsp"
# Form fields the Hanweb jpage script posts besides columnid/unitid/webid.
HANWEB_DEFAULT_PARAMS = {
    "col": "1",
    "appid": "1",
    "path": "/",
    "sourceContentType": "1",
    "permissiontype": "0",
}
_TOP_KEYS = {
    "render",  # true: every page of the site is rendered in Chromium (issue 14)
    "render_selector",  # CSS: a rendered notice is done once this element is in the page
    "name",
    "description",
    "start_url",
    "pagination",
    "article_pattern",
    "max_pages",
    "since",
    "until",
    "page_param",
    "first_page",
    "hanweb",
    "proxy",
}
_HANWEB_KEYS = {"columnid", "unitid", "webid", "perpage", "proxy", "method", "params"}
_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file and the key."""

    def __init__(self, path: Path | str, key: str | None, problem: str) -> None:
        where = f"{path}: {key}" if key else str(path)
        super().__init__(f"{where}: {problem}")
        self.path, self.key, self.problem = str(path), key, problem


@dataclass(frozen=True)
class HanwebOptions:
    """The jpage data proxy of a Hanweb (大汉) column."""

    columnid: str
    unitid: str
    webid: str
    perpage: int = 15
    proxy: str = HANWEB_PROXY
    method: str = "POST"
    params: dict[str, str] = field(default_factory=dict)

    def form(self) -> dict[str, str]:
        ids = {"columnid": self.columnid, "unitid": self.unitid, "webid": self.webid}
        return {**HANWEB_DEFAULT_PARAMS, **ids, **self.params}


@dataclass(frozen=True)
class Profile:
    name: str
    path: str
    text: str  # the file as read: part of the run identity
    start_url: str
    pagination: str
    article_pattern: re.Pattern[str]
    max_pages: int | None = None
    since: date | None = None
    until: date | None = None
    page_param: str = "page"
    first_page: int = 1
    hanweb: HanwebOptions | None = None
    render: bool = False
    render_selector: str | None = None  # a rendered notice is done when this element is there
    proxy: str | None = None  # vantage point for this site (issue 16), as ARCHIVE_PROXY

    def in_window(self, day: date | None) -> bool:
        """An undated notice is always in the window (it cannot be judged)."""
        if day is None:
            return True
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


def parse_day(value: Any, path: Path | str, key: str) -> date | None:
    """TOML date, "YYYY-MM-DD" text, or "" for none."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ProfileError(path, key, f"expected a date YYYY-MM-DD, got {value!r}")


def load_profile(path: Path | str, variables: dict[str, str] | None = None) -> Profile:
    """Read and check a profile. ``variables`` fill ``{name}`` placeholders in start_url."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ProfileError(path, None, "no such profile file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(path, None, f"cannot read it ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(path, None, f"not valid TOML ({exc})") from None
    return profile_from_dict(data, path, text, variables or {})


def profile_from_dict(
    data: dict[str, Any], path: Path | str, text: str, variables: dict[str, str]
) -> Profile:
    _no_unknown_keys(data, _TOP_KEYS, path, "")
    pagination = _required_str(data, "pagination", path)
    if pagination not in PAGINATIONS:
        raise ProfileError(path, "pagination", f"must be one of {', '.join(PAGINATIONS)}, got {pagination!r}")
    since, until = parse_day(data.get("since"), path, "since"), parse_day(data.get("until"), path, "until")
    if since and until and until < since:
        raise ProfileError(path, "until", f"{until} is before since ({since})")
    return Profile(
        name=_optional_str(data, "name", path) or Path(path).stem,
        path=str(path),
        text=text,
        start_url=_start_url(data, path, variables),
        pagination=pagination,
        article_pattern=_pattern(data, path),
        max_pages=_positive_int(data, "max_pages", path, None),
        since=since,
        until=until,
        page_param=_optional_str(data, "page_param", path) or "page",
        first_page=_int(data, "first_page", path, 1),
        hanweb=_hanweb(data, path) if pagination == "hanweb" else None,
        render=_render(data, path),
        render_selector=_css_selector(data, "render_selector", path),
        proxy=_proxy(data, path),
    )


def _render(data: dict[str, Any], path: Path | str) -> bool:
    value = data.get("render", False)
    if not isinstance(value, bool):
        raise ProfileError(path, "render", f"expected true or false, got {value!r}")
    return value


def _css_selector(data: dict[str, Any], key: str, path: Path | str) -> str | None:
    from cssselect import GenericTranslator, SelectorError  # noqa: PLC0415 (Scrapy's own dependency)

    value = _optional_str(data, key, path)
    if not value:
        return None
    try:
        GenericTranslator().css_to_xpath(value)
    except SelectorError as exc:
        raise ProfileError(path, key, f"not a CSS selector ({exc}): {value!r}") from None
    return value


def _proxy(data: dict[str, Any], path: Path | str) -> str | None:
    from archive_store.net.vantage import ProxyURLError, check_proxy_url  # noqa: PLC0415

    value = _optional_str(data, "proxy", path)
    if value:
        try:
            check_proxy_url(value, from_command_line=False)
        except ProxyURLError as exc:
            raise ProfileError(path, "proxy", str(exc)) from None
    return value or None


def _no_unknown_keys(table: dict[str, Any], known: set[str], path: Path | str, prefix: str) -> None:
    for key in table:
        if key not in known:
            allowed = ", ".join(sorted(known))
            raise ProfileError(path, prefix + key, f"unknown key (known keys: {allowed})")


def _required_str(data: dict[str, Any], key: str, path: Path | str, prefix: str = "") -> str:
    if key not in data:
        raise ProfileError(path, prefix + key, "missing (required)")
    value = _optional_str(data, key, path, prefix)
    if not value:
        raise ProfileError(path, prefix + key, "must not be empty")
    return value


def _optional_str(data: dict[str, Any], key: str, path: Path | str, prefix: str = "") -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ProfileError(path, prefix + key, f"expected text, got {value!r}")
    return str(value).strip()


def _int(data: dict[str, Any], key: str, path: Path | str, default: int, prefix: str = "") -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProfileError(path, prefix + key, f"expected a whole number, got {value!r}")
    return value


def _positive_int(
    data: dict[str, Any], key: str, path: Path | str, default: int | None, prefix: str = ""
) -> int | None:
    if key not in data:
        return default
    value = _int(data, key, path, 0, prefix)
    if value < 1:
        raise ProfileError(path, prefix + key, f"must be 1 or more, got {value}")
    return value


def _start_url(data: dict[str, Any], path: Path | str, variables: dict[str, str]) -> str:
    url = _required_str(data, "start_url", path)
    for name in _PLACEHOLDER_RE.findall(url):
        if name not in variables:
            flag = "--base URL" if name == "base" else f"a value for {{{name}}}"
            raise ProfileError(path, "start_url", f"has the placeholder {{{name}}}: give {flag}")
        url = url.replace(f"{{{name}}}", variables[name].rstrip("/"))
    problem = check_url(url)
    if problem:
        raise ProfileError(path, "start_url", f"{problem}: {url!r}")
    return url


def _pattern(data: dict[str, Any], path: Path | str) -> re.Pattern[str]:
    source = _required_str(data, "article_pattern", path)
    try:
        return re.compile(source)
    except re.error as exc:
        raise ProfileError(path, "article_pattern", f"not a valid regular expression ({exc})") from None


def _hanweb(data: dict[str, Any], path: Path | str) -> HanwebOptions:
    table = data.get("hanweb")
    if not isinstance(table, dict):
        raise ProfileError(
            path, "hanweb", 'pagination = "hanweb" needs a [hanweb] table (columnid, unitid, webid)'
        )
    _no_unknown_keys(table, _HANWEB_KEYS, path, "hanweb.")
    method = (_optional_str(table, "method", path, "hanweb.") or "POST").upper()
    if method not in ("GET", "POST"):
        raise ProfileError(path, "hanweb.method", f"must be GET or POST, got {method!r}")
    params = table.get("params", {})
    if not isinstance(params, dict) or not all(isinstance(v, (str, int)) for v in params.values()):
        raise ProfileError(path, "hanweb.params", "expected a table of text values")
    return HanwebOptions(
        columnid=_required_str(table, "columnid", path, "hanweb."),
        unitid=_optional_str(table, "unitid", path, "hanweb.") or "",
        webid=_optional_str(table, "webid", path, "hanweb.") or "",
        perpage=_positive_int(table, "perpage", path, 15, "hanweb.") or 15,
        proxy=_optional_str(table, "proxy", path, "hanweb.") or HANWEB_PROXY,
        method=method,
        params={str(k): str(v) for k, v in params.items()},
    )
