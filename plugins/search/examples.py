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
