"""Headlines of the cwced pages (../shared/corpus/cwced, MIT licence: cwced/LICENSE), read by hand.

That dataset gives no titles. Each value below is the article's headline as a reader sees it on the
page (the heading above the hand-cleaned body), typed from the page, never from any extractor's
output. Pages whose headline a reader cannot tell (a column index, a page of several posts, an
error page, a bare "显示" document viewer) have no entry and are not scored for the title.
Keys are the first 8 characters of the page's file name.
"""

from __future__ import annotations

TITLES: dict[str, str] = {
    "064b591b": "13岁女孩辍学后生下女婴(附图)",
    "0d931936": "四年前中500万现穷困潦倒 一夜暴富后如何经营",
    "0ef8393b": "马克龙星期一在莫斯科与普京会面",
    "2397c95d": "淘宝网物流配送存在的问题及对策研究",
    "274a65d9": "拿起跨界“指挥棒”她跟学生“较着劲儿”成长",
    "2bac7fb2": "多数夫妻生活有名无实 日本无性婚姻问题严重(图)",
    "33a95b71": "工商部门初定SKII广告属于虚假宣传",
    "35687fb1": "播客热潮迅速蔓延 挑逗传统传媒业",
    "3832838a": "娱乐圈受黑社会控制？ 明星挨打事件回顾(图)",
    "54e89e4e": "很高兴入住博客堂",
    "59562291": "湘菜粤菜 兵分两路 (图)",
    "5acac71b": '简单道理捅破"飞人"神话 耐克鞋的气垫"伤机"',
    "6820ebe7": "广汽回应现代合资内幕 全面合作项目即将展开",
    "77fa9435": "社会资本、人力资本与下岗职工的再就业",
    "7c6d2080": "劳伦斯：一个无法定义的“洛克菲勒”",
    "91bdf33e": "图说洛阳| 洛阳职业技术学院：剪“廉洁窗花” 过廉洁之年",
    "9890f458": "17种产品、1个园区入选国家绿色制造名单",
    "9b1e5dcb": "台湾著名教育家许宜铭先生“关于亲子”演讲精选2",
    "a6e8b739": "你知道导游为什么那么热衷于让你去各种各样的商场购物吗？",
    "ab65832c": "谁来为无序拆房“埋单”？",
    "aefcf136": "“厕所革命”改善农牧区人居环境",
    "b26fbb82": "江苏多地要求中高风险地区师生员工暂不返校",
    "c2d9f85c": "《清洁》：东方式内敛与摇滚现实绘",
    "d02c66a2": "给计算机系学生的建议",
    "d232c5df": "内蒙古延续部分到期税收优惠政策助企纾困 预计4年为纳税人减负180亿元",
    "d519ec93": "惊爆日企SONY MUSIC操控华人女星黑幕(转载)",
    "d5bced5e": "金锺国",
    "d7605742": "10.新生活与明白神的旨意",
    "d96c76b7": "写给想在英国找工作的留学党 一些规划和面试的想法",
    "e4232eb3": "从原子弹爆炸原理想开去",
    "ebe9df29": "民间资本成投资活动的主体 民间资本路在何方",
    "f51248cc": "著名戏曲导演沈斌去世 享年74岁",
    "f70d9c97": "中央军委主席习近平签署命令 发布《军队装备试验鉴定规定》",
}
