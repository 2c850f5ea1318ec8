"""Search's few-shot examples (one also calculates on what it found).

Each is a few-shot turn shown to a model that never saw MOSS (`tools.examples`); `order` is its
place in the sequence measured with `bench/accuracy.py` (calls and plain answers alternate, the
last weighs most), `style` the thought style it belongs to (`TurnPolicy.plan_thoughts`).
`tests/test_prompt.py` checks every result against the tool itself.
"""

from __future__ import annotations

from tools import ToolResult
from tools.examples import ToolExample, example_round

CALC = "This is a calculation, so I use the calculator."
SEARCH = "This is a question about facts, so I use the search engine."


def snippets(*texts: str) -> ToolResult:
    """Search results as MOSS shows them: each snippet quoted."""
    return ToolResult.snippets([repr(t) for t in texts])


SEARCH_EXAMPLES: tuple[ToolExample, ...] = (
    ToolExample.one_call(
        "How many people live in Reykjavik?", SEARCH,
        'Search("Reykjavik population")', snippets("Reykjavik is the capital and largest city of Iceland. Its population was about 139,000 in 2023, and about 240,000 live in the capital region.", "Reykjavik travel guide: museums, hot pools and the old harbour."),
        "About 139,000 people lived in Reykjavik in 2023.", order=2,
    ),
    ToolExample.one_call(
        "索尼公司是哪一年成立的？", "这是一个关于事实的问题，所以我使用搜索引擎。",
        'Search("索尼 成立 年份")', snippets("索尼公司（Sony）于1946年5月7日由井深大和盛田昭夫在东京创立，最初名为东京通信工业。", "索尼的主要业务包括电子产品、游戏、音乐和电影。"),
        "索尼公司成立于1946年，创始人是井深大和盛田昭夫。", order=6,
    ),
    ToolExample.one_call(
        "Who founded Samsung, and when?", SEARCH,
        'Search("Samsung founder year")', snippets("Samsung was founded by Lee Byung-chul on 1 March 1938 in Daegu as a small trading company.", "Samsung Electronics is the largest company of the Samsung Group."),
        "Samsung was founded by Lee Byung-chul in 1938, in Daegu, Korea.", order=19,
    ),
    ToolExample.one_call(
        "How many people live in Reykjavik?", SEARCH,
        'Search("Reykjavik population")', snippets("Reykjavik is the capital and largest city of Iceland. Its population was about 139,000 in 2023, and about 240,000 live in the capital region.", "Reykjavik travel guide: museums, hot pools and the old harbour."),
        "About 139,000 people lived in Reykjavik in 2023.", order=2, style="plan",
    ),
    ToolExample.one_call(
        "索尼公司是哪一年成立的？", "这是一个关于事实的问题，所以我使用搜索引擎。",
        'Search("索尼 成立 年份")', snippets("索尼公司（Sony）于1946年5月7日由井深大和盛田昭夫在东京创立，最初名为东京通信工业。", "索尼的主要业务包括电子产品、游戏、音乐和电影。"),
        "索尼公司成立于1946年，创始人是井深大和盛田昭夫。", order=6, style="plan",
    ),
    ToolExample(
        question="How tall is the Eiffel Tower in feet?",
        rounds=(
            example_round(f"{SEARCH} The height of the Eiffel Tower first, then feet.", ('Search("Eiffel Tower height")', snippets("The Eiffel Tower in Paris is 330 metres tall including its antennas.", "The Eiffel Tower was completed in 1889 for the World's Fair."))),
            example_round(f"{CALC} 330 metres in feet.", ('Calculate("330 m to ft")', ToolResult.value("1082.67716535 ft"))),
        ),
        reply="The Eiffel Tower is 330 metres tall, which is about 1083 feet.", order=17, style="plan",
    ),
    ToolExample.one_call(
        "Who founded Samsung, and when?", SEARCH,
        'Search("Samsung founder year")', snippets("Samsung was founded by Lee Byung-chul on 1 March 1938 in Daegu as a small trading company.", "Samsung Electronics is the largest company of the Samsung Group."),
        "Samsung was founded by Lee Byung-chul in 1938, in Daegu, Korea.", order=20, style="plan",
    ),
)


ZH_SEARCH = "这是一个关于事实的问题，所以我使用搜索引擎。"
ZH_CALC = "这是一个计算问题，所以我使用计算器。"

