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

ZH_CALC = "这是一个计算问题，所以我使用计算器。"


def _pooled(question: str, call: str, result: str, reply: str) -> ToolExample:
    """A pool example (`retrieved=True`): shown only right before a question it resembles."""
    thoughts = ZH_CALC if any("\u4e00" <= ch <= "\u9fff" for ch in question) else CALC
    return ToolExample.one_call(question, thoughts, call, ToolResult.value(result), reply, retrieved=True)


# The pool `TurnPolicy.nearest_examples` searches: one worked example per kind of calculation
# the fixed examples leave out (averages with `mean`, roots with `root`, rounding with `round`,
# percentages both ways, unit chains through the units library, rates, definitions, gcd/lcm and
# remainders), in both languages. Written for the pool, not taken from the development questions.
CALCULATE_POOL: tuple[ToolExample, ...] = (
    _pooled("A café sold 78, 85, 92 and 69 cups of coffee on four days. What was the average number of cups a day?",
            'Calculate("mean(78, 85, 92, 69)")', "81", "The café sold 81 cups a day on average."),
    _pooled("小明四次测验的成绩是88分、92分、79分和85分，他的平均分是多少？",
            'Calculate("mean(88, 92, 79, 85)")', "86", "小明的平均分是86分。"),
    _pooled("Three parcels weigh 13 kg, 18 kg and 22 kg. What is their average weight, rounded to the nearest kilogram?",
            'Calculate("round(mean(13, 18, 22))")', "18", "Their average weight, rounded to the nearest kilogram, is 18 kg."),
    _pooled("五位同学的体重分别是41、38、45、40、43千克，平均体重是多少千克？（结果保留整数）",
            'Calculate("round(mean(41, 38, 45, 40, 43))")', "41", "平均体重约是41千克。"),
    _pooled("Class A has 20 students with an average of 80 points and class B has 30 students with an average of 70. What is the average of all 50 students?",
            'Calculate("(20*80+30*70)/(20+30)")', "74", "The average of all 50 students is 74 points."),
    _pooled("一班30人，平均身高152厘米；二班20人，平均身高157厘米。两个班合在一起的平均身高是多少？",
            'Calculate("(30*152+20*157)/(30+20)")', "154", "两个班合在一起的平均身高是154厘米。"),
    _pooled("What is the cube root of 4913?", 'Calculate("root(4913, 3)")', "17", "The cube root of 4913 is 17."),
    _pooled("Find the number whose cube is 1728.", 'Calculate("root(1728, 3)")', "12", "The number whose cube is 1728 is 12."),
    _pooled("求-2197的立方根。", 'Calculate("root(-2197, 3)")', "-13", "-2197的立方根是-13。"),
    _pooled("What is the fourth root of 1296?", 'Calculate("root(1296, 4)")', "6", "The fourth root of 1296 is 6."),
    _pooled("What is the square root of 500, rounded to the nearest whole number?",
            'Calculate("round(sqrt(500))")', "22", "The square root of 500, rounded to the nearest whole number, is 22."),
    _pooled("Divide 100 by 7 and round the result to two decimal places.",
            'Calculate("round(100/7, 2)")', "14.29", "100 divided by 7, rounded to two decimal places, is 14.29."),
    _pooled("一根绳子长10米，平均分成3段，每段长多少米？（保留两位小数）",
            'Calculate("round(10/3, 2)")', "3.33", "每段长约3.33米。"),
    _pooled("A bike costs $640 and is on sale for 25% off. What is the sale price?",
            'Calculate("640*(1-25/100)")', "480", "The sale price is $480."),
    _pooled("Rent went up from 1,200 to 1,350 a month. By what percentage did it rise?",
            'Calculate("(1350-1200)/1200*100")', "12.5", "The rent rose by 12.5%."),
    _pooled("After a 20% price cut a lamp sells for $96. What was its original price?",
            'Calculate("96/(1-20/100)")', "120", "The lamp's original price was $120."),
    _pooled("一件衣服打八折后卖240元，原价是多少元？", 'Calculate("240/0.8")', "300", "这件衣服的原价是300元。"),
    _pooled("A $50 shirt is 10% off, and then 8% sales tax is added. What is the final price?",
            'Calculate("50*(1-10/100)*(1+8/100)")', "48.6", "The final price is $48.60."),
    _pooled("一本书有240页，小红已经看了35%，还剩多少页没看？", 'Calculate("240*(1-35/100)")', "156", "还剩156页没看。"),
    _pooled("How many seconds are there in 2 days?", 'Calculate("2 day to s")', "172800 s", "There are 172800 seconds in 2 days."),
    _pooled("Convert 2500 years to centuries.", 'Calculate("2500 year to century")', "25 century", "2500 years is 25 centuries."),
    _pooled("How many kilometres is 350000 nanometres?", 'Calculate("350000 nm to km")', "3.5e-07 km",
            "350000 nanometres is 3.5e-07 kilometres."),
    _pooled("A fish tank is 50 cm long, 40 cm wide and 30 cm high. How many litres of water does it hold?",
            'Calculate("50 cm * 40 cm * 30 cm to L")', "60 L", "The tank holds 60 litres."),
    _pooled("5.4千米等于多少米？", 'Calculate("5.4 km to m")', "5400 m", "5.4千米等于5400米。"),
    _pooled("How many litres are in 8 gallons?", 'Calculate("8 gal to L")', "30.283294272 L", "8 gallons is about 30.28 litres."),
    _pooled("3.5小时是多少分钟？", 'Calculate("3.5 h to min")', "210 min", "3.5小时是210分钟。"),
    _pooled("What is 72 km/h in metres per second?", 'Calculate("72 km/h to m/s")', "20 m/s", "72 km/h is 20 metres per second."),
    _pooled("6 pens cost $9. How much do 14 pens cost?", 'Calculate("9/6*14")', "21", "14 pens cost $21."),
    _pooled("A cyclist rides 18 km in 45 minutes. What is her speed in km/h?",
            'Calculate("18/(45/60)")', "24", "Her speed is 24 km/h."),
    _pooled("买4支钢笔用了18元，照这样计算，买10支钢笔要多少元？", 'Calculate("18/4*10")', "45", "买10支钢笔要45元。"),
    _pooled("A truck uses 30 litres of diesel for 240 km. How much diesel does it need for 600 km?",
            'Calculate("30/240*600")', "75", "It needs 75 litres of diesel for 600 km."),
    _pooled("One pipe fills a tank in 6 hours and another in 3 hours. How long do they take together?",
            'Calculate("1/(1/6+1/3)")', "2", "Together they fill the tank in 2 hours."),
    _pooled("A machine makes 45 parts in 3 minutes. How many parts does it make in 2 hours?",
            'Calculate("45/3*(2*60)")', "1800", "It makes 1800 parts in 2 hours."),
    _pooled("一辆汽车3小时行驶了210千米，照这样的速度，5小时能行驶多少千米？", 'Calculate("210/3*5")', "350", "5小时能行驶350千米。"),
    _pooled("Let f(x) = x^2 + 2x. What is f(3)?", 'Calculate("f(x)=x^2+2x; f(3)")', "15", "f(3) is 15."),
    _pooled("已知f(x) = 2x + 3，g(x) = x^2，求f(g(2))。", 'Calculate("f(x)=2x+3; g(x)=x^2; f(g(2))")', "11", "f(g(2))等于11。"),
    _pooled("Let a = 5*3 - 2 and b = 2*a + 1. What is a*b?", 'Calculate("a=5*3-2; b=2*a+1; a*b")', "351", "a*b is 351."),
    _pooled("设m = 4*5 - 6，n = m/2 + 3，求m + n的值。", 'Calculate("m=4*5-6; n=m/2+3; m+n")', "24", "m + n的值是24。"),
    _pooled("What is the greatest common divisor of 84 and 126?", 'Calculate("gcd(84, 126)")', "42",
            "The greatest common divisor of 84 and 126 is 42."),
    _pooled("What is the remainder when 1000 is divided by 37?", 'Calculate("1000 mod 37")', "1",
            "The remainder is 1."),
    _pooled("12和20的最小公倍数是多少？", 'Calculate("lcm(12, 20)")', "60", "12和20的最小公倍数是60。"),
    _pooled("有36支铅笔和48块橡皮，平均分给一些小朋友，都正好分完，最多能分给几个小朋友？", 'Calculate("gcd(36, 48)")', "12",
            "最多能分给12个小朋友。"),
    _pooled("Calculate 17 + 28 * 3 - 46 / 2.", 'Calculate("17+28*3-46/2")', "78", "17 + 28 * 3 - 46 / 2 = 78."),
    _pooled("2.5乘以4.8再减去3.6等于多少？", 'Calculate("2.5*4.8-3.6")', "8.4", "2.5乘以4.8再减去3.6等于8.4。"),
)

CALCULATE_EXAMPLES = CALCULATE_EXAMPLES + CALCULATE_POOL
