"""Calculate's few-shot examples.

Each is a few-shot turn shown to a model that never saw MOSS (`tools.examples`); `order` is its
place in the sequence measured with `bench/accuracy.py` (calls and plain answers alternate, the
last weighs most), `style` the thought style it belongs to (`TurnPolicy.plan_thoughts`). The
last calculation shown is a plain product: placed last, a rounding example had `round(...)`
written into questions that asked for no rounding. Examples of an average, a cube root, rounding
and a definition were tried and left out: on the tuning split they did not raise those kinds,
and with them the model called a tool for chat questions (chat 3/10 against 8/10).
`tests/test_prompt.py` checks every result against the tool itself.
"""

from __future__ import annotations

from tools import ToolResult
from tools.examples import ToolExample

CALC = "This is a calculation, so I use the calculator."


CALCULATE_EXAMPLES: tuple[ToolExample, ...] = (
    ToolExample.one_call(
        "What is 1234 multiplied by 56?", CALC,
        'Calculate("1234*56")', ToolResult.value("69104"),
        "1234 multiplied by 56 is 69104.", order=0,
    ),
    ToolExample.one_call(
        "What is 12.5% of 880?", CALC,
        'Calculate("880*12.5/100")', ToolResult.value("110"),
        "12.5% of 880 is 110.", order=3,
    ),
    ToolExample.one_call(
        "What is 91000 divided by 35?", CALC,
        'Calculate("91000/35")', ToolResult.value("2600"),
        "91000 divided by 35 is 2600.", order=9,
    ),
    ToolExample.one_call(
        "35乘以47等于多少？", "这是一个计算问题，所以我使用计算器。",
        'Calculate("35*47")', ToolResult.value("1645"),
        "35乘以47等于1645。", order=18.5,
    ),
    ToolExample.one_call(
        "妈妈买了4千克苹果，每千克6.5元，付了50元，应找回多少元？", "这是一个计算问题，所以我使用计算器。",
        'Calculate("50-4*6.5")', ToolResult.value("24"),
        "应找回24元。", order=16,
    ),
    ToolExample.one_call(
        "Two lamps blink every 12 and 18 seconds. They blink together now; after how many seconds do they next blink together?", CALC,
        'Calculate("lcm(12, 18)")', ToolResult.value("36"),
        "They next blink together after 36 seconds.", order=17,
    ),
    ToolExample.one_call(
        "How many metres are in 3.2 miles?", CALC,
        'Calculate("3.2 mi to m")', ToolResult.value("5149.9008 m"),
        "3.2 miles are about 5150 metres.", order=12.5,
    ),
    ToolExample.one_call(
        "What is 1234 multiplied by 56?", f"{CALC} 1234 x 56.",
        'Calculate("1234*56")', ToolResult.value("69104"),
        "1234 multiplied by 56 is 69104.", order=0, style="plan",
    ),
    ToolExample.one_call(
        "A printer prints 18 pages per minute. How many pages does it print in 2.5 hours?", f"{CALC} 18 pages a minute for 2.5 x 60 minutes.",
        'Calculate("per_minute=18; minutes=2.5*60; per_minute*minutes")', ToolResult.value("2700"),
        "It prints 2700 pages in 2.5 hours.", order=3, style="plan",
    ),
    ToolExample.one_call(
        "妈妈买了4千克苹果，每千克6.5元，付了50元，应找回多少元？", "这是一个计算问题，所以我使用计算器。4千克，每千克6.5元，付了50元。",
        'Calculate("cost=4*6.5; paid=50; paid-cost")', ToolResult.value("24"),
        "应找回24元。", order=7, style="plan",
    ),
    ToolExample.one_call(
        "A runner's lap times were 62, 58, 65 and 61 seconds. What was her average lap time?", f"{CALC} The sum of the 4 lap times, divided by 4.",
        'Calculate("total=62+58+65+61; count=4; total/count")', ToolResult.value("61.5"),
        "Her average lap time was 61.5 seconds.", order=9, style="plan",
    ),
    ToolExample.one_call(
        "A jacket costs $80. It is 15% off, and 8% tax is added to the sale price. What do I pay, rounded to the nearest cent?", f"{CALC} 80 less 15%, plus 8% tax, rounded to 2 decimals.",
        'Calculate("sale=80*(1-15/100); final=sale*(1+8/100); round(final, 2)")', ToolResult.value("73.44"),
        "You pay $73.44.", order=12, style="plan",
    ),
    ToolExample.one_call(
        "Let f(x) = 3x - 1. What is f(4)?", f"{CALC} f(x) = 3x - 1 at x = 4.",
        'Calculate("f(x)=3x-1; f(4)")', ToolResult.value("11"),
        "f(4) is 11.", order=13, style="plan",
    ),
    ToolExample.one_call(
        "What is the cube root of 2744?", f"{CALC} The cube root of 2744.",
        'Calculate("root(2744, 3)")', ToolResult.value("14"),
        "The cube root of 2744 is 14.", order=16, style="plan",
    ),
    ToolExample.one_call(
        "35乘以47等于多少？", "这是一个计算问题，所以我使用计算器。",
        'Calculate("35*47")', ToolResult.value("1645"),
        "35乘以47等于1645。", order=18, style="plan",
    ),
    ToolExample.one_call(
        "Two lamps blink every 12 and 18 seconds. They blink together now; after how many seconds do they next blink together?", f"{CALC} The least common multiple of 12 and 18.",
        'Calculate("lcm(12, 18)")', ToolResult.value("36"),
        "They next blink together after 36 seconds.", order=19, style="plan",
    ),
    ToolExample.one_call(
        "How many miles is a marathon of 42.195 km?", f"{CALC} 42.195 km in miles.",
        'Calculate("42.195 km to mi")', ToolResult.value("26.2187574565 mi"),
        "A marathon of 42.195 km is about 26.2 miles.", order=21, style="plan",
    ),
)
