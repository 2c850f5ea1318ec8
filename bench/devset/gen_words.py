"""Templates for word problems: multi-step arithmetic, units, rates, averages, percentages.

Phrasings are deliberately unlike the prompt's few-shot turns ("What is A multiplied by B?"):
the set measures questions as other people write them.
"""

from __future__ import annotations

from fractions import Fraction as F
from random import Random

from devset.generate import Draft, draft, money, num, pick, template

# -- arith -------------------------------------------------------------------------------------


@template("arith")
def arith_mul_sub(rng: Random, lang: str) -> Draft:
    a, b, c = rng.randint(12, 99), rng.randint(11, 99), rng.randint(100, 999)
    if a * b <= c:
        a += 20
    q = pick(rng, [
        f"What do you get if you multiply {a} by {b} and then take away {c}?",
        f"Multiply {a} by {b}, then subtract {c}. What's left?",
        f"Take the product of {a} and {b} and reduce it by {c}.",
        f"I have {a} boxes with {b} apples in each and give away {c} apples. How many apples do I have left?",
    ] if lang == "en" else [
        f"{a}乘{b}的积再减去{c}，结果是多少？",
        f"有{a}箱苹果，每箱{b}个，送出去{c}个，还剩多少个？",
        f"计算：{a}×{b}−{c}",
    ])
    return draft(q, {"a": a, "b": b, "c": c}, a * b - c)


@template("arith")
def arith_sum_mul_sub(rng: Random, lang: str) -> Draft:
    a, b, c, d = rng.randint(13, 240), rng.randint(13, 240), rng.randint(6, 45), rng.randint(50, 900)
    q = pick(rng, [
        f"Add {a} and {b}, multiply the sum by {c}, and subtract {d}. What number do you end up with?",
        f"Compute ({a} + {b}) × {c} − {d}.",
        f"A club has {a} junior and {b} senior members. Each pays {c} dollars a year, and the club "
        f"spends {d} dollars on a party. How much money is left?",
    ] if lang == "en" else [
        f"先求{a}与{b}的和，再乘以{c}，然后减去{d}，等于多少？",
        f"({a}+{b})×{c}−{d}等于几？",
        f"图书馆上午借出{a}本书，下午借出{b}本，每本收押金{c}元，退还了{d}元，还剩多少押金？",
    ])
    return draft(q, {"a": a, "b": b, "c": c, "d": d}, (a + b) * c - d)


@template("arith")
def arith_change(rng: Random, lang: str) -> Draft:
    n, cents = rng.randint(2, 9), rng.randrange(125, 1995, 5)
    price = F(cents, 100)
    bill = next(b for b in (20, 50, 100, 200) if b > n * price)
    q = pick(rng, [
        f"I bought {n} notebooks at ${money(price)} each and paid with a ${bill} bill. How much change should I get?",
        f"{n} tickets cost ${money(price)} apiece. If you hand over ${bill}, what is your change?",
        f"Sandwiches are ${money(price)} each. We order {n} and pay with ${bill}. How much comes back?",
    ] if lang == "en" else [
        f"小明买了{n}支笔，每支{money(price)}元，付了{bill}元，应找回多少元？",
        f"一本书{money(price)}元，买{n}本，给收银员{bill}元，找零多少元？",
    ])
    return draft(q, {"n": n, "price": money(price), "bill": bill}, bill - n * price)


@template("arith")
def arith_div_add(rng: Random, lang: str) -> Draft:
    b, k, c = rng.randint(3, 24), rng.randint(12, 150), rng.randint(3, 40)
    a = b * k
    q = pick(rng, [
        f"Divide {a} by {b} and add {c} to the result.",
        f"What is {a} ÷ {b} + {c}?",
        f"{a} sweets are shared equally among {b} children; then each child gets {c} more from grandma. "
        f"How many sweets does each child have?",
    ] if lang == "en" else [
        f"{a}除以{b}的商加上{c}是多少？",
        f"{a}颗糖平均分给{b}个小朋友，每人又多得{c}颗，每人一共有几颗？",
    ])
    return draft(q, {"a": a, "b": b, "c": c}, k + c)


