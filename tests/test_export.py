"""Every export round-trips: re-parsed, it is the same graph (values, not bytes), tricky strings included."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from reformkg.cli import main
from reformkg.export import EXPORTS, graph_name, write_dataset, write_graph
from reformkg.iris import DEFAULT_BASE
from reformkg.namespaces import RK

RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig"}
OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
              "trig": ox.RdfFormat.TRIG}
TRICKY = ['say "hi"', "it's", "back\\slash", "ends with a backslash \\", "new\nline", "cr\rlf\r\n", "tab\there",
          'three """ quotes', "'''", '"', "emoji 😀🏛️ and 税务",
          "control \x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f end",
          "line\u2028separator\u2029", "  spaces  ", "", "税\"务\\局\n"]
ID = DEFAULT_BASE


def tricky_graph() -> Graph:
    g = Graph()
    s = URIRef(ID + "measure/test/city-01")
    for i, text in enumerate(TRICKY):
        g.add((s, RK[f"plain{i}"], Literal(text)))
        g.add((s, RK[f"zh{i}"], Literal(text, lang="zh")))
        g.add((s, RK[f"typed{i}"], Literal(text, datatype=RK.code)))
    g.add((s, RK.value, Literal("7892.70", datatype=XSD.decimal)))
    g.add((s, RK.hasIndicator, BNode("b1")))
    g.add((BNode("b1"), RK.unit, Literal("千瓦时")))
    g.add((s, RDF.type, RK.Measure))
    return g


def reparse(path, fmt: str) -> Graph:
    if fmt == "trig":
        ds = Dataset()
        ds.parse(path, format="trig")
        union = Graph()
        for q in ds.quads((None, None, None, None)):
            union.add(q[:3])
        return union
    return Graph().parse(path, format=RDFLIB_FORMATS[fmt])


@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_tricky_strings_round_trip(tmp_path, fmt):
    graph = tricky_graph()
    path = write_graph(graph, tmp_path / f"t.{fmt}", fmt, ID)
    back = reparse(path, fmt)
    assert isomorphic(back, graph), fmt
    values = {str(o) for o in back.objects() if isinstance(o, Literal)}
    assert set(TRICKY) <= values
    # a second, independent parser reads the same file to the same number of triples
    assert len(list(ox.parse(path=str(path), format=OX_FORMATS[fmt]))) == len(graph)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(max_size=30), min_size=1, max_size=5))
def test_any_text_round_trips(tmp_path, texts):
    graph = Graph()
    for i, text in enumerate(texts):
        graph.add((URIRef(ID + f"x/{i}"), RK.text, Literal(text, lang="zh")))
        graph.add((URIRef(ID + f"x/{i}"), RK.summary, Literal(text)))
    for fmt in ("ttl", "nt", "jsonld"):
        back = reparse(write_graph(graph, tmp_path / f"h.{fmt}", fmt, ID), fmt)
        assert isomorphic(back, graph), (fmt, texts)


@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_built_exports_are_the_built_graph(built, fmt):
    path = built.written[0].parent / EXPORTS[fmt]
    assert path.exists(), f"the build did not write {path.name}"
    assert isomorphic(reparse(path, fmt), built.graph)


def test_trig_has_one_named_graph_per_notice_plus_ontology_and_registry(built):
    ds = Dataset()
    ds.parse(built.written[0].parent / EXPORTS["trig"], format="trig")
    names = {str(c.identifier) for c in ds.graphs() if len(c)}
    assert names == {ID + "graph/ontology", ID + "graph/registry", ID + "graph/notice/xiamen-2025-38"}
    notice = ds.graph(URIRef(ID + "graph/notice/xiamen-2025-38"))
    assert (URIRef(ID + "notice/xiamen-2025-38"), RK.docNumber, Literal("厦府办〔2025〕38号")) in notice
    assert (URIRef(ID + "notice/xiamen-2025-38"), RDF.type, RK.Notice) not in ds.graph(URIRef(ID + "graph/registry"))
    for part, triples in built.parts.triples.items():
        named, expected = Graph(), Graph()
        for t in ds.graph(graph_name(ID, part)):
            named.add(t)
        for t in triples:
            expected.add(t)
        assert isomorphic(named, expected), part


def test_jsonld_has_a_readable_context_and_the_notice_titles(built, notice_rows):
    doc = json.loads((built.written[0].parent / EXPORTS["jsonld"]).read_text(encoding="utf-8"))
    assert doc["@context"]["rk"] == str(RK) and doc["@context"]["skos"] == "http://www.w3.org/2004/02/skos/core#"
    nodes = {n["@id"]: n for n in doc["@graph"]}
    first = nodes[ID + "measure/xiamen-2025-38/city-01"]
    titles = first["rk:title"] if isinstance(first["rk:title"], list) else [first["rk:title"]]
    assert {"@language": "zh", "@value": notice_rows[0]["title"]} in titles
    assert first["rk:rank"] == 1  # a canonical xsd:integer is written as a JSON number, and read back as one


def test_same_graph_gives_byte_identical_files(built, tmp_path):
    out = built.written[0].parent
    for fmt in ("nt", "jsonld"):
        again = write_graph(list(built.graph), tmp_path / EXPORTS[fmt], fmt, ID)
        assert again.read_bytes() == (out / EXPORTS[fmt]).read_bytes(), fmt
    graphs = {graph_name(ID, p): t for p, t in built.parts.triples.items()}
    assert write_dataset(graphs, tmp_path / "x.trig", ID).read_bytes() == (out / EXPORTS["trig"]).read_bytes()


def test_export_command_moves_the_base_and_nothing_else(built, tmp_path):
    source = built.written[0].parent / EXPORTS["trig"]
    new = "http://127.0.0.1:8000/id/"
    result = CliRunner().invoke(main, ["export", "--format", "jsonld", "--graph", str(source), "--base-iri", new,
                                       "--out", str(tmp_path / "moved.jsonld")])
    assert result.exit_code == 0, result.output
    moved = Graph().parse(tmp_path / "moved.jsonld", format="json-ld")
    assert len(moved) == len(built.graph)
    assert not any(str(t).startswith(ID) for triple in moved for t in triple)
    m = URIRef(new + "measure/xiamen-2025-38/city-01")
    assert moved.value(m, RK.leadAgency) == URIRef(new + "agency/xiamen/market-regulation-bureau")
    assert {str(o) for o in moved.objects(None, RK.docNumber)} == {"厦府办〔2025〕38号"}


def test_export_command_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "--format", "nt", "--graph", str(bad),
                                       "--out", str(tmp_path / "o.nt")])
    assert result.exit_code == 1
    assert "bad.ttl" in result.output and "cannot parse" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o.nt").exists()
