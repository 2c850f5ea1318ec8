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
from tools.examples import ToolExample, example_round

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

# More pool turns, one for each kind of question the first pools left without a close example:
# conversions of temperature, area, mass and speed, work and inverse proportion, percentages of
# growth and interest, rounding to tens and tenths, medians, several steps in one expression.
# Written from general knowledge of such word problems, not from the development questions.
CALCULATE_POOL += (
    _pooled('What is 98.6 °F in degrees Celsius?',
            'Calculate("98.6 degF to degC")', '37 degC', '98.6 °F is 37 °C.'),
    _pooled('How many square feet are in 45 square metres?',
            'Calculate("45 m^2 to ft^2")', '484.375968752 ft^2', '45 square metres is about 484.4 square feet.'),
    _pooled('Convert 150 pounds to kilograms.',
            'Calculate("150 lb to kg")', '68.0388555 kg', '150 pounds is about 68.04 kg.'),
    _pooled('2.5吨等于多少千克？',
            'Calculate("2.5 t to kg")', '2500 kg', '2.5吨等于2500千克。'),
    _pooled('1500平方米是多少公顷？',
            'Calculate("1500 m^2 to ha")', '0.15 ha', '1500平方米是0.15公顷。'),
    _pooled('A car drives at 60 miles per hour. What is that in km/h?',
            'Calculate("60 mph to km/h")', '96.56064 km/h', '60 miles per hour is about 96.56 km/h.'),
    _pooled('How many minutes are there in 3 weeks?',
            'Calculate("3 week to min")', '30240 min', 'There are 30240 minutes in 3 weeks.'),
    _pooled('How many cubic centimetres are in 1.2 litres?',
            'Calculate("1.2 L to cm^3")', '1200 cm^3', '1.2 litres is 1200 cubic centimetres.'),
    _pooled('A printer prints 12 pages a minute. How many minutes does it need for 300 pages?',
            'Calculate("300/12")', '25', 'It needs 25 minutes.'),
    _pooled('A train travels at 80 km/h. How far does it go in 2.5 hours?',
            'Calculate("80*2.5")', '200', 'It goes 200 km in 2.5 hours.'),
    _pooled('A tap drips 15 ml every minute. How many litres does it drip in a day?',
            'Calculate("15*60*24/1000")', '21.6', 'It drips 21.6 litres a day.'),
    _pooled('一项工程，甲单独做要10天完成，乙单独做要15天完成，两人合作几天完成？',
            'Calculate("1/(1/10+1/15)")', '6', '两人合作6天完成。'),
    _pooled('5 workers build a wall in 12 days. How many days would 8 workers take at the same pace?',
            'Calculate("5*12/8")', '7.5', '8 workers would take 7.5 days.'),
    _pooled('某工厂每天生产零件450个，生产5400个零件需要多少天？',
            'Calculate("5400/450")', '12', '需要12天。'),
    _pooled('What percentage of 80 is 18?',
            'Calculate("18/80*100")', '22.5', '18 is 22.5% of 80.'),
    _pooled('Increase 250 by 12%.',
            'Calculate("250*(1+12/100)")', '280', '250 increased by 12% is 280.'),
    _pooled('A town of 40,000 people grows by 3% a year. How many people will live there after 2 years?',
            'Calculate("40000*(1+3/100)^2")', '42436', 'About 42,436 people will live there after 2 years.'),
    _pooled('18是45的百分之几？',
            'Calculate("18/45*100")', '40', '18是45的40%。'),
    _pooled('The price of a ticket fell from 80 to 68. By what percentage did it fall?',
            'Calculate("(80-68)/80*100")', '15', 'It fell by 15%.'),
    _pooled('一台电脑原价5000元，降价15%后售价多少元？',
            'Calculate("5000*(1-15/100)")', '4250', '降价后售价4250元。'),
    _pooled('What is the simple interest on $2,000 at 4% a year for 3 years?',
            'Calculate("2000*4/100*3")', '240', 'The simple interest is $240.'),
    _pooled('Round 3.14159 to three decimal places.',
            'Calculate("round(3.14159, 3)")', '3.142', '3.14159 rounded to three decimal places is 3.142.'),
    _pooled('Round 48,372 to the nearest hundred.',
            'Calculate("round(48372, -2)")', '48400', '48,372 rounded to the nearest hundred is 48,400.'),
    _pooled('What is 2 divided by 3, rounded to the nearest tenth?',
            'Calculate("round(2/3, 1)")', '0.7', '2 divided by 3 is about 0.7.'),
    _pooled('7除以9的商保留一位小数是多少？',
            'Calculate("round(7/9, 1)")', '0.8', '7除以9的商保留一位小数是0.8。'),
    _pooled('23 people share $500 equally. How much does each get, to the nearest cent?',
            'Calculate("round(500/23, 2)")', '21.74', 'Each gets $21.74.'),
    _pooled('A shop had 350 apples, sold 128 in the morning and 97 in the afternoon. How many are left?',
            'Calculate("350-128-97")', '125', '125 apples are left.'),
    _pooled('Add 456 and 789, then multiply the sum by 3.',
            'Calculate("(456+789)*3")', '3735', 'The result is 3735.'),
    _pooled('一个数是25的4倍再加上17，这个数是多少？',
            'Calculate("25*4+17")', '117', '这个数是117。'),
    _pooled('What is the least common multiple of 8, 12 and 15?',
            'Calculate("lcm(8, 12, 15)")', '120', 'The least common multiple of 8, 12 and 15 is 120.'),
    _pooled('18和24的最大公因数是多少？',
            'Calculate("gcd(18, 24)")', '6', '18和24的最大公因数是6。'),
    _pooled('What is the remainder of 2^20 divided by 7?',
            'Calculate("2^20 mod 7")', '4', 'The remainder is 4.'),
    _pooled('What is the median of 7, 3, 9, 4 and 12?',
            'Calculate("median(7, 3, 9, 4, 12)")', '7', 'The median is 7.'),
    _pooled("A runner's lap times were 62, 58, 65 and 59 seconds. What was the average lap time?",
            'Calculate("mean(62, 58, 65, 59)")', '61', 'The average lap time was 61 seconds.'),
    _pooled('What is the fifth root of 7776?',
            'Calculate("root(7776, 5)")', '6', 'The fifth root of 7776 is 6.'),
    _pooled('What is the square root of 2, to three decimal places?',
            'Calculate("round(sqrt(2), 3)")', '1.414', 'The square root of 2 is about 1.414.'),
    _pooled('64的立方根是多少？',
            'Calculate("root(64, 3)")', '4', '64的立方根是4。'),
    _pooled('If p = 7 and q = p^2 - 10, what is 3q + p?',
            'Calculate("p=7; q=p^2-10; 3q+p")', '124', '3q + p = 124.'),
    _pooled('Let g(t) = 3t^2 - t + 4. Calculate g(-2).',
            'Calculate("g(t)=3t^2-t+4; g(-2)")', '18', 'g(-2) = 18.'),
)
# A third batch: a forward discount beside the reverse one (打七五折 is a product, not a quotient),
# prices rounded to the cent, least common denominators, roots asked in words, volumes in litres,
# a quotient with its remainder (two calls in one round). Written after reading the misses of the
# tuning split's held-out part (`bench/accuracy.py --split tune --skip 4`), in other words and numbers.
CALCULATE_POOL += (
    _pooled('去年销售额是1250万元，今年是1400万元，增长了百分之几？',
            'Calculate("(1400-1250)/1250*100")', '12', '今年比去年增长了12%。'),
    _pooled('一双鞋原价320元，打七五折出售，现价多少元？',
            'Calculate("320*0.75")', '240', '现价240元。'),
    _pooled('A $45.50 jacket is 15% off, and then 6% sales tax is added. What is the final price, to the nearest cent?',
            'Calculate("round(45.5*(1-15/100)*(1+6/100), 2)")', '41', 'The final price is $41.00.'),
    _pooled('What is 12.5% of 249.99, rounded to the nearest cent?',
            'Calculate("round(249.99*12.5/100, 2)")', '31.25', '12.5% of 249.99 is about 31.25.'),
    _pooled('What is the least common denominator of 5/6 and 7/10?',
            'Calculate("lcm(6, 10)")', '30', 'The least common denominator of 5/6 and 7/10 is 30.'),
    _pooled('求50的3次方根（精确到0.01）。',
            'Calculate("round(root(50, 3), 2)")', '3.68', '50的3次方根约是3.68。'),
    _pooled('哪个正数的5次方等于3125？',
            'Calculate("root(3125, 5)")', '5', '5的5次方等于3125，所以这个数是5。'),
    _pooled('A cube has a volume of 2197 cubic centimetres. How long is each edge?',
            'Calculate("root(2197, 3)")', '13', 'Each edge is 13 cm long.'),
    _pooled('4096的4次方根是多少？',
            'Calculate("root(4096, 4)")', '8', '4096的4次方根是8。'),
    _pooled('一个水箱长2米、宽1.5米、高1米，能装多少升水？',
            'Calculate("2 m * 1.5 m * 1 m to L")', '3000 L', '这个水箱能装3000升水。'),
    _pooled('Convert 3.5 cubic metres to litres.',
            'Calculate("3.5 m^3 to L")', '3500 L', '3.5 cubic metres is 3500 litres.'),
    _pooled('一台机器每15分钟生产36个零件，3小时能生产多少个零件？',
            'Calculate("36/15*(3*60)")', '432', '3小时能生产432个零件。'),
    ToolExample(question='Pencils are packed 8 to a box. How many full boxes can be filled with 250 pencils, and how many pencils are left over?',
                rounds=(example_round(CALC, ('Calculate("250 // 8")', ToolResult.value('31')), ('Calculate("250 mod 8")', ToolResult.value('2'))),),
                reply='31 full boxes, with 2 pencils left over.', retrieved=True),
    _pooled('8，11，14，17，20这五个数的平均数是多少？',
            'Calculate("mean(8, 11, 14, 17, 20)")', '14', '这组数据的平均数是14。'),
    _pooled('I walked 5, 7.5, 6, 8 and 4 km on five days. How far did I walk per day on average?',
            'Calculate("mean(5, 7.5, 6, 8, 4)")', '6.1', 'You walked 6.1 km per day on average.'),
    _pooled('商店买了3个书包，每个45.5元，又买了12支笔，每支3元，一共花了多少元？',
            'Calculate("3*45.5+12*3")', '172.5', '一共花了172.5元。'),
)

CALCULATE_EXAMPLES = CALCULATE_EXAMPLES + CALCULATE_POOL
