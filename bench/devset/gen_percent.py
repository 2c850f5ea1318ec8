"""Templates for percentages and rounding ("to 2 decimal places", "to the nearest whole number")."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction as F
from random import Random

from devset.generate import Draft, draft, money, num, pick, template

PI = Decimal("3.14159265358979323846264338327950288419716939937510")


def rounded(value: F | Decimal, places: int) -> F | None:
    """`value` rounded half-up to `places` decimals; None when it lies within 1e-9 of a tie
    (where "round half up" and "round half even" could disagree, or float noise could)."""
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, F) else value
        scaled = exact.scaleb(places)
        if abs(scaled - scaled.to_integral_value(rounding="ROUND_FLOOR") - Decimal("0.5")) < Decimal("1e-9"):
            return None
        return F(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def sqrt(n: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(n).sqrt()


PLACES_EN = {0: ["to the nearest whole number", "rounded to the nearest integer"],
             1: ["to one decimal place", "to the nearest tenth", "rounded to 1 decimal place"],
             2: ["to two decimal places", "to the nearest hundredth", "rounded to 2 decimals"],
             3: ["to three decimal places", "rounded to 3 decimal places"]}
PLACES_ZH = {0: ["结果精确到整数", "四舍五入到个位"], 1: ["保留一位小数", "精确到0.1"],
             2: ["保留两位小数", "精确到0.01"], 3: ["保留三位小数", "精确到0.001"]}


def places_text(rng: Random, places: int, lang: str) -> str:
    return pick(rng, (PLACES_EN if lang == "en" else PLACES_ZH)[places])


# -- percent -----------------------------------------------------------------------------------


@template("percent")
def pct_of(rng: Random, lang: str) -> Draft:
    p = rng.choice([F(5), F(15, 2), F(25, 2), F(15), F(17), F(22), F(35), F(125, 2), F(8), F(7, 2), F(45)])
    n = rng.randrange(40, 12000, 4)
    value = p * n / 100
    if lang == "en":
        options = [f"Find {num(p)} percent of {n}.", f"How much is {num(p)}% of {n}?",
                   f"Leave a {num(p)}% tip on a ${n} dinner bill: how much is the tip?"]
        if value.denominator == 1:  # people come whole
            options.append(f"A company has {n} employees and {num(p)}% of them work remotely. How many is that?")
    else:
        options = [f"{n}的{num(p)}%是多少？"]
        if value.denominator == 1:
            options.append(f"一个工厂有{n}名工人，其中{num(p)}%是女工，女工有多少人？")
    return draft(pick(rng, options), {"percent": num(p), "n": n}, value)


@template("percent")
def pct_increase(rng: Random, lang: str) -> Draft:
    while True:
        r = rng.choice([F(4), F(5), F(15, 2), F(12), F(16), F(25, 2), F(18), F(20), F(24), F(35), F(45, 2), F(40)])
        a = rng.randrange(40, 5000, 8)
        b = a * (100 + r) / 100
        if b.denominator == 1:
            break
    q = pick(rng, [f"A bike's price went up from ${a} to ${b}. By what percentage did it rise?",
                   f"The town grew from {a} to {b} residents. What was the percentage growth?"]
             if lang == "en" else
             [f"某商品价格从{a}元涨到{b}元，涨幅是百分之多少？", f"去年产量{a}吨，今年{b}吨，增长了百分之几？"])
    return draft(q, {"from": a, "to": int(b)}, r)


@template("percent")
def pct_discount_tax(rng: Random, lang: str) -> Draft:
    while True:
        price = F(rng.randrange(1999, 49999, 100), 100)
        d, t = rng.choice([10, 15, 20, 25, 30, 35, 40]), rng.choice([5, 6, 7, F(15, 2), 8, 13])
        final = rounded(price * (100 - d) / 100 * (100 + t) / 100, 2)
        if final is not None:
            break
    q = pick(rng, [f"A coat is priced at ${money(price)}. It is {d}% off, and then {num(t)}% sales tax is added to the "
                   f"sale price. What do I pay, to the nearest cent?",
                   f"With {d}% off a ${money(price)} lamp and {num(t)}% tax on the reduced price, what is the final cost "
                   f"rounded to the cent?"] if lang == "en" else
             [f"一件外套标价{money(price)}元，先优惠{d}%，再按优惠后的价格加收{num(t)}%的税，最后要付多少元？（精确到0.01元）"])
    return draft(q, {"price": money(price), "discount": d, "tax": num(t), "places": 2}, final)


@template("percent")
def pct_share(rng: Random, lang: str) -> Draft:
    while True:
        b = rng.randint(16, 800)
        a = rng.randint(3, b - 1)
        if (F(a, b) * 100).denominator in (1, 2, 4, 5, 8):
            break
    q = pick(rng, [f"{a} out of {b} students passed the exam. What percentage passed?",
                   f"What percent of {b} is {a}?", f"{a} of the {b} seeds sprouted. What share is that, in percent?"]
             if lang == "en" else [f"{b}名学生中有{a}人及格，及格率是百分之多少？", f"{a}占{b}的百分之几？"])
    return draft(q, {"part": a, "whole": b}, F(a, b) * 100)


@template("percent")
def pct_sale_price(rng: Random, lang: str) -> Draft:
    price = F(rng.randrange(60, 3000, 2))
    if lang == "zh":
        k = rng.choice([F(6), F(7), F(15, 2), F(8), F(17, 2), F(9), F(19, 2)])
        q = pick(rng, [f"原价{num(price)}元的商品打{num(k)}折出售，现价多少元？", f"一双鞋原价{num(price)}元，现在打{num(k)}折，便宜后卖多少元？"])
        return draft(q, {"price": num(price), "zhe": num(k)}, price * k / 10)
    d = rng.choice([10, 15, 20, 25, 30, 35, 40, 60])
    q = pick(rng, [f"A ${num(price)} jacket is on sale for {d}% off. What is the sale price?",
                   f"Headphones usually cost ${num(price)}; today they're {d}% cheaper. What do they cost today?"])
    return draft(q, {"price": num(price), "discount": d}, price * (100 - d) / 100)


@template("percent")
def pct_original(rng: Random, lang: str) -> Draft:
    d = rng.choice([10, 20, 25, 30, 40, 50, 60])
    original = F(rng.randrange(20, 2000, 5))
    sale = original * (100 - d) / 100
    q = pick(rng, [f"After a {d}% discount a phone costs ${money(sale)}. What was the original price?",
                   f"I paid ${money(sale)} for shoes that were marked down by {d}%. What was the price before the sale?"]
             if lang == "en" else [f"一部手机降价{d}%后卖{money(sale)}元，原价是多少元？"])
    return draft(q, {"sale": money(sale), "discount": d}, original)


# -- rounding ----------------------------------------------------------------------------------


@template("rounding", en=4, zh=2)
def round_div(rng: Random, lang: str) -> Draft:
    while True:
        a, b, places = rng.randint(100, 99999), rng.choice([7, 9, 11, 13, 17, 19, 23, 29, 31, 37, 41]), rng.randint(1, 3)
        value = rounded(F(a, b), places)
        if value is not None and F(a, b) != value:
            break
    how = places_text(rng, places, lang)
    q = pick(rng, [f"What is {a} divided by {b}, {how}?", f"Give {a}/{b} {how}.",
                   f"Divide {a} by {b} and round the answer {how.replace('rounded ', '')}."] if lang == "en" else
             [f"{a}除以{b}，{how}。", f"{a}÷{b}约等于多少？（{how}）"])
    return draft(q, {"a": a, "b": b, "places": places}, value)


@template("rounding")
def round_sqrt(rng: Random, lang: str) -> Draft:
    while True:
        n, places = rng.randint(20, 99999), rng.choice([0, 0, 2])
        value = rounded(sqrt(n), places)
        if value is not None and sqrt(n) != sqrt(n).to_integral_value():
            break
    how = places_text(rng, places, lang)
    q = pick(rng, [f"What is the square root of {n}, {how}?", f"Find √{n} {how}."] if lang == "en" else
             [f"{n}的平方根约是多少？（{how}）"])
    return draft(q, {"n": n, "places": places}, value)


@template("rounding")
def round_share(rng: Random, lang: str) -> Draft:
    while True:
        total, k = F(rng.randrange(1000, 99999, 1), 100), rng.choice([3, 6, 7, 9, 11, 12, 13])
        value = rounded(total / k, 2)
        if value is not None and value != total / k:
            break
    q = pick(rng, [f"A ${money(total)} bill is split equally among {k} friends. How much does each pay, rounded to the nearest cent?",
                   f"Share {money(total)} dollars evenly between {k} people. What is one share to the nearest cent?"]
             if lang == "en" else [f"{money(total)}元平均分给{k}个人，每人分多少元？（保留两位小数）"])
    return draft(q, {"total": money(total), "people": k, "places": 2}, value)


@template("rounding")
def round_circle(rng: Random, lang: str) -> Draft:
    while True:
        r, places, area = F(rng.randint(2, 150), rng.choice([1, 2, 10])), rng.choice([0, 1, 2]), rng.random() < 0.5
        with localcontext() as ctx:
            ctx.prec = 60
            exact = PI * Decimal(r.numerator) / Decimal(r.denominator)
            exact = exact * Decimal(r.numerator) / Decimal(r.denominator) if area else exact * 2
        value = rounded(exact, places)
        if value is not None:
            break
    how = places_text(rng, places, lang)
    if area:
        q = pick(rng, [f"A circular garden has a radius of {num(r)} m. What is its area in square metres, {how}?",
                       f"What is the area of a circle of radius {num(r)} cm, {how}?"] if lang == "en" else
                 [f"一个圆的半径是{num(r)}厘米，它的面积是多少平方厘米？（{how}）"])
    else:
        q = pick(rng, [f"How long is the circumference of a circle with radius {num(r)} cm, {how}?",
                       f"A round table has a radius of {num(r)} m. What is its circumference in metres, {how}?"]
                 if lang == "en" else [f"半径为{num(r)}米的圆，周长是多少米？（{how}）"])
    return draft(q, {"radius": num(r), "area": area, "places": places}, value)


@template("rounding")
def round_mean(rng: Random, lang: str) -> Draft:
    while True:
        n = rng.choice([3, 6, 7, 9])
        values = [rng.randint(140, 199) for _ in range(n)]
        value = rounded(F(sum(values), n), 0)
        if value is not None and value != F(sum(values), n):
            break
    listed = ", ".join(map(str, values)) if lang == "en" else "、".join(map(str, values))
    q = pick(rng, [f"The players' heights are {listed} cm. What is the average height, rounded to the nearest whole number?",
                   f"Average these numbers and round to the nearest integer: {listed}."] if lang == "en" else
             [f"几名队员的身高分别是{listed}厘米，平均身高是多少厘米？（结果精确到整数）"])
    return draft(q, {"values": values, "places": 0}, value)
