"""Tests of the outcome-figure extractor (reformkg.indicators).

The expectations for the Xiamen notice (厦府办〔2025〕38号) were written by hand
from reading each 具体做法及成效 cell; they are not computed by the extractor.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from conftest import read_rows  # noqa: E402
from reformkg.indicators import (  # noqa: E402
    Figure,
    IndicatorError,
    _MAGNITUDES,
    _UNITS,
    extract_figures,
    normalise_digits,
    parse_amount,
)

SETTINGS = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------------------
# Reading the notice's table rows (independently of the project's parser)
# ---------------------------------------------------------------------------


def _descriptions() -> dict[tuple[str, int], str]:
    """{(level, rank): 具体做法及成效}, read straight from the notice text (not by the parser)."""
    return {(r["level"], r["rank"]): r["description"] for r in read_rows()}


# ---------------------------------------------------------------------------
# Hand-written expectations: (value, unit, qualifier, change, as_of, start, end)
# ---------------------------------------------------------------------------

SEP30 = date(2025, 9, 30)            # 截至2025年9月底
JAN_SEP = (date(2025, 1, 1), SEP30)  # 2025年1月至9月底
MAY_SEP = (date(2025, 5, 1), SEP30)  # 自2025年5月平台试运行至9月底
MORE, MOST, ABOUT = "more-than", "at-most", "about"
INC, DEC = "increase", "decrease"


def F(value, unit, qualifier=None, change=None, as_of=None, period=(None, None)):
    return (Decimal(value), unit, qualifier, change, as_of, period[0], period[1])


EXPECTED: dict[tuple[str, int], list[tuple]] = {
    # 1 构建经营主体高效退出新机制
    ("city", 1): [
        F("8", "类"),                                  # 8 类典型投资者“缺位”情形
        F("8656", "件", as_of=SEP30),                  # 办理业务 8656 件
    ],
    # 2 水电气网联合报装
    ("city", 2): [
        F("915", "件", period=JAN_SEP),                # 2025 年 1 月至 9 月底 … 915 件
    ],
    # 3 电力+AI 绿电
    ("city", 3): [
        F("31800", "家"),                              # 3.18 万家企业
        F("267000000", "千瓦时", as_of=SEP30),          # 2.67 亿千瓦时
    ],
    # 4 不动产登记云窗口
    ("city", 4): [
        F("92", "笔", as_of=SEP30),
    ],
    # 5 新就业形态劳动者权益
    ("city", 5): [
        F("7", "个", as_of=SEP30),
        F("3", "个", as_of=SEP30),
        F("784", "处", as_of=SEP30),
        F("8000", "人次", MORE, as_of=SEP30),           # 超 8000 人次
    ],
    # 6 金融+数据
    ("city", 6): [
        F("701400000000", "元", as_of=SEP30),           # 7014亿元
        F("36", "%", as_of=SEP30),
        F("3.17", "%", period=JAN_SEP),
        F("0.56", "个百分点", change=DEC, period=JAN_SEP),  # 同比下降0.56个百分点
    ],
    # 7 锂电池出口
    ("city", 7): [
        F("9000000000", "元", MORE),                   # 累计超90亿元
        F("30", "分钟", MOST, DEC),                     # 压缩至30分钟以内
        F("35", "吨", as_of=SEP30),                     # 由35吨
        F("42", "吨", change=INC, as_of=SEP30),         # 突破至42吨
        F("30", "%", change=INC, as_of=SEP30),          # 提升…效率30%
        F("50", "%", change=DEC, as_of=SEP30),          # 节省…成本50%
    ],
    # 8 社保汇智中枢
    ("city", 8): [
        F("32", "项"),
        F("50", "%", change=DEC),                      # 压减50%
        F("187000", "人次"),                           # 18.7万人次
        F("91200", "特殊缴费群体"),                     # 9.12万特殊缴费群体 (counted noun)
        F("9", "个"),
        F("1708", "件"),
        F("640", "个", MORE, as_of=SEP30),              # 640余个
        F("260000", "户", MORE, as_of=SEP30),           # 26万余户
        F("4880000", "参保人", as_of=SEP30),            # 488万参保人 (counted noun)
    ],
    # 9 科技信贷
    ("city", 9): [
        F("27", "家"),
        F("39", "种"),
        F("28000000", "元", MOST),                     # 最高达 2800 万元
        F("28000000000", "元", MORE, as_of=SEP30),      # 超 280 亿元
        F("6000", "家次", MORE, as_of=SEP30),           # 6000 多家次
    ],
    # 10 涉港跨境破产: 首例, 两份 — no Arabic figures
    ("city", 10): [],
    # district 1 “135+N”: the strategy's gloss (1 个/3 个/5 大/N 个) is excluded
    ("district", 1): [
        F("320", "P"),                                 # 320P 算力集群
        F("7", "个"),
        F("52", "个"),
        F("22", "个"),
        F("165", "类"),
        F("75", "家", as_of=SEP30),
    ],
    # district 2 法税财产执行协作
    ("district", 2): [
        F("18", "处", as_of=SEP30),
        F("100000000", "元", MORE, as_of=SEP30),        # 1 亿余元
        F("60000000", "元", MORE, as_of=SEP30),         # 6000 余万元
        F("6", "家", as_of=SEP30),
        F("3", "名", as_of=SEP30),
    ],
    # district 3 概括性反担保: "；" separates clauses of one sentence, so 截至 dates all six
    ("district", 3): [
        F("3", "份", as_of=SEP30),
        F("270000000", "元", as_of=SEP30),             # （总额度2.7亿元）
        F("27", "家", as_of=SEP30),
        F("12", "份", as_of=SEP30),
        F("22000000", "元", as_of=SEP30),
        F("9000000", "元", MORE, as_of=SEP30),         # 超900万元
    ],
    # district 4 高校毕业生
    ("district", 4): [
        F("39", "个"),
        F("1700", "名", MORE),                         # 1700余名
        F("6", "家"),
        F("50000000", "元", MORE, as_of=SEP30),         # 超5000万元
        F("12822", "名", as_of=SEP30),
        F("15", "%", MORE, INC, as_of=SEP30),           # 提升至15%以上
    ],
    # district 5 台商台胞金融信用证书
    ("district", 5): [
        F("60", "份", as_of=SEP30),
        F("30", "%", ABOUT, as_of=SEP30),               # 约占全市30%
        F("38", "家"),
        F("117", "笔"),
        F("520000000", "元"),                           # 5.2亿元
    ],
    # district 6 执前扣划
    ("district", 6): [
        F("2", "天", as_of=SEP30),
        F("40", "天", MORE, DEC, as_of=SEP30),          # 缩短40天以上
    ],
    # district 7 进不了窗口
    ("district", 7): [
        F("258", "项", as_of=SEP30),
        F("95.3", "%", as_of=SEP30),
    ],
    # district 8 驻村博士选调生服务团
    ("district", 8): [
        F("4", "个"),
        F("81", "条"),
        F("2", "轮", as_of=SEP30),
        F("49", "个", as_of=SEP30),
        F("80", "%", MORE, as_of=SEP30),                # 超80%
    ],
    # district 9 纳税缴费信用
    ("district", 9): [
        F("20000", "次", MORE, as_of=SEP30),            # 超2万次
        F("14.18", "%", change=INC, as_of=SEP30),       # 提升至14.18%
        F("204", "件", as_of=SEP30),
        F("6000", "户", MORE, as_of=SEP30),             # 6000余户
        F("7000000000", "元", MORE, as_of=SEP30),       # 超70亿元
    ],
    # district 10 “1+1+1” 府院联动
    ("district", 10): [
        F("319", "件", period=MAY_SEP),
        F("285", "件", period=MAY_SEP),
        F("85", "%", MORE, period=MAY_SEP),             # 达85%以上
    ],
}


def _as_tuple(f: Figure) -> tuple:
    return (f.value, f.unit, f.qualifier, f.change, f.as_of, f.period_start, f.period_end)


def test_notice_has_twenty_measures():
    rows = _descriptions()
    assert sorted(rows) == sorted(EXPECTED)
    assert len(rows) == 20


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda k: f"{k[0]}-{k[1]}")
def test_notice_measure_figures(key):
    description = _descriptions()[key]
    figures = extract_figures(description)
    assert [_as_tuple(f) for f in figures] == EXPECTED[key]
    for f in figures:
        assert isinstance(f.value, Decimal)
        assert f.unit
        assert f.source_text and f.source_text in _plain(description)
        assert f.number_text and f.number_text in f.source_text
        assert f.value not in (Decimal(2024), Decimal(2025))


def _plain(html_text: str) -> str:
    return re.sub(r"<[^>]+>", "\n", html_text)


def test_notice_total_figure_count():
    rows = _descriptions()
    assert sum(len(extract_figures(t)) for t in rows.values()) == sum(map(len, EXPECTED.values())) == 79


def test_notice_source_and_number_text_examples():
    rows = _descriptions()
    city3 = extract_figures(rows[("city", 3)])
    assert city3[1].number_text == "2.67 亿千瓦时"
    assert city3[1].source_text == "全市绿电交易规模达 2.67 亿千瓦时"
    city8 = extract_figures(rows[("city", 8)])
    assert city8[7].number_text == "26万余户"


def test_code_names_are_not_figures():
    assert extract_figures("创新实施“135+N”人工智能发展战略") == []
    assert extract_figures("创新“1+1+1”府院联动机制") == []
    assert extract_figures("实现“1+1+1”三方联动") == []
    assert extract_figures("构建“1+X”服务体系（1个中心，5个站点）") == []


def test_years_dates_ordinals_are_not_figures():
    text = "2025年首批经验，自2025年5月起，于9月底、6月30日完成，第3批，五年，数十件，首例，A级，5G基站"
    assert extract_figures(text) == []


# ---------------------------------------------------------------------------
# Cases from imagined notices
# ---------------------------------------------------------------------------


def test_as_of_exact_day_and_about():
    [f] = extract_figures("截至2024年6月30日，累计减税约3.5亿元。")
    assert _as_tuple(f) == (Decimal("350000000"), "元", ABOUT, None, date(2024, 6, 30), None, None)
    assert f.number_text == "3.5亿元"


def test_working_days_at_most():
    [f] = extract_figures("办理时限压缩至3个工作日以内")
    assert (f.value, f.unit, f.qualifier, f.change) == (Decimal(3), "个工作日", MOST, DEC)


def test_full_width_digits():
    [f] = extract_figures("２０２４年新增企业１２００家")
    assert (f.value, f.unit, f.change) == (Decimal(1200), "家", INC)
    assert f.number_text == "１２００家"


def test_thousands_separator_versus_list_comma():
    [f] = extract_figures("惠及企业1,200家")
    assert (f.value, f.unit) == (Decimal(1200), "家")
    figures = extract_figures("惠及企业1，200家")
    assert [(g.value, g.unit) for g in figures] == [(Decimal(200), "家")]
    both = extract_figures("新增3家,5家")
    assert [(g.value, g.unit) for g in both] == [(Decimal(3), "家"), (Decimal(5), "家")]


def test_period_forms():
    [f] = extract_figures("2024年1-6月，办理业务1.5万件。")
    assert (f.value, f.period_start, f.period_end) == (Decimal(15000), date(2024, 1, 1), date(2024, 6, 30))
    [g] = extract_figures("2023年上半年，服务企业300余家")
    assert (g.qualifier, g.period_start, g.period_end) == (MORE, date(2023, 1, 1), date(2023, 6, 30))
    [h] = extract_figures("2024年11月至2月底，办结案件12件")
    assert (h.period_start, h.period_end) == (date(2024, 11, 1), date(2025, 2, 28))


def test_as_of_scope_is_the_sentence():
    figures = extract_figures("截至2024年底，新增5家。另有3家待批。")
    assert [(f.value, f.as_of) for f in figures] == [(Decimal(5), date(2024, 12, 31)), (Decimal(3), None)]
    before = extract_figures("完成7件，截至2024年9月底累计10件")
    assert [f.as_of for f in before] == [None, date(2024, 9, 30)]


def test_year_less_as_of_takes_last_year_written():
    [f] = extract_figures("2024年以来持续推进。截至9月底，办结26件")
    assert f.as_of == date(2024, 9, 30)
    [g] = extract_figures("截至9月底，办结26件")
    assert g.as_of is None


def test_html_and_entities_are_stripped():
    text = "<p><b>一是</b>办理&nbsp;32项业务</p><p>截至2025年3月底，服务<b>12</b>家企业</p>"
    figures = extract_figures(text)
    assert [(f.value, f.unit, f.as_of) for f in figures] == [
        (Decimal(32), "项", None), (Decimal(12), "家", date(2025, 3, 31))]


def test_titles_and_slogans_are_names():
    assert extract_figures("出台《促进民营经济发展的10条措施》") == []
    assert extract_figures("推行“最多跑1次”改革") == []


def test_range_and_plus():
    assert [(f.value, f.unit) for f in extract_figures("审批时间缩短为3-5天")] == [(Decimal(5), "天")]
    [f] = extract_figures("服务企业1000+家")
    assert (f.value, f.qualifier) == (Decimal(1000), MORE)


def test_time_unit_within():
    [f] = extract_figures("30分钟内完成审批")
    assert (f.value, f.unit, f.qualifier) == (Decimal(30), "分钟", MOST)


def test_non_string_input():
    with pytest.raises(IndicatorError):
        extract_figures(None)  # type: ignore[arg-type]
    with pytest.raises(IndicatorError):
        normalise_digits(12)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# parse_amount / normalise_digits
# ---------------------------------------------------------------------------


def test_parse_amount_examples():
    assert parse_amount("2.67", "亿") == Decimal("267000000")
    assert parse_amount("7014", "亿") == Decimal("701400000000")
    assert parse_amount("26", "万") == Decimal("260000")
    assert parse_amount("0.56") == Decimal("0.56")
    assert parse_amount("１２００") == Decimal(1200)
    assert parse_amount("1,200") == Decimal(1200)
    assert parse_amount("3", "万亿") == Decimal(3 * 10**12)


@pytest.mark.parametrize("number,magnitude", [
    ("", ""), ("abc", ""), ("1.2.3", ""), ("12", "兆"), ("-5", ""), ("1,20", ""),
    ("٣", ""), ("1" * 100, ""), (None, ""), ("1", None),
])
def test_parse_amount_rejects(number, magnitude):
    with pytest.raises(IndicatorError):
        parse_amount(number, magnitude)


def test_normalise_digits():
    assert normalise_digits("２０２５年３．５％") == "2025年3.5%"


# ---------------------------------------------------------------------------
# Property-based tests
# ---------------------------------------------------------------------------

FULL = str.maketrans("0123456789.", "０１２３４５６７８９．")
decimals = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("999999.9999"),
                       places=4, allow_nan=False, allow_infinity=False)
magnitudes = st.sampled_from(sorted(_MAGNITUDES))
units = st.sampled_from(sorted(_UNITS))


def _ambiguous(magnitude: str, unit: str) -> bool:
    """5千克 is 5 kilograms, not 5000 grams: magnitude+unit spelling another unit."""
    return bool(magnitude) and any(
        other != unit and (magnitude + unit).startswith(other) for other in _UNITS)


@SETTINGS
@given(x=decimals, magnitude=magnitudes, unit=units,
       sep=st.sampled_from(["", " "]), full_width=st.booleans(), grouped=st.booleans())
def test_rendered_figure_round_trips(x, magnitude, unit, sep, full_width, grouped):
    assume(not _ambiguous(magnitude, unit))
    number = format(x, ",f" if grouped else "f")
    if full_width:
        number = number.translate(FULL)
    text = f"累计完成{number}{sep}{magnitude}{sep}{unit}。"
    figures = extract_figures(text)
    assert len(figures) == 1, (text, figures)
    [f] = figures
    assert f.value == x * _MAGNITUDES[magnitude]
    assert f.unit == unit
    assert f.qualifier is None and f.change is None
    assert f.number_text == f"{number}{sep}{magnitude}{sep}{unit}"


@SETTINGS
@given(x=decimals, magnitude=magnitudes, full_width=st.booleans())
def test_parse_amount_round_trips(x, magnitude, full_width):
    number = format(x, "f")
    if full_width:
        number = number.translate(FULL)
    value = parse_amount(number, magnitude)
    assert value == x * _MAGNITUDES[magnitude]
    assert parse_amount(format(value, "f")) == value


def _check_extraction(text: str) -> None:
    try:
        result = extract_figures(text)
    except IndicatorError:
        return
    assert isinstance(result, list)
    for f in result:
        assert isinstance(f, Figure)
        assert isinstance(f.value, Decimal) and f.unit


@SETTINGS
@given(st.text())
def test_arbitrary_text_never_crashes(text):
    _check_extraction(text)


NOTICE_ALPHABET = list("0123456789０１２３４５６７８９.．,，。；;%％+＋ 　\n<>/") + list(
    "万亿千百十余多超约近以上内下左右截至止年月日底末自从由到个件家户人次元吨天项类条份处"
    "百分点千瓦时工作小分钟第“”《》（）()PpGb提升下降压缩新增同比达最高不少于过")


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(NOTICE_ALPHABET),
                          st.sampled_from(["<p>", "</p>", "<b>", "&nbsp;", "截至2025年",
                                           "9月底", "个百分点", "千瓦时", "1+1", "2025年1月至"])),
                max_size=60).map("".join))
def test_notice_like_text_never_crashes(text):
    _check_extraction(text)


def test_figures_of_a_notice_never_seen_while_writing_the_extractor():
    """The Quanzhou fixture (another city and year) read by hand, figure by figure."""
    import datetime as dt

    from conftest import SECOND_NOTICE, read_rows

    nov30 = dt.date(2024, 11, 30)
    expected = {
        ("city", 1): [F("12000", "户", as_of=nov30), F("0.5", "个工作日", MOST, "decrease", as_of=nov30)],
        ("city", 2): [F("1260000000", "元", ABOUT, as_of=nov30)],
        ("city", 3): [F("8530000000", "元", period=(dt.date(2024, 1, 1), dt.date(2024, 10, 31))),
                      F("12.5", "%", None, "increase", period=(dt.date(2024, 1, 1), dt.date(2024, 10, 31)))],
        ("district", 1): [F("320", "件", MORE, as_of=nov30)],
        ("district", 2): [F("15", "个", as_of=nov30), F("30", "天", MORE, "decrease", as_of=nov30)],
    }
    for row in read_rows(SECOND_NOTICE):
        got = [(f.value, f.unit, f.qualifier, f.change, f.as_of, f.period_start, f.period_end)
               for f in extract_figures(row["description"])]
        assert got == expected[(row["level"], row["rank"])], (row["level"], row["rank"])
