"""Re-check alerts: one message per run with the new removals, changes, quote changes and
restorations, sent through Apprise to every notification URL (`recheck --notify URL`, or
`notify = [...]` in sourcekeeper.toml): `mailto://user:pass@host`, `json://host:port/path`,
`matrix://…`, Slack, Telegram and the rest of Apprise's services.

A notification URL often holds a password or a token. The URLs are never settings, so they reach
no warcinfo record, run row or custody line; what is logged about them goes through
`redact_url`, and a logging filter on Apprise's own logger blanks every secret they hold.
A failed notification is logged and changes no exit code.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

logger = logging.getLogger(__name__)

HIDDEN = "***"
# schemes whose host part is a host name (the rest keep a token there, e.g. tgram://BOTTOKEN/…)
HOST_SCHEMES = {
    "mailto", "mailtos", "json", "jsons", "xml", "xmls", "form", "forms", "matrix", "matrixs",
    "ntfy", "ntfys", "gotify", "gotifys", "apprise", "apprises", "mqtt", "mqtts", "rocket", "rockets",
}  # fmt: skip
# the states a message is sent for (a quote change is counted apart)
ALERT_STATES = ("removed", "restored", "changed")
_SECRET_MIN = 4


def redact_url(url: str) -> str:
    """The URL with everything that may be a secret replaced: the password, every query value,
    the path (webhook tokens live there), and the whole address for services whose "host" is a
    token. `mailto://me:pw@mail.example.org?to=a@b` -> `mailto://me:***@mail.example.org/?to=***`."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return f"{url.split(':', 1)[0]}://{HIDDEN}" if "://" in url else HIDDEN
    scheme = parts.scheme.lower()
    if scheme not in HOST_SCHEMES:
        return f"{scheme}://{HIDDEN}"
    user = f"{parts.username}:{HIDDEN}@" if parts.password is not None else ""
    if parts.username is not None and parts.password is None:
        user = f"{parts.username}@"
    netloc = f"{user}{host}{f':{port}' if port else ''}"
    path = f"/{HIDDEN}" if parts.path.strip("/") else "/"
    query = "&".join(f"{key}={HIDDEN}" for key, _ in parse_qsl(parts.query, keep_blank_values=True))
    return f"{scheme}://{netloc}{path}{'?' + query if query else ''}"


def url_secrets(url: str) -> list[str]:
    """Every piece of `url` that `redact_url` hides (password, query values, path segments, a
    token host), raw and percent-decoded: what must never be written anywhere."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return [url]
    found = [parts.password or "", *(value for _, value in parse_qsl(parts.query, keep_blank_values=True))]
    found += [segment for segment in parts.path.split("/") if segment]
    if parts.scheme.lower() not in HOST_SCHEMES:
        found += [parts.netloc, host]
    found += [unquote(piece) for piece in found]
    return sorted({piece for piece in found if len(piece) >= _SECRET_MIN}, key=len, reverse=True)


def redact_text(text: str, urls: list[str]) -> str:
    """`text` with every secret of `urls` replaced (for a line that may quote one)."""
    for url in urls:
        text = text.replace(url, redact_url(url))
    for secret in {s for url in urls for s in url_secrets(url)}:
        text = text.replace(secret, HIDDEN)
    return text


class SecretFilter(logging.Filter):
    """Blanks the notification URLs' secrets in every record a logger passes on (Apprise's own
    messages name the server it failed to reach, and some name more)."""

    def __init__(self, urls: list[str]) -> None:
        super().__init__()
        self.urls = urls
        self.pattern = re.compile(
            "|".join(re.escape(s) for s in {x for u in urls for x in url_secrets(u)}) or "(?!)"
        )

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.pattern.sub(HIDDEN, message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


@dataclass
class Alert:
    title: str
    body: str
    sources: int


def build_alert(events: list[dict[str, Any]], run: int | None) -> Alert | None:
    """The message for a re-check run, or None when nothing new needs a person: counts, then one
    line per source (title, URL, state, reason, and how to see its diff)."""
    lines: list[str] = []
    counts = {"new removals": 0, "changes": 0, "quote changes": 0, "restorations": 0}
    for event in events:
        quote_changes = [q for q in event.get("quotes") or [] if _changed(q)]
        state = event["state"]
        wanted = (state == "removed" and event.get("new_removal")) or state in ("restored", "changed")
        if not wanted and not quote_changes:
            continue
        if state == "removed" and event.get("new_removal"):
            counts["new removals"] += 1
        elif state == "changed":
            counts["changes"] += 1
        elif state == "restored":
            counts["restorations"] += 1
        counts["quote changes"] += len(quote_changes)
        lines.append(_source_line(event, quote_changes))
    if not lines:
        return None
    head = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
    title = f"sourcekeeper re-check run {run}: {head}"
    return Alert(title, "\n".join([head, "", *lines]), len(lines))


def _changed(check: dict[str, Any]) -> bool:
    return bool(check.get("previous_status")) and check["previous_status"] != check["status"]


def _source_line(event: dict[str, Any], quote_changes: list[dict[str, Any]]) -> str:
    title = (event.get("title") or "").strip()
    state = "removed (new)" if event.get("new_removal") else event["state"]
    line = f"- {title + ' — ' if title else ''}{event['url']}\n  {state}: {event['reason']}"
    for check in quote_changes:
        line += f"\n  quote 「{check['quote']}」: {check['previous_status']} → {check['status']}"
    return f"{line}\n  diff: sourcekeeper diff {event['url']}"


def send_alert(urls: list[str], alert: Alert) -> bool:
    """Send one message to every URL (Apprise); False (logged, secrets hidden) when any failed."""
    import apprise  # noqa: PLC0415 (loads its plugins: only when there is something to send)

    guard = SecretFilter(urls)
    watched = [logging.getLogger("apprise"), logger]
    for log in watched:
        log.addFilter(guard)
    try:
        sender = apprise.Apprise()
        bad = [url for url in urls if not sender.add(url)]
        for url in bad:
            logger.error("notification URL not understood: %s", redact_url(url))
        if len(bad) == len(urls):
            return False
        sent = bool(sender.notify(title=alert.title, body=alert.body))
        if not sent:
            shown = ", ".join(redact_url(u) for u in urls if u not in bad)
            logger.error("the re-check alert could not be delivered to every address: %s", shown)
        return sent and not bad
    except Exception as exc:
        logger.error("the re-check alert could not be sent: %s", redact_text(str(exc), urls))
        return False
    finally:
        for log in watched:
            log.removeFilter(guard)
