"""``reformkg serve`` as a real process on a free loopback port, queried with SPARQLWrapper and httpx."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
import urllib.error
from pathlib import Path

import httpx
import pytest
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from conftest import ROOT, split_units
from reformkg.iris import DEFAULT_BASE
from reformkg.loopback import free_port, running
from reformkg.namespaces import RK
from reformkg.queries import all_queries

TIMEOUT = 1.0
MAX_ROWS = 1000
CITY_01 = URIRef(DEFAULT_BASE + "measure/xiamen-2025-38/city-01")
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 3,000³ rows: hours of work


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


@pytest.fixture(scope="module")
def server(built):
    port = free_port()
    graph_file = built.written[0]
    cmd = [sys.executable, "-m", "reformkg.cli", "serve", "--graph", str(graph_file), "--port", str(port),
           "--timeout", str(TIMEOUT), "--max-rows", str(MAX_ROWS), "--workers", "2"]
    url = f"http://127.0.0.1:{port}"
    with running(cmd, url + "/", cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"}) as proc:
        yield {"url": url, "pid": proc.pid}


def client(server, fmt, query) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server["url"] + "/sparql")
    sparql.setReturnFormat(fmt)
    sparql.setQuery(query)
    return sparql


def test_select_json_gives_the_titles_of_the_city_measures(server, notice_rows):
    q = "SELECT ?rank ?title WHERE { ?m rk:level rk:CityLevel ; rk:rank ?rank ; rk:title ?title } ORDER BY ?rank"
    data = client(server, JSON, q).query().convert()
    got = [(int(b["rank"]["value"]), b["title"]["value"], b["title"]["xml:lang"]) for b in data["results"]["bindings"]]
    assert got == [(r["rank"], r["title"], "zh") for r in notice_rows if r["level"] == "city"]


def test_select_csv_has_one_row_per_measure(server, graph, notice_rows):
    q = "SELECT ?m ?lead ?title WHERE { ?m a rk:Measure ; rk:leadAgency ?lead ; rk:title ?title }"
    body = client(server, CSV, q).query().convert()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8") if isinstance(body, bytes) else body)))
    assert len(rows) == len(notice_rows)
    assert {r["title"] for r in rows} == {r["title"] for r in notice_rows}
    lead = next(URIRef(r["lead"]) for r in rows if r["m"] == str(CITY_01))
    names = {str(o) for p in (SKOS.prefLabel, SKOS.altLabel) for o in graph.objects(lead, p)}
    assert split_units(notice_rows[0]["units"])[0] in names  # 市市场监管局, the first unit of 附件1 row 1


def test_construct_as_turtle(server, graph, notice_rows):
    q = "CONSTRUCT { ?m rk:leadAgency ?a . ?a skos:prefLabel ?n } WHERE { ?m rk:leadAgency ?a . ?a skos:prefLabel ?n }"
    result = client(server, TURTLE, q).query()
    assert result.response.headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=result.convert(), format="turtle")
    assert len(set(g.subjects(RK.leadAgency, None))) == len(notice_rows)
    lead = g.value(CITY_01, RK.leadAgency)
    assert split_units(notice_rows[0]["units"])[0] in {str(o) for o in graph.objects(lead, SKOS.altLabel)}


def test_updates_are_refused_with_403(server):
    insert = "INSERT DATA { <urn:x> <urn:y> 'z' }"
    sparql = client(server, JSON, insert)
    sparql.setMethod(POST)
    with pytest.raises(urllib.error.HTTPError) as info:
        sparql.query()
    assert info.value.code == 403 and b"read-only" in info.value.read()
    direct = httpx.post(server["url"] + "/sparql", content="DROP ALL",
                        headers={"Content-Type": "application/sparql-update"})
    assert direct.status_code == 403 and "read-only" in direct.text
    ask = client(server, JSON, "ASK { <urn:x> ?p ?o }").query().convert()
    assert ask["boolean"] is False
    assert client(server, JSON, "ASK { ?m a rk:Measure }").query().convert()["boolean"] is True


def test_a_bad_query_gets_400_with_the_parser_message(server):
    with pytest.raises(QueryBadFormed) as info:
        client(server, JSON, "SELECT ?m WHERE { ?m a rk:Measure ").query()
    assert "does not parse" in str(info.value) and "1:" in str(info.value)


def test_a_query_over_the_time_limit_is_stopped(server):
    before = children(server["pid"])
    started = time.monotonic()
    response = httpx.get(server["url"] + "/sparql", params={"query": HEAVY}, timeout=30)
    elapsed = time.monotonic() - started
    assert response.status_code == 503 and "time limit" in response.text
    assert TIMEOUT <= elapsed < TIMEOUT + 8
    after = children(server["pid"])
    assert len(before - after) == 1, "the worker running the query was not killed"
    deadline = time.monotonic() + 10
    while len(children(server["pid"])) < len(before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(children(server["pid"])) == len(before), "the killed worker was not replaced"
    # the endpoint still answers, with both workers
    for _ in range(3):
        assert client(server, JSON, "ASK { ?m a rk:Measure }").query().convert()["boolean"] is True


def test_results_are_cut_at_the_row_cap(server, graph):
    response = httpx.get(server["url"] + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"},
                         headers={"Accept": "application/sparql-results+json"})
    assert len(graph) > MAX_ROWS
    assert len(response.json()["results"]["bindings"]) == MAX_ROWS
    assert response.headers["X-Result-Truncated"] == "true"


def test_a_huge_result_is_cut_at_the_cap_well_within_the_time_limit(server, graph):
    # a cross join of every triple with every triple: millions of rows, but the cap stops the reading
    huge = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
    assert len(graph) ** 2 > 1_000 * MAX_ROWS
    response = httpx.get(server["url"] + "/sparql", params={"query": huge},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) == MAX_ROWS
    assert response.headers["X-Result-Truncated"] == "true"


def test_xml_results_and_cors(server):
    response = httpx.get(server["url"] + "/sparql", params={"query": "SELECT ?n WHERE { ?n rk:docNumber ?d }"},
                         headers={"Accept": "application/sparql-results+xml", "Origin": "https://example.org"})
    assert response.headers["content-type"].startswith("application/sparql-results+xml")
    assert DEFAULT_BASE + "notice/xiamen-2025-38" in response.text
    assert response.headers["access-control-allow-origin"] == "*"


def test_entity_iri_in_three_formats(server, graph, notice_rows):
    url = server["url"] + "/id/measure/xiamen-2025-38/city-01"
    turtle = httpx.get(url, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle") and "Accept" in turtle.headers["vary"]
    g = Graph().parse(data=turtle.text, format="turtle")
    assert g.value(CITY_01, RK.title) == Literal(notice_rows[0]["title"], lang="zh")
    assert g.value(CITY_01, RK.leadAgency) == graph.value(CITY_01, RK.leadAgency)
    assert len(set(g.objects(CITY_01, RK.cooperatingAgency))) == len(split_units(notice_rows[0]["units"])) - 1

    jsonld = httpx.get(url, headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json") and "Accept" in jsonld.headers["vary"]
    assert json.loads(jsonld.text)["@context"]["rk"] == str(RK)
    j = Graph().parse(data=jsonld.text, format="json-ld")
    assert j.value(CITY_01, RK.title) == Literal(notice_rows[0]["title"], lang="zh")
    assert set(j.triples((CITY_01, None, None))) == set(g.triples((CITY_01, None, None)))

    html = httpx.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html") and "Accept" in html.headers["vary"]
    assert notice_rows[0]["title"] in html.text
    assert 'href="/id/agency/xiamen/market-regulation-bureau"' in html.text
    assert 'href="/id/notice/xiamen-2025-38"' in html.text

    assert httpx.get(server["url"] + "/id/measure/none", headers={"Accept": "text/turtle"}).status_code == 404
    assert httpx.get(url, headers={"Accept": "image/png"}).status_code == 406


def test_agency_page_shows_its_network_neighbourhood(server):
    html = httpx.get(server["url"] + "/id/agency/xiamen/market-regulation-bureau",
                     headers={"Accept": "text/html"}).text
    assert "Network neighbourhood" in html
    # 附件1 row 1: 市市场监管局 works with 市税务局 and 市中级法院
    assert 'href="/id/agency/xiamen/tax-bureau"' in html and 'href="/id/agency/xiamen/intermediate-court"' in html


def test_ontology_catalogue_and_query_page(server):
    ttl = httpx.get(server["url"] + "/ns", headers={"Accept": "text/turtle"})
    onto = Graph().parse(data=ttl.text, format="turtle")
    assert Literal("Measure", lang="en") in set(onto.objects(RK.Measure, None))
    docs = httpx.get(server["url"] + "/ns", headers={"Accept": "text/html"})
    assert docs.headers["content-type"].startswith("text/html") and "leadAgency" in docs.text
    catalog = Graph().parse(data=httpx.get(server["url"] + "/catalog").text, format="turtle")
    endpoint = URIRef(server["url"] + "/sparql")
    assert (URIRef(DEFAULT_BASE + "dataset"), URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), endpoint) in catalog
    page = httpx.get(server["url"] + "/").text
    assert "<textarea" in page
    named = all_queries()
    assert named, "no queries in queries/"
    for query in named:  # every named query is offered as an example
        assert f"<code>{query.name}</code>" in page and str(escape(query.title)) in page, query.name
