"""The SHACL shapes compiled to SPARQL give pySHACL's verdicts: on the real graph and on broken copies.

Each broken copy carries several breakages on different focus nodes (one pySHACL run costs ~1.5 s);
every breakage is one kind of constraint of ontology/shapes.ttl, and both engines must report it, with
the same (focus node, path) pairs, messages and severities, and nothing else.
"""

from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, SKOS, XSD

from reformkg.fastvalidate import UnsupportedShape, compile_checks, validate_store
from reformkg.iris import DEFAULT_BASE as ID
from reformkg.namespaces import RK
from reformkg.store import OxigraphStore

NOTICE = URIRef(ID + "notice/xiamen-2025-38")
SH = "http://www.w3.org/ns/shacl#"


def measure(level: str, rank: int) -> URIRef:
    return URIRef(f"{ID}measure/xiamen-2025-38/{level}-{rank:02d}")


def agency(slug: str) -> URIRef:
    return URIRef(f"{ID}agency/xiamen/{slug}")


def pyshacl_results(data: Graph):
    """pySHACL's report as validate.py makes it (inverse paths written ``^p``), and its rows counted."""
    from reformkg.validate import validate_graph

    reference = validate_graph(data)
    return reference, Counter((v.severity, v.focus, v.path, v.message) for v in reference.violations)


def both(data: Graph):
    """Validate ``data`` with pySHACL and with the compiled shapes on Oxigraph; they must agree exactly."""
    reference, rows = pyshacl_results(data)
    fast = validate_store(OxigraphStore.from_triples(data), base=ID)
    assert fast.conforms == reference.conforms
    assert Counter(fast.violations) == Counter(reference.violations)
    return fast, rows


def pairs(rows: Counter) -> set[tuple[str, str | None]]:
    return {(focus.strip("<>").rsplit("/id/", 1)[-1], path) for _severity, focus, path, _message in rows}


def broken(graph: Graph, *edits) -> Graph:
    from reformkg.namespaces import bind_prefixes

    copy = bind_prefixes(Graph(), ID)  # as a built graph: reports print rk:leadAgency, not <…#leadAgency>
    for t in graph:
        copy.add(t)
    for edit in edits:
        edit(copy)
    return copy


def replace(s, p, o):
    return lambda g: (g.remove((s, p, None)), g.add((s, p, o)))


def test_real_graph_conforms_in_both_engines(graph):
    fast, rows = both(graph)
    assert fast.conforms and not fast.violations and not rows


def test_measure_breakages(graph):
    lead_06 = graph.value(measure("city", 6), RK.leadAgency)
    data = broken(
        graph,
        lambda g: g.remove((measure("city", 1), RK.leadAgency, None)),                  # missing lead
        lambda g: g.add((measure("city", 2), RK.leadAgency, agency("tax-bureau"))),      # two leads
        replace(measure("city", 3), RK.rank, Literal("3")),                              # wrong datatype
        replace(measure("city", 4), RK.rank, Literal(0)),                                # bad rank
        replace(measure("city", 5), RK.rank, Literal(7)),                                # duplicate rank
        lambda g: g.add((measure("city", 6), RK.cooperatingAgency, lead_06)),            # lead also cooperating
        replace(measure("city", 8), RK.level, RK.ProvinceLevel),                         # not in sh:in
        replace(measure("city", 9), RK.title, Literal("A title", lang="en")),            # not @zh
        lambda g: g.add((measure("city", 10), SKOS.prefLabel, Literal("Second", lang="en"))),  # two @en
        lambda g: g.remove((measure("district", 4), RK.district, None)),                 # missing district
        replace(measure("district", 1), PROV.wasDerivedFrom, URIRef(ID + "notice/other")),  # derived ≠ listed
        replace(measure("district", 2), RK.leadAgency, URIRef(ID + "agency/xiamen/nobody")),  # not an Agency
    )
    fast, rows = both(data)
    assert not fast.conforms
    found = pairs(rows)
    expected = {
        ("measure/xiamen-2025-38/city-01", "rk:leadAgency"),
        ("measure/xiamen-2025-38/city-02", "rk:leadAgency"),
        ("measure/xiamen-2025-38/city-03", "rk:rank"),
        ("measure/xiamen-2025-38/city-04", "rk:rank"),
        ("measure/xiamen-2025-38/city-05", None), ("measure/xiamen-2025-38/city-07", None),  # same rank
        ("measure/xiamen-2025-38/city-06", None),  # lead also cooperating (SPARQL constraint)
        ("measure/xiamen-2025-38/city-08", "rk:level"),
        ("measure/xiamen-2025-38/city-09", "rk:title"),
        ("measure/xiamen-2025-38/city-10", "skos:prefLabel"),
        ("measure/xiamen-2025-38/district-04", None),
        ("measure/xiamen-2025-38/district-01", "rk:listedIn"),
        ("measure/xiamen-2025-38/district-02", "rk:leadAgency"),
    }
    assert expected <= found, expected - found
    # a rank of "3" (a string) breaks both sh:datatype and sh:minInclusive
    assert sum(n for (_s, focus, path, _m), n in rows.items() if focus.endswith("city-03>") and path == "rk:rank") == 2
    # sh:equals reports the value on each side: the old notice and the new one
    assert sum(n for (_s, focus, path, _m), n in rows.items() if focus.endswith("district-01>")
               and path == "rk:listedIn") == 2


