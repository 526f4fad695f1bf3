"""The interface in English and Simplified Chinese: a catalogue per language (i18n/<lang>.json,
English text → translation); English is the text itself. The language is the `lang` cookie (the
switch in the page header), else the browser's Accept-Language."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "zh")
_HERE = Path(__file__).parent / "i18n"


@cache
def catalogue(lang: str) -> dict[str, str]:
    path = _HERE / f"{lang}.json"
    if lang == "en" or not path.exists():
        return {}
    data = json.loads(path.read_text("utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def choose(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return str(cookie)
    ranked: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        ranked.append((weight, tag.strip().lower()))
    for _, tag in sorted(ranked, key=lambda r: -r[0]):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return "en"


def translator(lang: str) -> Callable[..., str]:
    table = catalogue(lang)

    def gettext(message: str, **values: object) -> str:
        found = table.get(message, message)
        return found.format(**values) if values else found

    return gettext
