"""Templates for linear systems, quadratics and polynomial roots.

Equations are built from their solutions (so every answer is exact) and written in one of the
notations people type: `3x + 2y = 16`, `3*x + 2*y = 16`, `x^2 - 5x + 6`, `x² − 5x + 6`,
`x**2 - 5*x + 6`. `params` keeps the ASCII form, which the tests solve again with sympy.
"""

from __future__ import annotations

from fractions import Fraction as F
from random import Random

from devset.generate import Draft, draft, num, pick, template

SUPERSCRIPT = {2: "²", 3: "³", 4: "⁴"}
STYLES = ("caret", "caret", "super", "py")


def poly_text(coeffs: list[int], var: str, style: str = "caret") -> str:
    """Coefficients from the highest power down, written as people write them."""
    degree = len(coeffs) - 1
    parts: list[str] = []
    for i, c in enumerate(coeffs):
        d = degree - i
        if c == 0:
            continue
        if d == 0:
            body = str(abs(c))
        else:
            power = var if d == 1 else {"caret": f"{var}^{d}", "super": f"{var}{SUPERSCRIPT[d]}", "py": f"{var}**{d}"}[style]
            coef = "" if abs(c) == 1 else str(abs(c)) + ("*" if style == "py" else "")
            body = coef + power
        minus = "−" if style == "super" else "-"
        if not parts:
            parts.append(("-" if c < 0 else "") + body)
        else:
            parts.append(f"{minus if c < 0 else '+'} {body}")
    return " ".join(parts) or "0"


def expand(roots: list[int], lead: int = 1) -> list[int]:
    """Coefficients of lead * prod(x - r)."""
    coeffs = [lead]
    for r in roots:
        coeffs = [a - r * b for a, b in zip([*coeffs, 0], [0, *coeffs])]
    return coeffs


def linear_text(coeffs: list[int], names: list[str], rhs: int, style: str) -> str:
    """`3x - y = 7` (or `3*x - y = 7` in the "py" style)."""
    parts: list[str] = []
    for c, name in zip(coeffs, names):
        if c == 0:
            continue
        coef = "" if abs(c) == 1 else str(abs(c)) + ("*" if style == "py" else "")
        sign = ("-" if c < 0 else "") if not parts else ("- " if c < 0 else "+ ")
        parts.append(f"{sign}{coef}{name}")
    return " ".join(parts) + f" = {rhs}"


def nonzero(rng: Random, low: int, high: int) -> int:
    return rng.choice([v for v in range(low, high + 1) if v != 0])


# -- system ------------------------------------------------------------------------------------


@template("system", en=4, zh=2)
def sys_linear2(rng: Random, lang: str) -> Draft:
    names = rng.choice([["x", "y"], ["a", "b"], ["m", "n"], ["p", "q"], ["u", "v"]])
    s = [nonzero(rng, -12, 15), nonzero(rng, -12, 15)]
    while True:
        a = [[nonzero(rng, -9, 9) for _ in range(2)] for _ in range(2)]
        if a[0][0] * a[1][1] - a[0][1] * a[1][0] != 0:
            break
    style = rng.choice(["caret", "caret", "py"])
    eqs = [linear_text(row, names, row[0] * s[0] + row[1] * s[1], style) for row in a]
    v1, v2 = names
    e1, e2 = eqs
    q = pick(rng, [f"Solve the system {e1} and {e2}.", f"Find {v1} and {v2} if {e1} and {e2}.",
                   f"{e1}; {e2}. What are {v1} and {v2}?", f"Which values of {v1} and {v2} satisfy both {e1} and {e2}?"]
             if lang == "en" else [f"解方程组：{e1}，{e2}。", f"已知{e1}，{e2}，求{v1}和{v2}的值。"])
    return draft(q, {"equations": eqs, "vars": names}, *s)


@template("system", en=2, zh=1)
def sys_linear3(rng: Random, lang: str) -> Draft:
    names = ["x", "y", "z"]
    s = [nonzero(rng, -6, 9) for _ in range(3)]
    while True:
        a = [[rng.randint(-5, 5) for _ in range(3)] for _ in range(3)]
        det = (a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
               + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]))
        if det != 0 and all(sum(1 for c in row if c) >= 2 for row in a):
            break
    eqs = [linear_text(row, names, sum(c * v for c, v in zip(row, s)), "caret") for row in a]
    q = pick(rng, [f"Solve for x, y and z: {eqs[0]}, {eqs[1]}, {eqs[2]}.",
                   f"Find x, y, z such that {eqs[0]}; {eqs[1]}; {eqs[2]}."] if lang == "en" else
             [f"解三元一次方程组：{eqs[0]}，{eqs[1]}，{eqs[2]}。"])
    return draft(q, {"equations": eqs, "vars": names}, *s)


