"""The store layer: parameters bound as typed terms, the same rows from both engines."""

from __future__ import annotations

from rdflib import Literal

from reformkg.store import OxigraphStore, RdflibStore, bind_values

QUERY = """# title: a comment that says WHERE { ?not the pattern }
SELECT ?m ?title WHERE { ?m rk:leadAgency ?a ; rk:title ?title . ?a skos:altLabel ?name }
ORDER BY ?m"""


def test_values_go_into_the_where_pattern_not_into_a_comment():
    text = bind_values(QUERY, {"name": Literal("市税务局", lang="zh")})
    assert text.splitlines()[0] == QUERY.splitlines()[0]
    assert 'WHERE { VALUES ?name { "市税务局"@zh }' in text


def test_both_engines_bind_the_same_rows(built):
    ox, rdf = OxigraphStore.from_triples(built.triples), RdflibStore(built.graph)
    name = {"name": Literal("市税务局", lang="zh")}
    rows = ox.query(QUERY, name).rows
    # 市税务局 leads exactly one measure: city 8, 税务赋能构建社保“汇智中枢”实现一站式服务
    assert [str(t) for _, t in rows] == ["税务赋能构建社保“汇智中枢”实现一站式服务"]
    assert rdf.query(QUERY, name).rows == rows


def test_a_hostile_value_is_one_literal(built):
    store = OxigraphStore.from_triples(built.triples)
    before = len(store)
    assert store.query(QUERY, {"name": Literal('税" } DROP ALL #', lang="zh")}).rows == []
    assert len(store) == before
