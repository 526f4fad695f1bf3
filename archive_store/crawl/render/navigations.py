"""A seed's navigation budget: ARCHIVE_RENDER_MAX_NAVIGATIONS counts per seed, not per render.

Every request that descends from one seed as the same page — a meta-refresh target, a frame, the
pages its renders navigated to, the redirect hops of each — carries the seed (`archive_seed`) and
the navigations the seed had made before the request was sent (`archive_navigations`). A render
adds its own main-frame navigations (`archive_render_navigations`); the redirect hops Scrapy
followed are in `redirect_urls`. A navigation past the limit is not followed: it is named in the
log, the stats (`archive/navigation_limit`) and a failure record of kind `limit`.
"""

from __future__ import annotations

from typing import Any

SEED_META = "archive_seed"
NAVIGATIONS_META = "archive_navigations"  # the seed's navigations before this request was sent
RENDER_NAVIGATIONS_META = "archive_render_navigations"  # main-frame navigations its render fetched
LIMIT_STAT = "archive/navigation_limit"


def seed_of(meta: dict[str, Any], url: str) -> str:
    """The seed a request descends from: its own URL first asked for when it is a seed."""
    seed = meta.get(SEED_META) or meta.get("archive_requested") or (meta.get("redirect_urls") or [url])[0]
    return str(seed)


def navigations_used(meta: dict[str, Any]) -> int:
    """The seed's navigations up to this request's answer: before it, its redirect hops, its render's."""
    before = int(meta.get(NAVIGATIONS_META, 0))
    return before + len(meta.get("redirect_urls") or []) + int(meta.get(RENDER_NAVIGATIONS_META, 0))


def limit_reason(number: int, seed: str, target: str, limit: int) -> str:
    """Why navigation `number` of `seed`, to `target`, was not followed."""
    return (
        f"navigation-limit: navigation {number} from seed {seed} (to {target}) not followed, "
        f"at most {limit} per seed (ARCHIVE_RENDER_MAX_NAVIGATIONS)"
    )[:600]
