"""Which addresses a crawl may connect to (ARCHIVE_ALLOW_PRIVATE).

A cited page is hostile input: it may redirect to the cloud metadata service (169.254.169.254) or to
an intranet host, and whatever answers would be archived, indexed, exported and published. So by
default every connection to a loopback, private (RFC 1918, ULA), link-local, CGNAT, multicast,
reserved or unspecified address is refused. The check runs on the address the name resolved to,
and the connection is then made to that very address (see `archive_store.crawl.capture.endpoints`), so a name
that resolves to a public address when checked and to 10.0.0.5 when connected (DNS rebinding)
cannot get through.

ARCHIVE_ALLOW_PRIVATE is `false` (the default), `true` (no check), or comma-separated networks
(`127.0.0.0/8,10.1.0.0/16`) that are allowed. The environment variable of the same name is read
when no setting gives a value (the test suite and the demo serve their sites on 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive_store.net.readers import SettingsReader

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SETTING = "ARCHIVE_ALLOW_PRIVATE"
# how every refusal says to allow it (the command line, or the config file's short key)
HOW_TO_ALLOW = f"to allow it: -s {SETTING}=true, or allow_private = true in sourcekeeper.toml"

# not on the public internet: what `ipaddress` calls private (RFC 1918, ULA, loopback, link-local,
# documentation, ...) plus what it does not count there but no cited server lives on
_REFUSED_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network", 0.0.0.0 reaches the local host on Linux
        "10.0.0.0/8",
        "100.64.0.0/10",  # CGNAT (RFC 6598)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, incl. 169.254.169.254 (cloud metadata)
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, incl. 255.255.255.255
        "::/128",
        "::1/128",
        "fc00::/7",  # ULA
        "fe80::/10",  # link-local
        "ff00::/8",  # multicast
    )
)


class PrivateAddressRefused(Exception):
    """A fetch was not made because the server's address is not a public one. Not an OSError:
    Scrapy's RetryMiddleware retries those, and a refusal is final."""

    def __init__(self, address: str, host: str | None = None) -> None:
        self.address = address
        self.host = host
        super().__init__(address)

    def __str__(self) -> str:
        return f"refused: private address {self.address} ({HOW_TO_ALLOW})"


class AddressPolicy:
    """Answers "may we connect to this address?"; `allow_all` turns the check off."""

    def __init__(self, allow_all: bool = False, allowed: tuple[IPNetwork, ...] = ()) -> None:
        self.allow_all = allow_all
        self.allowed = allowed

    @classmethod
    def parse(cls, value: str | bool | None) -> AddressPolicy:
        """From a setting value; raises ValueError naming what is wrong."""
        if value is None or isinstance(value, bool):
            return cls(allow_all=bool(value))
        text = str(value).strip().lower()
        if text in {"", "0", "false", "no", "off"}:
            return cls()
        if text in {"1", "true", "yes", "on"}:
            return cls(allow_all=True)
        networks = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(
                    f"{SETTING} must be true, false or comma-separated networks such as "
                    f"127.0.0.0/8, not {value!r}"
                ) from None
        return cls(allowed=tuple(networks))

    @classmethod
    def from_settings(cls, settings: SettingsReader) -> AddressPolicy:
        return cls.parse(setting_value(settings))

    def refuses(self, address: str | IPAddress) -> bool:
        if self.allow_all:
            return False
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if any(ip in net for net in self.allowed if net.version == ip.version):
            return False
        return ip.is_private or any(ip in net for net in _REFUSED_NETWORKS if net.version == ip.version)

    def check(self, address: str, host: str | None = None) -> None:
        if self.refuses(address):
            raise PrivateAddressRefused(address, host)


def setting_value(settings: SettingsReader) -> str | bool | None:
    """The setting, or the environment variable when the setting is only the default."""
    priority = settings.getpriority(SETTING)
    env = os.environ.get(SETTING)
    if env is not None and (priority is None or priority <= 0):
        return env
    value = settings.get(SETTING)
    return value if isinstance(value, bool | str) or value is None else str(value)


def ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
