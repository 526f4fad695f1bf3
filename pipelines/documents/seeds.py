"""Read seed URLs from a file or the command line; every bad line is named, the rest proceed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from w3lib.url import safe_url_string

ALLOWED_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class SeedError:
    where: str  # "seeds.txt:3" or "argument 2"
    line: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}: {self.line!r}"


def check_url(text: str) -> str | None:
    """Why `text` is not a fetchable http(s) URL, or None when it is."""
    if any(ch.isspace() for ch in text):
        return "contains white space (one URL per line)"
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
    """`entries` are (where, text) pairs. Blank lines and `#` comments are skipped silently."""
    urls: list[str] = []
    errors: list[SeedError] = []
    seen: set[str] = set()
    for where, raw in entries:
        text = raw.strip().lstrip("\ufeff")
        if not text or text.startswith("#"):
            continue
        problem = check_url(text)
        if problem:
            errors.append(SeedError(where, text, problem))
            continue
        url = safe_url_string(text.split("#", 1)[0], encoding="utf-8")
        if url not in seen:
            seen.add(url)
            urls.append(url)
    return urls, errors


def read_seed_file(path: str) -> list[tuple[str, str]]:
    """Lines of a seed file; undecodable bytes become a named error rather than a crash."""
    with open(path, "rb") as handle:
        data = handle.read()
    text = data.decode("utf-8", errors="replace")
    return [(f"{path}:{number}", line) for number, line in enumerate(text.splitlines(), start=1)]
