"""Outcome-figure extraction from the description cells of reform notices.

A *figure* is an Arabic number, an optional magnitude word and a unit or
measure word, e.g. ``8656 件``, ``2.67 亿千瓦时``, ``26万余户``, ``36%``,
``同比下降0.56个百分点``.  :func:`extract_figures` returns them in text order as
:class:`Figure` records (value with the magnitude folded in, unit, qualifier,
direction of change, as-of date or period, and the clause they came from).

The extractor is driven by word lists and regular expressions, never by the
wording of one particular notice, so it works on notices it has not seen.

Pipeline
--------
1. HTML block tags (``<p>``, ``<br>``, ``<div>``, ``<li>``, ``<tr>``…) become
   line ends, other tags are dropped, entities are unescaped.
2. Full-width digits, ``．``, ``％``, ``＋`` and full-width Latin letters are
   mapped one-to-one to ASCII (:func:`normalise_digits` does the digits, point
   and percent).  The mapping keeps every offset, so ``number_text`` and
   ``source_text`` are quoted from the text as written (full-width kept).
3. Spans that can never hold an outcome figure are masked (see "Not figures").
4. Date markers (``截至…``, periods) are located; each dates the figures that
   follow it in its sentence.
5. Every remaining Arabic number is read forward: ``NUMBER [余|多|+] [MAGNITUDE]
   [余|多|+] UNIT [以上|以内|…]`` with optional spaces between the parts.  A
   number with no unit is not a figure.

Units
-----
``_UNITS`` is a whitelist of units and measure words (件 家 户 人次 家次 笔 名 元
千瓦时 吨 天 个工作日 分钟 项 类 条 份 个 处 种 轮 % 个百分点 …), tried longest first
so that 个百分点 wins over 个, 千瓦时 over 千 (the magnitude), 人次 over 人.  A
unit is tried directly after the number before a magnitude is, so ``5千瓦时``
is 5 千瓦时 and ``5千克`` is 5 千克 (not 5000 克); ``5千万元`` falls through to
the magnitude 千万.  Money is ``元`` whatever the magnitude (7014亿元 ->
701400000000 元).  A few Latin units are listed (P/PFLOPS for computing
capacity, TB, MW, kWh, TEU …); they must not be followed by another Latin
letter or digit, so ``5G`` is not a figure.

Decisions on ambiguous cases
----------------------------
* **Years, months, days** (``2025年``, ``9月底``, ``30日``) are not figures: 年, 月,
  日 and 号 are not units.  Consequently durations in years (``3年``) are not
  extracted either (they cannot be told from calendar years reliably).
* **Chinese numerals** (五年, 两份, 三大, 数十件, 一是, 首例) are not figures; only
  Arabic numbers count.  Ordinals ``第N`` are skipped.
* **Count without a measure word** (``9.12万特殊缴费群体``, ``488万参保人``): Chinese
  drops the measure word after 万/亿.  Only when a magnitude is present, the
  counted noun written after it becomes the unit if it is at most six CJK
  characters long, ends in a head noun from ``_COUNTED_HEADS`` (人, 人员, 群体,
  企业, 主体, 商户 …) and contains no function word or clause verb
  (``_NOUN_STOP``): 91200 特殊缴费群体, 4880000 参保人.  A bare number+magnitude
  followed by anything else (``交易额5.2亿，``) is not a figure.
* **Code names** containing digits joined by ``+`` (``135+N``, ``1+1+1``,
  ``1+X``) are names, not figures; nor is a parenthesised gloss that directly
  follows such a name (``“135+N”战略（深化1个集聚区建设，打造3个中心…）``): it
  defines the strategy, it is not an outcome.  Likewise numbers inside book
  titles ``《…》`` and inside short quotations (“…” of at most 20 characters,
  slogans such as “最多跑1次”) belong to names.
* ``320P 高性能智能算力集群`` is a capacity figure: 320 P (PFLOPS).
* ``4 大功能`` / ``5 大行动``: 大 is not a measure word, so no figure.
* ``2轮`` is a count (轮 is a measure word).  ``A级`` has no digits.
* ``由35吨突破至42吨`` gives two figures; the first (the baseline after 由/从) has
  no change, the second gets increase/decrease by comparing the two values when
  no change word says otherwise.
* Number ranges ``3-5天`` keep only the upper bound (5 天, no qualifier).
* ``1,200家`` (ASCII comma followed by exactly three digits) is one thousand two
  hundred; the full-width list comma ``，`` never belongs to a number.
* ``number_text`` spans the number up to the end of the unit (including inner
  余/多 and the magnitude), not the qualifier words before or after it.

Qualifiers
----------
``more-than``: 超/超过/超出/逾/多于 before, 余/多/+ after the number or the
magnitude, 以上 after the unit (the domain lists 以上 with 超/余/多).
``at-least``: 不少于/不低于/至少/最少/最低 before.  ``at-most``: 不超过/不高于/不多于/
最多/最高/最长/不到/不足 before (``最高达2800万元`` is an upper limit), 以内/之内/以下
after, 内 after a time unit (``3个工作日内``).  ``about``: 约/大约/近/将近/接近 before
(not 节约/预约/… or 最近/附近…), ``约占/约为/约合/约计/约达`` up to four characters
before (``约占全市30%``), 左右 after.  达/到/为/至 between the qualifier and the
number are skipped (``最高达``).  达 ("reaches") alone is no qualifier: the value
is exact.  When several are present the one before the number wins, then the
inner one, then the one after.

Change
------
The last change word between the start of the clause (or the previous figure
in it) and the number decides: decrease for 下降 降低 降至 缩短 压减 压缩 缩减 减少
节省 节约 下调; increase for 增长 提升 提高 增加 上升 上涨 增至 新增 扩大 上调.
``新增企业1200家`` counts additions, so it is an increase.

Dates
-----
``截至/截止 [YYYY年] M月[底|末|D日]`` and ``截至YYYY年底`` give ``as_of``; a month
without a day means its last day.  A year-less ``截至9月底`` takes the last year
written before it in the text (none -> the marker is ignored).  Periods:
``YYYY年M月[D日]至[YYYY年]M月[底|D日]``, ``YYYY年M-M月``, ``自/从YYYY年M月…至M月底``
(up to 20 characters of other text between, e.g. 平台试运行), ``YYYY年上半年/下半年/
全年/前三季度/第N季度``.  A start without a day is the first of the month, an end
without a day the last; a year-less end takes the start's year, rolled to the
next year if it would fall before the start.  A marker dates the figures after
it up to the end of its sentence (``。！!？?`` or a line end); a later marker in
the same sentence replaces an earlier one.  ``；`` separates clauses *within* a
sentence, so figures after a ``；`` are still dated by a ``截至`` before it
(截至2025年9月底，…覆盖27家企业；出具12份权利证书… : both as of 2025-09-30).

Clauses (``source_text``) are split on ``，。；;！!？?`` and line ends.

Errors
------
:func:`parse_amount` raises :class:`IndicatorError` on bad input.
:func:`extract_figures` raises :class:`IndicatorError` only for a non-string
argument; any other text (however malformed) gives a list.  Candidates that
cannot be read (e.g. absurdly long digit runs) are skipped.
"""

