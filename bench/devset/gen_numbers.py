"""Templates for number theory (gcd, lcm, remainders), definitions given before the question
("Let y be 8 - 3 + 2. Solve y*w + 5 = w for w.") and roots (cube roots, nth roots)."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction as F
from random import Random

from devset.gen_algebra import poly_text
from devset.gen_percent import places_text, rounded
from devset.generate import Draft, draft, pick, template

# -- numtheory ---------------------------------------------------------------------------------


def coprime_pair(rng: Random, low: int, high: int) -> tuple[int, int]:
    while True:
        m, n = rng.sample(range(low, high + 1), 2)
        if math.gcd(m, n) == 1:
            return m, n


@template("numtheory", en=3, zh=2)
def nt_gcd(rng: Random, lang: str) -> Draft:
    g = rng.randint(6, 72)
    m, n = coprime_pair(rng, 2, 40)
    a, b = g * m, g * n
    q = pick(rng, [f"What is the greatest common divisor of {a} and {b}?", f"Find the highest common factor of {a} and {b}.",
                   f"What's gcd({a}, {b})?", f"What is the largest number that divides both {a} and {b} exactly?"]
             if lang == "en" else [f"{a}和{b}的最大公约数是多少？", f"求{a}与{b}的最大公因数。"])
    return draft(q, {"numbers": [a, b]}, g)


@template("numtheory", en=3, zh=2)
def nt_lcm(rng: Random, lang: str) -> Draft:
    while True:
        numbers = rng.sample(range(4, 61), rng.choice([2, 2, 3]))
        lcm = math.lcm(*numbers)
        if lcm <= 100000 and lcm != math.prod(numbers) and lcm not in numbers:
            break
    if len(numbers) == 2:
        a, b = numbers
        q = pick(rng, [f"What is the least common multiple of {a} and {b}?", f"Find the lowest common multiple of {a} and {b}.",
                       f"lcm({a}, {b}) = ?"] if lang == "en" else [f"{a}和{b}的最小公倍数是多少？", f"求{a}与{b}的最小公倍数。"])
    else:
        a, b, c = numbers
        q = pick(rng, [f"What is the smallest positive number divisible by {a}, {b} and {c}?",
                       f"Find the least common multiple of {a}, {b} and {c}."] if lang == "en" else
                 [f"求{a}、{b}、{c}的最小公倍数。"])
    return draft(q, {"numbers": numbers}, lcm)


@template("numtheory", en=3, zh=2)
def nt_remainder(rng: Random, lang: str) -> Draft:
    a, b = rng.randint(1000, 9999999), rng.randint(7, 97)
    if a % b < 2:
        a += 3
    q = pick(rng, [f"What is the remainder when {a} is divided by {b}?", f"Compute {a} mod {b}.",
                   f"What's left over when you divide {a} by {b}?"] if lang == "en" else
             [f"{a}除以{b}的余数是多少？", f"{a}被{b}除，余数是几？"])
    return draft(q, {"a": a, "b": b}, a % b)


@template("numtheory", en=2, zh=1)
def nt_buses(rng: Random, lang: str) -> Draft:
    while True:
        a, b = rng.sample(range(6, 46), 2)
        if math.lcm(a, b) != a * b and math.lcm(a, b) not in (a, b):
            break
    q = pick(rng, [f"Two buses leave the station together; one runs every {a} minutes, the other every {b} minutes. "
                   f"After how many minutes do they next leave together?",
                   f"One lighthouse flashes every {a} seconds and another every {b} seconds. They just flashed together. "
                   f"When, in seconds, do they next flash at the same moment?"] if lang == "en" else
             [f"两路公交车同时发车，一路每{a}分钟一班，另一路每{b}分钟一班，至少再过多少分钟两车再次同时发车？"])
    return draft(q, {"numbers": [a, b]}, math.lcm(a, b))


@template("numtheory", en=2, zh=1)
def nt_ribbons(rng: Random, lang: str) -> Draft:
    g = rng.randint(4, 36)
    m, n = coprime_pair(rng, 2, 25)
    a, b = g * m, g * n
    q = pick(rng, [f"Two ribbons, {a} cm and {b} cm long, are cut into pieces of equal length with nothing left over. "
                   f"What is the longest each piece can be?",
                   f"A teacher splits {a} pencils and {b} erasers into identical packs with nothing left. "
                   f"What is the largest number of packs she can make?"] if lang == "en" else
             [f"有两根绳子，分别长{a}厘米和{b}厘米，要剪成同样长的小段且没有剩余，每段最长是多少厘米？"])
    return draft(q, {"numbers": [a, b]}, g)


@template("numtheory", en=2, zh=1)
def nt_power_mod(rng: Random, lang: str) -> Draft:
    base, exp, mod = rng.randint(2, 19), rng.randint(10, 60), rng.randint(7, 50)
    if pow(base, exp, mod) < 2:
        mod += 1
    q = pick(rng, [f"What is the remainder when {base}^{exp} is divided by {mod}?",
                   f"Find {base} to the power {exp}, modulo {mod}."] if lang == "en" else
             [f"{base}的{exp}次方除以{mod}的余数是多少？"])
    return draft(q, {"base": base, "exp": exp, "mod": mod}, pow(base, exp, mod))


@template("numtheory", en=2, zh=1)
def nt_common_denominator(rng: Random, lang: str) -> Draft:
    while True:
        q1, q2 = rng.sample(range(4, 37), 2)
        lcm = math.lcm(q1, q2)
        if lcm != q1 * q2 and lcm not in (q1, q2):
            break
    p1, p2 = rng.choice([p for p in range(1, q1) if math.gcd(p, q1) == 1]), rng.choice([p for p in range(1, q2) if math.gcd(p, q2) == 1])
    q = pick(rng, [f"What is the least common denominator of {p1}/{q1} and {p2}/{q2}?",
                   f"To add {p1}/{q1} and {p2}/{q2}, what is the smallest common denominator?"] if lang == "en" else
             [f"{p1}/{q1}和{p2}/{q2}的最小公分母是多少？"])
    return draft(q, {"fractions": [f"{p1}/{q1}", f"{p2}/{q2}"]}, lcm)


# -- definitions -------------------------------------------------------------------------------


def small_expression(rng: Random) -> tuple[str, int]:
    """A short arithmetic expression and its value, as the definition in a question."""
    p, q, r = rng.randint(2, 12), rng.randint(2, 9), rng.randint(2, 9)
    form = rng.randrange(4)
    if form == 0:
        return f"{p} - {q} + {r}", p - q + r
    if form == 1:
        return f"{p}*{q} - {r}", p * q - r
    if form == 2:  # (p + s)/r with a whole quotient q
        s = q * r - p if q * r > p else q * r + p
        return (f"({p} + {s})/{r}", q) if q * r > p else (f"({s} - {p})/{r}", q)
    return f"{p} - {q}*{r}", p - q * r


def signed(value: int) -> str:
    return f"+ {value}" if value >= 0 else f"- {-value}"


@template("definitions", en=4, zh=2)
def def_solve(rng: Random, lang: str) -> Draft:
    name, var = rng.sample(["y", "k", "a", "c", "m", "j", "d", "w", "n", "t"], 2)
    expr, value = small_expression(rng)
    sol = rng.choice([v for v in range(-12, 13) if v not in (0, 1, -1)])
    form = rng.randrange(3)
    if form == 0 and value != 1:
        c = sol * (1 - value)
        eq = f"{name}*{var} {signed(c)} = {var}"
    elif form == 1:
        k = rng.randint(2, 9)
        eq = f"{k}*{var} - {name} = {k * sol - value}"
    else:
        k = rng.choice([v for v in range(-6, 7) if v not in (0, value)])
        eq = f"{name}*{var} = {k}*{var} {signed((value - k) * sol)}"
    q = pick(rng, [f"Let {name} be {expr}. Solve {eq} for {var}.", f"Suppose {name} = {expr}. Solve {eq} for {var}.",
                   f"Let {name} = {expr}. What is {var} if {eq}?"] if lang == "en" else
             [f"设{name} = {expr}。解关于{var}的方程{eq}。", f"令{name}等于{expr}，求方程{eq}中{var}的值。"])
    return draft(q, {"definition": f"{name} = {expr}", "equation": eq, "var": var}, sol)


@template("definitions", en=4, zh=2)
def def_function(rng: Random, lang: str) -> Draft:
    fname, var = rng.choice([("f", "x"), ("g", "t"), ("h", "n"), ("p", "x"), ("q", "s")])
    coeffs = [rng.randint(-4, 5) or 2, rng.randint(-9, 9), rng.randint(-20, 20)]
    if rng.random() < 0.3:
        coeffs = [rng.choice([1, 2, -1]), *coeffs]
    at = rng.choice([v for v in range(-6, 10) if v not in (0, 1)])
    body = poly_text(coeffs, var, rng.choice(["caret", "py"]))
    value = sum(c * at ** (len(coeffs) - 1 - i) for i, c in enumerate(coeffs))
    q = pick(rng, [f"Let {fname}({var}) = {body}. What is {fname}({at})?", f"Suppose {fname}({var}) = {body}. Calculate {fname}({at}).",
                   f"Let {fname}({var}) = {body}. Give {fname}({at})."] if lang == "en" else
             [f"已知函数{fname}({var}) = {body}，求{fname}({at})。", f"设{fname}({var}) = {body}，{fname}({at})等于多少？"])
    return draft(q, {"function": f"{fname}({var}) = {poly_text(coeffs, var)}", "at": at}, value)


@template("definitions", en=2, zh=1)
def def_compose(rng: Random, lang: str) -> Draft:
    a, b, c = rng.choice([v for v in range(-5, 7) if v not in (0, 1)]), rng.randint(-9, 9), rng.randint(1, 15)
    inner_first = rng.random() < 0.5
    k = rng.randint(-5, 6)
    f_text, g_text = f"{a}x {signed(b)}", f"x^2 - {c}"

    def f(x: int) -> int:
        return a * x + b

    def g(x: int) -> int:
        return x * x - c

    ask, value = (f"f(g({k}))", f(g(k))) if inner_first else (f"g(f({k}))", g(f(k)))
    q = pick(rng, [f"Let f(x) = {f_text} and g(x) = {g_text}. What is {ask}?",
                   f"Given f(x) = {f_text} and g(x) = {g_text}, compute {ask}."] if lang == "en" else
             [f"已知f(x) = {f_text}，g(x) = {g_text}，求{ask}。"])
    return draft(q, {"functions": [f"f(x) = {f_text}", f"g(x) = {g_text}"], "ask": ask}, value)


@template("definitions", en=2, zh=1)
def def_chain(rng: Random, lang: str) -> Draft:
    expr, a = small_expression(rng)
    m, n = rng.randint(2, 6), rng.randint(1, 12)
    b = m * a - n
    ask, value = rng.choice([("b^2 - a", b * b - a), ("a*b + 10", a * b + 10), ("b*(b - a)", b * (b - a))])
    defs = [f"a = {expr}", f"b = {m}*a - {n}"]
    q = pick(rng, [f"Let a = {expr}. Let b = {m}*a - {n}. What is {ask}?",
                   f"Suppose a is {expr} and b = {m}*a - {n}. Calculate {ask}."] if lang == "en" else
             [f"设a = {expr}，b = {m}*a - {n}，求{ask}的值。"])
    return draft(q, {"definitions": defs, "ask": ask}, value)


# -- roots -------------------------------------------------------------------------------------

ORDINAL = {4: "4th", 5: "5th", 6: "6th", 7: "7th"}


@template("roots", en=3, zh=2)
def roots_cube(rng: Random, lang: str) -> Draft:
    r = rng.randint(11, 99) * (-1 if rng.random() < 0.2 else 1)
    n = r**3
    q = pick(rng, [f"What is the cube root of {n}?", f"Find ∛{n}.", f"Which number cubed gives {n}?"] if lang == "en" else
             [f"{n}的立方根是多少？", f"哪个数的立方等于{n}？"])
    return draft(q, {"n": n, "index": 3}, r)


@template("roots", en=3, zh=2)
def roots_nth(rng: Random, lang: str) -> Draft:
    k = rng.randint(4, 7)
    r = rng.randint(2, int(2e9 ** (1 / k)))
    n = r**k
    q = pick(rng, [f"What is the {ORDINAL[k]} root of {n}?", f"Which positive number raised to the power {k} gives {n}?",
                   f"Find the {ORDINAL[k]} root of {n}."] if lang == "en" else
             [f"{n}的{k}次方根（正数）是多少？", f"哪个正数的{k}次方等于{n}？"])
    return draft(q, {"n": n, "index": k}, r)


@template("roots", en=2, zh=1)
def roots_square(rng: Random, lang: str) -> Draft:
    r = rng.randint(101, 999)
    q = pick(rng, [f"What is the square root of {r * r}?", f"√{r * r} = ?"] if lang == "en" else [f"{r * r}的算术平方根是多少？"])
    return draft(q, {"n": r * r, "index": 2}, r)


@template("roots", en=3, zh=2)
def roots_rounded(rng: Random, lang: str) -> Draft:
    while True:
        k, n, places = rng.choice([3, 3, 4, 5]), rng.randint(10, 99999), rng.choice([2, 3])
        with localcontext() as ctx:
            ctx.prec = 60
            exact = Decimal(n) ** (Decimal(1) / Decimal(k))
        value = rounded(exact, places)
        if value is not None and round(n ** (1 / k)) ** k != n:
            break
    how = places_text(rng, places, lang)
    name = {3: "cube", 4: "4th", 5: "5th"}[k]
    q = pick(rng, [f"What is the {name} root of {n}, {how}?", f"Give the {name} root of {n} {how}."] if lang == "en" else
             [f"{n}的{k}次方根约是多少？（{how}）"])
    return draft(q, {"n": n, "index": k, "places": places}, value)


@template("roots", en=2, zh=1)
def roots_cube_volume(rng: Random, lang: str) -> Draft:
    side = rng.randint(4, 60)
    q = pick(rng, [f"A cube has a volume of {side**3} cm³. How long is each edge?",
                   f"A cubic tank holds {side**3} cubic metres. What is the length of its side in metres?"]
             if lang == "en" else [f"一个正方体的体积是{side**3}立方厘米，它的棱长是多少厘米？"])
    return draft(q, {"volume": side**3}, F(side))