# The pool `TurnPolicy.nearest_examples` searches: facts about lesser-known places and firms
# (looked up, not recalled), and a lookup followed by a calculation on what it found (a second
# round, taken when `TurnPolicy.more_rounds` is on). Written for the pool, not taken from the
# development questions.
SEARCH_POOL: tuple[ToolExample, ...] = (
    ToolExample.one_call(
        "How long is the Tisza river?", SEARCH,
        'Search("Tisza river length")', snippets("The Tisza is one of the main rivers of Central Europe. It is 962 km long and flows into the Danube in Serbia.", "The Tisza basin covers parts of Ukraine, Romania, Hungary and Serbia."),
        "The Tisza river is 962 km long.", retrieved=True,
    ),
    ToolExample.one_call(
        "黄山风景区每年接待多少游客？", ZH_SEARCH,
        'Search("黄山风景区 年接待游客")', snippets("黄山风景区2023年共接待游客约458万人次。", "黄山以奇松、怪石、云海、温泉闻名。"),
        "黄山风景区2023年接待游客约458万人次。", retrieved=True,
    ),
    ToolExample.one_call(
        "In which year was BLG Logistics founded?", SEARCH,
        'Search("BLG Logistics founded year")', snippets("BLG Logistics, founded in Bremen in 1877 as Bremer Lagerhaus-Gesellschaft, runs ports and warehouses.", "BLG employs about 11,000 people."),
        "BLG Logistics was founded in 1877 in Bremen, as Bremer Lagerhaus-Gesellschaft.", retrieved=True,
    ),
    ToolExample.one_call(
        "How many stations does the Copenhagen Metro have?", SEARCH,
        'Search("Copenhagen Metro number of stations")', snippets("The Copenhagen Metro has four lines and 44 stations, 31 of them underground.", "The metro runs 24 hours a day."),
        "The Copenhagen Metro has 44 stations.", retrieved=True,
    ),
    ToolExample.one_call(
        "成都地铁7号线一共有多少座车站？", ZH_SEARCH,
        'Search("成都地铁7号线 车站数量")', snippets("成都地铁7号线是一条环线，全长38.6千米，共设31座车站。", "7号线于2017年12月开通运营。"),
        "成都地铁7号线一共有31座车站。", retrieved=True,
    ),
    ToolExample.one_call(
        "西湖的面积有多大？", ZH_SEARCH,
        'Search("西湖 面积")', snippets("杭州西湖面积约6.39平方千米，南北长约3.2千米，东西宽约2.8千米。", "西湖十景包括苏堤春晓、断桥残雪等。"),
        "杭州西湖的面积约为6.39平方千米。", retrieved=True,
    ),
    ToolExample.one_call(
        "苏州工业园区有多少家企业？", ZH_SEARCH,
        'Search("苏州工业园区 企业数量")', snippets("截至2023年底，苏州工业园区累计注册企业超过5万家。", "苏州工业园区成立于1994年。"),
        "截至2023年底，苏州工业园区累计注册企业超过5万家。", retrieved=True,
    ),
    ToolExample(
        question="What is the population density of Iceland, in people per square kilometre?",
        rounds=(
            example_round(SEARCH, ('Search("Iceland population area")', snippets("Iceland has about 390,000 inhabitants and an area of 103,000 square kilometres.", "Reykjavik is the capital of Iceland."))),
            example_round(CALC, ('Calculate("390000/103000")', ToolResult.value("3.78640776699"))),
        ),
        reply="Iceland has about 3.8 people per square kilometre (390,000 people on 103,000 km²).", retrieved=True,
    ),
    ToolExample(
        question="上海中心大厦比东方明珠电视塔高多少米？",
        rounds=(
            example_round(ZH_SEARCH, ('Search("上海中心大厦 东方明珠 高度")', snippets("上海中心大厦高632米，是中国第一高楼。", "东方明珠广播电视塔高468米，位于上海浦东陆家嘴。"))),
            example_round(ZH_CALC, ('Calculate("632-468")', ToolResult.value("164"))),
        ),
        reply="上海中心大厦高632米，东方明珠高468米，上海中心大厦比东方明珠高164米。", retrieved=True,
    ),
    ToolExample(
        question="How much revenue did the Faroe Islands' salmon exports bring in per tonne exported?",
        rounds=(
            example_round(SEARCH, ('Search("Faroe Islands salmon exports tonnes revenue")', snippets("In 2022 the Faroe Islands exported 88,000 tonnes of farmed salmon, worth 5.2 billion Danish kroner.", "Salmon is the largest export of the Faroe Islands."))),
            example_round(CALC, ('Calculate("5200000000/88000")', ToolResult.value("59090.9090909"))),
        ),
        reply="About 59,091 Danish kroner per tonne (5.2 billion kroner for 88,000 tonnes in 2022).", retrieved=True,
    ),
    ToolExample(
        question="青海湖平均每平方千米的湖水有多少立方米？",
        rounds=(
            example_round(ZH_SEARCH, ('Search("青海湖 面积 蓄水量")', snippets("青海湖面积约4400平方千米，蓄水量约1050亿立方米。", "青海湖是中国最大的内陆咸水湖。"))),
            example_round(ZH_CALC, ('Calculate("105000000000/4400")', ToolResult.value("23863636.3636"))),
        ),
        reply="青海湖平均每平方千米约有2386万立方米的湖水（1050亿立方米除以4400平方千米）。", retrieved=True,
    ),
)

SEARCH_EXAMPLES = SEARCH_EXAMPLES + SEARCH_POOL
