"""Reports in the four formats `archive --from-report` reads, built at test time.

Each cites the same sources in its own way (footnotes, "来源" links, anchors, bare URLs, PDF link
annotations, DOCX hyperlink relations and footnotes). `cited(base)` lists the URLs every report cites.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

TRACKED = "/news/202401/t20240101_1.html?utm_source=twitter&spm=a2c4"


def paths() -> dict[str, str]:
    from takedown_site import WECHAT, p

    return {"tracked": TRACKED, "removed": p(4), "soft404": p(6), "blocked": p(9), "wechat": WECHAT}


def cited(base: str) -> list[str]:
    return [base + path for path in paths().values()]


def html_report(base: str) -> bytes:
    u = {k: base + v.replace("&", "&amp;") for k, v in paths().items()}
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>海外劝返调查报告</title></head>
<body><nav><a href="{base}/">站点首页</a></nav>
<h1>海外劝返调查报告</h1>
<p>某县公安局发布通知<sup><a href="#fn1" id="r1">1</a></sup>，随后删除（来源：
<a href="{u["removed"]}">县公安局通知</a>）。</p>
<p>微信公众号文章见 {base + paths()["wechat"]} 。另见<a href="{u["soft404"]}">Source</a>.</p>
<p>被拦截的页面 <a href="{u["blocked"]}#section-2">瑞数保护的通知</a></p>
<section class="footnotes"><ol>
<li id="fn1"><a href="{u["tracked"]}">关于做好劝返工作的通知</a>，2024年1月1日。</li></ol></section>
</body></html>""".encode()


def markdown_report(base: str) -> bytes:
    u = {k: base + v for k, v in paths().items()}
    return f"""# 海外劝返调查报告

某县公安局发布通知[^1]，随后删除（来源：[县公安局通知]({u["removed"]})）。
微信公众号文章见 {u["wechat"]} 。另见 [Source]({u["soft404"]}).

被拦截的页面 <{u["blocked"]}>

[^1]: 关于做好劝返工作的通知，{u["tracked"]}
""".encode()


def pdf_report(base: str) -> bytes:
    """A one-page PDF written by hand: two link annotations over text, two URLs in the text."""
    u = {k: base + v for k, v in paths().items()}
    lines = [
        (72, 720, "Overseas persuade-to-return report"),
        (72, 690, "County notice (removed)"),
        (72, 660, "Soft 404 notice"),
        (72, 630, f"See {u['blocked']}"),
        (72, 600, f"1 WeChat article {u['wechat']}"),
        (72, 570, f"2 Tracked link {u['tracked']}"),
    ]
    escape = lambda t: t.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")  # noqa: E731
    stream = "".join(f"BT /F1 10 Tf {x} {y} Td ({escape(t)}) Tj ET\n" for x, y, t in lines).encode()
    links = [(u["removed"], (70, 686, 200, 702)), (u["soft404"], (70, 656, 160, 672))]
    annots = [
        f"<< /Type /Annot /Subtype /Link /Rect [{' '.join(map(str, r))}] /Border [0 0 0] "
        f"/A << /S /URI /URI ({escape(url)}) >> >>".encode()
        for url, r in links
    ]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R 7 0 R] >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *annots,
        b"<< /Title (Overseas persuade-to-return report) >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (len(objects) + 1, len(objects)))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def docx_report(base: str, *, entity_attack: Path | None = None) -> bytes:
    """python-docx document with a hyperlink, a HYPERLINK field, a bare URL and a footnote whose
    hyperlink is a relation of the footnotes part. `entity_attack`: a DOCTYPE whose external entity
    names that file, used in the text (it must never be read)."""
    import docx
    from docx.oxml import parse_xml

    u = {k: base + v for k, v in paths().items()}
    document = docx.Document()
    document.core_properties.title = "海外劝返调查报告"
    document.add_heading("海外劝返调查报告", 1)
    paragraph = document.add_paragraph("某县公安局发布通知，随后删除（来源：")
    rid = document.part.relate_to(u["removed"], HYPERLINK, is_external=True)
    link = parse_xml(
        f'<w:hyperlink xmlns:w="{W}" xmlns:r="{R}" r:id="{rid}">'
        "<w:r><w:t>县公安局通知</w:t></w:r></w:hyperlink>"
    )
    paragraph._p.append(link)
    paragraph.add_run("）。")
    document.add_paragraph(f"微信公众号文章见 {u['wechat']} 。")
    field = document.add_paragraph()
    field._p.append(
        parse_xml(
            f'<w:r xmlns:w="{W}"><w:instrText xml:space="preserve"> HYPERLINK "{u["soft404"]}" '
            "</w:instrText></w:r>"
        )
    )
    field.add_run("Source")
    document.add_paragraph(f"被拦截的页面：{u['blocked']}")
    buffer = io.BytesIO()
    document.save(buffer)
    return _add_footnote(buffer.getvalue(), u["tracked"], entity_attack)


def _add_footnote(data: bytes, url: str, entity_attack: Path | None) -> bytes:
    """Add word/footnotes.xml with footnote 1 holding a hyperlink (relation of that part)."""
    doctype = ""
    extra = ""
    if entity_attack is not None:
        doctype = f'<!DOCTYPE w:footnotes [<!ENTITY leak SYSTEM "file://{entity_attack}">]>'
        extra = "<w:p><w:r><w:t>&leak;</w:t></w:r></w:p>"
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
        f'<w:footnotes xmlns:w="{W}" xmlns:r="{R}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">关于做好劝返工作的通知，</w:t></w:r>'
        '<w:hyperlink r:id="rIdF1"><w:r><w:t>县公安局网站</w:t></w:r></w:hyperlink></w:p>'
        f"{extra}</w:footnote></w:footnotes>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rIdF1" Type="{HYPERLINK}" '
        f'Target="{url.replace("&", "&amp;")}" TargetMode="External"/>'
        "</Relationships>"
    )
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                body = body.replace(
                    b"</Types>",
                    b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
                )
            elif item.filename == "word/_rels/document.xml.rels":
                body = body.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdFootnotes" Type="{FOOTNOTES_REL}" Target="footnotes.xml"/>'
                    "</Relationships>".encode(),
                )
            target.writestr(item, body)
        target.writestr("word/footnotes.xml", footnotes)
        target.writestr("word/_rels/footnotes.xml.rels", rels)
    return out.getvalue()


BUILDERS = {"html": html_report, "md": markdown_report, "pdf": pdf_report, "docx": docx_report}
