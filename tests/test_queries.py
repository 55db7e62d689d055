"""The named queries in queries/ on the real built graph, on both engines, and `reformkg query`."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef

from conftest import ROOT
from expected_queries import EXPECTED
from reformkg import queries as q
from reformkg.cli import main
from reformkg.iris import DEFAULT_BASE
from reformkg.namespaces import ORG
from reformkg.store import open_store

QUERY_FILES = sorted((ROOT / "queries").glob("*.rq"))
INJECTION = '税" } DROP ALL #'


@pytest.fixture(scope="session")
def graph_file(built):
    return built.written[0]


@pytest.fixture(scope="session")
def stores(graph_file):
    return {"oxigraph": open_store(graph_file, "oxigraph"), "rdflib": open_store(graph_file, "rdflib")}


def plain(term):
    """A term as a plain value: IRIs relative to the base, literals as Python values."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)[len(DEFAULT_BASE):] if str(term).startswith(DEFAULT_BASE) else str(term)
    if isinstance(term, Literal):
        return str(term) if term.language or term.datatype is None else term.toPython()
    if isinstance(term, BNode):
        return "_:"
    return term


@dataclass
class Answer:
    kind: str
    variables: list[str]
    rows: list[dict] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple] = field(default_factory=list)


def answer(result) -> Answer:
    rows = [{v: plain(t) for v, t in zip(result.variables, row)} for row in result.rows]
    return Answer(result.kind, result.variables, rows, result.boolean, result.triples)


def comparable(query, result):
    """Rows as tuples of plain values: a list where the query orders them, else a sorted list."""
    if result.kind == "ask":
        return result.boolean
    if result.kind == "graph":
        return sorted(tuple(str(x) for x in t) for t in result.triples)
    rows = [tuple(plain(t) for t in row) for row in result.rows]
    return rows if re.search(r"\bORDER\s+BY\b", query.text, re.IGNORECASE) else sorted(rows, key=repr)


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_query_answers_what_the_notice_says_on_both_engines(path, stores, notice_rows):
    query = q.load(path)
    assert query.name in EXPECTED, f"no expectation for queries/{path.name} in tests/expected_queries.py"
    on_oxigraph = q.run(query, stores["oxigraph"])
    EXPECTED[query.name](answer(on_oxigraph), notice_rows)
    on_rdflib = q.run(query, stores["rdflib"])
    assert comparable(query, on_rdflib) == comparable(query, on_oxigraph)


def test_there_are_enough_queries_and_every_expectation_has_a_query():
    names = {p.stem for p in QUERY_FILES}
    assert len(names) >= 15
    assert set(EXPECTED) <= names, set(EXPECTED) - names


def test_every_query_has_a_title_a_one_sentence_description_and_typed_params():
    for query in q.all_queries():
        assert query.title, query.name
        assert query.description.endswith("?") or query.description.endswith("."), query.name
        for p in query.params:
            assert p.type in q.TYPES
            q.to_term(p, p.default)  # every default is a valid value of its type


def test_readme_lists_every_query():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- section: queries")[1].split("<!-- /section: queries -->")[0]
    for path in QUERY_FILES:
        assert f"`{path.stem}`" in section, f"README section 'queries' does not list {path.stem}"


# -- parameters ------------------------------------------------------------------------------------

@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("name,params,expected", [
    ("district-measures", {"district": "350205"}, [6, 7]),  # 海沧区政府 leads district 6 and 7
    ("district-measures", {"district": "Huli District"}, [3]),
    ("district-measures", {"district": "集美"}, [4, 5]),
    ("district-measures", {"district": "龙岩区"}, []),
    ("agency-pairs", {"min": "2"}, 0),
    ("measure-figures", {"measure": "id:measure/xiamen-2025-38/city-07"}, 6),
    ("measure-figures", {"measure": DEFAULT_BASE + "measure/xiamen-2025-38/district-10"}, 3),
    ("measures-per-topic", {"scheme": "topic/fujian"}, 18),
    ("notices", {"since": "2025-11-01"}, 0),
    ("figures-above", {"unit": "件", "min": "1000"}, 2),
    ("search", {"text": "INSOLVENCY"}, 1),  # city 10: cross-border insolvency
    ("agency-profile", {"name": "市中院"}, None),
])
def test_parameters_are_typed_terms(stores, engine, name, params, expected):
    result = answer(q.run(q.find(name), stores[engine], params))
    if name == "district-measures":
        assert [r["rank"] for r in result.rows] == expected
    elif name == "agency-profile":  # an alias finds the agency: the intermediate court leads city 10
        assert {r["value"] for r in result.rows if r["field"] == "leads"} == {
            "深化涉港跨境破产协作有力推动国内国际双循环"}
    else:
        assert len(result.rows) == expected