@template("arith")
def arith_two_items(rng: Random, lang: str) -> Draft:
    n1, n2 = rng.randint(12, 60), rng.randint(3, 30)
    p1, p2 = F(rng.randrange(1500, 9000, 25), 100), F(rng.randrange(4000, 30000, 50), 100)
    q = pick(rng, [
        f"A school orders {n1} chairs at ${money(p1)} each and {n2} desks at ${money(p2)} each. What is the total bill?",
        f"For a party I need {n1} pizzas at {money(p1)} dollars and {n2} crates of juice at {money(p2)} dollars. "
        f"How much will it all cost?",
    ] if lang == "en" else [
        f"学校买了{n1}把椅子，每把{money(p1)}元，又买了{n2}张桌子，每张{money(p2)}元，一共花了多少元？",
        f"公司订了{n1}份午餐，每份{money(p1)}元，还订了{n2}箱水，每箱{money(p2)}元，总共多少钱？",
    ])
    return draft(q, {"n1": n1, "p1": money(p1), "n2": n2, "p2": money(p2)}, n1 * p1 + n2 * p2)


@template("arith")
def arith_power_mix(rng: Random, lang: str) -> Draft:
    a, k, b, c = rng.randint(11, 39), rng.choice([3, 4]), rng.randint(21, 99), rng.randint(21, 99)
    q = pick(rng, [
        f"What is {a} to the power {k}, minus {b} times {c}?",
        f"Evaluate {a}^{k} - {b}*{c}.",
        f"Raise {a} to the {k}th power and subtract the product of {b} and {c}.",
    ] if lang == "en" else [
        f"{a}的{k}次方减去{b}乘{c}的积，结果是多少？",
        f"计算 {a}^{k} − {b}×{c}。",
    ])
    return draft(q, {"a": a, "k": k, "b": b, "c": c}, a**k - b * c)


# -- units -------------------------------------------------------------------------------------

TIME = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}
TIME_ZH = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天", "week": "周"}


@template("units", en=4, zh=2)
def units_time(rng: Random, lang: str) -> Draft:
    big, small = rng.choice([("day", "second"), ("week", "minute"), ("day", "minute"), ("week", "hour"),
                             ("week", "second"), ("hour", "second")])
    value = rng.choice([rng.randint(2, 19), F(rng.randint(3, 39), 2)])
    v = num(value)
    if lang == "en":
        unit = big if value == 1 else big + "s"
        q = pick(rng, [f"How many {small}s are there in {v} {unit}?", f"Express {v} {unit} in {small}s.",
                       f"My trip lasts {v} {unit}. How many {small}s is that?",
                       f"{v} {unit} is how many {small}s?"])
    else:
        q = pick(rng, [f"{v}{TIME_ZH[big]}等于多少{TIME_ZH[small]}？", f"{v}{TIME_ZH[big]}一共有多少{TIME_ZH[small]}？",
                       f"把{v}{TIME_ZH[big]}换算成{TIME_ZH[small]}。"])
    return draft(q, {"value": v, "from": big, "to": small}, F(value) * TIME[big] / TIME[small])


# unit: (metres, grams or litres per unit, English name, Chinese name)
METRIC = {
    "nm": (F(1, 10**9), "nanometres", "纳米"), "um": (F(1, 10**6), "micrometres", "微米"),
    "mm": (F(1, 1000), "millimetres", "毫米"), "cm": (F(1, 100), "centimetres", "厘米"),
    "m": (F(1), "metres", "米"), "km": (F(1000), "kilometres", "千米"),
    "mg": (F(1, 1000), "milligrams", "毫克"), "g": (F(1), "grams", "克"), "kg": (F(1000), "kilograms", "千克"),
    "t": (F(10**6), "tonnes", "吨"), "mL": (F(1, 1000), "millilitres", "毫升"), "L": (F(1), "litres", "升"),
    "m3": (F(1000), "cubic metres", "立方米"),
}
METRIC_PAIRS = [("nm", "km"), ("nm", "m"), ("um", "mm"), ("mm", "km"), ("cm", "km"), ("km", "mm"),
                ("mg", "kg"), ("g", "t"), ("t", "mg"), ("mL", "m3"), ("m3", "mL"), ("um", "m")]