from __future__ import annotations

import bisect
import datetime
import decimal
import re
from dataclasses import dataclass
from decimal import Decimal

from .text import untag

__all__ = [
    "Figure",
    "IndicatorError",
    "extract_figures",
    "normalise_digits",
    "parse_amount",
]


class IndicatorError(ValueError):
    """The extractor's own error type."""


@dataclass(frozen=True)
class Figure:
    """One outcome figure read from a measure's description."""

    value: Decimal
    unit: str
    qualifier: str | None
    change: str | None
    as_of: datetime.date | None
    period_start: datetime.date | None
    period_end: datetime.date | None
    source_text: str
    number_text: str


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

_DIGIT_TABLE = {0xFF10 + i: 0x30 + i for i in range(10)}
_DIGIT_TABLE.update({0xFF0E: ord("."), 0xFF05: ord("%"), 0xFE6A: ord("%")})

# Internal one-to-one mapping: digits/point/percent plus full-width plus sign
# and Latin letters (so that ＰＦＬＯＰＳ, １３５＋Ｎ are recognised).
_NORM_TABLE = dict(_DIGIT_TABLE)
_NORM_TABLE[0xFF0B] = ord("+")
_NORM_TABLE.update({0xFF21 + i: 0x41 + i for i in range(26)})
_NORM_TABLE.update({0xFF41 + i: 0x61 + i for i in range(26)})