def test_action_indicator_and_notice_breakages(graph):
    a = lambda level, rank, k: URIRef(f"{measure(level, rank)}/action/{k}")  # noqa: E731
    i = lambda level, rank, k: URIRef(f"{measure(level, rank)}/indicator/{k}")  # noqa: E731

    def drop_zh_text(g):
        for text in list(g.objects(a("city", 5, 1), RK.text)):
            if text.language == "zh":
                g.remove((a("city", 5, 1), RK.text, text))

    data = broken(
        graph,
        lambda g: g.remove((measure("city", 1), RK.hasAction, a("city", 1, 1))),             # orphan action
        lambda g: g.add((measure("city", 3), RK.hasAction, a("city", 2, 1))),                # action of two
        lambda g: g.add((a("city", 4, 1), RK.text, Literal("又一条", lang="zh"))),              # two @zh texts
        drop_zh_text,                                                                        # no @zh text
        replace(i("city", 1, 1), RK.value, Literal("abc", datatype=XSD.decimal)),            # ill-formed
        replace(i("city", 2, 1), RK.periodStart, Literal("2025-12-01", datatype=XSD.date)),  # start > end
        replace(NOTICE, RK.docNumber, Literal("")),                                          # empty 文号
    )
    fast, rows = both(data)
    assert not fast.conforms
    expected = {
        ("measure/xiamen-2025-38/city-01/action/1", "^rk:hasAction"),
        ("measure/xiamen-2025-38/city-02/action/1", "^rk:hasAction"),
        ("measure/xiamen-2025-38/city-03", None),  # two actions of order 1 (SPARQL constraint)
        ("measure/xiamen-2025-38/city-04/action/1", "rk:text"),
        ("measure/xiamen-2025-38/city-05/action/1", "rk:text"),
        ("measure/xiamen-2025-38/city-01/indicator/1", "rk:value"),
        ("measure/xiamen-2025-38/city-02/indicator/1", None),
        ("notice/xiamen-2025-38", "rk:docNumber"),
    }
    assert expected <= pairs(rows), expected - pairs(rows)


def test_agency_district_and_warning_breakages(graph):
    def drop_english(g):
        for label in list(g.objects(agency("tax-bureau"), SKOS.prefLabel)):
            if label.language == "en":
                g.remove((agency("tax-bureau"), SKOS.prefLabel, label))

    data = broken(
        graph,
        replace(URIRef(ID + "district/350203"), RK.adminCode, Literal("35020")),            # bad adminCode
        lambda g: g.remove((URIRef(ID + "district/350205"), RK.adminCode, None)),           # no code, not provisional
        drop_english,                                                                        # curated, no @en
        replace(agency("customs"), RK.agencyType, RK.Embassy),                               # not in sh:in
        lambda g: g.remove((NOTICE, RK.commends, agency("ftz-committee"))),                  # lead not commended
    )
    fast, rows = both(data)
    assert not fast.conforms
    expected = {("district/350203", "rk:adminCode"), ("district/350205", None),
                ("notice/xiamen-2025-38", None), ("agency/xiamen/customs", "rk:agencyType")}
    assert expected <= pairs(rows), expected - pairs(rows)
    severities = Counter(s for (s, focus, _p, _m), n in rows.items() for _ in range(n) if focus.endswith("38>"))
    assert severities == {"Violation": 1, "Warning": 1}  # no English label; 自贸委 leads but is not commended


def test_a_warning_alone_still_conforms(graph):
    fast, rows = both(broken(graph, lambda g: g.remove((NOTICE, RK.commends, agency("ftz-committee")))))
    assert fast.conforms
    assert [(v.severity, v.path) for v in fast.violations] == [("Warning", None)]
    assert agency("ftz-committee") in {URIRef(m) for v in fast.violations for m in v.message.split() if
                                       m.startswith("http")}


@pytest.mark.parametrize("construct", [
    "sh:node [ sh:minCount 1 ]",
    "sh:xone ( [ sh:path rk:a ; sh:minCount 1 ] [ sh:path rk:b ; sh:minCount 1 ] )",
    "sh:property [ sh:path ( rk:a rk:b ) ; sh:minCount 1 ]",
    "sh:property [ sh:path rk:a ; sh:nodeKind sh:IRI ]",
    "sh:sparql [ sh:ask \"ASK { $this ?p ?o }\" ]",
])
def test_an_unknown_construct_fails_loudly(construct):
    shapes = Graph().parse(data=f"""
        @prefix sh: <{SH}> . @prefix rk: <{RK}> .
        <urn:shape> a sh:NodeShape ; sh:targetClass rk:Measure ; {construct} .""", format="turtle")
    with pytest.raises(UnsupportedShape, match="shape <urn:shape>|shape urn:shape|sh:"):
        compile_checks(OxigraphStore().ox, shapes)


def test_only_target_class_targets_are_compiled():
    shapes = Graph().parse(data=f"""@prefix sh: <{SH}> .
        <urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:property [ sh:path <urn:p> ; sh:minCount 1 ] .""",
                           format="turtle")
    with pytest.raises(UnsupportedShape, match="sh:targetNode"):
        compile_checks(OxigraphStore().ox, shapes)


def test_validate_command_runs_either_engine(built, graph, tmp_path):
    from reformkg.cli import main

    path = tmp_path / "broken.ttl"
    broken(graph, lambda g: g.remove((measure("city", 1), RK.leadAgency, None))).serialize(path, format="turtle")
    ok = CliRunner().invoke(main, ["validate", "--engine", "sparql", str(built.written[0])])
    assert ok.exit_code == 0 and "conforms" in ok.output, ok.output
    outputs = {}
    for engine in ("pyshacl", "sparql"):
        bad = CliRunner().invoke(main, ["validate", "--engine", engine, str(path)])
        assert bad.exit_code == 1 and "city-01" in bad.output and "lead agency" in bad.output, bad.output
        outputs[engine] = bad.output
    assert outputs["pyshacl"] == outputs["sparql"]


def test_the_build_validates_with_the_compiled_shapes(built):
    assert built.report is not None and built.report.conforms and not built.report.violations
