"""Evidence patterns for :mod:`pipelines.extraction.classify`: WAF/anti-bot vendors, WeChat states, soft-404s.

Sources: the block and challenge pages of the WAF vendors Chinese government sites use, the
"page not found" wordings of their CMSs, and the notices WeChat shows in place of an article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Vendor:
    """How one anti-bot product shows itself. Any single piece of evidence names the vendor."""

    name: str
    label: str
    headers: re.Pattern[str] | None = None  # matched against "name: value" lines, lower-cased
    cookies: re.Pattern[str] | None = None  # matched against Set-Cookie values
    body: re.Pattern[str] | None = None  # matched against the start of the decoded body


VENDORS: tuple[Vendor, ...] = (
    Vendor(
        "jiasule",
        "Jiasule (加速乐)",
        headers=re.compile(r"^x-via-jsl:|^server:\s*jiasule", re.MULTILINE),
        cookies=re.compile(r"__jsluid|__jsl_clearance", re.IGNORECASE),
        body=re.compile(r"__jsl_clearance|jiasule|加速乐|document\.cookie\s*=\s*\(?['\"]__jsl", re.I),
    ),
    Vendor(
        "huawei-waf",
        "Huawei Cloud WAF",
        headers=re.compile(r"^server:\s*(?:hwwaf|huawei)", re.MULTILINE),
        cookies=re.compile(r"HWWAFSESID|HWWAFSESTIME", re.IGNORECASE),
        body=re.compile(r"访问被拦截|hwclouds|华为云WAF|huaweicloud", re.IGNORECASE),
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
        cookies=re.compile(r"security_session_verify|yunsuo_session", re.IGNORECASE),
        body=re.compile(r"云锁|yunsuo|security_verify_data", re.IGNORECASE),
    ),
    Vendor(
        "ruishu",
        "Ruishu (瑞数)",
        # Ruishu challenge pages: a meta tag with a long random id, an inline $_ts object, and a
        # script whose file name is random with the ``r='m'`` attribute.
        body=re.compile(r"\$_ts\s*=|_\$[a-zA-Z]{2}\s*=|<meta[^>]+r=['\"]m['\"]|\br=['\"]m['\"]"),
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