@template("units", en=4, zh=2)
def units_metric(rng: Random, lang: str) -> Draft:
    src, dst = rng.choice(METRIC_PAIRS)
    value = F(rng.randint(1000, 9999999), 10 ** rng.randint(0, 2))
    v = num(value)
    (fs, en_s, zh_s), (fd, en_d, zh_d) = METRIC[src], METRIC[dst]
    q = pick(rng, [f"Convert {v} {en_s} to {en_d}.", f"How many {en_d} is {v} {en_s}?",
                   f"What is {v} {en_s} in {en_d}?"] if lang == "en" else
             [f"{v}{zh_s}等于多少{zh_d}？", f"把{v}{zh_s}换算成{zh_d}。"])
    return draft(q, {"value": v, "from": src, "to": dst}, value * fs / fd)


IMPERIAL = {  # unit: (factor, target unit, English question, Chinese question)
    "inch": (F(254, 100), "cm", "How many centimetres are in {v} inches?", "{v}英寸是多少厘米？"),
    "foot": (F(3048, 10000), "m", "A board is {v} feet long. How long is it in metres?", "{v}英尺等于多少米？"),
    "mile": (F(1609344, 10**6), "km", "Convert {v} miles to kilometres.", "{v}英里等于多少千米？"),
    "pound": (F(45359237, 10**8), "kg", "My suitcase weighs {v} pounds. What is that in kilograms?", "{v}磅是多少千克？"),
    "yard": (F(9144, 10000), "m", "How many metres long is a {v}-yard field?", "{v}码等于多少米？"),
    "gallon": (F(3785411784, 10**9), "L", "A tank holds {v} US gallons. How many litres is that?", "{v}美制加仑是多少升？"),
}


@template("units", en=4, zh=2)
def units_imperial(rng: Random, lang: str) -> Draft:
    unit = rng.choice(sorted(IMPERIAL))
    factor, target, en_q, zh_q = IMPERIAL[unit]
    value = F(rng.randint(3, 500)) if rng.random() < 0.6 else F(rng.randint(11, 999), 10)
    v = num(value)
    q = (en_q if lang == "en" else zh_q).format(v=v)
    return draft(q, {"value": v, "from": unit, "to": target}, value * factor)


@template("units", en=4, zh=2)
def units_speed(rng: Random, lang: str) -> Draft:
    case = rng.randrange(3)
    if case == 0:
        v = 9 * rng.randint(2, 30)
        q = pick(rng, [f"Convert {v} km/h to metres per second.", f"A car drives at {v} km/h. What is that in m/s?"]
                 if lang == "en" else [f"{v}千米/小时等于多少米/秒？", f"汽车的速度是每小时{v}千米，合每秒多少米？"])
        return draft(q, {"speed": v, "from": "km/h", "to": "m/s"}, F(v * 1000, 3600))
    if case == 1:
        v = F(rng.randint(3, 95), rng.choice([1, 2, 4]))
        q = pick(rng, [f"Express {num(v)} m/s in kilometres per hour.", f"A sprinter reaches {num(v)} metres per second. "
                       f"How fast is that in km/h?"] if lang == "en" else [f"{num(v)}米/秒等于多少千米/小时？"])
        return draft(q, {"speed": num(v), "from": "m/s", "to": "km/h"}, v * F(3600, 1000))
    minutes = rng.choice([12, 15, 20, 24, 30, 36, 40, 45, 48, 50, 75, 90])
    d = F(rng.randint(20, 300), 10)
    q = pick(rng, [f"A cyclist covers {num(d)} km in {minutes} minutes. What is her average speed in km/h?",
                   f"I ran {num(d)} kilometres in {minutes} minutes. How fast was that in kilometres per hour?"]
             if lang == "en" else [f"小李骑车{minutes}分钟行了{num(d)}千米，他的平均速度是每小时多少千米？"])
    return draft(q, {"distance": num(d), "minutes": minutes}, d * 60 / minutes)


@template("units", en=3, zh=2)
def units_years(rng: Random, lang: str) -> Draft:
    unit, size, zh = rng.choice([("millennia", 1000, "千年"), ("centuries", 100, "世纪"), ("decades", 10, "十年")])
    years = rng.randint(37, 98765)
    q = pick(rng, [f"How many {unit} are there in {years} years?", f"Express {years} years in {unit}.",
                   f"A tree is {years} years old. How many {unit} is that?"] if lang == "en" else
             [f"{years}年是多少个{zh}？", f"{years}年等于几个{zh}？"])
    return draft(q, {"years": years, "unit": unit}, F(years, size))