def normalise_digits(text: str) -> str:
    """Full-width digits/point/percent -> ASCII (２０２５ -> 2025, ％ -> %)."""
    if not isinstance(text, str):
        raise IndicatorError(f"expected a string, got {type(text).__name__}")
    return text.translate(_DIGIT_TABLE)


# --------------------------------------------------------------------------
# Numbers and magnitudes
# --------------------------------------------------------------------------

_MAGNITUDES: dict[str, int] = {
    "": 1,
    "十": 10,
    "百": 100,
    "千": 1_000,
    "万": 10**4,
    "十万": 10**5,
    "百万": 10**6,
    "千万": 10**7,
    "亿": 10**8,
    "十亿": 10**9,
    "百亿": 10**10,
    "千亿": 10**11,
    "万亿": 10**12,
}
_MAG_ORDER = sorted((m for m in _MAGNITUDES if m), key=len, reverse=True)

_MAX_DIGITS = 40
_CTX = decimal.Context(prec=200)

_NUM_FULL_RE = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


def _tidy(value: Decimal) -> Decimal:
    value = value.normalize(_CTX)
    if value.as_tuple().exponent > 0:
        value = value.quantize(Decimal(1), context=_CTX)
    return value


def parse_amount(number: str, magnitude: str = "") -> Decimal:
    """'2.67','亿' -> 267000000. Magnitudes: 十 百 千 万 十万 百万 千万 亿 万亿.

    Also accepts 十亿 百亿 千亿, full-width digits and an ASCII thousands
    separator (``1,200``).  Raises IndicatorError on bad input.
    """
    if not isinstance(number, str) or not isinstance(magnitude, str):
        raise IndicatorError("number and magnitude must be strings")
    num = normalise_digits(number).strip()
    mag = magnitude.strip()
    if not _NUM_FULL_RE.fullmatch(num):
        raise IndicatorError(f"not an Arabic number: {number!r}")
    digits = num.replace(",", "")
    if len(digits) > _MAX_DIGITS:
        raise IndicatorError(f"number too long: {len(digits)} characters")
    if mag not in _MAGNITUDES:
        raise IndicatorError(f"unknown magnitude: {magnitude!r}")
    try:
        value = _CTX.multiply(Decimal(digits), Decimal(_MAGNITUDES[mag]))
        return _tidy(value)
    except decimal.DecimalException as exc:  # pragma: no cover - defensive
        raise IndicatorError(f"cannot read {number!r}: {exc}") from exc


# --------------------------------------------------------------------------
# Units, qualifiers, change words
# --------------------------------------------------------------------------

