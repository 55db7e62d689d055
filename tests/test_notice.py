"""The notice parser on the real notice: every part of the format and every trap of domain.md."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import NOTICE, SECOND_NOTICE, split_units
from reformkg.notice import parse_notice, split_actions


@pytest.fixture(scope="module")
def notice():
    return parse_notice(NOTICE)


def test_header_parts(notice):
    assert notice.issuer == "厦门市人民政府办公厅"
    assert notice.city_name == "厦门市"
    assert notice.doc_number == "厦府办〔2025〕38号"
    assert (notice.year, notice.number) == (2025, 38)
    # the stray space in the printed title is a line-wrap artefact
    assert notice.title == "厦门市人民政府办公厅关于2025年度市区营商环境优秀创新举措的通报"
    assert notice.issued == dt.date(2025, 10, 31)
    assert notice.printed == dt.date(2025, 11, 5)


def test_every_row_with_exact_title_and_units(notice, notice_rows):
    assert len(notice_rows) == 20
    parsed = {(m.level, m.rank): m for m in notice.measures}
    assert len(parsed) == 20
    for row in notice_rows:
        m = parsed[(row["level"], row["rank"])]
        assert m.title == row["title"]  # exact, with full-width punctuation and quotes
        assert list(m.units) == split_units(row["units"])


def test_levels_and_ranks(notice):
    for level in ("city", "district"):
        assert sorted(m.rank for m in notice.measures if m.level == level) == list(range(1, 11))


def test_titles_with_commas_and_quotes_stay_whole(notice):
    titles = {m.title for m in notice.measures}
    assert "法治引领，构建新就业形态劳动者权益保障创新模式" in titles
    assert "“金融+数据”模式精准解决小微企业获贷难题" in titles
    assert "全市首创“同安驻村博士选调生服务团”，“政企研”赋能企业发展" in titles


@pytest.mark.parametrize("level,rank,lead,cooperating", [
    ("city", 3, "国网厦门供电公司", ["火炬管委会", "市发改委", "市总工会", "福建电力交易中心", "火炬集团"]),  # '，'
    ("district", 3, "湖里区政府", ["湖里区法院"]),  # ASCII ',' and a space
    ("city", 1, "市市场监管局", ["市税务局", "市中级法院"]),  # only '、'
    ("city", 8, "市税务局", []),
])
def test_lead_is_first_unit_whatever_the_separator(notice, level, rank, lead, cooperating):
    m = next(m for m in notice.measures if (m.level, m.rank) == (level, rank))
    assert m.lead == lead
    assert list(m.cooperating) == cooperating


def test_repeated_header_rows_are_skipped(notice):
    text = NOTICE.read_text(encoding="utf-8")
    assert text.count("序号\t创新举措") == 6  # the header repeats at page breaks
    assert not any(m.title == "创新举措" for m in notice.measures)


def test_commended_list_joins_the_page_break(notice):
    assert "集美区政府" in notice.commended
    assert "集美" not in notice.commended
    assert len(notice.commended) == 16
    assert notice.commended[0] == "市委金融办" and notice.commended[-1] == "自贸委"


def test_distribution_list_as_written(notice):
    assert notice.distributed[:2] == ("市委社会工作部", "金融办")  # expanded later, with the registry
    assert "厦门华润燃气公司" in notice.distributed
    assert len(notice.distributed) == 18


def test_html_is_stripped_and_actions_kept_in_order(notice, notice_rows):
    for m in notice.measures:
        assert "<" not in m.description and ">" not in m.description
        row = next(r for r in notice_rows if (r["level"], r["rank"]) == (m.level, m.rank))
        markers = re.findall(r"([一二三四五六七八九十])是", re.sub(r"<[^>]+>", "", row["description"]))
        expected = [w for w in markers if w in "一二三四五六七八九十"]
        assert [a.order for a in m.actions] == list(range(1, len(m.actions) + 1))
        assert len(m.actions) == len([w for i, w in enumerate(expected) if "一二三四五六七八九十".index(w) == i])


def test_action_text_and_outcome_cut(notice):
    m = next(m for m in notice.measures if (m.level, m.rank) == ("city", 1))
    assert m.actions[0].text.startswith("特殊情形规范办")
    assert m.actions[2].text.endswith("提升破产企业退出便利度。")
    assert "8656" not in m.actions[2].text  # the outcome sentence is not part of the last action
    m = next(m for m in notice.measures if (m.level, m.rank) == ("city", 3))
    assert len(m.actions) == 2  # this measure has only 一是 and 二是
    assert m.actions[1].text.endswith("生成绿电消费证明。")


def test_split_actions_beyond_three():
    text = "总述。一是甲。二是乙。三是丙。四是丁。五是戊。截至2025年9月底，完成5件。"
    actions = split_actions(text)
    assert [a.text for a in actions] == ["甲。", "乙。", "丙。", "丁。", "戊。"]


def test_second_notice_of_another_city_parses():
    n = parse_notice(SECOND_NOTICE)
    assert n.city_name == "泉州市" and n.doc_number == "泉政办〔2024〕12号"
    assert [(m.level, m.rank) for m in n.measures] == [("city", 1), ("city", 2), ("city", 3),
                                                        ("district", 1), ("district", 2)]
    assert n.measures[0].units == ("市市场监管局", "市税务局", "市公安局")
    assert "丰泽区政府" in n.commended


def test_variants_of_the_format_seen_in_other_notices(tmp_path):
    """Another office's habits: wrapped title, Chinese-numeral dates, plain appendix headings,
    columns in another order with an extra column, 给予通报表彰."""
    text = "\n".join([
        "漳州市人民政府办公室文件",
        "",
        "漳政办〔2023〕7号",
        "",
        "漳州市人民政府办公室关于2023年度",
        "营商环境创新举措的通报",
        "",
        "各县（区）人民政府，市直各单位：",
        "",
        "现对牵头单位市税务局、龙文区政府给予通报表彰。",
        "",
        "漳州市人民政府办公室",
        "",
        "二〇二三年十二月二十八日",
        "",
        "附件1",
        "",
        "漳州市2023年度市级营商环境创新举措名单",
        "",
        "序号\t单位名称\t举措名称\t所属领域\t主要做法及成效",
        "1\t市税务局、市医保局\t“一件事”缴费\t纳税\t一是并联办理。二是一次缴清。截至2023年11月底，办件1200件。",
        "",
        "附件2",
        "",
        "漳州市2023年度区级营商环境创新举措名单",
        "",
        "序号\t单位名称\t举措名称\t所属领域\t主要做法及成效",
        "1\t龙文区政府\t企业服务专员\t政务服务\t一是配备专员。二是定期走访。三是闭环办理。",
        "",
        "二〇二四年一月五日印发",
    ])
    path = tmp_path / "zz.txt"
    path.write_text(text, encoding="utf-8")
    n = parse_notice(path)
    assert n.title == "漳州市人民政府办公室关于2023年度营商环境创新举措的通报"
    assert n.issued == dt.date(2023, 12, 28) and n.printed == dt.date(2024, 1, 5)
    assert n.commended == ("市税务局", "龙文区政府")
    assert [(m.level, m.rank, m.title, m.units) for m in n.measures] == [
        ("city", 1, "“一件事”缴费", ("市税务局", "市医保局")),
        ("district", 1, "企业服务专员", ("龙文区政府",))]
    assert [a.text for a in n.measures[1].actions] == ["配备专员。", "定期走访。", "闭环办理。"]
    assert n.measures[0].description.endswith("办件1200件。")
