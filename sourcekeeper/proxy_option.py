"""`--proxy URL` on the commands that fetch: the vantage point (sets ARCHIVE_PROXY).

A password in the URL is refused here (it would be visible in `ps` and in shell history); the
user name may be given, the password comes from ARCHIVE_PROXY_PASSWORD in the environment."""

from __future__ import annotations

import argparse
from typing import Any


class _ProxyOption(argparse.Action):
    def __init__(self, option_strings: list[str], dest: str, *, setting: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, default=argparse.SUPPRESS, **kwargs)
        self.setting = setting

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, *_: Any
    ) -> None:
        from archive_store.net.vantage import ProxyURLError, check_proxy_url  # noqa: PLC0415

        try:
            check_proxy_url(str(values), from_command_line=True)
        except ProxyURLError as exc:
            parser.error(str(exc))
        items = [*(getattr(namespace, self.dest, None) or []), (self.setting, str(values))]
        setattr(namespace, self.dest, items)


def add_proxy_option(parser: argparse.ArgumentParser, *, fallback: bool = False) -> None:
    parser.add_argument(
        "--proxy",
        dest="settings",
        action=_ProxyOption,
        setting="ARCHIVE_PROXY",
        metavar="URL",
        help="fetch through this vantage point: http://, https://, socks5:// or socks5h://host:port "
        "(user@ allowed; the password from ARCHIVE_PROXY_PASSWORD)",
    )
    if fallback:
        parser.add_argument(
            "--proxy-fallback",
            dest="settings",
            action=_ProxyOption,
            setting="ARCHIVE_PROXY_FALLBACK",
            metavar="URL",
            help="a source blocked or unreachable from the first vantage point is fetched again "
            "through this one before it is reported; the event says what each saw",
        )
