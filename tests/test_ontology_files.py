"""Checks for ontology/reformkg.ttl (the rk: vocabulary) and ontology/shapes.ttl (SHACL shapes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, RDFS, OWL, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS, SH

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "reformkg.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
MODEL_MD = ROOT / "docs" / "model.md"  # the ontology contract, copied from the design folder

RK = Namespace("https://w3id.org/reformkg/ns#")

# Every rk: term named in design/model.md (the fixed contract) ...
MODEL_CLASSES = ["Notice", "Measure", "Agency", "District", "Action", "Indicator", "City"]
MODEL_PROPERTIES = [
    "docNumber", "printedOn", "commends", "distributedTo",
    "listedIn", "level", "rank", "title", "leadAgency", "cooperatingAgency", "involvesAgency",
    "district", "hasAction", "order", "text", "hasIndicator",
    "value", "unit", "qualifier", "asOf", "periodStart", "periodEnd", "sourceText", "topic",
    "agencyType", "adminLevel", "city", "provisional", "adminCode",
]
MODEL_CONCEPTS = ["CityLevel", "DistrictLevel", "MoreThan", "AtLeast", "AtMost", "About"]
# ... plus the terms the code uses on top of it.
EXTRA_PROPERTIES = ["change", "summary", "mentions", "description"]

ALL_CLASSES = MODEL_CLASSES
ALL_PROPERTIES = MODEL_PROPERTIES + EXTRA_PROPERTIES

# Concept schemes and the notations the code looks concepts up by.
SCHEMES = {
    "MeasureLevels": {"CityLevel": "city", "DistrictLevel": "district"},
    "Qualifiers": {"MoreThan": "more-than", "AtLeast": "at-least", "AtMost": "at-most", "About": "about"},
    "Changes": {"Increase": "increase", "Decrease": "decrease"},
    "AgencyTypes": {
        "GovernmentDepartment": "government-department",
        "LocalGovernment": "local-government",
        "Court": "court",
        "PartyOrgan": "party-organ",
        "CongressCommittee": "congress-committee",
        "ZoneAdministration": "zone-administration",
        "CentralAgencyBranch": "central-agency-branch",
        "StateOwnedEnterprise": "state-owned-enterprise",
        "Company": "company",
        "MassOrganisation": "mass-organisation",
        "PublicInstitution": "public-institution",
    },
    "AdminLevels": {
        "NationalBranchLevel": "national-branch",
        "ProvincialLevel": "provincial",
        "MunicipalLevel": "municipal",
        "DistrictAdminLevel": "district",
    },
    "ParticipationRoles": {"LeadRole": "lead", "CooperatingRole": "cooperating"},
}

EXPECTED_SUPERS = [
    (RK.Agency, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Organization")),
    (RK.Notice, RDFS.subClassOf, URIRef("http://data.europa.eu/eli/ontology#LegalResource")),
    (RK.Indicator, RDFS.subClassOf, URIRef("http://purl.org/linked-data/cube#Observation")),
    (RK.Measure, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Entity")),
    (RK.District, RDFS.subClassOf, URIRef("http://purl.org/dc/terms/Location")),
    (RK.City, RDFS.subClassOf, URIRef("http://purl.org/dc/terms/Location")),
    (RK.leadAgency, RDFS.subPropertyOf, RK.involvesAgency),
    (RK.cooperatingAgency, RDFS.subPropertyOf, RK.involvesAgency),
    (RK.docNumber, RDFS.subPropertyOf, URIRef("http://data.europa.eu/eli/ontology#id_local")),
    (RK.value, RDFS.subPropertyOf, URIRef("http://purl.org/linked-data/sdmx/2009/measure#obsValue")),
    (RK.topic, RDFS.subPropertyOf, URIRef("http://purl.org/dc/terms/subject")),
    (RK.listedIn, RDFS.subPropertyOf, URIRef("http://purl.org/dc/terms/isPartOf")),
    (RK.adminCode, RDFS.subPropertyOf, URIRef("http://purl.org/dc/terms/identifier")),
]


@pytest.fixture(scope="module")
def ont() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def _langs(g: Graph, s, p) -> set[str]:
    return {o.language for o in g.objects(s, p) if isinstance(o, Literal) and o.language}


# --- the ontology ------------------------------------------------------------


def test_ontology_metadata(ont: Graph):
    o = URIRef("https://w3id.org/reformkg/ns")
    assert (o, RDF.type, OWL.Ontology) in ont
    DCT = Namespace("http://purl.org/dc/terms/")
    VANN = Namespace("http://purl.org/vocab/vann/")
    assert {"en", "zh"} <= _langs(ont, o, DCT.title)
    assert ont.value(o, DCT.description) is not None
    assert ont.value(o, OWL.versionInfo) == Literal("0.1.0")
    assert ont.value(o, DCT.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert ont.value(o, DCT.creator) is not None
    assert ont.value(o, VANN.preferredNamespacePrefix) == Literal("rk")
    assert str(ont.value(o, VANN.preferredNamespaceUri)) == str(RK)


@pytest.mark.parametrize("name", ALL_CLASSES + ALL_PROPERTIES + MODEL_CONCEPTS)
def test_term_has_labels_and_comment(ont: Graph, name: str):
    term = RK[name]
    assert {"en", "zh"} <= _langs(ont, term, RDFS.label), f"rk:{name} needs rdfs:label @en and @zh"
    has_comment = any(ont.objects(term, RDFS.comment)) or any(ont.objects(term, SKOS.definition))
    assert has_comment, f"rk:{name} needs an rdfs:comment (skos:definition for concepts)"


@pytest.mark.parametrize("name", ALL_CLASSES)
def test_class_declared(ont: Graph, name: str):
    assert (RK[name], RDF.type, OWL.Class) in ont


@pytest.mark.parametrize("name", ALL_PROPERTIES)
def test_property_declared(ont: Graph, name: str):
    term = RK[name]
    types = set(ont.objects(term, RDF.type))
    assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}, f"rk:{name} is not typed as an OWL property"
    assert not {OWL.ObjectProperty, OWL.DatatypeProperty} <= types
    assert ont.value(term, RDFS.domain) is not None, f"rk:{name} has no rdfs:domain"
    assert ont.value(term, RDFS.range) is not None, f"rk:{name} has no rdfs:range"


def test_every_rk_term_in_model_md_is_declared(ont: Graph):
    named = set(re.findall(r"\brk:([A-Za-z][A-Za-z0-9]*)", MODEL_MD.read_text(encoding="utf-8")))
    assert named, "no rk: terms found in model.md"
    listed = set(ALL_CLASSES + ALL_PROPERTIES + MODEL_CONCEPTS)
    assert named <= listed, f"model.md names rk: terms the test does not list: {sorted(named - listed)}"
    undeclared = sorted(n for n in named if (RK[n], RDF.type, None) not in ont)
    assert not undeclared, f"undeclared rk: terms: {undeclared}"


def test_alignment_axioms(ont: Graph):
    missing = [t for t in EXPECTED_SUPERS if t not in ont]
    assert not missing, f"missing alignment axioms: {missing}"


def test_concept_schemes(ont: Graph):
    for scheme, concepts in SCHEMES.items():
        s = RK[scheme]
        assert (s, RDF.type, SKOS.ConceptScheme) in ont, scheme
        assert {"en", "zh"} <= _langs(ont, s, SKOS.prefLabel), scheme
        notations = []
        for name, notation in concepts.items():
            c = RK[name]
            assert (c, RDF.type, SKOS.Concept) in ont, name
            assert (c, SKOS.inScheme, s) in ont, name
            assert {"en", "zh"} <= _langs(ont, c, SKOS.prefLabel), name
            for lang in ("en", "zh"):
                n = [o for o in ont.objects(c, SKOS.prefLabel) if o.language == lang]
                assert len(n) == 1, f"{name}: one skos:prefLabel per language"
            values = list(ont.objects(c, SKOS.notation))
            assert values == [Literal(notation)], f"{name}: notation {values!r}, expected plain {notation!r}"
            assert values[0].datatype is None and values[0].language is None
            notations.append(notation)
        assert len(set(notations)) == len(notations), f"duplicate notation in {scheme}"
        # no concept of another scheme claims membership here
        members = set(ont.subjects(SKOS.inScheme, s))
        assert members == {RK[n] for n in concepts}, scheme


def test_every_concept_has_notation(ont: Graph):
    for c in ont.subjects(RDF.type, SKOS.Concept):
        assert ont.value(c, SKOS.notation) is not None, f"{c} has no skos:notation"


# --- the shapes ----------------------------------------------------------------


def test_shapes_are_valid_shacl(shapes: Graph):
    trivial = Graph().parse(data="<urn:x:a> <urn:x:p> <urn:x:b> .", format="turtle")
    # meta_shacl=True raises if shapes.ttl does not validate against SHACL-for-SHACL.
    conforms, _, text = validate(trivial, shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_every_shape_is_named_and_has_messages(shapes: Graph):
    for node in shapes.subjects(RDF.type, SH.NodeShape):
        assert shapes.value(node, SH.name) is not None, node
        assert shapes.value(node, RDFS.label) is not None, node
        for ps in shapes.objects(node, SH.property):
            assert shapes.value(ps, SH.message) is not None, f"property shape on {shapes.value(ps, SH.path)}"
        for c in shapes.objects(node, SH.sparql):
            assert shapes.value(c, SH.message) is not None, c
    targets = set(shapes.objects(None, SH.targetClass))
    assert {RK.Notice, RK.Measure, RK.Action, RK.Indicator, RK.Agency, RK.District} <= targets


PREFIXES = """
@prefix rk: <https://w3id.org/reformkg/ns#> .
@base <https://w3id.org/reformkg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

