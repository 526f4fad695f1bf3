"""The challenged benchmark site: every page behind a Jiasule-like 521 cookie challenge.

`python -m sourcekeeper.demo.rawsite bench/render_benchsite.py:ROUTES`:
- /c/<n>.html answers 521 with a script that sets `bc=ok` and reloads; with that cookie, a ~6 KB
  article (unique per n). The clearance holds for every page, as Jiasule's, WZWS's and Aliyun's do.
- /r/<n>.html is challenged page by page: its script sets `rc=<n>`, which clears that page only, so
  every page needs the browser (the worst case: a challenge bound to each URL).
"""

from __future__ import annotations

from sourcekeeper.demo.rawsite import RawReply, RawRequest, SiteState, http_response, page

CHALLENGE = b"<script>document.cookie='bc=ok;path=/';location.href=location.pathname+location.search</script>"
TEXT = (
    "关于进一步做好海外侨胞服务工作的通知。各县（市、区）公安局：为进一步规范工作流程，现将有关事项通知如下。"
)


def article(n: int) -> bytes:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知 {n}</title></head><body>'
        f'<h1>通知 {n}</h1><div class="TRS_Editor">' + f"<p>{TEXT}</p>" * 30 + "</div></body></html>"
    ).encode()


def challenged(req: RawRequest, site: SiteState) -> RawReply:
    n = int(req.path.rsplit("/", 1)[-1].removesuffix(".html") or 0)
    if any(k.lower() == b"cookie" and b"bc=ok" in v for k, v in req.headers):
        return page(article(n))
    headers = [(b"Content-Type", b"text/html"), (b"X-Via-JSL", b"3f2e6d1,-")]
    return http_response(521, b"", headers, CHALLENGE)


def challenged_each(req: RawRequest, site: SiteState) -> RawReply:
    n = int(req.path.rsplit("/", 1)[-1].removesuffix(".html") or 0)
    if any(k.lower() == b"cookie" and f"rc={n}".encode() in v.split(b"; ") for k, v in req.headers):
        return page(article(n))
    script = f"<script>document.cookie='rc={n};path=/';location.reload()</script>".encode()
    headers = [(b"Content-Type", b"text/html"), (b"X-Via-JSL", b"3f2e6d1,-")]
    return http_response(521, b"", headers, script)


ROUTES = {"/c/": challenged, "/r/": challenged_each}
