"""A CaptureDiff as HTML: a self-contained page (`diff --html FILE`) or a fragment (the report).

Two columns, the earlier capture on the left and the later on the right, one row per sentence:
removed sentences struck through in red, added ones in green, an edited sentence with its removed
and added characters marked inside it, a moved sentence in blue at both places. Long runs of
unchanged sentences are folded. Screenshots are inlined as data: URIs (before, after, and the
later one with the changed regions marked). Every archived string is escaped; the page loads
nothing (its Content-Security-Policy says so) and names a CJK font stack.
"""

from __future__ import annotations

import base64
from html import escape

from pipelines.extraction.sentencediff import Row, SentenceDiff
from pipelines.extraction.stealth import FIELD_WORDS
from sourcekeeper.changes.model import CaptureDiff, DocumentChange, VisualDiff
from sourcekeeper.urltext import shown

FONTS = '"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif'
STYLE = (
    ".capture-diff{margin:8px 0}.capture-diff table.sentences{border-collapse:collapse;width:100%;"
    "table-layout:fixed}.capture-diff td,.capture-diff th{border-top:1px solid #eee;padding:3px 6px;"
    "vertical-align:top;text-align:left;font-size:13px;word-break:break-all}"
    ".capture-diff .r-removed td.b,.capture-diff td.del{background:#ffebee}"
    ".capture-diff .r-added td.a,.capture-diff td.ins{background:#e8f5e9}"
    ".capture-diff del{color:#b71c1c;background:#ffcdd2;text-decoration:line-through}"
    ".capture-diff ins{color:#1b5e20;background:#c8e6c9;text-decoration:none}"
    ".capture-diff .r-edited td{background:#fffde7}.capture-diff .moved{background:#e3f2fd;color:#0d47a1}"
    ".capture-diff .fold td{color:#888;font-style:italic;text-align:center}"
    ".capture-diff .stealth{background:#ff6f00;color:#fff;font-weight:bold;padding:4px 8px;"
    "border-radius:4px;display:inline-block}"
    ".capture-diff .shots{display:flex;gap:8px;flex-wrap:wrap}.capture-diff figure{margin:0;flex:1 1 30%;"
    "min-width:200px}.capture-diff figure img{width:100%;border:1px solid #ccc}"
    ".capture-diff .note{color:#666;font-size:12px}"
)
FOLD_AFTER = 2  # unchanged sentences kept on each side of a change; longer runs are folded
MAX_IMAGE_BYTES = 4_000_000  # a larger screenshot is named, not inlined


def _sentence_cell(row: Row, side: str, hunks: SentenceDiff) -> str:
    sentence = row.before if side == "b" else row.after
    if sentence is None:
        return f'<td class="{side}"></td>'
    if row.op == "edited" and row.hunk is not None:
        tag, keep = ("del", "-") if side == "b" else ("ins", "+")
        pieces = hunks.hunks[row.hunk].changes
        inner = "".join(
            escape(text) if op == "=" else f"<{tag}>{escape(text)}</{tag}>"
            for op, text in pieces
            if op in ("=", keep)
        )
        return f'<td class="{side}">{inner}</td>'
    text = escape(sentence.text)
    if row.op == "removed":
        return f'<td class="{side} del"><del>{text}</del></td>'
    if row.op == "added":
        return f'<td class="{side} ins"><ins>{text}</ins></td>'
    if row.op in ("moved-away", "moved-here"):
        where = "moved from here" if row.op == "moved-away" else "moved here"
        return f'<td class="{side} moved">{text} <span class="note">({where})</span></td>'
    return f'<td class="{side}">{text}</td>'