GOOD = PREFIXES + """
<city/xiamen> a rk:City ; skos:prefLabel "厦门市"@zh , "Xiamen"@en ; rk:adminCode "350200" .
<district/350203> a rk:District ; rk:adminCode "350203" ; skos:prefLabel "思明区"@zh ;
    rk:city <city/xiamen> .
<agency/xiamen/general-office> a rk:Agency ; skos:prefLabel "厦门市人民政府办公厅"@zh ;
    rk:city <city/xiamen> ; rk:agencyType rk:LocalGovernment ; rk:adminLevel rk:MunicipalLevel .
<agency/xiamen/market-regulation> a rk:Agency ; skos:prefLabel "厦门市市场监督管理局"@zh , "Xiamen Market Regulation Bureau"@en ;
    skos:altLabel "市市场监管局"@zh ; rk:city <city/xiamen> ; rk:agencyType rk:GovernmentDepartment ;
    rk:provisional false .
<agency/xiamen/tax-bureau> a rk:Agency ; skos:prefLabel "国家税务总局厦门市税务局"@zh ;
    rk:city <city/xiamen> ; rk:agencyType rk:CentralAgencyBranch ; rk:adminLevel rk:NationalBranchLevel .
<agency/xiamen/siming-government> a rk:Agency ; skos:prefLabel "思明区人民政府"@zh ;
    rk:city <city/xiamen> ; rk:adminLevel rk:DistrictAdminLevel .

<notice/xiamen-2025-38> a rk:Notice ;
    rk:docNumber "厦府办〔2025〕38号" ;
    dcterms:title "厦门市人民政府办公厅关于2025年度市区营商环境优秀创新举措的通报"@zh ;
    dcterms:issued "2025-10-31"^^xsd:date ; rk:printedOn "2025-11-05"^^xsd:date ;
    dcterms:publisher <agency/xiamen/general-office> ;
    rk:commends <agency/xiamen/market-regulation> , <agency/xiamen/siming-government> ;
    rk:distributedTo <agency/xiamen/tax-bureau> ;
    rk:city <city/xiamen> .

<measure/xiamen-2025-38/city-01> a rk:Measure ;
    rk:listedIn <notice/xiamen-2025-38> ; prov:wasDerivedFrom <notice/xiamen-2025-38> ;
    rk:level rk:CityLevel ; rk:rank 1 ;
    rk:title "构建经营主体高效退出新机制"@zh ;
    rk:leadAgency <agency/xiamen/market-regulation> ;
    rk:cooperatingAgency <agency/xiamen/tax-bureau> ;
    rk:hasAction <measure/xiamen-2025-38/city-01/action/1> , <measure/xiamen-2025-38/city-01/action/2> ;
    rk:hasIndicator <measure/xiamen-2025-38/city-01/indicator/1> .
<measure/xiamen-2025-38/city-01/action/1> a rk:Action ; rk:order 1 ;
    rk:text "特殊情形规范办"@zh , "Special cases handled by rule"@en .
<measure/xiamen-2025-38/city-01/action/2> a rk:Action ; rk:order 2 ; rk:text "证照联办无感办"@zh .
<measure/xiamen-2025-38/city-01/indicator/1> a rk:Indicator ;
    rk:value "8656"^^xsd:decimal ; rk:unit "件" ; rk:asOf "2025-09-30"^^xsd:date ;
    rk:sourceText "截至 2025 年 9 月底，已通过“证照无感联办”办理业务 8656 件"@zh .

<measure/xiamen-2025-38/district-01> a rk:Measure ;
    rk:listedIn <notice/xiamen-2025-38> ; prov:wasDerivedFrom <notice/xiamen-2025-38> ;
    rk:level rk:DistrictLevel ; rk:rank 1 ;
    rk:title "创新实施“135+N”人工智能发展战略"@zh ;
    rk:leadAgency <agency/xiamen/siming-government> ;
    rk:district <district/350203> .
"""


