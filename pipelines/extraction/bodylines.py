"""Which lines at the edges of a body are article text that trimming must keep.

The edge trimmer (``pipelines.extraction.extract._trim_edges``) strips title and byline lines from the start
and end of a body. A byline was "a short line with a year or a 来源/发布 label", which also
describes the lead paragraph of most notices ("2024年上半年，县局在……取得新进展。") — so the
first paragraph was dropped, on the demo site as on real pages. A sentence is never a byline.

Official documents carry lines that are short, unpunctuated and dated, yet legally part of the
text: the document number (文号, 青公通〔2020〕12号), the adoption/issue note
(（2020年3月5日……会议通过）), the addressees (主送: "各乡镇人民政府，县直各单位："), the
attachment list (附件：), the signatory (落款) and the signing date at the end.
"""

from __future__ import annotations

import re

# A line that is a sentence: a full stop, or a long clause-and-comma line. Headlines may end in
# ？ or ！ and hold a comma, but are short and have no 。.
_SENTENCE_RE = re.compile(r"[。]|^(?=.{20,}).*[，,].*[！？!?；;]$|^(?=.{40,}).*[，,]")
_DOC_NUMBER_RE = re.compile(r"^\S{1,12}[〔\[［【(（](?:19|20)\d{2}[〕\]］】)）]\s*\d{1,5}\s*号$")
_ADOPTION_RE = re.compile(
    r"^[（(].{0,60}?(?:19|20|[〇○一二])\S{0,40}?(?:通过|发布|公布|印发|施行|修订|修正)[^)）]{0,30}[)）]$"
)
# 主送: "各乡镇人民政府，县直各单位：" — several addressees, or one ending in an office's name
_ADDRESSEE_RE = re.compile(
    r"^(?:各[^。！？]{1,118}|[^。！？]{1,118}[，、][^。！？]{1,118}"
    r"|[^。！？]{1,60}(?:政府|单位|部门|局|委员会|厅|办公室|派出所|院|公司|处|科室|街道|乡镇))[：:]$"
)
_ATTACHMENT_RE = re.compile(r"^附\s*件\s*\d*\s*[：:.．]?")
_SIGNING_DATE_RE = re.compile(
    r"^(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|[〇○零Ｏ一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月\s*[一二三四五六七八九十]{1,3}\s*日)$"
)
_LABEL_RE = re.compile(r"来源|作者|记者|编辑|发布|时间|日期|浏览|点击|阅读|字号")
_ISSUER_MAX_CHARS = 30


def is_sentence(line: str) -> bool:
    """Prose: a sentence, not a label line (bylines have no sentence punctuation)."""
    return _SENTENCE_RE.search(line) is not None and _LABEL_RE.search(line[:6]) is None


def is_legal_head(line: str) -> bool:
    """文号, adoption note, 主送 or attachment line: kept at the start of a body."""
    compact = line.replace(" ", "")
    if _LABEL_RE.search(compact[:6]):
        return False
    return bool(
        _DOC_NUMBER_RE.match(compact)
        or _ADOPTION_RE.match(compact)
        or _ATTACHMENT_RE.match(compact)
        or (_ADDRESSEE_RE.match(compact) and not _LABEL_RE.search(compact))
    )


def is_signing_date(line: str) -> bool:
    """A bare 年月日 date on its own line: the date under a document's signature."""
    return _SIGNING_DATE_RE.match(line.replace(" ", "")) is not None


def keep_at_start(line: str) -> bool:
    return is_sentence(line) or is_legal_head(line)


def keep_at_end(lines: list[str]) -> int:
    """How many of the last lines form a signature block (落款 + signing date) to keep."""
    if not lines or not is_signing_date(lines[-1]):
        return 1 if lines and (is_sentence(lines[-1]) or _ATTACHMENT_RE.match(lines[-1])) else 0
    kept = 1
    # the issuing body (one or two short name lines, no label) right above the date
    while kept < min(3, len(lines)):
        above = lines[-1 - kept]
        if len(above) > _ISSUER_MAX_CHARS or _LABEL_RE.search(above) or is_signing_date(above):
            break
        kept += 1
    return kept


_LEGAL_TAIL_MAX = 6


def extend_run(block_lines: list[str], run: list[str]) -> list[str]:
    """``run`` (a slice of ``block_lines`` chosen by density) widened to the document lines around
    it: 文号 / adoption note / 主送 just above, attachment list and 落款 + signing date just below.
    Density scoring ranks these short, unpunctuated lines as noise, yet they are the document's."""
    if not run:
        return run
    try:
        start = block_lines.index(run[0])
    except ValueError:
        return run
    end = start + len(run)
    if block_lines[start:end] != run:
        return run
    while start > 0 and len(run) - (end - start) < 4 and is_legal_head(block_lines[start - 1]):
        start -= 1
        run = [block_lines[start], *run]
    after = block_lines[end : end + _LEGAL_TAIL_MAX]
    signed = next((i for i, line in enumerate(after) if is_signing_date(line)), None)
    if signed is not None and all(
        len(line) <= _ISSUER_MAX_CHARS and not _LABEL_RE.search(line) for line in after[:signed]
    ):
        return run + after[: signed + 1]
    attachments = 0
    while attachments < len(after) and _ATTACHMENT_RE.match(after[attachments].replace(" ", "")):
        attachments += 1
    return run + after[:attachments]