def test_fujian_topic_counts(stores):
    from expected_queries import FUJIAN

    rows = answer(q.run(q.find("measures-per-topic"), stores["oxigraph"], {"scheme": "topic/fujian"})).rows
    assert {r["code"]: r["measures"] for r in rows} == {f"fujian/{k}": v for k, v in FUJIAN.items()}


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_injection_is_just_a_string_that_matches_nothing(stores, engine):
    store = stores[engine]
    before = len(store)
    for name, param in (("search", "text"), ("district-measures", "district")):
        assert q.run(q.find(name), store, {param: INJECTION}).rows == []
    assert q.run(q.find("agency-profile"), store, {"name": INJECTION}).rows == []
    assert len(store) == before > 3000


def test_param_values_become_typed_terms():
    from rdflib.namespace import XSD

    p = q.Param
    assert q.to_term(p("x", "integer", None), " 7") == Literal(7)
    assert q.to_term(p("x", "decimal", None), "2.5e3").datatype == XSD.decimal
    assert q.to_term(p("x", "date", None), "2025-10-31").datatype == XSD.date
    assert q.to_term(p("x", "langstring", None), "市税务局") == Literal("市税务局", lang="zh")
    assert q.to_term(p("x", "langstring", None), "Xiamen Customs@en") == Literal("Xiamen Customs", lang="en")
    assert q.to_term(p("x", "iri", None), "measure/a") == URIRef(DEFAULT_BASE + "measure/a")
    assert q.to_term(p("x", "iri", None), "rk:CityLevel") == URIRef("https://w3id.org/reformkg/ns#CityLevel")
    assert q.to_term(p("x", "iri", None), "measure/a", "http://ex.org/") == URIRef("http://ex.org/measure/a")


@pytest.mark.parametrize("name,params,message", [
    ("agency-pairs", {"min": "abc"}, "parameter 'min' must be an integer (e.g. 2), got 'abc'"),
    ("notices", {"since": "31.10.2025"}, "parameter 'since' must be a date YYYY-MM-DD"),
    ("figures-above", {"min": "lots"}, "parameter 'min' must be a decimal number"),
    ("measure-figures", {"measure": "measure/<x>"}, "parameter 'measure' must be an IRI"),
    ("district-measures", {"distrct": "思明区"}, "has no parameter 'distrct' (its parameters: district)"),
])
def test_bad_parameters_are_clear_errors(stores, name, params, message):
    with pytest.raises(q.ParameterError) as exc:
        q.run(q.find(name), stores["oxigraph"], params)
    assert message in str(exc.value)


def test_missing_required_parameter(tmp_path, stores):
    path = tmp_path / "needs.rq"
    path.write_text("# title: t\n# description: d?\n# param: who string -\nSELECT ?m WHERE { ?m rk:title ?who }\n",
                    encoding="utf-8")
    with pytest.raises(q.ParameterError, match="needs parameter 'who' \\(string\\): add --param who=VALUE"):
        q.run(q.load(path), stores["oxigraph"])
    assert q.run(q.load(path), stores["oxigraph"], {"who": "x"}).rows == []


# -- errors ----------------------------------------------------------------------------------------

def test_unknown_name_suggests_the_closest():
    with pytest.raises(q.UnknownQueryError) as exc:
        q.find("agency-pair")
    assert "no query named 'agency-pair'" in str(exc.value) and "did you mean agency-pairs" in str(exc.value)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_query_that_does_not_parse_names_line_and_column(tmp_path, stores, engine):
    path = tmp_path / "broken.rq"
    # line 4 is `  ?m rk:title ?t FILTER(?t = ) .`: the FILTER at column 18 cannot be parsed
    path.write_text("# title: broken\n# description: d?\nSELECT ?m WHERE {\n  ?m rk:title ?t FILTER(?t = ) .\n}\n",
                    encoding="utf-8")
    with pytest.raises(q.QueryFileError) as exc:
        q.run(q.load(path), stores[engine])
    message = str(exc.value)
    assert message.startswith(f"{path}:4: the query does not parse: line 4, column 18: unexpected 'FILTER'")
    assert "in `?m rk:title ?t FILTER(?t = ) .`" in message


def test_an_unknown_prefix_names_line_and_column(tmp_path, stores):
    path = tmp_path / "prefix.rq"
    path.write_text("SELECT ?m WHERE {\n  ?m rk:title ?t .\n  ?m foo:rank ?r .\n}\n", encoding="utf-8")
    with pytest.raises(q.QueryFileError, match=r"prefix\.rq:3: the query does not parse: line 3, column \d+: unknown prefix"):
        q.run(q.load(path), stores["oxigraph"])


