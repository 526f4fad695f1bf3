"""What the network room reads from its callers, as narrow protocols: settings by name (Scrapy's
`Settings` is one) and a request's meta (Scrapy's `Request` is one), so that `net` needs neither
Scrapy nor Twisted."""

from __future__ import annotations

from typing import Any, Protocol


class SettingsReader(Protocol):
    """A setting's value, and its priority (None or <= 0: only the default was given)."""

    def get(self, name: str, default: Any = None) -> Any: ...

    def getpriority(self, name: str) -> int | None: ...


class HasMeta(Protocol):
    """Something with a request's meta dictionary."""

    @property
    def meta(self) -> dict[str, Any]: ...
