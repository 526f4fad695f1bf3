"""Start pywb's `wayback` server: `python -m archive_store.export.pywb_launch -p PORT -b HOST`.

Why not the `wayback` script: pywb 2.8 pins old libraries that no longer start beside current ones,
and two small shims here let them:
- gevent 22.10 loads its monkey-patch plugins through pkg_resources with a requirements check;
  setuptools < 70 cannot match `zope.interface` to the `zope_interface-*.dist-info` that current
  wheels install ("The 'zope.interface' distribution was not found"). Plugins are loaded here
  without that check.
- fakeredis 0.x (pinned by pywb, used for its cookie tracker) imports `redis.utils.dummy`, which
  redis-py 4+ dropped; the attribute container is put back.
Everything else is pywb's own entry point.
"""

from __future__ import annotations

from typing import Any


class _AttributeContainer:
    """What redis-py < 4 had as `redis.utils.dummy` (fakeredis 0.x uses it in its Lock)."""


def _notify_and_call_entry_points(event: Any) -> None:
    from gevent import events  # noqa: PLC0415

    events.notify(event)
    for plugin in events.iter_entry_points(event.ENTRY_POINT_NAME):
        plugin.resolve()(event)


def _shim_old_dependencies() -> None:
    import redis.utils  # noqa: PLC0415
    from gevent import events  # noqa: PLC0415

    events.notify_and_call_entry_points = _notify_and_call_entry_points
    if not hasattr(redis.utils, "dummy"):
        redis.utils.dummy = _AttributeContainer  # type: ignore[attr-defined]  # gone in redis-py 4+


def main() -> None:
    _shim_old_dependencies()
    from pywb.apps.cli import wayback  # noqa: PLC0415  (gevent patches everything on this import)

    wayback()


if __name__ == "__main__":
    main()