@template("system")
def sys_tickets(rng: Random, lang: str) -> Draft:
    adults, children = rng.sample(range(12, 400), 2)
    pa, pc = rng.choice([(12, 7), (15, 8), (18, 10), (20, 12), (25, 15), (14, 9), (30, 18)])
    total, revenue = adults + children, adults * pa + children * pc
    q = pick(rng, [f"A cinema sold {total} tickets and took in ${revenue}. Adult tickets cost ${pa} and child tickets "
                   f"${pc}. How many adult and how many child tickets were sold?",
                   f"{total} people visited a museum, paying ${pa} per adult and ${pc} per child, {revenue} dollars in all. "
                   f"How many adults and how many children came?"] if lang == "en" else
             [f"电影院卖出{total}张票，共收入{revenue}元。成人票每张{pa}元，儿童票每张{pc}元，成人票和儿童票各卖了多少张？"])
    return draft(q, {"tickets": total, "revenue": revenue, "adult": pa, "child": pc}, adults, children)


@template("system", en=2, zh=2)
def sys_heads_legs(rng: Random, lang: str) -> Draft:
    chickens, rabbits = rng.sample(range(3, 60), 2)
    heads, legs = chickens + rabbits, 2 * chickens + 4 * rabbits
    q = pick(rng, [f"A farm has chickens and rabbits: {heads} heads and {legs} legs in all. How many of each animal are there?",
                   f"There are {heads} animals in a yard, all chickens or rabbits, with {legs} legs altogether. "
                   f"How many chickens and how many rabbits?"] if lang == "en" else
             [f"鸡兔同笼，共有{heads}个头，{legs}只脚，鸡和兔各有多少只？", f"笼子里有鸡和兔共{heads}只，脚一共{legs}只，鸡、兔各几只？"])
    return draft(q, {"heads": heads, "legs": legs}, chickens, rabbits)


@template("system", en=2, zh=1)
def sys_ages(rng: Random, lang: str) -> Draft:
    younger = rng.randint(4, 40)
    older = younger + rng.randint(3, 35)
    total, gap = older + younger, older - younger
    q = pick(rng, [f"Tom and Ann are {total} years old together, and Tom is {gap} years older than Ann. How old is each?",
                   f"The ages of a mother and her son add up to {total}; she is {gap} years older. Find both ages."]
             if lang == "en" else [f"父亲和儿子的年龄和是{total}岁，父亲比儿子大{gap}岁，两人各多少岁？"])
    return draft(q, {"sum": total, "difference": gap}, older, younger)


@template("system", en=2, zh=1)
def sys_mixture(rng: Random, lang: str) -> Draft:
    while True:
        p1, p2 = rng.choice([(10, 40), (20, 50), (15, 35), (5, 25), (30, 80), (12, 60)])
        x, y = rng.randint(2, 40), rng.randint(2, 40)
        target = F(p1 * x + p2 * y, x + y)
        if target.denominator in (1, 2, 4, 5) and x != y:
            break
    volume = x + y
    q = pick(rng, [f"How many litres of a {p1}% salt solution and of a {p2}% salt solution must be mixed to get {volume} "
                   f"litres of a {num(target)}% solution?"] if lang == "en" else
             [f"要配制{volume}升浓度为{num(target)}%的盐水，需要浓度为{p1}%和{p2}%的盐水各多少升？"])
    return draft(q, {"low": p1, "high": p2, "volume": volume, "target": num(target)}, x, y)


# -- quadratic ---------------------------------------------------------------------------------


@template("quadratic", en=4, zh=2)
def quad_solve(rng: Random, lang: str) -> Draft:
    var, style = rng.choice(["x", "x", "t", "n", "y"]), rng.choice(STYLES)
    r1, r2 = rng.sample([v for v in range(-12, 13) if v not in (0, 1, -1)], 2)
    if rng.random() < 0.3:  # one rational root: (2x - q)(x - r2)
        odd = rng.choice([v for v in range(-11, 12, 2) if v not in (1, -1)])
        roots, coeffs = [F(odd, 2), F(r2)], [2, -(odd + 2 * r2), odd * r2]
    else:
        lead = rng.choice([1, 1, 1, 2, 3, -1])
        roots, coeffs = [F(r1), F(r2)], expand([r1, r2], lead)
    poly = poly_text(coeffs, var, style)
    ascii_poly = poly_text(coeffs, var, "caret")
    eq = f"{poly} = 0"
    q = pick(rng, [f"Solve {eq}.", f"Find the roots of {poly}.", f"For which values of {var} is {poly} equal to zero?",
                   f"What are the solutions of the equation {eq}?"] if lang == "en" else
             [f"解方程 {eq}。", f"求方程{eq}的根。", f"{eq}的解是什么？"])
    return draft(q, {"equation": f"{ascii_poly} = 0", "var": var}, *roots)


