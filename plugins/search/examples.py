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


def lookup_then_calculate(question: str, search: str, found: ToolResult, expression: str, value: str,
                          reply: str, zh: bool = False) -> ToolExample:
    """A pool turn in two rounds: look the facts up, then compute on what was found."""
    return ToolExample(
        question=question,
        rounds=(
            example_round(ZH_SEARCH if zh else SEARCH, (f'Search("{search}")', found)),
            example_round(ZH_CALC if zh else CALC, (f'Calculate("{expression}")', ToolResult.value(value))),
        ),
        reply=reply, retrieved=True,
    )


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
    lookup_then_calculate(
        "What is the population density of Iceland, in people per square kilometre?",
        "Iceland population area", snippets("Iceland has about 390,000 inhabitants and an area of 103,000 square kilometres.", "Reykjavik is the capital of Iceland."),
        "390000/103000", "3.78640776699",
        "Iceland has about 3.8 people per square kilometre (390,000 people on 103,000 km²).",
    ),
    lookup_then_calculate(
        "上海中心大厦比东方明珠电视塔高多少米？",
        "上海中心大厦 东方明珠 高度", snippets("上海中心大厦高632米，是中国第一高楼。", "东方明珠广播电视塔高468米，位于上海浦东陆家嘴。"),
        "632-468", "164",
        "上海中心大厦高632米，东方明珠高468米，上海中心大厦比东方明珠高164米。", zh=True,
    ),
    lookup_then_calculate(
        "How much revenue did the Faroe Islands' salmon exports bring in per tonne exported?",
        "Faroe Islands salmon exports tonnes revenue", snippets("In 2022 the Faroe Islands exported 88,000 tonnes of farmed salmon, worth 5.2 billion Danish kroner.", "Salmon is the largest export of the Faroe Islands."),
        "5200000000/88000", "59090.9090909",
        "About 59,091 Danish kroner per tonne (5.2 billion kroner for 88,000 tonnes in 2022).",
    ),
    lookup_then_calculate(
        "青海湖平均每平方千米的湖水有多少立方米？",
        "青海湖 面积 蓄水量", snippets("青海湖面积约4400平方千米，蓄水量约1050亿立方米。", "青海湖是中国最大的内陆咸水湖。"),
        "105000000000/4400", "23863636.3636",
        "青海湖平均每平方千米约有2386万立方米的湖水（1050亿立方米除以4400平方千米）。", zh=True,
    ),
)

# Questions that ask for arithmetic on facts they do not give: growth between two years, the
# time between two events, an age, a total, a share per person, a difference between two
# firms. They carry few numbers of their own, which is what sets them apart from the
# calculations in Calculate's pool; each looks the facts up first. Written after reading the
# tuning split's lookup-then-arithmetic misses, about other (made-up) places and firms.
LOOKUP_THEN_CALCULATE: tuple[ToolExample, ...] = (
    lookup_then_calculate(
        "By what percentage did the number of visitors to the Aldmoor Museum grow from 2019 to 2023?",
        "Aldmoor Museum visitors 2019 2023",
        snippets("The Aldmoor Museum welcomed 84,000 visitors in 2019.", "In 2023 the museum counted 96,600 visitors, a record."),
        "(96600-84000)/84000*100", "15",
        "The Aldmoor Museum's visitors grew by 15%, from 84,000 in 2019 to 96,600 in 2023.",
    ),
    lookup_then_calculate(
        "How many years passed between the founding of Brackwater College and the opening of its library?",
        "Brackwater College founded library opened",
        snippets("Brackwater College was founded in 1872 by the town's merchants.", "The Brackwater College library opened in 1931."),
        "1931-1872", "59",
        "59 years: Brackwater College was founded in 1872 and its library opened in 1931.",
    ),
    lookup_then_calculate(
        "How old was the Tolland Lighthouse in 2020?",
        "Tolland Lighthouse built year",
        snippets("The Tolland Lighthouse was built in 1856 on the north cape.", "The lighthouse has been automated since 1979."),
        "2020-1856", "164",
        "The Tolland Lighthouse, built in 1856, was 164 years old in 2020.",
    ),
    lookup_then_calculate(
        "How many tonnes of cargo does the port of Skarholm handle in a 30-day month?",
        "port of Skarholm cargo per day",
        snippets("The port of Skarholm handles about 4,200 tonnes of cargo a day.", "Skarholm is a small port town on the east coast."),
        "4200*30", "126000",
        "About 126,000 tonnes (4,200 tonnes a day for 30 days).",
    ),
    lookup_then_calculate(
        "What is the total capacity of the Hollin Dam's turbines, in megawatts?",
        "Hollin Dam turbines capacity",
        snippets("The Hollin Dam power station has 6 turbines of 45 MW each.", "The dam was completed in 1968."),
        "6*45", "270",
        "The Hollin Dam's turbines have a total capacity of 270 MW (6 turbines of 45 MW).",
    ),
    lookup_then_calculate(
        "How many more employees does Brightwell Bank have than Corland Bank?",
        "Brightwell Bank Corland Bank employees",
        snippets("Brightwell Bank employs 8,450 people in its branches and offices.", "Corland Bank has 5,920 employees."),
        "8450-5920", "2530",
        "Brightwell Bank has 2,530 more employees than Corland Bank (8,450 against 5,920).",
    ),
    lookup_then_calculate(
        "By how many million euros did Orsten Motors' profit grow from 2021 to 2022?",
        "Orsten Motors profit 2021 2022",
        snippets("Orsten Motors reported a profit of 214 million euros in 2021.", "In 2022 Orsten Motors' profit rose to 251 million euros."),
        "251-214", "37",
        "Orsten Motors' profit grew by 37 million euros, from 214 to 251 million.",
    ),
    lookup_then_calculate(
        "How many hours does the ferry from Halsey to Norrby take?",
        "Halsey Norrby ferry distance speed",
        snippets("The Halsey to Norrby ferry route is 84 km long.", "The ferry cruises at 28 km/h."),
        "84/28", "3",
        "The ferry takes 3 hours (84 km at 28 km/h).",
    ),
    lookup_then_calculate(
        "星河图书馆平均每位读者有多少册藏书？", "星河图书馆 藏书 读者数量",
        snippets("星河图书馆藏书共42万册。", "星河图书馆注册读者约1.4万人。"),
        "42万/1.4万", "30",
        "星河图书馆平均每位读者有30册藏书（42万册藏书，1.4万名读者）。", zh=True,
    ),
    lookup_then_calculate(
        "青石镇2023年的游客人数比2020年增长了百分之多少？", "青石镇 游客人数 2020 2023",
        snippets("青石镇2020年接待游客12万人次。", "2023年青石镇接待游客18万人次。"),
        "(18-12)/12*100", "50",
        "青石镇2023年的游客人数比2020年增长了50%（从12万人次增至18万人次）。", zh=True,
    ),
)

SEARCH_EXAMPLES = SEARCH_EXAMPLES + SEARCH_POOL + LOOKUP_THEN_CALCULATE
