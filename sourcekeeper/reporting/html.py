"""The self-contained HTML page of `report --html`: inline CSS, data and script, no network.

Per source: its current state, who cites it, a link to replay and the extracted text (embedded).
An inline script draws the timeline (captures as dots, re-checks as diamonds, one row per source)
into an SVG; when it is done it sets <body data-chart="drawn"> (the browser test waits for it).
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from sourcekeeper.urltext import shown

STYLE = """
img.thumb{width:160px;max-height:240px;object-fit:cover;object-position:top;border:1px solid #ccc}
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
.legend{font-size:12px;color:#555}
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
  var rows = data.sources, rowH = 26, left = 40, right = 20, top = 30;
  var chart = document.getElementById('chart');
  var width = Math.max(600, chart.clientWidth || 900);
  var times = [];
  rows.forEach(function (s) {
    s.timeline.forEach(function (p) { times.push(Date.parse(p.t)); });
  });
  var t0 = times.length ? Math.min.apply(null, times) : 0;
  var t1 = times.length ? Math.max.apply(null, times) : 1;
  if (t1 <= t0) { t1 = t0 + 1; }
  function x(t) { return left + (Date.parse(t) - t0) / (t1 - t0) * (width - left - right); }
  function stamp(t) { return new Date(t).toISOString().slice(0, 16).replace('T', ' '); }
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
  add('text', {x: left, y: 16, 'font-size': 11, fill: '#555'}).textContent = stamp(t0);
  var end = add('text', {x: width - right, y: 16, 'font-size': 11, fill: '#555'});
  end.setAttribute('text-anchor', 'end');
  end.textContent = stamp(t1);
  rows.forEach(function (s, i) {
    var y = top + i * rowH + rowH / 2;
    var row = add('g', {'class': 'row', 'data-url': s.url});
    add('line', {x1: left, x2: width - right, y1: y, y2: y, stroke: '#eee'}, row);
    add('text', {x: 4, y: y + 4, 'font-size': 11, fill: '#555'}, row).textContent = '#' + (i + 1);
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


def _row(number: int, source: dict[str, Any], thumbnail: str | None = None) -> str:
    state = escape(source["state"])
    good = source["last_good"]
    links = "no good capture"
    if good:
        more = " (cut)" if good["text_truncated"] else ""
        links = (
            f'<a href="{escape(good["replay"])}">replay</a> · captured {escape(good["captured_at"][:19])}'
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
    links += _documents(source.get("documents") or [])
    return (
        f'<tr class="source" data-state="{state}"><td>#{number}</td>'
        f'<td><span class="badge s-{state}">{state}</span>{_gone(source)}<div class="reason">'
        f"{escape(source['reason'] or '')}</div></td>"
        f'<td>{title}<div class="url">{escape(shown(source["url"]))}</div></td>'
        f"<td>{_cited(source)}</td><td>{links}</td></tr>"
    )


def render_report(data: dict[str, Any], thumbnails: dict[str, str] | None = None) -> str:
    counts = "".join(
        f'<span class="s-{escape(state)}">{n} {escape(state)}</span>'
        for state, n in data["counts"].items()
        if n
    )
    shots = thumbnails or {}
    rows = "\n".join(_row(i, s, shots.get(s["url"])) for i, s in enumerate(data["sources"], start=1))
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hans"><head><meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>sourcekeeper report</title><style>{STYLE}</style></head>\n<body>\n"
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
