"""A county notice with a 信息公开 box and a PDF attachment, for the documents tests.

Loaded by the raw test server as `tests/govdoc_site.py:ROUTES`."""

from __future__ import annotations

from sourcekeeper.demo.rawsite import page

NOTICE_PATH = "/xxgk/tzgg/202003/t20200306_1.html"
PDF_PATH = "/xxgk/tzgg/202003/P020200306_fangan.pdf"
PDF_NAME = "附件1：在外人员劝返工作方案.pdf"
DOC_NUMBER = "青公通〔2020〕12号"
NOTICE = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>关于做好在外人员劝返工作的通知_示例县公安局</title></head><body>
<div class="crumb">首页 &gt; 信息公开 &gt; 通知公告</div>
<table class="xxgk">
<tr><td>索 引 号：</td><td>11220000/2020-00012</td><td>主题分类：</td><td>公安、安全、司法</td></tr>
<tr><td>发布机构：</td><td>示例县公安局</td><td>成文日期：</td><td>2020年03月05日</td></tr>
<tr><td>文　　号：</td><td>{DOC_NUMBER}</td><td>发布日期：</td><td>2020年03月06日</td></tr>
</table>
<div class="article"><h1>关于做好在外人员劝返工作的通知</h1>
<div class="TRS_Editor"><p>各派出所：</p>
<p>为切实做好本县在外人员劝返工作，现将《在外人员劝返工作方案》印发给你们，请结合实际认真贯彻落实。</p>
<p>各单位要高度重视，加强组织领导，落实工作责任，确保各项工作取得实效。</p>
<p>附件：<a href="./P020200306_fangan.pdf" download="{PDF_NAME}">{PDF_NAME}</a></p>
<p>示例县公安局</p><p>2020年3月5日</p></div></div></body></html>"""
# a PDF's bytes (the tests save its text through the index, as the document reader does)
PDF = (
    b"%PDF-1.4\n% govdoc test attachment\n1 0 obj << /Type /Catalog >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
# the attachment's text, with a phrase found nowhere else
PDF_TEXT = f"""示例县公安局文件
{DOC_NUMBER}
在外人员劝返工作方案
一、工作目标。对长期滞留海外的人员开展联络工作，做好亲属走访登记。
二、工作措施。建立海外联络台账，逐人明确责任民警。
示例县公安局
2020年3月5日"""

ROUTES = {
    NOTICE_PATH: lambda req, site: page(NOTICE.encode("utf-8")),
    PDF_PATH: lambda req, site: page(PDF, content_type=b"application/pdf"),
}