_CJK_UNITS = (
    # percentages and ratios
    "%", "‰", "个百分点", "百分点", "倍",
    # time
    "个工作日", "工作日", "个小时", "小时", "分钟", "秒", "天", "个月", "周年", "周",
    # money
    "元", "美元", "港元", "港币", "欧元", "日元", "英镑", "人民币",
    # energy, mass, size, volume
    "千瓦时", "兆瓦时", "千瓦", "兆瓦", "吉瓦", "千伏", "度",
    "吨", "千克", "公斤", "克",
    "平方公里", "平方千米", "平方米", "立方米", "公里", "千米", "米", "亩", "公顷", "升",
    "标箱", "箱", "票",
    # counts of people and organisations
    "人次", "人", "名", "位", "户次", "户", "家次", "家", "单位",
    # measure words
    "个次", "个", "件次", "件", "笔", "项", "类", "条", "份", "处", "种", "轮",
    "批次", "批", "宗", "单", "张", "套", "台次", "台", "辆次", "辆", "车次", "艘次",
    "艘", "架次", "架", "座", "栋", "间", "层", "所", "场次", "场", "期", "届", "篇",
    "册", "款", "只", "株", "棵", "例", "起", "组", "队", "支", "道", "次",
)
_LATIN_UNITS = (
    "PFLOPS", "EFLOPS", "TFLOPS", "Gbps", "Mbps", "kWh", "MWh", "GWh", "TEU",
    "PB", "TB", "GB", "MB", "MW", "GW", "kW", "km", "kg", "P",
)
_UNITS = tuple(sorted(_CJK_UNITS + _LATIN_UNITS, key=len, reverse=True))
_LATIN_SET = frozenset(_LATIN_UNITS)
_TIME_UNITS = frozenset({"个工作日", "工作日", "个小时", "小时", "分钟", "秒", "天", "个月", "周"})

_COUNTED_HEADS = tuple(sorted((
    "人员", "人", "群体", "企业", "主体", "商户", "农户", "用户", "家庭", "居民", "群众",
    "市民", "学生", "毕业生", "游客", "旅客", "职工", "员工", "会员", "患者", "老人",
    "儿童", "人才", "劳动者", "个体户",
), key=len, reverse=True))
_NOUN_STOP_RE = re.compile(
    "[的为给向对于在是和与及把将被让使或并从至到达]"
    "|支持|提供|服务|帮助|惠及|覆盖|带动|促进|推动|获得|吸引|实现|完成|办理|发放|解决|新增|累计"
)
_MAX_NOUN = 6

_SPACES = " \t\u3000\xa0"
_INNER_MORE = "余多+"

_BEFORE_QUALIFIERS = tuple(sorted((
    ("不少于", "at-least"), ("不低于", "at-least"), ("至少", "at-least"),
    ("最少", "at-least"), ("最低", "at-least"),
    ("不超过", "at-most"), ("不高于", "at-most"), ("不多于", "at-most"),
    ("最多", "at-most"), ("最高", "at-most"), ("最长", "at-most"),
    ("不到", "at-most"), ("不足", "at-most"),
    ("超过", "more-than"), ("超出", "more-than"), ("超", "more-than"),
    ("逾", "more-than"), ("多于", "more-than"),
    ("大约", "about"), ("约", "about"), ("将近", "about"), ("接近", "about"),
    ("近", "about"),
), key=lambda p: len(p[0]), reverse=True))
# characters that make 约 / 近 part of another word (节约, 预约 …; 最近, 附近 …)
_YUE_WORDS = "节预合契制签公条邀履违集简特相盟"
_JIN_WORDS = "最附邻靠亲"
_ABOUT_GAP_RE = re.compile("(?<![" + _YUE_WORDS + "])约[占为合计达][\u4e00-\u9fff]{0,4}$")

_AFTER_QUALIFIERS = (
    ("以上", "more-than"), ("以内", "at-most"), ("之内", "at-most"),
    ("以下", "at-most"), ("左右", "about"),
)

_DECREASE = ("同比下降", "下降", "降低", "降至", "缩短", "压减", "压缩", "缩减", "减少",
             "节省", "节约", "下调")
_INCREASE = ("同比增长", "增长", "提升", "提高", "增加", "上升", "上涨", "增至", "新增",
             "扩大", "上调")
_CHANGE_RE = re.compile("|".join(sorted(_DECREASE + _INCREASE, key=len, reverse=True)))
_CHANGE_OF = {w: "decrease" for w in _DECREASE} | {w: "increase" for w in _INCREASE}

# --------------------------------------------------------------------------
# Text structure
# --------------------------------------------------------------------------

_CLAUSE_SEPS = frozenset("，。；;！!？?\n\r")
_SENTENCE_SEPS = frozenset("。！!？?\n\r")

