"""Read seed URLs from files or the command line; every bad line is named, the rest proceed.

A seed file holds one URL per line. Blank lines and lines starting with `#` are skipped, and a
`#` after white space starts a comment (`URL   # cited in report 3`); a `#` inside the URL is its
fragment, as always. A quoted passage may follow the URL (`URL  "劝返工作"`, also 「」 or “”): it is
looked for in the capture (pipelines/extraction/quotes.py). `--quotes FILE` reads URL<TAB>passage lines.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from w3lib.url import safe_url_string

ALLOWED_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class SeedError:
    where: str  # "seeds.txt:3" or "argument 2"
    line: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}: {self.line!r}"


_PASSWORD_RE = re.compile(r"(//[^/@:\s]*):[^/@\s]*@")
_COMMENT_RE = re.compile(r"\s+#.*$", re.DOTALL)
# what a URL typed without its scheme starts with: a host name with a dot, localhost or an IPv4
# address, an optional port, then the end or a path, query or fragment
_BARE_HOST_RE = re.compile(
    r"^(?:[^\s/?#@:]+\.[^\s/?#@:.]+|localhost|\[[0-9a-fA-F:.]+\])(?::\d{1,5})?(?:[/?#]|$)", re.IGNORECASE
)


def without_comment(text: str) -> str:
    """A seed line without its trailing `# comment` (white space, then `#`) and outer blanks."""
    text = text.strip().lstrip("\ufeff")
    if text.startswith("#"):
        return ""
    return _COMMENT_RE.sub("", text)


_QUOTED_TAIL_RE = re.compile(r"^(\S+)\s+((?:[\"“「『].*))$", re.DOTALL)


def split_quotes(text: str) -> tuple[str, list[str]]:
    """A seed line without its quoted passages, and the passages: `URL  "劝返工作"`."""
    from pipelines.extraction.quotes import quoted_passages  # noqa: PLC0415 (OpenCC: only when quoted)

    match = _QUOTED_TAIL_RE.match(text)
    if match is None:
        return text, []
    passages = quoted_passages(match.group(2))
    return (match.group(1), passages) if passages else (text, [])


def seed_url(text: str) -> str:
    """The URL a (checked) seed text is archived as: fragment and `user:password@` dropped."""
    return split_credentials(safe_url_string(text.split("#", 1)[0], encoding="utf-8"))[0]


def parse_seed_quotes(entries: Iterable[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """The quoted passages of seed lines, by the URL they are archived as: (passage, where given)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for where, raw in entries:
        text, passages = split_quotes(without_comment(raw))
        if passages and check_url(text) is None:
            known = found.setdefault(seed_url(text), [])
            known += [(p, where) for p in passages if p not in {q for q, _ in known}]
    return found


def read_quotes_file(path: str) -> list[tuple[str, str]]:
    """`--quotes FILE`: URL<TAB>passage per line (blank lines and `#` lines skipped), as seed
    entries `URL  "passage"` so that one parser reads both."""
    entries = []
    for where, line in read_seed_file(path):
        url, tab, passage = line.partition("\t")
        passage = passage.strip().strip('"“”「」『』').strip()
        if line.lstrip().startswith("#") or not url.strip():
            continue
        entries.append((where, f'{url.strip()}  "{passage}"' if tab and passage else url.strip()))
    return entries


def scheme_hint(text: str) -> str | None:
    """`http://` + `text` when `text` reads as a URL typed without its scheme (`www.gov.cn/x.html`,
    `//host/path`), else None."""
    text = text.strip()
    if not text or "://" in text or any(ch.isspace() for ch in text):
        return None
    if text.startswith("//"):
        return f"http:{text}" if _BARE_HOST_RE.match(text[2:]) else None
    return f"http://{text}" if _BARE_HOST_RE.match(text) else None


def mask_password(text: str) -> str:
    """`http://user:secret@host/` -> `http://user:***@host/` (for anything shown or stored)."""
    return _PASSWORD_RE.sub(r"\1:***@", text)


def split_credentials(url: str) -> tuple[str, str | None]:
    """The URL without `user:password@`, and the Basic Authorization value they stood for. The
    password then travels only in that header, which request records redact; the URL that is
    logged, indexed and written as WARC-Target-URI has none (issue 16)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.hostname or ""
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port else "")
    login = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
    token = base64.b64encode(login.encode("utf-8")).decode("ascii")
    return urlunsplit(parts._replace(netloc=netloc)), f"Basic {token}"


def check_url(text: str) -> str | None:
    """Why `text` is not a fetchable http(s) URL, or None when it is."""
    if any(ch.isspace() for ch in text):
        return "contains white space (one URL per line; a comment starts with white space and #)"
    hint = scheme_hint(text)
    if hint is not None:
        return f"no scheme; did you mean {hint}?"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError as exc:
        return f"malformed URL ({exc})"
    if not parts.scheme:
        return "no scheme (write http:// or https://)"
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"unsupported scheme {parts.scheme!r} (only http and https are archived)"
    if not parts.hostname:
        return "no host name"
    return None


def parse_seeds(entries: Iterable[tuple[str, str]]) -> tuple[list[str], list[SeedError]]:
    """`entries` are (where, text) pairs. Blank lines and `# comments` are skipped silently."""
    urls, errors, _ = parse_seeds_with_logins(entries)
    return urls, errors


def parse_seeds_with_logins(
    entries: Iterable[tuple[str, str]],
) -> tuple[list[str], list[SeedError], dict[str, str]]:
    """`parse_seeds`, plus the Authorization value of each URL that carried `user:password@`."""
    urls: list[str] = []
    errors: list[SeedError] = []
    logins: dict[str, str] = {}
    seen: set[str] = set()
    for where, raw in entries:
        text = split_quotes(without_comment(raw))[0]
        if not text:
            continue
        problem = check_url(text)
        if problem:
            errors.append(SeedError(where, mask_password(text)[:2000], problem))
            continue
        url, login = split_credentials(safe_url_string(text.split("#", 1)[0], encoding="utf-8"))
        if login:
            logins[url] = login
        if url not in seen:
            seen.add(url)
            urls.append(url)
    return urls, errors, logins


def read_seed_file(path: str) -> list[tuple[str, str]]:
    """Lines of a seed file; undecodable bytes become a named error rather than a crash."""
    with open(path, "rb") as handle:
        data = handle.read()
    text = data.decode("utf-8", errors="replace")
    return [(f"{path}:{number}", line) for number, line in enumerate(text.splitlines(), start=1)]


def read_seed_files(paths: str | Iterable[str] | None) -> list[tuple[str, str]]:
    """The lines of every seed file given (`--seeds A --seeds B`), in order."""
    if not paths:
        return []
    if isinstance(paths, str):
        paths = [paths]
    return [entry for path in paths for entry in read_seed_file(path)]
