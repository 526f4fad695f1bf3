"""Verification, CAPTCHA, rate-limit and JS-check pages served with HTTP 200: ``blocked:<kind>``.

A search engine's "访问过于频繁" page (a captcha field and a submit button) and a WAF page asking
to enable JavaScript were stored as articles, state ``ok``. They are recognised here by generic
evidence first — a short text dominated by verification vocabulary, a form with a captcha image,
input or slider, a title such as 安全验证 / 访问验证 / 验证码 — and by vendor markers
(Sogou, Tencent, Baidu, Aliyun, 360 网站卫士, CDN challenge pages) as further evidence.

Kinds (the ``blocked:`` states this module adds): ``blocked:rate-limit`` (too-frequent-access
notice), ``blocked:captcha`` (an image/slider/text CAPTCHA to solve), ``blocked:waf-js`` (a page
that only asks for JavaScript or computes a cookie), ``blocked:verification`` (any other
"verify you are human / environment abnormal" stop). The vendor, when named, is in the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Pages longer than this are articles that may *mention* verification; never judged here.
_MAX_VISIBLE = 600
_TITLE_RE = re.compile(
    r"安全验证|访问验证|人机验证|身份验证|验证码|滑动验证|安全检查|访问受限|访问异常|访问被拒绝|"
    r"请求过于频繁|访问过于频繁|环境异常|captcha|security\s+check|just\s+a\s+moment|attention\s+required|"
    r"verify|verification",
    re.IGNORECASE,
)
_VOCAB_RE = re.compile(
    r"验证码|安全验证|访问验证|人机验证|完成验证|进行验证|点击验证|去验证|验证|过于频繁|访问频率|频繁访问|"
    r"请求频率|异常访问|访问异常|环境异常|网络环境|请输入|看不清|换一张|拖动|滑块|向右滑动|拼图|"
    r"正常行为|机器人|自动程序|爬虫|安全检查|稍后再试|请稍后|开启javascript|启用javascript|"
    r"打开javascript|支持javascript|javascript|刷新|captcha|verify|robot|too\s*many\s*requests|"
    r"enable\s*javascript|checking\s*your\s*browser",
    re.IGNORECASE,
)
_RATE_RE = re.compile(
    r"访问过于频繁|请求过于频繁|访问频率过|操作过于频繁|访问太频繁|频繁访问|访问次数过多|too\s*many\s*requests",
    re.IGNORECASE,
)
_JS_RE = re.compile(
    r"(?:请|需要)?(?:开启|启用|打开|支持|允许)\s*javascript|enable\s*javascript|javascript\s*(?:is\s*)?"
    r"(?:disabled|required)|checking\s*your\s*browser",
    re.IGNORECASE,
)
# Widgets: an image or input named like a captcha, a slider from the usual libraries.
_CAPTCHA_WIDGET_RE = re.compile(
    r"<(?:img|input)\b[^>]{0,400}?(?:captcha|vcode|verifycode|verify_code|checkcode|check_code|"
    r"seccode|authcode|yzm|validatecode|validcode|imgcode)"
    r"|(?:class|id)\s*=\s*[\"'][^\"']{0,80}(?:slider|slide-verify|nc_wrapper|nc-container|"
    r"geetest|tcaptcha|yidun|captcha)",
    re.IGNORECASE,
)
_FORM_RE = re.compile(r"<form\b", re.IGNORECASE)
_COOKIE_SCRIPT_RE = re.compile(
    r"document\.cookie\s*=|location\.(?:href|replace|reload)|window\.location\s*=", re.IGNORECASE
)


@dataclass(frozen=True)
class _VendorMark:
    name: str
    pattern: re.Pattern[str]


# Body markers of verification pages, from public descriptions of each vendor's page
# (the project's notes on Chinese sources). Any one names the vendor; a short page is still required.
VENDOR_MARKS: tuple[_VendorMark, ...] = (
    _VendorMark(
        "sogou", re.compile(r"antispider|seccodeImage|此验证码用于确认这些请求|sogou\.com/antispider", re.I)
    ),
    _VendorMark("tencent", re.compile(r"TCaptcha|captcha\.qq\.com|turing\.captcha|tcaptcha", re.I)),
    _VendorMark(
        "baidu", re.compile(r"百度安全验证|wappass\.baidu\.com|passport\.baidu\.com/[^\"']*captcha", re.I)
    ),
    _VendorMark(
        "aliyun",
        re.compile(
            r"acw_sc__v2|var\s+arg1\s*=|_____tmd_____|nc_token|aliyun.{0,40}(?:captcha|waf)|punish\?", re.I
        ),
    ),
    _VendorMark("360-wzws", re.compile(r"wzwschallenge|wzws_cid|WZWSREL|网站卫士", re.I)),
    _VendorMark(
        "cdn",
        re.compile(r"cf-chl|cf_chl_opt|challenge-platform|__cf_chl|ddos-guard|Checking your browser", re.I),
    ),
)


@dataclass(frozen=True)
class Verdict:
    state: str
    reason: str


def _vocab_share(visible: str) -> float:
    """Share of the visible text taken by verification vocabulary."""
    if not visible:
        return 0.0
    hits = sum(len(m.group(0)) for m in _VOCAB_RE.finditer(visible))
    return hits / len(visible)


def verification_state(title: str, visible: str, raw: str) -> Verdict | None:
    """``blocked:<kind>`` for a short verification page; None for anything else.

    ``title`` is the page title, ``visible`` its visible text without whitespace, ``raw`` the
    start of the decoded markup (scripts included).
    """
    if len(visible) >= _MAX_VISIBLE:
        return None
    vendor = next((mark.name for mark in VENDOR_MARKS if mark.pattern.search(raw)), None)
    widget = _CAPTCHA_WIDGET_RE.search(raw) is not None
    title_hit = _TITLE_RE.search(title or "")
    share = _vocab_share(visible)
    js_only = _JS_RE.search(visible) is not None
    evidence: list[str] = []
    if title_hit:
        evidence.append(f"title “{title_hit.group(0)}”")
    if widget and (_FORM_RE.search(raw) or share > 0):
        evidence.append("a captcha image/input/slider")
    if share >= 0.12 or (share > 0 and len(visible) < 80):
        evidence.append(f"verification vocabulary {share:.0%} of {len(visible)} visible chars")
    if js_only and (len(visible) < 200 or _COOKIE_SCRIPT_RE.search(raw)):
        evidence.append("asks to enable JavaScript")
    if vendor is not None and (evidence or _COOKIE_SCRIPT_RE.search(raw) or len(visible) < 200):
        evidence.append(f"{vendor} verification markers")
    # two independent signs, or vocabulary filling the page, or a vendor's cookie-setting script
    vendor_script = vendor is not None and _COOKIE_SCRIPT_RE.search(raw) is not None
    if not evidence or not (len(evidence) >= 2 or share >= 0.3 or vendor_script):
        return None
    reason = "verification page: " + ", ".join(evidence)
    if _RATE_RE.search(visible):
        return Verdict("blocked:rate-limit", reason)
    if widget:
        return Verdict("blocked:captcha", reason)
    if js_only or (vendor in {"aliyun", "360-wzws", "cdn"} and _COOKIE_SCRIPT_RE.search(raw)):
        return Verdict("blocked:waf-js", reason)
    return Verdict("blocked:verification", reason)