_NUM_RE = re.compile(
    r"(?<![0-9A-Za-z.])(?<![0-9],)"
    r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?(?![0-9])"
)

_SP = "[ \t\u3000\xa0]*"
_CODE_NAME_RE = re.compile(  # possessive: linear even on very long digit runs
    r"(?<![0-9A-Za-z.])[0-9A-Za-z.]++(?:" + _SP + r"\+" + _SP + r"[0-9A-Za-z.]++)++"
)
_GLOSS_RE = re.compile(_SP + "[”\"’」』]?" + _SP + "[\u4e00-\u9fff]{0,8}" + _SP + "[（(]")
_TITLE_RE = re.compile("《[^《》\n]{0,100}》")
_QUOTE_RE = re.compile("“[^“”\n]{0,20}”|\"[^\"\n]{0,20}\"|「[^「」\n]{0,20}」|『[^『』\n]{0,20}』")

_Y = r"([0-9]{4})" + _SP + "年" + _SP
_M = r"([0-9]{1,2})" + _SP + "月" + _SP
_D = r"([0-9]{1,2})" + _SP + "[日号]"
_RANGE = _SP + "(?:至|到|—|－|-|~|～|–|―)" + _SP

_ASOF_RE = re.compile(
    "(?:截至|截止(?:到|至)?)" + _SP + "(?:" + _Y + ")?"
    + "(?:" + _M + "(?:" + _D + "|(底|末))?|(底|末))"
)
_PERIOD_FROM_RE = re.compile(
    "(?:自|从)" + _SP + _Y + _M + "(?:" + _D + ")?"
    + r"([^，。；;！!？?\n\r0-9]{0,20}?)" + _RANGE
    + "(?:" + _Y + ")?" + _M + "(?:" + _D + "|(底|末))?"
)
_PERIOD_RE = re.compile(
    _Y + _M + "(?:" + _D + ")?" + _RANGE
    + "(?:" + _Y + ")?" + _M + "(?:" + _D + "|(底|末))?"
)
_PERIOD_SHORT_RE = re.compile(
    _Y + r"([0-9]{1,2})" + _RANGE + _M + "(底|末)?"
)
_PERIOD_PART_RE = re.compile(
    _Y + "(?:(上半年|下半年|全年)|前([一二两三四1-4])个?季度|第?([一二三四1-4])季度)"
)
_YEAR_RE = re.compile(r"([0-9]{4})" + _SP + "年")
_CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _last_day(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def _date(year: int, month: int, day: int | None, end: bool) -> datetime.date:
    """A date; without a day: first of the month, or last if ``end``."""
    if day is None:
        return _last_day(year, month) if end else datetime.date(year, month, 1)
    return datetime.date(year, month, day)


@dataclass(frozen=True)
class _Marker:
    start: int
    end: int
    as_of: datetime.date | None
    period_start: datetime.date | None
    period_end: datetime.date | None


def _make_period(y1, m1, d1, y2, m2, d2, end_word) -> tuple[datetime.date, datetime.date]:
    start = _date(int(y1), int(m1), int(d1) if d1 else None, end=False)
    year2 = int(y2) if y2 else start.year
    end = _date(year2, int(m2), int(d2) if d2 else None, end=True)
    if end < start and not y2:
        end = _date(year2 + 1, int(m2), int(d2) if d2 else None, end=True)
    if end < start:
        raise ValueError("period ends before it starts")
    return start, end


def _find_markers(norm: str) -> list[_Marker]:
    markers: list[_Marker] = []
    taken = bytearray(len(norm))

    def free(a: int, b: int) -> bool:
        return not any(taken[a:b])

    def add(a: int, b: int, as_of=None, p0=None, p1=None) -> None:
        taken[a:b] = b"\x01" * (b - a)
        markers.append(_Marker(a, b, as_of, p0, p1))

    year_ends: list[int] = []
    year_values: list[int] = []
    for y in _YEAR_RE.finditer(norm):
        year_ends.append(y.end())
        year_values.append(int(y.group(1)))

    for m in _PERIOD_FROM_RE.finditer(norm):
        y1, m1, d1, _mid, y2, m2, d2, end_word = m.groups()
        try:
            p0, p1 = _make_period(y1, m1, d1, y2, m2, d2, end_word)
        except ValueError:
            continue
        add(m.start(), m.end(), None, p0, p1)
    for m in _PERIOD_RE.finditer(norm):
        if not free(*m.span()):
            continue
        y1, m1, d1, y2, m2, d2, end_word = m.groups()
        try:
            p0, p1 = _make_period(y1, m1, d1, y2, m2, d2, end_word)
        except ValueError:
            continue
        add(m.start(), m.end(), None, p0, p1)
    for m in _PERIOD_SHORT_RE.finditer(norm):
        if not free(*m.span()):
            continue
        y, m1, m2, _end_word = m.groups()
        try:
            p0, p1 = _make_period(y, m1, None, None, m2, None, None)
        except ValueError:
            continue
        add(m.start(), m.end(), None, p0, p1)
    for m in _PERIOD_PART_RE.finditer(norm):
        if not free(*m.span()):
            continue
        y, half, first_q, nth_q = m.groups()
        year = int(y)
        try:
            if half == "上半年":
                p0, p1 = datetime.date(year, 1, 1), datetime.date(year, 6, 30)
            elif half == "下半年":
                p0, p1 = datetime.date(year, 7, 1), datetime.date(year, 12, 31)
            elif half == "全年":
                p0, p1 = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            elif first_q:
                p0, p1 = datetime.date(year, 1, 1), _last_day(year, 3 * _CN_DIGIT[first_q])
            else:
                q = _CN_DIGIT[nth_q]
                p0, p1 = datetime.date(year, 3 * q - 2, 1), _last_day(year, 3 * q)
        except (ValueError, KeyError):
            continue
        add(m.start(), m.end(), None, p0, p1)
    for m in _ASOF_RE.finditer(norm):
        if not free(*m.span()):
            continue
        y, mo, d, month_end, year_end = m.groups()
        if y is None:
            if year_end:
                continue
            k = bisect.bisect_right(year_ends, m.start())
            if k == 0:
                continue
            year = year_values[k - 1]
        else:
            year = int(y)
        try:
            if year_end:
                as_of = datetime.date(year, 12, 31)
            else:
                as_of = _date(year, int(mo), int(d) if d else None, end=True)
        except ValueError:
            continue
        add(m.start(), m.end(), as_of)
    markers.sort(key=lambda k: k.start)
    return markers


def _mask_spans(norm: str, mask: bytearray) -> None:
    """Mark the characters that belong to names rather than outcomes."""

    def fill(a: int, b: int) -> None:
        mask[a:b] = b"\x01" * (b - a)

    for m in _TITLE_RE.finditer(norm):
        fill(*m.span())
    for m in _QUOTE_RE.finditer(norm):
        fill(*m.span())
    for m in _CODE_NAME_RE.finditer(norm):
        if not any(c.isascii() and c.isdigit() for c in m.group()):
            continue
        fill(*m.span())
        gloss = _GLOSS_RE.match(norm, m.end())
        if not gloss:
            continue
        depth, i, limit = 0, gloss.end() - 1, min(len(norm), gloss.end() + 300)
        while i < limit:
            c = norm[i]
            if c in "（(":
                depth += 1
            elif c in "）)":
                depth -= 1
                if depth == 0:
                    fill(gloss.end(), i)
                    break
            elif c in "。\n\r":
                break
            i += 1


# --------------------------------------------------------------------------
# Reading one figure
# --------------------------------------------------------------------------

def _skip_spaces(s: str, i: int) -> int:
    while i < len(s) and s[i] in _SPACES:
        i += 1
    return i


def _unit_candidates() -> dict[str, tuple[str, ...]]:
    """Units by first character (Latin ones by its lower case), in ``_UNITS`` order: a unit can only
    match where its first character is, so ``_match_unit`` tries a handful instead of all of them."""
    index: dict[str, list[str]] = {}
    for unit in _UNITS:
        key = unit[0].lower() if unit in _LATIN_SET else unit[0]
        index.setdefault(key, []).append(unit)
    return {key: tuple(units) for key, units in index.items()}


_UNITS_BY_FIRST = _unit_candidates()
_UNIT_ORDER = {unit: k for k, unit in enumerate(_UNITS)}


def _match_unit(s: str, i: int) -> str | None:
    first = s[i:i + 1]
    units = _UNITS_BY_FIRST.get(first, ())
    folded = first.lower()[:1]
    if folded != first and folded in _UNITS_BY_FIRST:
        units = sorted({*units, *_UNITS_BY_FIRST[folded]}, key=_UNIT_ORDER.__getitem__)
    for unit in units:
        if unit in _LATIN_SET:
            written = s[i:i + len(unit)]
            if written.lower() == unit.lower():
                nxt = s[i + len(unit):i + len(unit) + 1]
                if not (nxt.isascii() and nxt.isalnum()):
                    return written
        elif s.startswith(unit, i):
            return unit
    return None


def _counted_noun(s: str, i: int) -> str | None:
    run = re.match("[\u4e00-\u9fff]{1,%d}" % (_MAX_NOUN + 2), s[i:i + _MAX_NOUN + 2])
    if not run:
        return None
    text = run.group()
    for p in range(len(text)):
        for head in _COUNTED_HEADS:
            if text.startswith(head, p):
                noun = text[:p + len(head)]
                if len(noun) > _MAX_NOUN or _NOUN_STOP_RE.search(noun):
                    return None
                return noun
    return None


@dataclass
class _Tail:
    end: int
    magnitude: str
    unit: str
    inner_more: bool


def _read_tail(s: str, i: int) -> _Tail | None:
    j = _skip_spaces(s, i)
    inner = False
    if j < len(s) and s[j] in _INNER_MORE:
        inner = True
        j = _skip_spaces(s, j + 1)
    unit = _match_unit(s, j)
    if unit:
        return _Tail(j + len(unit), "", unit, inner)
    for mag in _MAG_ORDER:
        if not s.startswith(mag, j):
            continue
        k = _skip_spaces(s, j + len(mag))
        inner2 = False
        if k < len(s) and s[k] in _INNER_MORE:
            inner2 = True
            k = _skip_spaces(s, k + 1)
        unit = _match_unit(s, k)
        if not unit:
            unit = _counted_noun(s, k)
        if unit:
            return _Tail(k + len(unit), mag, unit, inner or inner2)
    return None


def _before_qualifier(prefix: str) -> str | None:
    prefix = prefix.rstrip(_SPACES)
    if _ABOUT_GAP_RE.search(prefix):
        return "about"
    if prefix[-1:] in ("达", "到", "为", "至"):
        prefix = prefix[:-1].rstrip(_SPACES)
    for word, qualifier in _BEFORE_QUALIFIERS:
        if prefix.endswith(word):
            before = prefix[-len(word) - 1:-len(word)]
            if word == "约" and before and before in _YUE_WORDS:
                return None
            if word == "近" and before and before in _JIN_WORDS:
                return None
            return qualifier
    return None


def _after_qualifier(s: str, i: int, unit: str) -> str | None:
    j = _skip_spaces(s, i)
    for word, qualifier in _AFTER_QUALIFIERS:
        if s.startswith(word, j):
            return qualifier
    if unit in _TIME_UNITS and s.startswith("内", j):
        return "at-most"
    return None


_SEPARATOR_RES: dict[frozenset, re.Pattern] = {}


def _bounds(norm: str, seps: frozenset) -> list[int]:
    pattern = _SEPARATOR_RES.get(seps)
    if pattern is None:
        pattern = _SEPARATOR_RES[seps] = re.compile("[" + "".join(re.escape(c) for c in sorted(seps)) + "]")
    return [m.start() for m in pattern.finditer(norm)]


def _span_of(bounds: list[int], pos: int, length: int) -> tuple[int, int]:
    k = bisect.bisect_left(bounds, pos)
    start = bounds[k - 1] + 1 if k > 0 else 0
    end = bounds[k] if k < len(bounds) else length
    return start, end


def _extract(text: str) -> list[Figure]:
    raw = untag(text)
    norm = raw.translate(_NORM_TABLE)
    if len(norm) != len(raw):  # pragma: no cover - the table is one-to-one
        raise IndicatorError("normalisation changed the text length")
    mask = bytearray(len(norm))
    _mask_spans(norm, mask)
    markers = _find_markers(norm)
    for mk in markers:
        mask[mk.start:mk.end] = b"\x01" * (mk.end - mk.start)
    marker_starts = [mk.start for mk in markers]
    clause_bounds = _bounds(norm, _CLAUSE_SEPS)
    sentence_bounds = _bounds(norm, _SENTENCE_SEPS)

    figures: list[Figure] = []
    # per clause: (end of previous figure, its value, unit, was it a 由/从 baseline)
    last_in_clause: dict[int, tuple[int, Decimal, str, bool]] = {}
    clause_text: dict[int, str] = {}
    for m in _NUM_RE.finditer(norm):
        s, e = m.span()
        if mask[s]:
            continue
        clause_start, clause_end = _span_of(clause_bounds, s, len(norm))
        # qualifier, ordinal and baseline words sit right before the number
        prefix = norm[max(clause_start, s - 40):s]
        if prefix.rstrip(_SPACES).endswith("第"):
            continue
        tail = _read_tail(norm, e)
        if tail is None:
            continue
        try:
            value = parse_amount(m.group(), tail.magnitude)
        except IndicatorError:
            continue

        qualifier = (_before_qualifier(prefix)
                     or ("more-than" if tail.inner_more else None)
                     or _after_qualifier(norm, tail.end, tail.unit))

        prev = last_in_clause.get(clause_start)
        seg_start = prev[0] if prev else clause_start
        segment = norm[seg_start:s]
        change = None
        hits = list(_CHANGE_RE.finditer(segment))
        if hits:
            change = _CHANGE_OF[hits[-1].group()]
        bare = prefix.rstrip(_SPACES)
        for word, _q in _BEFORE_QUALIFIERS:
            if bare.endswith(word):
                bare = bare[:-len(word)].rstrip(_SPACES)
                break
        baseline = bare.endswith(("由", "从"))
        if baseline:
            change = None
        elif (change is None and prev and prev[3] and prev[2] == tail.unit
              and re.search("至|到", segment)):
            if value > prev[1]:
                change = "increase"
            elif value < prev[1]:
                change = "decrease"
        last_in_clause[clause_start] = (tail.end, value, tail.unit, baseline)

        as_of = period_start = period_end = None
        sentence_start, _ = _span_of(sentence_bounds, s, len(norm))
        k = bisect.bisect_right(marker_starts, s) - 1
        while k >= 0 and markers[k].start >= sentence_start:
            if markers[k].end <= s:
                mk = markers[k]
                as_of, period_start, period_end = mk.as_of, mk.period_start, mk.period_end
                break
            k -= 1

        figures.append(Figure(
            value=value,
            unit=tail.unit,
            qualifier=qualifier,
            change=change,
            as_of=as_of,
            period_start=period_start,
            period_end=period_end,
            source_text=clause_text.setdefault(
                clause_start, raw[clause_start:clause_end].strip()),
            number_text=raw[s:tail.end],
        ))
    return figures


def extract_figures(text: str) -> list[Figure]:
    """All figures in a description (HTML tags stripped first), in text order."""
    if not isinstance(text, str):
        raise IndicatorError(f"expected a string, got {type(text).__name__}")
    try:
        return _extract(text)
    except IndicatorError:
        raise
    except Exception as exc:  # pragma: no cover - the extractor must only raise its own error
        raise IndicatorError(f"cannot extract figures: {exc}") from exc
