"""Publication dates a page states only to machines: JSON-LD, ``<time>`` elements, script variables.

- JSON-LD ``datePublished`` (then ``dateCreated``) of the page's ``Article``/``NewsArticle`` object;
- ``<time datetime=… itemprop="datePublished">`` or ``<time pubdate>``;
- inline script variables portals and WeChat set: ``publish_time``, ``publishTime``, ``pubDate``,
  ``pubtime``, ``create_time``, ``ct`` (Unix seconds or milliseconds, or a date string).

The first of each kind is taken; a script holding a list of other articles (several different
``publish_time`` values) gives no date, because it cannot say which one is the page's.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from lxml import etree

from pipelines.extraction.dates import CHINA_TZ, FoundDate, from_unix, parse_date

_LD_KEYS = ("datePublished", "dateCreated")
_SCRIPT_VAR_RE = re.compile(
    r"""(?<![\w.])(?:window\.|var\s+|let\s+|const\s+|["']?)"""
    r"""(?P<name>publish_?time|publishTime|publish_?date|publishDate|pub_?date|pubDate|pubtime|pubTime|"""
    r"""create_time|createTime|ct)["']?\s*[:=]\s*(?:["']\s*["']\s*\|\|\s*)?"""
    r"""(?P<q>["']?)(?P<value>[^"'\n,;}]{4,40}?)(?P=q)\s*(?:\*\s*1\s*)?[,;}\n]""",
)
_DIGITS_RE = re.compile(r"^\d{10}(?:\d{3})?$")


def iso_moment(value: str | None) -> FoundDate | None:
    """An ISO 8601 value (offsets converted to China time) or any explicit date form."""
    if not value:
        return None
    value = value.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return parse_date(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA_TZ)
        return parse_date(moment.strftime("%Y-%m-%d %H:%M:%S"))
    return parse_date(value)


def _ld_objects(data: object) -> list[dict[str, object]]:
    if isinstance(data, list):
        return [obj for item in data for obj in _ld_objects(item)]
    if isinstance(data, dict):
        graph = data.get("@graph")
        return [data, *(_ld_objects(graph) if graph is not None else [])]
    return []


def json_ld_date(root: etree._Element) -> FoundDate | None:
    """``datePublished`` of the page's JSON-LD (the first object that has one)."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for obj in _ld_objects(data):
            for key in _LD_KEYS:
                value = obj.get(key)
                found = iso_moment(value) if isinstance(value, str) else None
                if found is not None:
                    return found
    return None


def time_element_date(root: etree._Element) -> FoundDate | None:
    """``<time itemprop="datePublished" datetime=…>`` or ``<time pubdate datetime=…>``."""
    for node in root.iter("time"):
        if (node.get("itemprop") or "").lower() == "datepublished" or node.get("pubdate") is not None:
            found = iso_moment(node.get("datetime") or node.text_content())
            if found is not None:
                return found
    return None


def script_date(root: etree._Element) -> FoundDate | None:
    """A publication time an inline script sets (one value only, see the module docstring)."""
    for script in root.iter("script"):
        text = script.text
        if not text or script.get("src") or "ld+json" in (script.get("type") or ""):
            continue
        values = {match["value"].strip() for match in _SCRIPT_VAR_RE.finditer(text)}
        values.discard("")
        if not values:
            continue
        if len(values) > 1:
            return None  # a list of articles: no way to tell which is this page's
        value = values.pop()
        if _DIGITS_RE.match(value):
            return from_unix(value[:10])
        if value.isdigit() or len(value) < 8:
            continue
        found = iso_moment(value)
        if found is not None:
            return found
    return None