def _measure_lines(data: str, drop: str) -> str:
    """Remove the line containing `drop` (must exist exactly once)."""
    lines = data.splitlines()
    hits = [i for i, line in enumerate(lines) if drop in line]
    assert len(hits) == 1, drop
    del lines[hits[0]]
    return "\n".join(lines)


def _validate(data: str, shapes: Graph):
    g = Graph().parse(data=data, format="turtle")
    conforms, results, text = validate(g, shacl_graph=shapes)
    return conforms, results, text


def _messages(results: Graph) -> list[str]:
    return [str(m) for m in results.objects(None, SH.resultMessage)]


def test_good_graph_conforms(shapes: Graph):
    conforms, _, text = _validate(GOOD, shapes)
    assert conforms, text


def test_measure_without_lead_fails(shapes: Graph):
    bad = _measure_lines(GOOD, "rk:leadAgency <agency/xiamen/market-regulation> ;")
    conforms, results, text = _validate(bad, shapes)
    assert not conforms
    msgs = _messages(results)
    assert any("lead agency" in m and "rk:leadAgency" in m for m in msgs), text


@pytest.mark.parametrize(
    "bad, expected",
    [
        # a district-level measure without a district
        (lambda g: g.replace("rk:leadAgency <agency/xiamen/siming-government> ;\n    rk:district <district/350203> .",
                             "rk:leadAgency <agency/xiamen/siming-government> ."), "must have exactly one district"),
        # lead also cooperating
        (lambda g: g.replace("rk:cooperatingAgency <agency/xiamen/tax-bureau>",
                             "rk:cooperatingAgency <agency/xiamen/market-regulation>"), "must not also be a cooperating"),
        # two measures of one list with the same rank
        (lambda g: g + "\n<measure/xiamen-2025-38/city-01b> a rk:Measure ; rk:listedIn <notice/xiamen-2025-38> ;"
                       " prov:wasDerivedFrom <notice/xiamen-2025-38> ; rk:level rk:CityLevel ; rk:rank 1 ;"
                       " rk:title \"重复\"@zh ; rk:leadAgency <agency/xiamen/tax-bureau> .\n",
         "shares its notice, level and rank"),
        # an integer where a decimal is required
        (lambda g: g.replace('"8656"^^xsd:decimal', "8656"), "rk:value"),
        # an action with only an English text
        (lambda g: g.replace('rk:text "证照联办无感办"@zh', 'rk:text "Licences closed together"@en'), "in Chinese"),
        # a district code that is not six digits
        (lambda g: g.replace('rk:adminCode "350203"', 'rk:adminCode "3502"'), "GB/T 2260"),
        # an agency without a Chinese label
        (lambda g: g.replace('skos:prefLabel "国家税务总局厦门市税务局"@zh', 'skos:prefLabel "Xiamen Tax Bureau"@en'),
         "Chinese preferred label"),
    ],
    ids=["district-missing", "lead-cooperates", "duplicate-rank", "value-not-decimal", "action-no-zh",
         "bad-admin-code", "agency-no-zh-label"],
)
def test_rule_violations_are_reported(shapes: Graph, bad, expected: str):
    conforms, results, text = _validate(bad(GOOD), shapes)
    assert not conforms
    assert any(expected in m for m in _messages(results)), text


def test_good_graph_conforms_under_rdfs_inference_with_ontology(shapes: Graph, ont: Graph):
    # The alignment axioms (sub-classes / sub-properties) must not make valid data invalid.
    g = Graph().parse(data=GOOD, format="turtle")
    conforms, _, text = validate(g, shacl_graph=shapes, ont_graph=ont, inference="rdfs")
    assert conforms, text