@template("units", en=3, zh=2)
def units_box_volume(rng: Random, lang: str) -> Draft:
    if rng.random() < 0.5:
        x, y, z = rng.randint(15, 120), rng.randint(10, 80), rng.randint(10, 70)
        q = pick(rng, [f"A box measures {x} cm by {y} cm by {z} cm. How many litres does it hold?",
                       f"A fish tank is {x} cm long, {y} cm wide and {z} cm high. What is its volume in litres?"]
                 if lang == "en" else [f"一个长方体水箱长{x}厘米、宽{y}厘米、高{z}厘米，最多能装多少升水？"])
        return draft(q, {"x": x, "y": y, "z": z, "unit": "cm"}, F(x * y * z, 1000))
    x, y, z = rng.randint(4, 25), rng.randint(3, 12), F(rng.randint(8, 30), 10)
    q = pick(rng, [f"A pool is {x} m long, {y} m wide and {num(z)} m deep. How many litres of water fill it?"]
             if lang == "en" else [f"一个水池长{x}米、宽{y}米、深{num(z)}米，装满需要多少升水？"])
    return draft(q, {"x": x, "y": y, "z": num(z), "unit": "m"}, x * y * z * 1000)


# -- rates -------------------------------------------------------------------------------------


@template("rates")
def rates_proportion(rng: Random, lang: str) -> Draft:
    unit = F(rng.randrange(35, 1250, 5), 100)
    n1, n2 = rng.sample(range(2, 25), 2)
    p1 = n1 * unit
    q = pick(rng, [f"If {n1} pens cost ${money(p1)}, what do {n2} pens cost?",
                   f"{n1} kg of apples sell for ${money(p1)}. At the same price, how much are {n2} kg?",
                   f"A recipe needs ${money(p1)} of cheese for {n1} people. How much cheese money for {n2} people?"]
             if lang == "en" else [f"{n1}千克苹果卖{money(p1)}元，照这样计算，{n2}千克要多少元？",
                                  f"买{n1}个本子花了{money(p1)}元，买{n2}个同样的本子要多少元？"])
    return draft(q, {"n1": n1, "p1": money(p1), "n2": n2}, n2 * unit)


@template("rates")
def rates_work(rng: Random, lang: str) -> Draft:
    while True:
        a, b = rng.sample(range(2, 31), 2)
        together = F(a * b, a + b)
        if together.denominator in (1, 2, 4, 5, 8, 10):
            break
    q = pick(rng, [f"One pump fills a tank in {a} hours and a second pump in {b} hours. Working together, "
                   f"how many hours do they take?",
                   f"Alice can paint a fence in {a} hours, Bob in {b} hours. Painting together, how long do they need?"]
             if lang == "en" else [f"一项工程，甲单独做需要{a}天完成，乙单独做需要{b}天完成。两人合作需要多少天？",
                                  f"一个水池，甲管单独注满要{a}小时，乙管单独注满要{b}小时，两管同时开，几小时注满？"])
    return draft(q, {"a": a, "b": b}, together)


@template("rates")
def rates_travel(rng: Random, lang: str) -> Draft:
    v = rng.choice([40, 48, 50, 60, 64, 72, 75, 80, 90, 96, 100, 120])
    d = v * F(rng.randint(3, 40), 4)
    if rng.random() < 0.5:
        q = pick(rng, [f"A train covers {num(d)} km at a steady {v} km/h. How many hours does the trip take?",
                       f"At {v} kilometres an hour, how long does it take to drive {num(d)} km, in hours?"]
                 if lang == "en" else [f"一辆汽车以每小时{v}千米的速度行驶{num(d)}千米，需要多少小时？"])
        return draft(q, {"distance": num(d), "speed": v, "unit": "hours"}, d / v)
    q = pick(rng, [f"How many minutes does it take to travel {num(d)} km at {v} km per hour?"]
             if lang == "en" else [f"以每小时{v}千米的速度走{num(d)}千米，要用多少分钟？"])
    return draft(q, {"distance": num(d), "speed": v, "unit": "minutes"}, d / v * 60)


@template("rates")
def rates_machine(rng: Random, lang: str) -> Draft:
    p, m, h = rng.randint(12, 250), rng.choice([3, 4, 5, 6, 8, 10, 12, 15, 20]), rng.randint(2, 9)
    q = pick(rng, [f"A printer produces {p} pages every {m} minutes. How many pages does it print in {h} hours?",
                   f"A machine fills {p} bottles in {m} minutes. At that rate, how many bottles does it fill in {h} hours?"]
             if lang == "en" else [f"一台机器{m}分钟能装{p}瓶水，照这样的速度，{h}小时能装多少瓶？",
                                  f"打印机每{m}分钟打印{p}页，{h}小时能打印多少页？"])
    return draft(q, {"count": p, "minutes": m, "hours": h}, F(p, m) * 60 * h)


