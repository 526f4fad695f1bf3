"""Verification / CAPTCHA / rate-limit / JS-check pages written from the vendors' described patterns.

No real capture of these pages is kept in the repository: each page here is *written* from the
public descriptions of each vendor's page — the phrases, widget names, cookie
scripts each vendor is known to use — with its expected state known by construction. Used by the
tests and by the generated development set of ``make eval`` (:mod:`bench.eval.devset`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BlockPage:
    name: str
    html: str
    state: str  # the expected classification


def _page(title: str, body: str, head: str = "") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body>{body}</body></html>"
    )


def block_pages() -> list[BlockPage]:
    """One page per vendor pattern and kind."""
    return [
        BlockPage(
            "sogou-rate-limit",
            _page(
                "搜狗搜索",
                '<div class="content-box"><p class="p1">'
                "用户您好，我们的系统检测到您网络中存在异常访问请求。</p>"
                '<p class="p2">您的访问过于频繁，此验证码用于确认这些请求是您的正常行为而不是自动程序发出的，'
                "需要您协助验证。</p>"
                '<form name="authform" method="POST" action="/antispider/thank.php">'
                '<img id="seccodeImage" src="/antispider/util/seccode.php?tc=1">'
                '<input type="text" name="c" id="seccodeInput" maxlength="6"><a href="#">换一张</a>'
                '<input type="submit" value="提交"></form></div>',
            ),
            "blocked:rate-limit",
        ),
        BlockPage(
            "tencent-slider",
            _page(
                "安全验证",
                '<div id="tcaptcha_container"><p>为保障您的账号安全，请完成下方验证</p>'
                '<div class="tc-slider-normal">拖动下方滑块完成拼图</div></div>',
                '<script src="https://turing.captcha.qcloud.com/TCaptcha.js"></script>',
            ),
            "blocked:captcha",
        ),
        BlockPage(
            "baidu-security",
            _page(
                "百度安全验证",
                '<div class="timeout"><p class="timeout-title">网络不给力，请稍后重试</p>'
                '<a class="timeout-button" href="#">返回首页</a></div>'
                '<div class="passMod_slide"><p>请完成下方验证后继续操作</p></div>',
                '<script src="https://wappass.baidu.com/static/machine/js/api/mkd.js"></script>',
            ),
            "blocked:verification",
        ),
        BlockPage(
            "aliyun-arg1",
            _page(
                "",
                "",
                "<script>var arg1='3D1A0C6E9F2B7B8E4D5C6A7B8C9D0E1F2A3B4C5D';"
                "setTimeout(function(){document.cookie='acw_sc__v2='+x(arg1);"
                "location.reload();},10);</script>",
            ),
            "blocked:aliyun",  # a JS challenge of a known vendor: its name (issue 14 renders it),
        ),
        BlockPage(
            "aliyun-slider",
            _page(
                "滑动验证页面",
                '<div id="nc_1_wrapper" class="nc_wrapper"><span>请按住滑块，拖动到最右边</span></div>'
                "<p>抱歉，当前访问异常，请完成验证后继续访问。</p>",
                '<script src="//g.alicdn.com/sd/nch5/index.js"></script><script>var nc_token="x";</script>',
            ),
            "blocked:captcha",
        ),
        BlockPage(
            "360-wzws",
            _page(
                "",
                "<noscript>x</noscript><p>请开启JavaScript并刷新该页.</p>",
                '<script>var wzwschallenge="ABC";location.href="/WZWSREL" + btoa(location.pathname)'
                ' + "?wzwschallenge=" + wzwschallenge;</script>',
            ),
            "blocked:wzws",
        ),
        BlockPage(
            "generic-enable-js",
            _page("提示", "<p>您的浏览器未开启JavaScript，请开启JavaScript后刷新页面访问本站。</p>"),
            "blocked:waf-js",
        ),
        BlockPage(
            "generic-captcha-form",
            _page(
                "访问验证",
                '<form action="/verify" method="post"><p>请输入图中的验证码以继续访问</p>'
                '<img src="/servlet/validateCodeServlet?t=1" alt="验证码"><input name="checkCode">'
                '<button type="submit">确定</button></form>',
            ),
            "blocked:captcha",
        ),
        BlockPage(
            "generic-too-frequent",
            _page("访问受限", "<h2>访问过于频繁</h2><p>您的IP访问频率过高，请稍后再试。</p>"),
            "blocked:rate-limit",
        ),
        BlockPage(
            "cdn-browser-check",
            _page(
                "Just a moment...",
                "<h1>Checking your browser before accessing the site.</h1>"
                "<p>This process is automatic. Your browser will redirect shortly.</p>",
                "<script>window._cf_chl_opt={cvId:'2'};setTimeout(function(){location.reload()},4000)</script>",
            ),
            "blocked:waf-js",
        ),
        BlockPage(
            "environment-abnormal",
            _page(
                "安全验证",
                "<div><p>当前网络环境异常，完成验证后即可继续访问。</p><a href='/verify'>去验证</a></div>",
            ),
            "blocked:verification",
        ),
    ]


def article_controls() -> list[BlockPage]:
    """Real-looking articles that *talk about* verification codes: they must stay ``ok``."""
    paragraph = (
        "近期，我县接到多起冒充客服诈骗的报警。骗子以退款为由，诱导群众提供手机验证码，"
        "随后盗刷银行卡。警方提醒：验证码是保护账户安全的最后一道防线，任何人索要验证码都是诈骗。"
        "如遇可疑情况，请及时拨打110报警，或到就近派出所咨询。"
    )
    body = "".join(f"<p>{paragraph}</p>" for _ in range(4))
    return [
        BlockPage(
            "article-about-captcha-fraud",
            _page("警惕！索要验证码的都是骗子_示例县公安局", f"<h1>警惕！索要验证码的都是骗子</h1>{body}"),
            "ok",
        ),
        BlockPage(
            "short-notice-with-form",
            _page(
                "关于调整办事大厅工作时间的通知",
                "<h1>关于调整办事大厅工作时间的通知</h1><p>自2024年7月1日起，办事大厅工作时间调整为"
                "每周一至周五上午9:00至下午5:00，节假日休息。特此通知。</p>"
                '<form action="/search"><input name="q"><button>搜索</button></form>',
            ),
            "ok",
        ),
    ]
