"""Evidence patterns for :mod:`pipelines.extraction.classify`: WAF/anti-bot vendors, WeChat states, soft-404s.

Sources: the block and challenge pages of the WAF vendors Chinese government sites use, the
"page not found" wordings of their CMSs, and the notices WeChat shows in place of an article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Vendor:
    """One anti-bot product: all that is known of it, in one row of `VENDORS`. Every list the
    classifier (pipelines/extraction/classify.py) and the render detector
    (pipelines/extraction/render_detect.py) use is derived from these rows: a vendor is added
    here and nowhere else. Any single piece of evidence names the vendor."""

    name: str  # the state is blocked:<name>
    label: str  # how reasons name it
    # a browser passes its challenge by running the page's own script: rendered under --render auto
    js_challenge: bool = False
    # header names only it sends (lower case): evidence, and a large 2xx answer with one is judged
    # by the render detector all the same (JavaScript challenges only)
    header_names: tuple[str, ...] = ()
    headers: re.Pattern[str] | None = None  # other header evidence, on "name: value" lines, lower-cased names
    cookies: re.Pattern[str] | None = None  # matched against Set-Cookie values
    body: re.Pattern[str] | None = None  # matched against the start of the decoded body
    # bytes at least one of which every challenge page of it holds: the render detector decodes
    # and classifies a page only when it holds some marker (JavaScript challenges only)
    markers: tuple[bytes, ...] = ()
    # statuses that name it without other evidence: a JavaScript challenge's, when the page is a
    # small script page as its challenge is (no other vendor's evidence); any other's, alone
    statuses: tuple[int, ...] = ()
    # all its header evidence as one pattern on the "name: value" lines (derived)
    header_re: re.Pattern[str] | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts, flags = [], re.MULTILINE
        if self.header_names:
            parts.append("|".join(rf"^{re.escape(n.lower())}:" for n in self.header_names))
        if self.headers is not None:
            parts.append(self.headers.pattern)
            flags |= self.headers.flags
        if parts:
            object.__setattr__(self, "header_re", re.compile("|".join(f"(?:{p})" for p in parts), flags))


VENDORS: tuple[Vendor, ...] = (
    Vendor(
        "jiasule",
        "Jiasule (加速乐)",
        js_challenge=True,
        header_names=("x-via-jsl",),
        headers=re.compile(r"^server:\s*jiasule", re.MULTILINE),
        cookies=re.compile(r"__jsluid|__jsl_clearance", re.IGNORECASE),
        body=re.compile(r"__jsl_clearance|jiasule|加速乐|document\.cookie\s*=\s*\(?['\"]__jsl", re.I),
        markers=(b"document.cookie", b"__jsl"),
        # its 521 is a cookie-setting script, "neither site down nor IP blocking"
        statuses=(521,),
    ),
    Vendor(
        "huawei-waf",
        "Huawei Cloud WAF",
        headers=re.compile(r"^server:\s*(?:hwwaf|huawei)", re.MULTILINE),
        cookies=re.compile(r"HWWAFSESID|HWWAFSESTIME", re.IGNORECASE),
        body=re.compile(r"访问被拦截|hwclouds|华为云WAF|huaweicloud", re.IGNORECASE),
        statuses=(418,),  # its block status
    ),
    Vendor(
        "safedog",
        "Safedog (安全狗)",
        headers=re.compile(r"^x-powered-by:\s*waf/|safedog", re.MULTILINE),
        cookies=re.compile(r"safedog", re.IGNORECASE),
        body=re.compile(r"安全狗|safedog|网站防火墙.{0,20}拦截", re.IGNORECASE),
    ),
    Vendor(
        "chuangyudun",
        "Knownsec 创宇盾 / 创宇云防御",
        headers=re.compile(r"^x-cache-lookup:.*yunaq|yunaq|^server:\s*(?:knownsec|yundun)", re.M),
        body=re.compile(r"创宇盾|创宇云防御|知道创宇|yunaq\.com|knownsec", re.IGNORECASE),
    ),
    Vendor(
        "yunsuo",
        "Yunsuo (云锁)",
        js_challenge=True,
        cookies=re.compile(r"security_session_verify|yunsuo_session", re.IGNORECASE),
        body=re.compile(r"云锁|yunsuo|security_verify_data", re.IGNORECASE),
        markers=(b"security_verify",),
    ),
    Vendor(
        "wzws",
        "360 WZWS (网站卫士)",
        js_challenge=True,
        header_names=("wzws-ray",),
        cookies=re.compile(r"wzws_cid|wzws_reurl|wzwstemplate|wzwschallenge|wzwsconfirm", re.IGNORECASE),
        body=re.compile(r"wzwschallenge|/WZWSRE|请开启JavaScript并刷新该页"),
        markers=(b"wzws",),  # wzwschallenge, /WZWSRE…
    ),
    Vendor(
        "aliyun",
        "Aliyun WAF (acw_sc__v2)",
        js_challenge=True,
        # acw_tc alone is set on ordinary pages behind Aliyun too: only the challenge's own marks
        cookies=re.compile(r"acw_sc__v2", re.IGNORECASE),
        body=re.compile(r"acw_sc__v2|\bvar\s+arg1\s*=\s*['\"][0-9A-F]{20,}"),
        markers=(b"document.cookie", b"arg1"),
    ),
    Vendor(
        "ruishu",
        "Ruishu (瑞数)",
        js_challenge=True,
        # Ruishu challenge pages: a meta tag with a long random id, an inline $_ts object, and a
        # script whose file name is random with the ``r='m'`` attribute.
        body=re.compile(r"\$_ts\s*=|_\$[a-zA-Z]{2}\s*=|<meta[^>]+r=['\"]m['\"]|\br=['\"]m['\"]"),
        markers=(b"$_ts",),
        statuses=(412, 202),
    ),
)

# Markers of a WeChat page that is not (or no longer) an article, by state.
WECHAT_STATES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("removed:wechat-expired", re.compile(r"链接已过期")),
    (
        "removed:wechat-violation",
        re.compile(r"违反.{0,30}(?:规定|规范|协议)|因违规无法查看|涉嫌违规|接相关投诉|被投诉"),
    ),
    (
        "removed:wechat-deleted",
        re.compile(r"已被发布者删除|已被发送人删除|该内容已被删除|此内容发送失败|根据作者隐私设置"),
    ),
    (
        "removed:wechat-account-closed",
        re.compile(r"帐号已注销|账号已注销|已被封禁|帐号已迁移|账号已迁移"),
    ),
    (
        "blocked:wechat-verify",
        re.compile(r"环境异常|完成验证后即可继续访问|去验证|请输入验证码|需要您协助验证|访问过于频繁"),
    ),
)
WECHAT_ERROR_PAGE_RE = re.compile(
    r"weui-msg__title|global_error_msg|icon_msg\s+warn|weui-icon-warn|weui-icon_msg"
)

SOFT_404_RE = re.compile(
    r"(?:您|你)?(?:所)?(?:访问|请求|查看|浏览)?的?(?:页面|网页|文章|信息|内容|资源|栏目|文件)"
    r"(?:已被?删除|已下线|已撤销|已过期|不存在|找不到|未找到|无法找到|暂时无法访问)"
    r"|(?:未找到|找不到|无法找到)(?:该|此|相关|您要的)?(?:页面|网页|文章|信息|内容|资源)"
    r"|\b404\s*(?:not\s*found|错误|页面)|page\s+not\s+found|not\s+found|信息已撤稿|稿件已撤"
    r"|(?:错误|出错)(?:页面|提示)|网站维护中",
    re.IGNORECASE,
)
CHALLENGE_SCRIPT_RE = re.compile(
    r"document\.cookie\s*=|location\.(?:href|replace|reload)|setTimeout\s*\(|eval\s*\(",
    re.IGNORECASE,
)

# The generic shape of a JavaScript challenge (issue 14): a script that sets a cookie, and one that
# reloads or navigates (a small page with no article text around it, whatever the status).
SETS_COOKIE_RE = re.compile(r"document\.cookie\s*=")
NAVIGATES_RE = re.compile(
    r"location\.(?:reload|replace|assign)\s*\(|(?:window\.|document\.|self\.|top\.)?location"
    r"(?:\.href)?\s*=[^=]|http-equiv=['\"]?refresh",
    re.IGNORECASE,
)