@template("rates")
def rates_fuel(rng: Random, lang: str) -> Draft:
    per100, d = F(rng.randint(45, 140), 10), rng.randint(35, 1500)
    q = pick(rng, [f"My car burns {num(per100)} litres of petrol per 100 km. How much fuel do I need for a {d} km trip?",
                   f"A van uses {num(per100)} L every 100 kilometres. How many litres does it use over {d} km?"]
             if lang == "en" else [f"一辆车每百公里耗油{num(per100)}升，行驶{d}公里需要多少升油？"])
    return draft(q, {"per100": num(per100), "distance": d}, per100 * d / 100)


@template("rates")
def rates_wage(rng: Random, lang: str) -> Draft:
    w, h, k = F(rng.randrange(1200, 4800, 25), 100), rng.randint(12, 45), rng.randint(2, 12)
    q = pick(rng, [f"Mia earns ${money(w)} an hour and works {h} hours a week. How much does she earn in {k} weeks?",
                   f"At ${money(w)} per hour, {h} hours a week, what do {k} weeks of work pay?"]
             if lang == "en" else [f"小王每小时工资{money(w)}元，每周工作{h}小时，{k}周能挣多少元？"])
    return draft(q, {"wage": money(w), "hours": h, "weeks": k}, w * h * k)


# -- average -----------------------------------------------------------------------------------


def _listing(values: list[int], lang: str) -> str:
    if lang == "zh":
        return "、".join(map(str, values))
    return ", ".join(map(str, values[:-1])) + f" and {values[-1]}"


@template("average", en=4, zh=2)
def avg_list(rng: Random, lang: str) -> Draft:
    n = rng.choice([4, 5, 5, 6, 8])
    values = [rng.randint(12, 98) for _ in range(n)]
    listed = _listing(values, lang)
    q = pick(rng, [f"What is the average of {listed}?", f"My last {n} runs took {listed} minutes. What was my mean time?",
                   f"The daily highs this week were {listed} degrees. What was the average high?",
                   f"Find the arithmetic mean of {listed}."] if lang == "en" else
             [f"求{listed}的平均数。", f"小红这{n}次考试的成绩分别是{listed}分，她的平均分是多少？"])
    return draft(q, {"values": values}, F(sum(values), n))


@template("average")
def avg_needed(rng: Random, lang: str) -> Draft:
    k = rng.randint(3, 5)
    scores = [rng.randint(62, 98) for _ in range(k)]
    target = rng.randint(75, 90)
    need = target * (k + 1) - sum(scores)
    if not 0 < need <= 100:
        return avg_needed(rng, lang)
    listed = _listing(scores, lang)
    q = pick(rng, [f"Sam scored {listed} on his first {k} tests. What does he need on the next test to average {target}?",
                   f"After quizzes of {listed}, what score on one more quiz brings the average to exactly {target}?"]
             if lang == "en" else [f"小明前{k}次测验得了{listed}分，第{k + 1}次要考多少分，平均分才能达到{target}分？"])
    return draft(q, {"scores": scores, "target": target}, need)


@template("average")
def avg_groups(rng: Random, lang: str) -> Draft:
    while True:
        n1, n2, a1, a2 = rng.randint(12, 40), rng.randint(12, 40), rng.randint(60, 95), rng.randint(60, 95)
        mean = F(n1 * a1 + n2 * a2, n1 + n2)
        if mean.denominator in (1, 2, 4, 5, 8, 10, 20, 25, 50) and a1 != a2:
            break
    q = pick(rng, [f"Class A has {n1} students averaging {a1} points; class B has {n2} students averaging {a2}. "
                   f"What is the average over both classes?",
                   f"{n1} workers earn {a1} dollars a day on average and {n2} others earn {a2}. What is the average "
                   f"daily pay of all of them?"] if lang == "en" else
             [f"甲班{n1}人，平均分{a1}分；乙班{n2}人，平均分{a2}分。两个班的总平均分是多少？"])
    return draft(q, {"n1": n1, "a1": a1, "n2": n2, "a2": a2}, mean)