@template("quadratic")
def quad_rectangle(rng: Random, lang: str) -> Draft:
    width, extra = rng.randint(3, 40), rng.randint(2, 25)
    area = width * (width + extra)
    q = pick(rng, [f"A rectangle is {extra} cm longer than it is wide, and its area is {area} cm². What are its width and length?",
                   f"A garden's length exceeds its width by {extra} m and it covers {area} square metres. Find its width and length."]
             if lang == "en" else [f"一个长方形的长比宽多{extra}厘米，面积是{area}平方厘米，它的宽和长各是多少厘米？"])
    return draft(q, {"extra": extra, "area": area}, width, width + extra)


@template("quadratic")
def quad_consecutive(rng: Random, lang: str) -> Draft:
    n = rng.randint(12, 160)
    odd = rng.random() < 0.4
    m = n + (2 if odd else 1)
    product = n * m
    if lang == "en":
        kind = "consecutive odd" if odd else "consecutive"
        if odd and n % 2 == 0:
            n, m = n + 1, m + 1
            product = n * m
        q = pick(rng, [f"The product of two {kind} positive integers is {product}. What are they?",
                       f"Two {kind} whole numbers multiply to {product}. Find them."])
    else:
        if odd and n % 2 == 0:
            n, m = n + 1, m + 1
            product = n * m
        q = f"两个连续{'奇数' if odd else '正整数'}的积是{product}，这两个数分别是多少？"
    return draft(q, {"product": product, "step": m - n}, n, m)


@template("quadratic", en=2, zh=1)
def quad_rearranged(rng: Random, lang: str) -> Draft:
    r1, r2 = rng.sample(range(2, 16), 2)
    var = rng.choice(["x", "t"])
    rhs = f"{r1 + r2}{var} - {r1 * r2}"
    q = pick(rng, [f"Find all {var} with {var}^2 = {rhs}.", f"Which numbers {var} satisfy {var}^2 = {rhs}?"]
             if lang == "en" else [f"求满足{var}^2 = {rhs}的所有{var}。"])
    return draft(q, {"equation": f"{var}^2 = {rhs}", "var": var}, r1, r2)


# -- poly --------------------------------------------------------------------------------------


@template("poly", en=4, zh=2)
def poly_cubic(rng: Random, lang: str) -> Draft:
    roots = rng.sample([v for v in range(-7, 9) if v not in (0, 1, -1)], 3)
    var, style = rng.choice(["x", "x", "z"]), rng.choice(STYLES)
    coeffs = expand(roots, rng.choice([1, 1, 2]))
    poly = poly_text(coeffs, var, style)
    q = pick(rng, [f"Find all real roots of {poly}.", f"Solve {poly} = 0.", f"Which real numbers {var} satisfy {poly} = 0?"]
             if lang == "en" else [f"求多项式{poly}的所有实数根。", f"解方程{poly} = 0。"])
    return draft(q, {"equation": f"{poly_text(coeffs, var)} = 0", "var": var}, *roots)


@template("poly", en=2, zh=1)
def poly_biquadratic(rng: Random, lang: str) -> Draft:
    a, b = sorted(rng.sample(range(2, 8), 2))
    coeffs = [1, 0, -(a * a + b * b), 0, a * a * b * b]
    poly = poly_text(coeffs, "x", rng.choice(STYLES))
    q = pick(rng, [f"Find every real solution of {poly} = 0.", f"What are the four real roots of {poly}?"]
             if lang == "en" else [f"求方程{poly} = 0的全部实数解。"])
    return draft(q, {"equation": f"{poly_text(coeffs, 'x')} = 0", "var": "x"}, a, -a, b, -b)


@template("poly", en=2, zh=1)
def poly_single_real(rng: Random, lang: str) -> Draft:
    r, k = rng.choice([v for v in range(-9, 10) if v not in (0, 1, -1)]), rng.randint(1, 9)
    coeffs = [1, -r, k, -r * k]  # (x - r)(x^2 + k)
    poly = poly_text(coeffs, "x", rng.choice(STYLES))
    q = pick(rng, [f"The cubic {poly} has exactly one real root. What is it?", f"Find the real root of {poly} = 0."]
             if lang == "en" else [f"方程{poly} = 0只有一个实数根，求这个根。"])
    return draft(q, {"equation": f"{poly_text(coeffs, 'x')} = 0", "var": "x"}, r)