def test_a_bad_header_names_the_line(tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text("# title: t\n# param: n number 1\nSELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(q.QueryFileError, match=r"bad\.rq:2: parameter 'n' has unknown type 'number'"):
        q.load(path)


# -- the command line ------------------------------------------------------------------------------

def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_lists_queries():
    result = invoke("queries")
    assert result.exit_code == 0
    for path in QUERY_FILES:
        assert path.stem in result.output
    assert "district (string) = 思明区" in result.output


def test_cli_table_shows_labels_and_short_iris(graph_file):
    result = invoke("query", "district-measures", "--graph", str(graph_file), "--param", "district=思明区")
    assert result.exit_code == 0, result.output
    assert "探索“法税财产执行协作机制”" in result.output and "id:measure/xiamen-2025-38/district-02" in result.output
    assert "2 rows" in result.output and "https://" not in result.output


def test_cli_csv(graph_file):
    result = invoke("query", "money-by-district", "--graph", str(graph_file), "-f", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["name"], r["total_yuan"]) for r in rows][0] == ("同安区", "7000000000")
    assert rows[0]["district"] == DEFAULT_BASE + "district/350212" and len(rows) == 4


def test_cli_tsv(graph_file):
    result = invoke("query", "court-measures", "--graph", str(graph_file), "--format", "tsv", "--engine", "rdflib")
    assert result.exit_code == 0
    lines = result.output.rstrip("\n").split("\n")
    assert lines[0].split("\t") == ["?measure", "?level", "?rank", "?title", "?court", "?role"]
    assert len(lines) == 6
    assert lines[2].split("\t")[:5] == [f"<{DEFAULT_BASE}measure/xiamen-2025-38/city-10>", '"市级"@zh',
                                       '"10"^^<http://www.w3.org/2001/XMLSchema#integer>',
                                       '"深化涉港跨境破产协作有力推动国内国际双循环"@zh', '"厦门市中级人民法院"@zh']


def test_cli_json(graph_file):
    result = invoke("query", "measure-figures", "--graph", str(graph_file), "-f", "json",
                    "-p", "measure=measure/xiamen-2025-38/city-01")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["head"]["vars"][:3] == ["n", "value", "unit"]
    bindings = data["results"]["bindings"]
    # city 1: 8 类典型投资者“缺位”情形; 截至 2025 年 9 月底 … 办理业务 8656 件
    assert [(b["value"]["value"], b["unit"]["value"]) for b in bindings] == [("8", "类"), ("8656", "件")]
    assert bindings[1]["as_of"] == {"type": "literal", "value": "2025-09-30",
                                    "datatype": "http://www.w3.org/2001/XMLSchema#date"}
    assert bindings[1]["source"]["xml:lang"] == "zh"


def test_cli_ask_json(graph_file):
    result = invoke("query", "measures-without-lead", "--graph", str(graph_file), "-f", "json")
    assert json.loads(result.output) == {"head": {}, "boolean": False}


def test_cli_construct_turtle_parses(graph_file):
    result = invoke("query", "collaboration-network", "--graph", str(graph_file), "-f", "ttl")
    assert result.exit_code == 0
    g = Graph().parse(data=result.output, format="turtle")
    assert len(set(g.triples((None, ORG.linkedTo, None)))) == 99
    tax, customs = URIRef(DEFAULT_BASE + "agency/xiamen/tax-bureau"), URIRef(DEFAULT_BASE + "agency/xiamen/customs")
    assert (URIRef(DEFAULT_BASE + "agency/xiamen/intermediate-court"), ORG.linkedTo, tax) in g
    assert (customs, ORG.linkedTo, URIRef(DEFAULT_BASE + "agency/xiamen/ftz-committee")) in g


def test_cli_runs_a_query_file(graph_file, tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text("SELECT (COUNT(?m) AS ?n) WHERE { ?m a rk:Measure }\n", encoding="utf-8")
    result = invoke("query", str(path), "--graph", str(graph_file), "-f", "csv")
    assert result.output.split() == ["n", "20"]


@pytest.mark.parametrize("args,message", [
    (["query", "agency-pair"], "no query named 'agency-pair'"),
    (["query", "agency-pairs", "-p", "min=abc"], "parameter 'min' must be an integer"),
    (["query", "collaboration-network", "-f", "csv"], "format 'csv' does not fit a graph result"),
    (["query", "court-measures", "-f", "ttl"], "format 'ttl' does not fit a SELECT result"),
])
def test_cli_errors_are_one_line(graph_file, args, message):
    result = CliRunner().invoke(main, args + ["--graph", str(graph_file)])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_query_command_does_not_load_the_rdflib_sparql_engine(graph_file):
    code = ("import sys; from click.testing import CliRunner; from reformkg.cli import main; "
            f"r = CliRunner().invoke(main, ['query', 'notices', '--graph', {str(graph_file)!r}]); "
            "assert r.exit_code == 0, r.output; print('rdflib.plugins.sparql' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_a_long_table_shows_the_first_rows_and_says_so(built, tmp_path):
    from click.testing import CliRunner

    from reformkg.cli import main

    query = tmp_path / "everything.rq"
    query.write_text("# title: every triple\nSELECT ?s ?p ?o WHERE { ?s ?p ?o }\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["query", str(query), "--graph", str(built.written[0])])
    assert result.exit_code == 0, result.output
    assert f"{len(built.store)} rows (the first 500 shown; --format csv or json gives them all)" in \
        " ".join(result.output.split())
