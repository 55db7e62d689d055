"""`reformkg validate`: the built graph conforms; broken graphs fail with readable messages."""

from __future__ import annotations

from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from reformkg.cli import main
from reformkg.iris import DEFAULT_BASE
from reformkg.namespaces import RK

MEASURE = URIRef(DEFAULT_BASE + "measure/xiamen-2025-38/city-01")


def test_built_graph_conforms(built):
    result = CliRunner().invoke(main, ["validate", str(built.written[0])])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def _broken(graph: Graph, tmp_path, edit) -> str:
    copy = Graph()
    for t in graph:
        copy.add(t)
    edit(copy)
    path = tmp_path / "broken.ttl"
    copy.serialize(path, format="turtle")
    return str(path)


def test_measure_without_lead_fails(graph, tmp_path):
    path = _broken(graph, tmp_path, lambda g: g.remove((MEASURE, RK.leadAgency, None)))
    result = CliRunner().invoke(main, ["validate", path])
    assert result.exit_code == 1
    assert "city-01" in result.output and "lead agency" in result.output


def test_district_measure_without_district_fails(graph, tmp_path):
    m = URIRef(DEFAULT_BASE + "measure/xiamen-2025-38/district-04")
    result = CliRunner().invoke(main, ["validate", _broken(graph, tmp_path, lambda g: g.remove((m, RK.district, None)))])
    assert result.exit_code == 1 and "district-04" in result.output


def test_curated_notice_needs_english_labels(graph, tmp_path):
    agency = graph.value(MEASURE, RK.leadAgency)

    def drop_english(g):
        for label in list(g.objects(agency, SKOS.prefLabel)):
            if label.language == "en":
                g.remove((agency, SKOS.prefLabel, label))

    result = CliRunner().invoke(main, ["validate", _broken(graph, tmp_path, drop_english)])
    assert result.exit_code == 1 and "no English label" in result.output


def test_two_leads_fail(graph, tmp_path):
    other = URIRef(DEFAULT_BASE + "agency/xiamen/tax-bureau")
    result = CliRunner().invoke(main, ["validate", _broken(graph, tmp_path,
                                                           lambda g: g.add((MEASURE, RK.leadAgency, other)))])
    assert result.exit_code == 1


def test_missing_file_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nope.ttl")])
    assert result.exit_code == 1 and "graph file not found" in result.output and "Traceback" not in result.output


def test_unparsable_file_is_one_clear_line(tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text("this is not turtle", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1 and "cannot parse the graph" in result.output
