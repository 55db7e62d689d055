"""The built graph holds what the notice says: measures, agencies, districts, the notice itself."""

from __future__ import annotations

import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from conftest import ROOT, SECOND_NOTICE, split_units
from reformkg.iris import DEFAULT_BASE
from reformkg.namespaces import RK

ID = DEFAULT_BASE
NOTICE_IRI = URIRef(ID + "notice/xiamen-2025-38")
DISTRICTS = {"思明区": "350203", "海沧区": "350205", "湖里区": "350206", "集美区": "350211",
             "同安区": "350212", "翔安区": "350213"}


def names_of(graph, agency) -> set[str]:
    return {str(o) for p in (SKOS.prefLabel, SKOS.altLabel) for o in graph.objects(agency, p)
            if getattr(o, "language", None) == "zh"}


def measure_iri(level: str, rank: int) -> URIRef:
    return URIRef(f"{ID}measure/xiamen-2025-38/{level}-{rank:02d}")


def test_twenty_measures_with_level_rank_and_exact_title(graph, notice_rows):
    measures = set(graph.subjects(RDF.type, RK.Measure))
    assert len(measures) == 20
    for row in notice_rows:
        m = measure_iri(row["level"], row["rank"])
        assert m in measures
        assert graph.value(m, RK.title) == Literal(row["title"], lang="zh")
        assert graph.value(m, RK.rank) == Literal(row["rank"], datatype=XSD.integer)
        assert graph.value(m, RK.level) == (RK.CityLevel if row["level"] == "city" else RK.DistrictLevel)
        assert graph.value(m, RK.listedIn) == NOTICE_IRI


def test_lead_and_cooperating_units(graph, notice_rows):
    for row in notice_rows:
        m = measure_iri(row["level"], row["rank"])
        units = split_units(row["units"])
        leads = list(graph.objects(m, RK.leadAgency))
        assert len(leads) == 1 and units[0] in names_of(graph, leads[0])
        cooperating = list(graph.objects(m, RK.cooperatingAgency))
        assert len(cooperating) == len(units) - 1
        for unit in units[1:]:
            assert any(unit in names_of(graph, a) for a in cooperating), unit
        assert set(graph.objects(m, RK.involvesAgency)) == set(leads) | set(cooperating)


def test_forty_three_agencies_in_the_tables_with_zh_and_en(graph, notice_rows):
    agencies = {a for row in notice_rows for a in graph.objects(measure_iri(row["level"], row["rank"]),
                                                                 RK.involvesAgency)}
    assert len(agencies) == 43
    for a in agencies:
        langs = {o.language for o in graph.objects(a, SKOS.prefLabel)}
        assert {"zh", "en"} <= langs, a
        assert (a, RDF.type, RK.Agency) in graph
        assert graph.value(a, RK.provisional) is None


def test_same_agency_under_several_names(graph):
    court = URIRef(ID + "agency/xiamen/intermediate-court")
    assert {"市中级法院", "厦门市中级法院"} <= names_of(graph, court)


def test_district_measures_have_their_district(graph, notice_rows):
    for row in notice_rows:
        m = measure_iri(row["level"], row["rank"])
        districts = list(graph.objects(m, RK.district))
        if row["level"] == "city":
            assert districts == []
            continue
        lead = split_units(row["units"])[0]
        name = re.match(r"^(.{2}区)", lead).group(1)
        assert districts == [URIRef(ID + "district/" + DISTRICTS[name])]


def test_six_districts_with_codes(graph):
    found = {str(graph.value(d, SKOS.prefLabel)): str(graph.value(d, RK.adminCode))
             for d in graph.subjects(RDF.type, RK.District)}
    assert {k: v for k, v in found.items() if k in DISTRICTS} == DISTRICTS
    for d in graph.subjects(RDF.type, RK.District):
        assert {o.language for o in graph.objects(d, SKOS.prefLabel)} == {"zh", "en"}


def test_notice_metadata(graph):
    g, n = graph, NOTICE_IRI
    assert g.value(n, RK.docNumber) == Literal("厦府办〔2025〕38号")
    assert str(g.value(n, RK.printedOn)) == "2025-11-05"
    from rdflib.namespace import DCTERMS
    assert str(g.value(n, DCTERMS.issued)) == "2025-10-31"
    assert "厦门市人民政府办公厅" in names_of(g, g.value(n, DCTERMS.publisher))
    commended = list(g.objects(n, RK.commends))
    assert len(commended) == 16
    assert any("集美区政府" in names_of(g, a) for a in commended)
    distributed = list(g.objects(n, RK.distributedTo))
    assert len(distributed) == 18
    expanded = [{"市委社会工作部"}, {"市委金融办"}, {"市人大法制委"}, {"市人大社会委"}, {"厦门华润燃气公司"}]
    for names in expanded:
        assert any(names <= names_of(g, a) for a in distributed), names


