"""Vantage points: which network a page was fetched from (ARCHIVE_PROXY, `--proxy`, a profile's
`proxy =`), and how the archive says so.

Many Chinese sites answer differently, or not at all, outside mainland China, so where a capture
was fetched from is part of the evidence. An HTTP(S) proxy goes through Scrapy's HttpProxyMiddleware
(`request.meta["proxy"]`, CONNECT for HTTPS); a SOCKS5 one (`socks5://`, `socks5h://`) through the
recording handler's own SOCKS client (`request.meta["archive_socks_proxy"]`).

Credentials never come from the command line: a proxy URL given there must not hold a password;
the password is read from ARCHIVE_PROXY_PASSWORD (environment) or the proxy URL in a settings
file / the ARCHIVE_PROXY environment variable. Only `scheme://user@host:port` ever reaches a log,
a warcinfo record or a capture's metadata; Proxy-Authorization is redacted in request records.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

if TYPE_CHECKING:
    from archive_store.net.readers import HasMeta, SettingsReader

SOCKS_META = "archive_socks_proxy"
VANTAGE_META = "archive_vantage"
PASSWORD_ENV = "ARCHIVE_PROXY_PASSWORD"
SOCKS_SCHEMES = {"socks5", "socks5h"}
PROXY_SCHEMES = {"http", "https", *SOCKS_SCHEMES}


class ProxyURLError(ValueError):
    """A proxy URL the archive cannot use (a configuration error)."""


def check_proxy_url(url: str, *, from_command_line: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
        raise ProxyURLError(
            "proxy must look like http://host:port, https://host:port or socks5://host:port, "
            f"not {public(url)!r}"
        )
    if from_command_line and parts.password:
        raise ProxyURLError(
            f"do not put the proxy password on the command line (it shows in `ps` and shell history); "
            f"give {public(url)} and set {PASSWORD_ENV} in the environment"
        )


def with_password(url: str) -> str:
    """The URL with the password from ARCHIVE_PROXY_PASSWORD when it names a user without one."""
    parts = urlsplit(url)
    password = os.environ.get(PASSWORD_ENV)
    if not parts.username or parts.password or not password:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:{password}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def public(url: str) -> str:
    """scheme://user@host:port — what may be written anywhere."""
    parts = urlsplit(url)
    user = f"{unquote(parts.username)}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{user}{parts.hostname or ''}{port}"


def proxy_setting(settings: SettingsReader) -> str:
    value = settings.get("ARCHIVE_PROXY") or ""
    if not value and (settings.getpriority("ARCHIVE_PROXY") or 0) <= 0:
        value = os.environ.get("ARCHIVE_PROXY", "")
    return str(value).strip()


def describe(settings: SettingsReader) -> str:
    """The vantage point for warcinfo: 'direct' or the proxy without its password."""
    proxy = proxy_setting(settings)
    if not proxy:
        return "direct (WARC-IP-Address is the server's address)"
    return f"proxy {public(proxy)} (WARC-IP-Address is the proxy's address, not the server's)"


def socks_config(value: str | None) -> dict[str, Any] | None:
    """What the handler's SOCKS client needs from a socks5:// or socks5h:// URL."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in SOCKS_SCHEMES or not parts.hostname:
        return None
    credentials = None
    if parts.username:
        credentials = (unquote(parts.username), unquote(parts.password or ""))
    return {
        "proxy": (parts.hostname, parts.port or 1080),
        "resolve_locally": parts.scheme == "socks5",
        "credentials": credentials,
    }


def apply_proxy(request: HasMeta, proxy: str) -> None:
    """Route one request through `proxy` (unless it already has one), and say so in its meta."""
    if request.meta.get("proxy") or request.meta.get(SOCKS_META) or request.meta.get("dont_proxy"):
        return
    if urlsplit(proxy).scheme in SOCKS_SCHEMES:
        request.meta[SOCKS_META] = proxy
    else:
        request.meta["proxy"] = proxy
    request.meta[VANTAGE_META] = public(proxy)


def fallback_proxy(settings: SettingsReader) -> str:
    """The second vantage point `recheck` tries for a blocked or unreachable source ("" = none)."""
    value = settings.get("ARCHIVE_PROXY_FALLBACK") or ""
    if not value and (settings.getpriority("ARCHIVE_PROXY_FALLBACK") or 0) <= 0:
        value = os.environ.get("ARCHIVE_PROXY_FALLBACK", "")
    value = str(value).strip()
    if value:
        check_proxy_url(value, from_command_line=False)
    return with_password(value) if value else ""


def first_vantage(settings: SettingsReader) -> str:
    """Short name of the vantage point a crawl fetches from by default."""
    proxy = proxy_setting(settings)
    return public(proxy) if proxy else "direct"


def request_vantage(request: HasMeta) -> str:
    """Which vantage point fetched this request, as written into its capture's metadata."""
    named = request.meta.get(VANTAGE_META)
    if named:
        return str(named)
    proxy = request.meta.get(SOCKS_META) or request.meta.get("proxy")
    return public(str(proxy)) if proxy else "direct"
