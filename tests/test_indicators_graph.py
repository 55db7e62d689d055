"""Outcome figures in the graph: typed, aligned with Data Cube, validated, listed by the CLI."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from reformkg.cli import main
from reformkg.iris import DEFAULT_BASE
from reformkg.namespaces import CUR, QB, RK, SDMX_ATTRIBUTE, SDMX_MEASURE, UNIT
from reformkg.validate import validate_graph

CITY_06 = URIRef(DEFAULT_BASE + "measure/xiamen-2025-38/city-06")


def figures_of(graph, measure):
    return sorted(graph.objects(measure, RK.hasIndicator), key=lambda i: int(str(i).rsplit("/", 1)[-1]))


def test_loan_balance_is_a_typed_decimal_in_yuan(graph):
    # 截至2025年9月底，全市小微企业贷款余额7014亿元
    first = figures_of(graph, CITY_06)[0]
    value = graph.value(first, RK.value)
    assert value.datatype == XSD.decimal and Decimal(str(value)) == Decimal("701400000000")
    assert graph.value(first, RK.unit) == Literal("元")
    assert str(graph.value(first, RK.asOf)) == "2025-09-30"
    assert (first, RDF.type, QB.Observation) in graph
    assert graph.value(first, SDMX_MEASURE.obsValue) == value
    assert graph.value(first, SDMX_ATTRIBUTE.unitMeasure) == CUR.CNY
    assert "7014亿元" in str(graph.value(first, RK.sourceText))


def test_percentage_point_decrease_over_a_period(graph):
    # 2025年1月至9月底，…利率3.17%，同比下降0.56个百分点
    last = figures_of(graph, CITY_06)[-1]
    assert Decimal(str(graph.value(last, RK.value))) == Decimal("0.56")
    assert graph.value(last, RK.unit) == Literal("个百分点")
    assert graph.value(last, RK.change) == RK.Decrease
    assert (str(graph.value(last, RK.periodStart)), str(graph.value(last, RK.periodEnd))) == (
        "2025-01-01", "2025-09-30")
    rate = figures_of(graph, CITY_06)[-2]
    assert graph.value(rate, SDMX_ATTRIBUTE.unitMeasure) == UNIT.PERCENT


def test_every_indicator_has_value_unit_and_source(graph):
    indicators = set(graph.subjects(RDF.type, RK.Indicator))
    assert len(indicators) > 60
    for i in indicators:
        assert graph.value(i, RK.value).datatype == XSD.decimal
        assert str(graph.value(i, RK.unit))
        assert graph.value(i, RK.sourceText).language == "zh"


def test_shacl_rejects_an_untyped_value_and_a_missing_unit(graph):
    from rdflib import Graph

    broken = Graph()
    for t in graph:
        broken.add(t)
    first = figures_of(graph, CITY_06)[0]
    broken.set((first, RK.value, Literal("7014亿")))
    broken.remove((first, RK.unit, None))
    report = validate_graph(broken)
    assert not report.conforms
    text = str(report)
    assert "rk:value" in text and "rk:unit" in text


def test_indicators_command_lists_figures_as_csv(built):
    graph_file = built.written[0]
    result = CliRunner().invoke(main, ["indicators", "--graph", str(graph_file), "--measure", "city-6",
                                       "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(Decimal(r["value"]), r["unit"]) for r in rows] == [(Decimal("701400000000"), "元"), (Decimal("36"), "%"),
                                                             (Decimal("3.17"), "%"), (Decimal("0.56"), "个百分点")]
    assert rows[3]["change"] == "decrease" and rows[0]["asOf"] == "2025-09-30"


def test_indicators_command_unknown_measure(built):
    result = CliRunner().invoke(main, ["indicators", "--graph", str(built.written[0]), "--measure", "city-99"])
    assert result.exit_code == 1 and "no figures for measure 'city-99'" in result.output