def test_commended_units_are_exactly_the_leads(built):
    assert [c.ok for c in built.consistency] == [True]


def test_every_action_in_order(graph, notice_rows):
    total = 0
    for row in notice_rows:
        m = measure_iri(row["level"], row["rank"])
        actions = sorted(graph.objects(m, RK.hasAction), key=lambda a: int(graph.value(a, RK.order)))
        plain = re.sub(r"<[^>]+>", "", row["description"])
        assert len(actions) == len(re.findall(r"[一二三四五六]是", plain))
        for k, a in enumerate(actions, 1):
            assert int(graph.value(a, RK.order)) == k
            text = next(str(t) for t in graph.objects(a, RK.text) if t.language == "zh")
            assert text and text in plain.replace("\n", "")
        total += len(actions)
    assert total == 59


def test_build_is_deterministic(tmp_path, built):
    from reformkg.build import build

    again = build(ROOT / "data", out_dir=tmp_path, validate=False)
    assert again.written[0].read_bytes() == built.written[0].read_bytes()


def test_second_notice_of_another_city_builds_with_provisional_agencies(tmp_path):
    from reformkg.build import build

    result = build(ROOT / "data", extra=[SECOND_NOTICE], out_dir=tmp_path)
    g = result.graph
    xm_tax = URIRef(ID + "agency/xiamen/tax-bureau")
    qz = URIRef(ID + "notice/quanzhou-2024-12")
    assert (qz, RDF.type, RK.Notice) in g
    qz_lead = g.value(URIRef(ID + "measure/quanzhou-2024-12/city-02"), RK.leadAgency)
    assert qz_lead != xm_tax  # 市税务局 of Quanzhou is not Xiamen's
    assert g.value(qz_lead, RK.provisional) == Literal(True)
    assert str(g.value(qz_lead, RK.city)).endswith("city/quanzhou")
    assert "市税务局" in names_of(g, qz_lead)
    assert any("qz-2024-12.txt" in w and "市税务局" in w for w in result.warnings)
    # every provisional name is reported with its file and line (the commended list is on line 9)
    provisional = [w for w in result.warnings if "provisional" in w]
    assert provisional and all(re.match(re.escape(str(SECOND_NOTICE)) + r":\d+: ", w) for w in provisional)
    assert f"{SECOND_NOTICE}:9: provisional agency '市税务局'" in "\n".join(provisional)
    # the district of a district measure in an uncurated city is provisional
    d = g.value(URIRef(ID + "measure/quanzhou-2024-12/district-01"), RK.district)
    assert str(g.value(d, SKOS.prefLabel)) == "丰泽区"
    # elliptical distribution 市委办公室、政法委 → 市委政法委
    assert any("市委政法委" in names_of(g, a) for a in g.objects(qz, RK.distributedTo))
    # the fixture leads a measure with 市商务局 but does not commend it: reported, not fatal
    report = {c.notice: c for c in result.consistency}
    assert report["厦府办〔2025〕38号"].ok
    assert report["泉政办〔2024〕12号"].leading_not_commended == ("市商务局",)


def test_strict_refuses_provisional_entities(tmp_path):
    from reformkg.build import build
    from reformkg.errors import ResolutionError

    with pytest.raises(ResolutionError, match="provisional agency '市商务局'"):
        build(ROOT / "data", extra=[SECOND_NOTICE], out_dir=tmp_path, strict=True)
    assert not (tmp_path / "reformkg.ttl").exists()


def test_base_iri_changes_only_the_prefix(tmp_path, built):
    from reformkg.build import build

    from rdflib import Graph
    from rdflib.compare import isomorphic

    other = build(ROOT / "data", out_dir=tmp_path, base="http://localhost:8000/id/", validate=False)
    text = other.written[0].read_text(encoding="utf-8")
    assert ID not in text
    moved = Graph().parse(data=text.replace("http://localhost:8000/id/", ID), format="turtle")
    assert isomorphic(moved, Graph().parse(built.written[0], format="turtle"))
