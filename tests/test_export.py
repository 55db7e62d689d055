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


# -- the writers the build uses: from its N-Triples and pyoxigraph parts, never rdflib ---------------

class _Parts:
    def __init__(self, ox):
        self.ox = ox


class NoRdflib:
    """The build's result without its rdflib views (they fail if asked): what the outputs may use."""

    def __init__(self, built):
        self.store, self.base, self.ntriples = built.store, built.base, built.ntriples
        self.parts = _Parts(built.parts.ox)

    @property
    def graph(self):
        raise AssertionError("an output asked for an rdflib graph of the corpus")

    triples = graph


def test_exports_need_no_rdflib_graph(built, tmp_path):
    from reformkg.export import write_exports

    written = write_exports(NoRdflib(built), tmp_path)
    assert sorted(p.name for p in written) == sorted(EXPORTS[f] for f in ("nt", "jsonld", "trig"))
    out = built.written[0].parent
    for path in written:
        assert path.read_bytes() == (out / path.name).read_bytes(), path.name
    # N-Triples: the graph itself, one line per triple, in code-point order
    lines = (tmp_path / EXPORTS["nt"]).read_bytes().decode("utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines)) == len(built.graph)


def _rdflib_jsonld(graph) -> bytes:
    """What rdflib's own JSON-LD writer makes of the graph with our context (sorted, as the old exporter did)."""
    from reformkg.namespaces import prefixes_with_base

    def stable(value):
        if isinstance(value, dict):
            return {k: ([stable(v) for v in item] if k == "@list" else stable(item)) for k, item in value.items()}
        if isinstance(value, list):
            return sorted((stable(v) for v in value), key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
        return value

    document = json.loads(graph.serialize(format="json-ld", context=prefixes_with_base(ID), auto_compact=True))
    return json.dumps(stable(document), ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def test_jsonld_reads_back_as_the_built_graph(built):
    path = built.written[0].parent / EXPORTS["jsonld"]
    back = Graph().parse(path, format="json-ld")
    assert len(back) == len(built.graph) and isomorphic(back, built.graph)
    doc = json.loads(path.read_text(encoding="utf-8"))
    ids = [n["@id"] for n in doc["@graph"]]
    assert ids == sorted(ids, key=lambda i: json.dumps(i, ensure_ascii=False)) and len(ids) == len(set(ids))
    cells = set(built.graph.subjects(RDF.first, None))                       # folded into "@list"s
    assert len(ids) == len(set(built.graph.subjects()) - cells)
    assert not any(i in {c.n3() for c in cells} for i in ids)
    lists = [v for n in doc["@graph"] for v in n.values() if isinstance(v, dict) and "@list" in v]
    assert len(lists) == len(set(built.graph.objects(None, OWL_UNION_OF))) >= 1
    # the same document, byte for byte, as rdflib's JSON-LD writer with the same context
    assert path.read_bytes() == _rdflib_jsonld(built.graph)


OWL_UNION_OF = URIRef("http://www.w3.org/2002/07/owl#unionOf")


def test_jsonld_lists_empty_and_false_values_and_odd_numbers_round_trip(tmp_path):
    from rdflib.collection import Collection

    g = Graph()
    s, head, inner = URIRef(ID + "x/1"), BNode("head"), BNode("inner")
    Collection(g, head, [RK.Agency, Literal("税务"), inner, Literal(3)])
    g.add((inner, RK.unit, Literal("千瓦时")))
    g.add((s, OWL_UNION_OF, head))
    g.add((s, RK.none, RDF.nil))
    for value in (Literal(""), Literal("x"), Literal(0), Literal(1), Literal(False), Literal(True)):
        g.add((s, RK.mixed, value))                        # rdflib's writer dropped "", 0 and false here
    g.add((s, RK.huge, Literal(str(10 ** 21), datatype=XSD.integer)))
    g.add((s, RK.rank, Literal(-12)))
    path = write_graph(g, tmp_path / "edge.jsonld", "jsonld", ID)
    back = Graph().parse(path, format="json-ld")
    assert isomorphic(back, g)
    node = next(n for n in json.loads(path.read_text(encoding="utf-8"))["@graph"] if n["@id"] == str(s))
    assert node["owl:unionOf"]["@list"][:2] == [{"@id": "rk:Agency"}, "税务"] and node["owl:unionOf"]["@list"][3] == 3
    assert node["rk:none"] == {"@list": []}
    assert sorted(map(json.dumps, node["rk:mixed"])) == sorted(map(json.dumps, ["", "x", 0, 1, False, True]))
    assert node["rk:huge"] == {"@type": "xsd:integer", "@value": str(10 ** 21)}  # JSON-LD reads 1e21 as a double
    assert node["rk:rank"] == -12
    one = write_graph([(s, RK.value, Literal("1.50", datatype=XSD.decimal))], tmp_path / "one.jsonld", "jsonld", ID)
    assert json.loads(one.read_text(encoding="utf-8"))["@graph"] == [
        {"@id": str(s), "rk:value": {"@type": "xsd:decimal", "@value": "1.50"}}]


def test_jsonld_keeps_a_non_canonical_number_as_written():
    from reformkg.jsonld import JsonLd

    ntriples = (f'<{ID}x/1> <{RK}rank> "01"^^<{XSD.integer}> .\n'
                f'<{ID}x/1> <{RK}flag> "1"^^<{XSD.boolean}> .\n').encode()
    doc = json.loads(b"".join(JsonLd({"rk": str(RK), "xsd": str(XSD)}).document(ntriples)))
    # as the JSON 1 and true they would read back as "1" and "true": other literals
    assert doc["@graph"] == [{"@id": ID + "x/1", "rk:rank": {"@type": "xsd:integer", "@value": "01"},
                              "rk:flag": {"@type": "xsd:boolean", "@value": "1"}}]
