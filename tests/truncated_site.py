"""Pages whose re-check answers are cut short: `/cut` always after the switch to "after", `/once`
only on its first fetch after it. Serve with `ServedSite("tests/truncated_site.py:ROUTES")`."""

from __future__ import annotations

from sourcekeeper.demo.rawsite import Close, RawReply, RawRequest, Send, SiteState, page, status_head

BEFORE = [
    "第一段：为切实做好本县在外人员劝返工作，现将有关事项通知如下。",
    "第二段：各单位要充分认识此项工作的重要性。",
]
AFTER = [*BEFORE[:1], "第二段：依法依规开展工作，保障当事人合法权益。", "第三段：本通知自发布之日起施行。"]


def article(title: str, sentences: list[str]) -> bytes:
    paragraphs = "\n".join(f"<p>{s}</p>" for s in sentences * 3)
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>\n'
        f'<body><div class="TRS_Editor"><h1>{title}</h1>\n{paragraphs}\n</div></body></html>\n'
    ).encode()


def cut(body: bytes) -> RawReply:
    """Declare the whole body, send half of it, close the connection."""
    head = status_head(
        200, b"OK", [(b"Content-Type", b"text/html; charset=utf-8"), (b"Content-Length", b"%d" % len(body))]
    )
    return [Send(head + body[: len(body) // 2]), Close()]


def handler(always: bool):  # type: ignore[no-untyped-def]
    def reply(req: RawRequest, site: SiteState) -> RawReply:
        if site.mode == "before":
            return page(article("劝返工作通知", BEFORE))
        after = article("劝返工作通知", AFTER)
        fetched = site.hits.get(f"after:{req.path}", 0)
        site.hits[f"after:{req.path}"] = fetched + 1
        return cut(after) if always or fetched == 0 else page(after)

    return reply


ROUTES = {"/cut": handler(always=True), "/once": handler(always=False)}
