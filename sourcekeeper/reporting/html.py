"""The self-contained HTML page of `report --html`: inline CSS, data and script, no network.

Per source: its current state, who cites it, a link to replay and the extracted text (embedded).
An inline script draws the timeline (captures as dots, re-checks as diamonds, one row per source)
into an SVG; when it is done it sets <body data-chart="drawn"> (the browser test waits for it).
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from sourcekeeper.changes.html import STYLE as DIFF_STYLE
from sourcekeeper.urltext import shown

STYLE = """
img.thumb{width:160px;max-height:240px;object-fit:cover;object-position:top;border:1px solid #ccc}
.quotes{font-size:12px;margin-top:4px}.q-present b{color:#1a7f37}.q-altered b{color:#b35900}
.q-missing b{color:#b42318}
.media{font-size:12px;margin-top:4px}.m-complete{color:#1a7f37}.m-partial{color:#b35900}
body{font:14px/1.5 "Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:24px;color:#222;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}.meta{color:#666;margin:0 0 16px}
.counts span{display:inline-block;margin:0 8px 8px 0;padding:2px 10px;border-radius:12px;color:#fff}
.s-removed{background:#c62828}.s-blocked{background:#ef6c00}.s-unreachable{background:#757575}
.s-changed{background:#1565c0}.s-unchanged{background:#2e7d32}.s-archived{background:#6a1b9a}
.s-restored{background:#00838f}.s-gone{background:#8d6e63}
.badge{padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;white-space:nowrap}
#chart{border:1px solid #ddd;margin:8px 0 24px;overflow-x:auto}
table{border-collapse:collapse;width:100%}td,th{border-top:1px solid #eee;padding:6px;vertical-align:top;
text-align:left}.url{word-break:break-all;font-size:12px;color:#444}.reason{color:#555;font-size:12px}
details pre{white-space:pre-wrap;background:#fafafa;padding:8px;max-height:320px;overflow:auto}
.legend{font-size:12px;color:#555}.hint{font-size:11px;color:#666}.hint code{background:#f3f3f3}
tr.diff-row td{border-top:0;padding-top:0}tr.diff-row summary{cursor:pointer;color:#1565c0}
.stealth-badge{background:#ff6f00;color:#fff;font-size:11px;padding:1px 6px;border-radius:8px;margin-left:4px}
.documents{font-size:12px;margin-top:4px}.documents ul{margin:2px 0;padding-left:18px}
.doc-note{color:#555}
"""

SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var colours = {ok: '#2e7d32', removed: '#c62828', blocked: '#ef6c00', other: '#757575',
    unreachable: '#757575', changed: '#1565c0', unchanged: '#2e7d32', restored: '#00838f',
    gone: '#8d6e63'};
  var ns = 'http://www.w3.org/2000/svg';
  var rows = data.sources, rowH = 34, left = 300, right = 20, top = 34;
  var chart = document.getElementById('chart');
  var width = Math.max(600, chart.clientWidth || 900);
  var times = [];
  rows.forEach(function (s) {
    s.timeline.forEach(function (p) { times.push(Date.parse(p.t)); });
    if (s.gone) { times.push(Date.parse(s.gone.gone_since), Date.parse(s.gone.back_at)); }
  });
  var t0 = times.length ? Math.min.apply(null, times) : 0;
  var t1 = times.length ? Math.max.apply(null, times) : 1;
  if (t1 <= t0) { t1 = t0 + 1; }
  function x(t) { return left + (Date.parse(t) - t0) / (t1 - t0) * (width - left - right); }
  function stamp(t) { return new Date(t).toISOString().slice(0, 16).replace('T', ' '); }
  function cut(text, n) { return text.length > n ? text.slice(0, n - 1) + '\u2026' : text; }
  var svg = document.createElementNS(ns, 'svg');
  function add(tag, attrs, parent, tip) {
    var el = document.createElementNS(ns, tag);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (tip) {
      var title = document.createElementNS(ns, 'title');
      title.textContent = tip;
      el.appendChild(title);
    }
    (parent || svg).appendChild(el);
    return el;
  }
  function diamond(cx, y) {
    return 'M' + cx + ' ' + (y - 7) + ' L' + (cx + 7) + ' ' + y +
      ' L' + cx + ' ' + (y + 7) + ' L' + (cx - 7) + ' ' + y + ' Z';
  }
  svg.setAttribute('id', 'timeline');
  svg.setAttribute('width', width);
  svg.setAttribute('height', top + rows.length * rowH + 30);
  // the date axis: ticks with their dates (and times when the span is short), a grid line each
  var ticks = 5, bottom = top + rows.length * rowH;
  for (var k = 0; k <= ticks; k++) {
    var tt = t0 + (t1 - t0) * k / ticks, tx = left + (width - left - right) * k / ticks;
    add('line', {'class': 'tick', x1: tx, x2: tx, y1: top - 6, y2: bottom, stroke: '#f0f0f0'});
    var label = add('text', {'class': 'tick-label', x: tx, y: 16, 'font-size': 11, fill: '#555'});
    label.setAttribute('text-anchor', k === 0 ? 'start' : k === ticks ? 'end' : 'middle');
    label.textContent = (t1 - t0) > 2 * 86400000 ? stamp(tt).slice(0, 10) : stamp(tt);
  }
  rows.forEach(function (s, i) {
    var y = top + i * rowH + rowH / 2;
    var row = add('g', {'class': 'row', 'data-url': s.url});
    add('line', {x1: left, x2: width - right, y1: y, y2: y, stroke: '#eee'}, row);
    // the row's name: its title (textContent: archived strings never become markup) and URL
    add('text', {'class': 'row-title', x: 4, y: y - 2, 'font-size': 12, fill: '#222'}, row, s.title || s.url)
      .appendChild(document.createTextNode('#' + (i + 1) + ' ' + cut(s.title || '(no title)', 24)));
    add('text', {'class': 'row-url', x: 4, y: y + 11, 'font-size': 10, fill: '#777'}, row, s.url)
      .appendChild(document.createTextNode(cut(s.url, 48)));
    if (s.gone) {  // a restored source: the interval it was gone
      var g0 = x(s.gone.gone_since), g1 = x(s.gone.back_at);
      add('rect', {'class': 'gone-interval', x: g0, y: y - 8, width: Math.max(g1 - g0, 2), height: 16,
        fill: '#d7ccc8', opacity: 0.8}, row,
        'gone for ' + s.gone.gone_for + ': ' + stamp(Date.parse(s.gone.gone_since)) + ' \u2013 ' +
        stamp(Date.parse(s.gone.back_at)));
    }
    var points = s.timeline.slice().sort(function (a, b) { return Date.parse(a.t) - Date.parse(b.t); });
    var last = 'unchanged';
    points.forEach(function (p) {
      var cx = x(p.t), colour = colours[p.state] || '#757575';
      if (p.kind === 'capture') {
        add('circle', {'class': 'capture', cx: cx, cy: y, r: 5, fill: colour}, row, p.label);
        return;
      }
      if (p.kind === 'third-party') {  // another archive's copy: hollow, never our evidence
        var square = {'class': 'third-party', x: cx - 4, y: y - 4, width: 8, height: 8};
        add('rect', Object.assign(square, {fill: '#fff', stroke: colour, 'stroke-width': 2}), row, p.label);
        return;
      }
      add('path', {'class': 'recheck', d: diamond(cx, y), fill: colour, stroke: '#fff'}, row, p.label);
      if (p.state !== last) {
        var mark = {'class': 'state-change', x1: cx, x2: cx, y1: y - 11, y2: y + 11, stroke: colour};
        add('line', mark, row, 'state change: ' + last + ' \u2192 ' + p.state);
      }
      last = p.state;
    });
  });
  chart.appendChild(svg);
  document.body.setAttribute('data-chart', 'drawn');
})();
"""


def _json_for_script(data: Any) -> str:
    """JSON that cannot end the <script> element it sits in."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")


def _cited(source: dict[str, Any]) -> str:
    items = []
    for cited in source["cited_by"]:
        note = f" [{escape(cited['footnote'])}]" if cited["footnote"] else ""
        anchor = f" “{escape(cited['anchor'])}”" if cited["anchor"] else ""
        items.append(f"{escape(cited['title'] or cited['report'])}{note}{anchor}")
    return "<br>".join(items) or "—"


def _media(media: dict[str, Any]) -> str:
    """The page's media: complete, or partial with what is missing."""
    state, items = media.get("state"), media.get("items") or []
    if not state:
        return ""
    missing = [m for m in items if not m["complete"]]
    details = "".join(f"<li>{escape(m['type'])} {escape(shown(m['url']))}</li>" for m in missing)
    listed = f"<ul>{details}</ul>" if details else ""
    return (
        f'<div class="media m-{escape(state)}">media {escape(state)}: {len(items) - len(missing)} of '
        f"{len(items)} whole{listed}</div>"
    )


def _documents(documents: list[dict[str, Any]]) -> str:
    """The page's documents under it: link text, URL, text size or why there is none, 文号, and
    the start of the text."""
    if not documents:
        return ""
    items = []
    for document in documents:
        name = f"{escape(document['name'])} " if document.get("name") else ""
        number = f" · {escape(document['doc_number'])}" if document.get("doc_number") else ""
        text = ""
        if document.get("text"):
            more = " (cut)" if document.get("text_truncated") else ""
            text = f"<details><summary>text{more}</summary><pre>{escape(document['text'])}</pre></details>"
        items.append(
            f'<li class="document">{name}<span class="url">{escape(shown(document["url"]))}</span> '
            f'<span class="doc-note">{escape(document["note"])}{number}</span>{text}</li>'
        )
    return f'<div class="documents">documents:<ul>{"".join(items)}</ul></div>'


def _gone(source: dict[str, Any]) -> str:
    """A restored source: how long it was gone, under its badge."""
    gone = source.get("gone")
    if not gone:
        return ""
    return (
        f'<div class="gone">gone for {escape(gone["gone_for"])} '
        f"({escape(gone['gone_since'][:10])} – {escape(gone['back_at'][:10])})</div>"
    )


def _quotes(source: dict[str, Any]) -> str:
    """The passages quoted for the source: status, the sentence found (or the closest), the change."""
    from pipelines.extraction.quotes import diff_text  # noqa: PLC0415

    items = []
    for check in source.get("quotes") or []:
        status = check["status"]
        was = check.get("previous_status")
        change = f" (was {escape(was)})" if was and was != status else ""
        detail = escape(check.get("sentence") or "")
        if status == "altered":
            detail = f"closest: {detail} <code>{escape(diff_text(check.get('diff') or []))}</code>"
        elif status == "missing":
            detail = f"closest: {detail}" if detail else "not in the page"
        items.append(
            f'<li class="q-{escape(status)}">「{escape(check["quote"])}」 <b>{escape(status)}</b>{change}'
            f"<div>{detail}</div></li>"
        )
    return f'<div class="quotes">quoted:<ul>{"".join(items)}</ul></div>' if items else ""


def _replay_hint(archive: str) -> str:
    """What makes the replay links work: they point at `sourcekeeper replay` on this machine."""
    return (
        f'<span class="hint">(needs <code>sourcekeeper replay --archive {escape(archive)}</code> running; '
        "or open the exported WACZ in ReplayWeb.page)</span>"
    )


def _diff_row(source: dict[str, Any], fragment: str | None) -> str:
    """Under a changed source: what changed (text and screenshots), open."""
    if not fragment:
        return ""
    summary = escape(_diff_summary(source["diff"])) if source.get("diff") else ""
    return (
        f'<tr class="diff-row" data-url="{escape(source["url"])}"><td></td><td colspan="4">'
        f"<details open><summary>what changed: {summary}</summary>{fragment}</details></td></tr>"
    )


def _diff_summary(diff: dict[str, Any]) -> str:
    text = diff["text"]
    parts = [f"{text[op]} {op}" for op in ("edited", "moved", "removed", "added") if text.get(op)]
    parts += [f"{change['name']} changed" for change in diff.get("fields") or []]
    return ", ".join(parts) or "no change in the text"


def _row(number: int, source: dict[str, Any], thumbnail: str | None = None, archive: str = "") -> str:
    state = escape(source["state"])
    good = source["last_good"]
    links = "no good capture"
    if good:
        more = " (cut)" if good["text_truncated"] else ""
        links = (
            f'<a href="{escape(good["replay"])}">replay</a> {_replay_hint(archive)} · captured '
            f"{escape(good['captured_at'][:19])}"
            f"<details><summary>text{more}</summary>"
            f"<pre>{escape(good['text'] or '(no text)')}</pre></details>"
        )
        if thumbnail:  # the rendered page's stored screenshot
            links += f'<div><img class="thumb" alt="screenshot" src="{escape(thumbnail)}"></div>'
    theirs = source.get("third_party") or []
    if theirs:  # shown apart from ours: another archive's copy is not what we saw
        items = "".join(
            f'<li class="third-party">{escape((t["memento_datetime"] or t["captured_at"])[:10])} '
            f"{escape(t['archive'] or '')}: "
            + (f'<a href="{escape(t["memento_url"])}">memento</a>' if t["memento_url"] else "imported")
            + "</li>"
            for t in theirs
        )
        links += f'<div class="third-party">third-party copies (not our captures):<ul>{items}</ul></div>'
    robust = (source.get("robust_links") or {}).get("html")
    if robust and "data-versionurl" in robust:
        links += f"<details><summary>Robust Link</summary><pre>{escape(robust)}</pre></details>"
    title = escape(source["title"] or "")
    links += _media(source.get("media") or {})
    links += _quotes(source)
    stealth = '<span class="stealth-badge">stealth edit</span>' if source.get("stealth") else ""
    links += _documents(source.get("documents") or [])
    return (
        f'<tr class="source" data-state="{state}"><td>#{number}</td>'
        f'<td><span class="badge s-{state}">{state}</span>{stealth}{_gone(source)}<div class="reason">'
        f"{escape(source['reason'] or '')}</div></td>"
        f'<td>{title}<div class="url">{escape(shown(source["url"]))}</div></td>'
        f"<td>{_cited(source)}</td><td>{links}</td></tr>"
    )


def render_report(
    data: dict[str, Any], thumbnails: dict[str, str] | None = None, diffs: dict[str, str] | None = None
) -> str:
    """The page; `diffs`: url -> the HTML fragment of a changed source's diff
    (sourcekeeper.changes.html.diff_fragment), shown under its row."""
    counts = "".join(
        f'<span class="s-{escape(state)}">{n} {escape(state)}</span>'
        for state, n in data["counts"].items()
        if n
    )
    shots = thumbnails or {}
    fragments = diffs or {}
    rows = "\n".join(
        _row(i, s, shots.get(s["url"]), data["archive"]) + _diff_row(s, fragments.get(s["url"]))
        for i, s in enumerate(data["sources"], start=1)
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hans"><head><meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>sourcekeeper report</title><style>{STYLE}{DIFF_STYLE}</style></head>\n<body>\n"
        f'<h1>Sources and their state</h1><p class="meta">{len(data["sources"])} {escape(data["basis"])} · '
        f"archive {escape(data['archive'])} · generated {escape(data['generated_at'])}</p>\n"
        f'<div class="counts">{counts}</div>\n'
        '<p class="legend">Timeline: ● capture (green good, red removed, orange blocked, grey other) · '
        "◆ re-check (its state) · | state change · □ third-party copy (another archive's, not ours). "
        "Hover for details.</p>\n"
        '<div id="chart"></div>\n'
        "<table><thead><tr><th></th><th>state</th><th>source</th><th>cited by</th><th>archived copy</th>"
        f"</tr></thead><tbody>\n{rows}\n</tbody></table>\n"
        f'<script type="application/json" id="report-data">{_json_for_script(data)}</script>\n'
        f"<script>{SCRIPT}</script>\n</body></html>\n"
    )