def sentence_table(diff: SentenceDiff, before_label: str, after_label: str) -> str:
    """The two-column table of a sentence diff (unchanged runs folded)."""
    rows = diff.rows
    changed = [i for i, row in enumerate(rows) if row.op != "same"]
    keep = {j for i in changed for j in range(i - FOLD_AFTER, i + FOLD_AFTER + 1)}
    body: list[str] = []
    folded = 0
    for i, row in enumerate(rows):
        if row.op == "same" and i not in keep:
            folded += 1
            continue
        if folded:
            body.append(f'<tr class="fold"><td colspan="2">… {folded} unchanged sentence(s) …</td></tr>')
            folded = 0
        cells = _sentence_cell(row, "b", diff) + _sentence_cell(row, "a", diff)
        body.append(f'<tr class="r-{escape(row.op)}">{cells}</tr>')
    if folded:
        body.append(f'<tr class="fold"><td colspan="2">… {folded} unchanged sentence(s) …</td></tr>')
    return (
        f'<table class="sentences"><thead><tr><th>{escape(before_label)}</th><th>{escape(after_label)}</th>'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _img(data: bytes, alt: str) -> str:
    if len(data) > MAX_IMAGE_BYTES:
        return f'<p class="note">{escape(alt)}: {len(data):,} bytes, too large to inline</p>'
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return f'<img alt="{escape(alt)}" src="{uri}">'


def visual_block(visual: VisualDiff | None, note: str) -> str:
    if visual is None:
        return f'<p class="note visual-none">screenshots: {escape(note)}</p>' if note else ""
    figures = "".join(
        f"<figure>{_img(data, alt)}<figcaption>{escape(alt)}</figcaption></figure>"
        for data, alt in (
            (visual.before_png, "before"),
            (visual.after_png, "after"),
            (visual.marked_png, "changed regions marked"),
        )
    )
    size = " (the page size changed)" if visual.size_changed else ""
    return (
        f'<div class="visual"><p><b>screenshots</b>: <span class="share">{visual.changed_share:.2%}</span> '
        f"of pixels changed in {len(visual.regions)} region(s){size}</p>"
        f'<div class="shots">{figures}</div></div>'
    )


def _document(doc: DocumentChange) -> str:
    name = f" {escape(doc.name)}" if doc.name else ""
    head = f'<li class="doc-{escape(doc.change)}"><b>{escape(doc.change)}</b> {escape(shown(doc.url))}{name}'
    if doc.text is not None and doc.text.hunks:
        return (
            f"{head}<div>{escape(doc.text.summary())}</div>{sentence_table(doc.text, 'before', 'after')}</li>"
        )
    note = f' <span class="note">({escape(doc.note)})</span>' if doc.note else ""
    return f"{head}{note}</li>"


def diff_fragment(diff: CaptureDiff, *, images: bool = True) -> str:
    """The diff as a <section> to put in a page that carries STYLE."""
    parts = [
        f'<section class="capture-diff" data-url="{escape(diff.url)}">',
        f'<p class="diff-head">from {escape(diff.before.when)} (capture #{diff.before.capture_id}) '
        f"to {escape(diff.after.when)} (capture #{diff.after.capture_id}): "
        f"{escape(diff.text.summary())}</p>",
    ]
    if diff.stealth is not None:
        what = diff.stealth.reason().removeprefix("stealth edit: ")
        parts.append(f'<p><span class="stealth">STEALTH EDIT</span> {escape(what)}</p>')
    if not diff.changed:
        parts.append('<p class="note">no change</p>')
    if diff.fields:
        rows = "".join(
            f"<tr><th>{escape(FIELD_WORDS.get(c.name, c.name).removeprefix('the '))}</th>"
            f"<td><del>{escape(c.before or '—')}</del></td><td><ins>{escape(c.after or '—')}</ins></td></tr>"
            for c in diff.fields
        )
        parts.append(f'<table class="fields">{rows}</table>')
    if diff.text.hunks:
        parts.append(sentence_table(diff.text, f"before · {diff.before.when}", f"after · {diff.after.when}"))
    if diff.links_added or diff.links_removed:
        items = [
            f'<li class="ins"><ins>link added</ins> {escape(shown(link.url))} {escape(link.text)}</li>'
            for link in diff.links_added
        ] + [
            f'<li class="del"><del>link removed</del> {escape(shown(link.url))} {escape(link.text)}</li>'
            for link in diff.links_removed
        ]
        parts.append(f'<ul class="links">{"".join(items)}</ul>')
    documents = [doc for doc in diff.documents if doc.change != "same"]
    if documents:
        parts.append(f'<ul class="documents">{"".join(_document(doc) for doc in documents)}</ul>')
    if images:
        parts.append(visual_block(diff.visual, diff.visual_note))
    parts += [f'<p class="note">{escape(note)}</p>' for note in diff.notes]
    parts.append("</section>")
    return "\n".join(parts)


def capture_diff_to_html(diff: CaptureDiff) -> str:
    """A self-contained HTML page of the diff (inline style, images as data: URIs, no script)."""
    title = diff.after.title or diff.before.title or diff.url
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hans"><head><meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>diff: {escape(title)}</title>\n"
        f"<style>body{{font:14px/1.6 {FONTS};margin:24px;color:#222;max-width:1400px}}"
        f"h1{{font-size:20px}}.url{{word-break:break-all;color:#444;font-size:12px}}{STYLE}</style>"
        "</head>\n<body>\n"
        f'<h1>{escape(title)}</h1><p class="url">{escape(shown(diff.url))}</p>\n'
        f"{diff_fragment(diff)}\n</body></html>\n"
    )
