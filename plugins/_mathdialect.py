"""Turn the arithmetic MOSS models actually wrote into plain ASCII before it is parsed.

The recorded MOSS-003 conversations (`calculator/`, `mix/`, `equation_solver/`) show models
writing full-width digits and operators, `×` and `÷`, superscripts, and Chinese units or
magnitudes glued to numbers (`209366亿美元/328.2万人`, `147227.31亿美元*6.474`). This module
rewrites only what has one safe meaning; everything else is left for the parser to refuse.

What is rewritten, and why it is safe:

- Full-width characters (`１２３`, `＋`, `（）`, `，`, `；`, `＝`, `％`) become their ASCII forms
  (Unicode NFKC); `×` `·` `∙` become `*`, `÷` `∕` become `/`, `−` `–` become `-`, `π` becomes
  `pi`, `√(` becomes `sqrt(`. Superscript digits become powers (`x²` is `x^2`, never `x2`).
- A Chinese magnitude directly after a number scales it exactly: `万` ×10^4, `亿` ×10^8,
  `十万` `百万` `千万` `十亿` `百亿` `千亿` `万亿` likewise. Dropping them would give a
  silently wrong number (`209366亿美元/328.2万人` divided by the wrong powers of ten).
- An English magnitude word after a number scales it the same way: `thousand` ×10^3,
  `million` ×10^6, `billion` ×10^9, `trillion` ×10^12 (`610 million - 589 million`, written
  after a search that reported revenues in millions). The word has no other meaning here.
- A unit word directly after a number (or its magnitude) is dropped: currencies (`元`, `美元`,
  `人民币` ...), counters (`人`, `个`, `件` ...), time (`年`, `天`, `小时` ...), length, area,
  volume and mass (`米`, `公里`, `平方米`, `公斤`, `吨` ...). A unit labels the number without
  changing its value, so the expression still computes what was written.
- Currency signs directly before a number (`$`, `¥`, `€`, `£`) are dropped for the same reason.

What is deliberately NOT rewritten (the parser then refuses with a clear message):

- Angle marks `度` and `°`: the trigonometric functions work in radians (as MOSS's did), and
  `sin(30°)` silently read as `sin(30)` would be wrong. Write `sin(30*pi/180)`.
- Any other Chinese text: words (`五环路长度`, `特斯拉车辆电池容量`), questions
  (`1坦桑尼亚先令等于多少美元`) and Chinese numerals (`三`). They name a value that has to be
  looked up first; stripping them would leave a number that answers nothing.
- ASCII unit names (`kg`, `cm`, `m`): they are indistinguishable from variable names here;
  the calculator reads them as units only in a conversion (`3 km to m`, see `_calcunits`).
  For those, `°C`/`℃` and `°F`/`℉` become `degC`/`degF` and the micro sign before a letter
  becomes `u` (`5 µm` is `5 um`), the spellings pint knows.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from plugins.errors import MathError, TooLarge, quote

MAX_LENGTH = 2000
"""Longest expression accepted, in characters (the longest recorded one is about 250)."""

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+")

_SYMBOLS = {
    "×": "*",
    "·": "*",
    "∙": "*",
    "✕": "*",
    "÷": "/",
    "∕": "/",
    "−": "-",
    "–": "-",
    "π": "pi",
}

_CHINESE_MAGNITUDES = {
    "万亿": 12,
    "千亿": 11,
    "百亿": 10,
    "十亿": 9,
    "亿": 8,
    "千万": 7,
    "百万": 6,
    "十万": 5,
    "万": 4,
}
_ENGLISH_MAGNITUDES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_MAGNITUDES = {**_CHINESE_MAGNITUDES, **_ENGLISH_MAGNITUDES}

_UNITS = (
    "人民币 美元 欧元 日元 英镑 港元 港币 韩元 卢布 块钱 元 块 角 "
    "人次 人 个 位 名 只 件 本 台 辆 次 户 家 份 张 瓶 箱 条 颗 头 倍 "
    "岁 年 个月 月 周 星期 天 日 小时 分钟 秒钟 秒 "
    "平方公里 平方千米 平方米 平方厘米 立方米 立方厘米 千米 公里 厘米 毫米 米 "
    "千克 公斤 毫克 克 斤 吨 毫升 升"
).split()

_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_UNIT_RE = re.compile(
    r"(?P<num>" + _NUMBER + r")\s*"
    r"(?P<mag>" + "|".join(sorted(_CHINESE_MAGNITUDES, key=len, reverse=True)) + r")?"
    r"(?P<unit>" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")?"
)
_ENGLISH_MAGNITUDE_RE = re.compile(
    r"(?<![\w.])(?P<num>" + _NUMBER + r")\s*(?P<mag>" + "|".join(_ENGLISH_MAGNITUDES) + r")s?\b", re.IGNORECASE
)
_CURRENCY_RE = re.compile(r"[$¥€£](?=\s*[\d.])")
_TEMPERATURE_RE = re.compile(r"°\s*([CF])(?![A-Za-z])")
_MICRO_RE = re.compile(r"μ(?=[A-Za-z])")
_CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef°]+")


def check_length(text: str) -> None:
    """Refuse oversized input before any other work is spent on it."""
    if len(text) > MAX_LENGTH:
        raise MathError(
            f"expression too long ({len(text)} characters; the limit is {MAX_LENGTH})"
        )


def _superscript(match: re.Match[str]) -> str:
    return "^(" + match.group(0).translate(_SUPERSCRIPTS) + ")"


def _scale(match: re.Match[str]) -> str:
    """Apply a magnitude exactly (decimal arithmetic) and drop a unit; keep the number's text
    otherwise so that its int/float type survives (`3.0` stays a float)."""
    number, magnitude = match.group("num"), match.group("mag")
    if not magnitude:
        return number
    try:
        value = Decimal(number)
        if not -MAX_LENGTH < value.adjusted() < MAX_LENGTH:
            raise TooLarge(f"the number {quote(number + magnitude)} is out of range")
        value = value.scaleb(_MAGNITUDES[magnitude.lower()])
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise MathError(f"cannot read the number {number!r}") from exc
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def normalize(text: str) -> str:
    """Return `text` rewritten to ASCII arithmetic, or raise `MathError` for text that names
    something other than a number (see the module docstring for the exact rules)."""
    check_length(text)
    text = _SUPERSCRIPT_RUN.sub(_superscript, text)
    for symbol, ascii_form in _SYMBOLS.items():
        text = text.replace(symbol, ascii_form)
    text = text.replace("√(", "sqrt(")
    text = unicodedata.normalize("NFKC", text)
    text = _TEMPERATURE_RE.sub(r" deg\1", text)
    text = _MICRO_RE.sub("u", text)
    text = _CURRENCY_RE.sub("", text)
    text = _ENGLISH_MAGNITUDE_RE.sub(_scale, text)
    if _CJK_RE.search(text):
        text = _UNIT_RE.sub(_scale, text)
        leftover = _CJK_RE.search(text)
        if leftover:
            word = leftover.group(0)
            if word[0] in "度°":
                raise MathError(
                    "angles in degrees are not read: the functions work in radians; "
                    "write sin(30*pi/180) for sin(30°)"
                )
            raise MathError(
                f"the text {quote(word)} is not a number: write the value itself "
                "(look it up first if needed)"
            )
    check_length(text)
    return text
