"""`--render auto|always|never` and `--screenshot` for the commands that fetch (issue 14).

Both are shorthand for `-s` settings (ARCHIVE_RENDER, ARCHIVE_SCREENSHOT) and add to the same list.
"""

from __future__ import annotations

import argparse


class _Setting(argparse.Action):
    def __init__(
        self, option_strings: list[str], dest: str, *, setting: str, fixed: str = "", **kwargs: object
    ) -> None:
        super().__init__(option_strings, dest, default=argparse.SUPPRESS, **kwargs)  # type: ignore[arg-type]
        self.setting, self.fixed = setting, fixed

    def __call__(self, parser: object, namespace: argparse.Namespace, values: object, *_: object) -> None:
        value = self.fixed or str(values)
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest, None) or []), (self.setting, value)])


def add_render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--render",
        dest="settings",
        action=_Setting,
        setting="ARCHIVE_RENDER",
        choices=("auto", "always", "never"),
        metavar="auto|always|never",
        help="render pages answered by a JavaScript challenge in headless Chromium (auto, the "
        "default), every HTML page (always), or never; every browser request is recorded",
    )
    parser.add_argument(
        "--screenshot",
        dest="settings",
        action=_Setting,
        setting="ARCHIVE_SCREENSHOT",
        fixed="True",
        nargs=0,
        help="keep a full-page screenshot, an A4 PDF and the rendered DOM of every HTML page",
    )
