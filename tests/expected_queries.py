"""What every named query must answer on the Xiamen notice 厦府办〔2025〕38号, written by hand.

Counts, names and orders come from reading data/notices/xm-2025-38.txt (the two tables, the commended
list in the body, the figures in the 具体做法及成效 cells); agency kinds come from what each unit is
(国网 is a state-owned enterprise, 市税务局 a local branch of a central agency, …) and topics from the
curated data/measures/xiamen-2025-38.yaml. Nothing here is computed from the graph.

Each checker gets an ``Answer`` (rows as dicts of plain Python values: IRIs relative to the base,
literals as their values) and the notice rows read straight from the text (conftest.read_rows).
A query file without an entry here fails the test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

CITY, DISTRICT = "市级", "区级"
TITLES = {  # (level, rank) → the title as printed, for the checks that name a measure
    (CITY, 1): "构建经营主体高效退出新机制",
    (CITY, 6): "“金融+数据”模式精准解决小微企业获贷难题",
    (CITY, 8): "税务赋能构建社保“汇智中枢”实现一站式服务",
    (CITY, 10): "深化涉港跨境破产协作有力推动国内国际双循环",
    (DISTRICT, 1): "创新实施“135+N”人工智能发展战略",
    (DISTRICT, 2): "探索“法税财产执行协作机制”",
}
TAX = "国家税务总局厦门市税务局"  # 市税务局 in the notice


def column(rows, name):
    return [r[name] for r in rows]


def refs(rows):
    return [(r["level"], r["rank"]) for r in rows]


def check_measures_by_level(a, notice_rows):
    assert len(a.rows) == 20
    assert refs(a.rows) == [(CITY, r) for r in range(1, 11)] + [(DISTRICT, r) for r in range(1, 11)]
    assert column(a.rows, "title") == [r["title"] for r in notice_rows]  # in the printed order
    assert set(column(a.rows, "notice")) == {"厦府办〔2025〕38号"}
    assert a.rows[0]["lead"] == "厦门市市场监督管理局"  # 市市场监管局, first unit of city 1
    assert a.rows[7]["lead"] == TAX
    assert a.rows[7]["measure"] == "measure/xiamen-2025-38/city-08"
    assert a.rows[0]["title_en"].startswith("Building a new mechanism")
    assert a.rows[10]["lead"] == "厦门市思明区人民政府"


def check_measures_led_by_agency(a, notice_rows):
    assert len(a.rows) == 20
    counts = {}
    for r in a.rows:
        counts[r["name"]] = counts.get(r["name"], 0) + 1
    assert len(counts) == 16  # the 16 commended units
    assert {n for n, c in counts.items() if c == 2} == {
        "厦门市思明区人民政府", "厦门市集美区人民政府", "厦门市海沧区人民政府", "厦门市同安区人民政府"}
    names = column(a.rows, "name")
    assert names == sorted(names)  # ordered by name
    jimei = [(r["level"], r["rank"]) for r in a.rows if r["name"] == "厦门市集美区人民政府"]
    assert jimei == [(DISTRICT, 4), (DISTRICT, 5)]
    assert [r["rank"] for r in a.rows if r["name"] == TAX] == [8]


def check_agency_ranking(a, notice_rows):
    assert len(a.rows) == 43  # distinct units in the two tables
    by_name = {r["name"]: (r["leads"], r["joins"], r["total"]) for r in a.rows}
    assert a.rows[0]["name"] == TAX and by_name[TAX] == (1, 2, 3)  # leads city 8, joins city 1 and 4
    assert by_name["厦门市发展和改革委员会"] == (0, 2, 2)  # city 3 and 6
    assert by_name["厦门市总工会"] == (0, 2, 2)  # city 3 and 5
    assert by_name["国网福建省电力有限公司厦门供电公司"] == (1, 1, 2)  # leads city 3, joins city 2
    assert by_name["厦门市思明区人民政府"] == (2, 0, 2)
    assert by_name["厦门市司法局"] == (0, 1, 1)
    assert sum(r["leads"] for r in a.rows) == 20
    assert sum(r["joins"] for r in a.rows) == 34  # 54 units listed in all, 20 of them leads
    totals = column(a.rows, "total")
    assert totals == sorted(totals, reverse=True)
    assert sum(1 for t in totals if t == 2) == 9


def check_agency_pairs(a, notice_rows):
    # pairs per measure: C(3,2)+C(10,2)+C(6,2)+C(3,2)+C(6,2)+C(4,2)+C(4,2) = 93 in the city list,
    # C(3,2)+1+1+1 = 6 in the district list; no two agencies share more than one measure
    assert len(a.rows) == 99
    assert set(column(a.rows, "measures")) == {1}
    pairs = {frozenset((r["name1"], r["name2"])) for r in a.rows}
    assert frozenset(("厦门市市场监督管理局", TAX)) in pairs
    assert frozenset(("厦门市湖里区人民政府", "厦门市湖里区人民法院")) in pairs
    assert frozenset(("厦门市市场监督管理局", "厦门市自然资源和规划局")) not in pairs
    assert all(r["agency1"] < r["agency2"] for r in a.rows)  # each pair once


def check_cross_level_agencies(a, notice_rows):
    assert len(a.rows) == 18  # 福建电力交易中心有限公司 twice: a provincial body and an SOE
    why = {}
    for r in a.rows:
        why.setdefault(r["why"], []).append((r["name"], r["level"], r["rank"]))
    assert set(why) == {"central-agency branch", "state-owned enterprise", "provincial body"}
    assert len(why["central-agency branch"]) == 10
    assert (TAX, CITY, 1) in why["central-agency branch"] and (TAX, CITY, 8) in why["central-agency branch"]
    assert ("国家税务总局厦门市思明区税务局", DISTRICT, 2) in why["central-agency branch"]
    assert ("中华人民共和国厦门海关", CITY, 7) in why["central-agency branch"]
    assert sorted(why["state-owned enterprise"]) == sorted([
        ("国网福建省电力有限公司厦门供电公司", CITY, 2), ("国网福建省电力有限公司厦门供电公司", CITY, 3),
        ("厦门华润燃气有限公司", CITY, 2), ("厦门市政水务集团有限公司", CITY, 2), ("厦门广电网络集团", CITY, 2),
        ("厦门火炬集团有限公司", CITY, 3), ("福建电力交易中心有限公司", CITY, 3)])
    assert why["provincial body"] == [("福建电力交易中心有限公司", CITY, 3)]
    assert column(a.rows, "why") == sorted(column(a.rows, "why"))


def check_district_measures(a, notice_rows):
    assert [r["rank"] for r in a.rows] == [1, 2]  # 思明区政府 leads district 1 and 2
    assert [r["title"] for r in a.rows] == [TITLES[(DISTRICT, 1)], TITLES[(DISTRICT, 2)]]
    assert set(column(a.rows, "district_name")) == {"思明区"}
    assert set(column(a.rows, "lead")) == {"厦门市思明区人民政府"}


def check_measure_figures(a, notice_rows):
    # city 6: 贷款余额7014亿元 … 比重达36%（截至2025年9月底）; 利率3.17%，同比下降0.56个百分点（2025年1月至9月底）
    assert [(r["n"], r["value"], r["unit"]) for r in a.rows] == [
        (1, Decimal("701400000000"), "元"), (2, Decimal("36"), "%"), (3, Decimal("3.17"), "%"),
        (4, Decimal("0.56"), "个百分点")]
    assert [r["as_of"] for r in a.rows[:2]] == [date(2025, 9, 30)] * 2
    assert [(r["period_start"], r["period_end"]) for r in a.rows[2:]] == [(date(2025, 1, 1), date(2025, 9, 30))] * 2
    assert a.rows[3]["change"] == "decrease"
    assert a.rows[0]["source"] == "全市小微企业贷款余额7014亿元"
    assert all(r["qualifier"] is None for r in a.rows)


def check_money_by_measure(a, notice_rows):
    got = [(r["level"], r["rank"], r["district"], r["figures"], r["total_yuan"], r["total_is"]) for r in a.rows]
    assert got == [
        (CITY, 6, None, 1, Decimal("701400000000"), "exact"),  # 7014亿元
        (CITY, 7, None, 1, Decimal("9000000000"), "more than"),  # 超90亿元
        (CITY, 9, None, 2, Decimal("28028000000"), "mixed"),  # 最高达2800万元 + 超280亿元
        (DISTRICT, 2, "思明区", 2, Decimal("160000000"), "more than"),  # 1亿余元 + 6000余万元
        (DISTRICT, 3, "湖里区", 3, Decimal("301000000"), "more than"),  # 2.7亿 + 2200万 + 超900万
        (DISTRICT, 4, "集美区", 1, Decimal("50000000"), "more than"),  # 超5000万元
        (DISTRICT, 5, "集美区", 1, Decimal("520000000"), "exact"),  # 5.2亿元
        (DISTRICT, 9, "同安区", 1, Decimal("7000000000"), "more than"),  # 超70亿元
    ]


def check_money_by_district(a, notice_rows):
    got = [(r["name"], r["measures"], r["figures"], r["total_yuan"], r["total_is"]) for r in a.rows]
    assert got == [
        ("同安区", 1, 1, Decimal("7000000000"), "more than"),
        ("集美区", 2, 2, Decimal("570000000"), "more than"),
        ("湖里区", 1, 3, Decimal("301000000"), "more than"),
        ("思明区", 1, 2, Decimal("160000000"), "more than"),
    ]
    assert a.rows[0]["district"] == "district/350212" and a.rows[0]["name_en"] == "Tong'an District"


def check_measures_without_cooperation(a, notice_rows):
    alone = [(CITY if r["level"] == "city" else DISTRICT, r["rank"]) for r in notice_rows
             if not any(sep in r["units"] for sep in "，,、")]
    assert refs(a.rows) == alone == [(CITY, 8), (CITY, 9), (CITY, 10), (DISTRICT, 1), (DISTRICT, 4),
                                     (DISTRICT, 5), (DISTRICT, 7), (DISTRICT, 8), (DISTRICT, 10)]
    assert a.rows[0]["lead"] == TAX


def check_court_measures(a, notice_rows):
    assert [(r["level"], r["rank"], r["court"], r["role"]) for r in a.rows] == [
        (CITY, 1, "厦门市中级人民法院", "cooperating unit"),
        (CITY, 10, "厦门市中级人民法院", "lead unit"),
        (DISTRICT, 2, "厦门市思明区人民法院", "cooperating unit"),
        (DISTRICT, 3, "厦门市湖里区人民法院", "cooperating unit"),
        (DISTRICT, 6, "厦门市海沧区人民法院", "cooperating unit"),
    ]


def check_commended_lead_check(a, notice_rows):
    assert a.variables == ["notice", "agency", "name", "problem"]
    assert a.rows == []  # the body commends exactly the 16 lead units


def check_search(a, notice_rows):
    # 破产 is in the description of city 1 (破产企业高效办) and in the title and description of city 10
    assert [(r["level"], r["rank"], r["in_title"], r["in_description"]) for r in a.rows] == [
        (CITY, 1, False, True), (CITY, 10, True, True)]
    assert a.rows[1]["title"] == TITLES[(CITY, 10)]


BREADY = {"dispute-resolution": 4, "financial-services": 4, "market-competition": 4, "labor": 3, "taxation": 3,
          "business-insolvency": 2, "business-location": 2, "utility-services": 2, "international-trade": 1,
          "business-entry": 0}
FUJIAN = {"inclusive-innovation": 5, "enforcing-contracts": 3, "financing-support": 3,
          "labour-market-regulation": 3, "paying-taxes": 3, "getting-electricity": 2, "resolving-insolvency": 2,
          "construction-project-approval": 1, "getting-water-and-gas": 1, "government-services": 1,
          "judicial-and-administrative-enforcement": 1, "registering-property": 1, "starting-a-business": 1,
          "trading-across-borders": 1, "bidding-and-tendering": 0, "government-procurement": 0,
          "intellectual-property": 0, "market-supervision": 0}


def check_measures_per_topic(a, notice_rows):
    got = [(r["code"], r["measures"]) for r in a.rows]
    assert got == [(f"bready/{k}", v) for k, v in BREADY.items()]  # most first, then by code
    assert a.rows[0]["name"] == "争端解决" and a.rows[0]["name_en"] == "Dispute Resolution"


def check_district_topics(a, notice_rows):
    got = {(r["name"], r["topic_en"], r["measures"]) for r in a.rows}
    assert got == {
        ("思明区", "Market Competition", 1), ("思明区", "Dispute Resolution", 1), ("思明区", "Taxation", 1),
        ("湖里区", "Dispute Resolution", 1),
        ("集美区", "Labor", 1), ("集美区", "Financial Services", 1),
        ("海沧区", "Dispute Resolution", 1), ("海沧区", "Market Competition", 1),
        ("同安区", "Market Competition", 1), ("同安区", "Taxation", 1), ("同安区", "Financial Services", 1),
        ("翔安区", "Dispute Resolution", 1),
    }
    order = ["思明区", "海沧区", "湖里区", "集美区", "同安区", "翔安区"]  # by district code 350203 … 350213
    seen = list(dict.fromkeys(column(a.rows, "name")))
    assert seen == order


def check_collaboration_network(a, notice_rows):
    from rdflib.namespace import RDF, SKOS

    from reformkg.namespaces import ORG, RK

    edges = [(s, o) for s, p, o in a.triples if p == ORG.linkedTo]
    assert len(edges) == 99 and all(str(s) < str(o) for s, o in edges)
    agencies = {s for s, p, o in a.triples if p == RDF.type and o == RK.Agency}
    # 43 units less the three that never share a measure: 市科技局, 集美区政府, 翔安区政府
    assert len(agencies) == 40
    assert {s for s, o in edges} | {o for s, o in edges} == agencies
    labels = {str(o) for s, p, o in a.triples if p == SKOS.prefLabel}
    assert "厦门市科学技术局" not in labels and "厦门市总工会" in labels
    assert len(a.triples) == 99 + 40 * 4  # edge, type, zh and en name, kind


def check_agency_profile(a, notice_rows):
    fields = {}
    for r in a.rows:
        fields.setdefault(r["field"], []).append(r["value"])
    assert sorted(fields["name"]) == sorted([TAX, "Xiamen Municipal Tax Service, State Taxation Administration"])
    assert "市税务局" in fields["also written"]
    assert fields["kind"] == ["local branch of a central agency"]
    assert sorted(fields["has part"]) == ["国家税务总局厦门市同安区税务局", "国家税务总局厦门市思明区税务局"]
    assert fields["leads"] == [TITLES[(CITY, 8)]]
    assert sorted(fields["cooperates on"]) == sorted([TITLES[(CITY, 1)], "打造不动产登记“云窗口”远程服务新模式"])
    assert sorted(fields["works with"]) == sorted(["厦门市市场监督管理局", "厦门市中级人民法院",
                                                   "厦门市自然资源和规划局", "厦门市住房和建设局"])
    assert fields["commended by"] == ["厦府办〔2025〕38号"] and fields["sent the notice"] == ["厦府办〔2025〕38号"]
    assert "part of" not in fields and "mentioned in" not in fields
    assert set(column(a.rows, "agency")) == {"agency/xiamen/tax-bureau"}
    order = list(dict.fromkeys(column(a.rows, "field")))
    assert order == ["name", "also written", "kind", "level", "has part", "leads", "cooperates on", "works with",
                     "commended by", "sent the notice"]


def check_agencies_by_type(a, notice_rows):
    got = [(r["kind_en"], r["agencies"], r["participations"], r["leads"]) for r in a.rows]
    assert got == [
        ("government department", 12, 14, 5),
        ("local branch of a central agency", 8, 10, 1),
        ("local people's government", 6, 10, 10),
        ("state-owned enterprise", 6, 7, 1),
        ("people's court", 4, 5, 1),
        ("people's congress committee", 2, 2, 0),
        ("Party organ", 2, 2, 1),
        ("zone administration", 2, 2, 1),
        ("mass organisation", 1, 2, 0),
    ]
    assert sum(r["agencies"] for r in a.rows) == 43


def check_notices(a, notice_rows):
    assert len(a.rows) == 1
    r = a.rows[0]
    assert (r["doc_number"], r["issued"], r["publisher"]) == ("厦府办〔2025〕38号", date(2025, 10, 31), "厦门市人民政府办公厅")
    assert (r["measures"], r["city_level"], r["district_level"], r["commended"]) == (20, 10, 10, 16)


def check_figures_above(a, notice_rows):
    assert [(r["measure"].rsplit("/", 1)[1], r["value"], r["qualifier"]) for r in a.rows] == [
        ("city-06", Decimal("701400000000"), None),  # 7014亿元
        ("city-09", Decimal("28000000000"), "more than"),  # 超 280 亿元
        ("city-07", Decimal("9000000000"), "more than"),  # 超90亿元
        ("district-09", Decimal("7000000000"), "more than"),  # 超70亿元
    ]
    assert set(column(a.rows, "unit")) == {"元"}


def check_measures_without_lead(a, notice_rows):
    assert a.kind == "ask" and a.boolean is False


EXPECTED = {name[len("check_"):].replace("_", "-"): f for name, f in globals().items() if name.startswith("check_")}
