"""The agency network read from the built graph (SPARQL) against the notice's own tables.

Expected values come from the rows read straight from the notice text (tests/conftest.py): the units
of a row work together on one measure, so two units are linked once per row they share.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections import Counter

import pytest
from click.testing import CliRunner

from conftest import split_units
from reformkg.cli import main
from reformkg.errors import ReformKGError
from reformkg.network import community_layout, metrics, read_network
from reformkg.store import OxigraphStore, open_store


def graph_file(built):
    return next(p for p in built.written if p.name == "reformkg.ttl")


@pytest.fixture(scope="module")
def store(built):
    return open_store(graph_file(built))


@pytest.fixture(scope="module")
def net(store):
    return read_network(store)


def expected(rows):
    """Units, linked pairs with their number of shared rows, from the notice rows."""
    units = {u for r in rows for u in split_units(r["units"])}
    pairs = Counter(frozenset(p) for r in rows for p in itertools.combinations(sorted(set(split_units(r["units"]))), 2))
    return units, pairs


def by_name(net) -> dict[str, str]:
    """The agency of each name it is written under (zh labels), from the network's own node data."""
    names: dict[str, str] = {}
    for a in net.agencies:
        for label in net.bipartite.nodes[a]["labels"] + [net.bipartite.nodes[a]["zh"]]:
            assert names.setdefault(label, a) == a, f"{label} names two agencies"
    return names


def district_of(row) -> str:
    return re.match(r"^(.+?区)", split_units(row["units"])[0]).group(1)


def test_every_unit_of_the_tables_is_one_agency(net, notice_rows):
    units, _ = expected(notice_rows)
    names = by_name(net)
    assert len(net.measures) == len(notice_rows) == 20
    assert len(net.agencies) == len(units) == 43
    assert {names[u] for u in units} == set(net.agencies)


def test_roles_follow_the_order_of_the_units(net, notice_rows):
    names = by_name(net)
    titles = {net.bipartite.nodes[m]["title"]: m for m in net.measures}
    for row in notice_rows:
        m = titles[row["title"]]
        units = split_units(row["units"])
        roles = {a: r["role"] for a, r in net.bipartite[m].items()}
        assert roles == {names[u]: ("lead" if i == 0 else "cooperating") for i, u in enumerate(units)}
        assert net.bipartite.nodes[m]["level"] == row["level"] and net.bipartite.nodes[m]["rank"] == row["rank"]


def test_collaboration_links_are_the_shared_rows(net, notice_rows):
    _, pairs = expected(notice_rows)
    names = by_name(net)
    graph = net.collaboration()
    assert graph.number_of_nodes() == 43
    assert graph.number_of_edges() == len(pairs) == 99
    for pair, count in pairs.items():
        u, v = (names[x] for x in pair)
        assert graph[u][v]["weight"] == count
        assert len(graph[u][v]["shared"]) == count


def test_metrics_per_agency(net, notice_rows):
    import networkx as nx

    units, pairs = expected(notice_rows)
    names = by_name(net)
    reference = nx.Graph()
    reference.add_nodes_from(units)
    reference.add_weighted_edges_from((*sorted(p), c) for p, c in pairs.items())
    between = nx.betweenness_centrality(reference)
    rows = {r["agency"]: r for r in metrics(net)}
    assert len(rows) == 43
    for unit in units:
        r = rows[names[unit]]
        assert r["degree"] == reference.degree(unit)
        assert r["weighted_degree"] == reference.degree(unit, weight="weight")
        assert r["betweenness"] == pytest.approx(between[unit], abs=1e-6)
        assert r["measures"] == sum(unit in split_units(row["units"]) for row in notice_rows)
        assert r["lead"] == sum(split_units(row["units"])[0] == unit for row in notice_rows)
    # 市科技局 works alone on its one measure: no partner, no bridge, a community of its own
    alone = rows[names["市科技局"]]
    assert (alone["degree"], alone["betweenness"]) == (0, 0)
    assert sum(r["community"] == alone["community"] for r in rows.values()) == 1
    # the biggest bridge is the unit whose measures join the largest groups of otherwise separate units
    top = max(between, key=between.get)
    assert next(iter(rows.values()))["agency"] == names[top]


def test_communities_are_fixed_and_never_span_two_components(net, built):
    import networkx as nx

    graph = net.collaboration()
    first = {r["agency"]: r["community"] for r in metrics(net)}
    again = {r["agency"]: r["community"] for r in metrics(read_network(OxigraphStore.from_file(graph_file(built))))}
    assert first == again   # the same groups from a fresh read of the Turtle file
    component = {a: i for i, comp in enumerate(nx.connected_components(graph)) for a in comp}
    for c in set(first.values()):
        assert len({component[a] for a, k in first.items() if k == c}) == 1
    assert len(set(first.values())) >= nx.number_connected_components(graph)


def test_filters_level_district_topic(store, notice_rows, graph):
    from rdflib.namespace import SKOS

    from reformkg.namespaces import RK

    district_rows = [r for r in notice_rows if r["level"] == "district"]
    units, pairs = expected(district_rows)
    net = read_network(store, level="district")
    assert (len(net.measures), len(net.agencies), net.collaboration().number_of_edges()) == \
        (len(district_rows), len(units), len(pairs))

    siming = [r for r in district_rows if district_of(r) == "思明区"]
    for name in ("思明区", "Siming District", "350203", "思明"):
        net = read_network(store, district=name)
        assert sorted(net.bipartite.nodes[m]["title"] for m in net.measures) == sorted(r["title"] for r in siming)
        assert len(net.agencies) == len(expected(siming)[0])

    # topics are curated (data/measures), not in the notice: compare with the rdflib graph itself
    topic = next(t for t in graph.subjects(SKOS.notation, None)
                 if str(graph.value(t, SKOS.notation)) == "bready/taxation")
    tagged = {str(graph.value(m, RK.title)) for m in graph.subjects(RK.topic, topic)}
    net = read_network(store, topic="bready/taxation")
    assert tagged and {net.bipartite.nodes[m]["title"] for m in net.measures} == tagged


@pytest.mark.parametrize("kwargs, message", [
    ({"district": "火星区"}, "unknown district '火星区': expected one of"),
    ({"topic": "no/such-topic"}, "unknown topic 'no/such-topic': expected one of"),
    ({"level": "city", "district": "思明区"}, "no measures match --level city --district 思明区"),
])
def test_filters_that_select_nothing_are_clear_errors(store, kwargs, message):
    with pytest.raises(ReformKGError, match=re.escape(message)):
        read_network(store, **kwargs)


def test_network_command_csv_json_table(built, notice_rows):
    units, pairs = expected(notice_rows)
    runner = CliRunner()
    out = runner.invoke(main, ["network", "--graph", str(graph_file(built)), "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert len(rows) == len(units)
    assert list(rows[0]) == ["agency", "name_zh", "name_en", "kind", "measures", "lead", "degree",
                             "weighted_degree", "betweenness", "community"]
    assert all(r["name_zh"] and r["name_en"] and r["kind"] for r in rows)
    assert sum(int(r["degree"]) for r in rows) == 2 * len(pairs)
    assert sum(int(r["weighted_degree"]) for r in rows) == 2 * sum(pairs.values())
    betweenness = [float(r["betweenness"]) for r in rows]
    assert betweenness == sorted(betweenness, reverse=True)

    out = runner.invoke(main, ["network", "--graph", str(graph_file(built)), "--format", "json"])
    assert {r["name_zh"] for r in json.loads(out.output)} == {r["name_zh"] for r in rows}
    out = runner.invoke(main, ["network", "--graph", str(graph_file(built))])
    assert out.exit_code == 0 and rows[0]["name_zh"] in out.output


def test_network_command_bad_district_is_one_line(built):
    out = CliRunner().invoke(main, ["network", "--graph", str(graph_file(built)), "--district", "火星区"])
    assert out.exit_code == 1
    assert out.output.strip().splitlines() == [out.output.strip()]
    assert "unknown district '火星区'" in out.output and "思明区" in out.output


def test_build_writes_network_csv(built, notice_rows):
    path = next(p for p in built.written if p.name == "network.csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == len(expected(notice_rows)[0])


def test_community_layout_keeps_nodes_apart():
    import networkx as nx

    graph = nx.connected_caveman_graph(12, 25)
    groups = {n: n // 25 + 1 for n in graph}
    pos = community_layout(graph, groups, spacing=40)
    assert set(pos) == set(graph)
    points = list(pos.values())
    closest = min(((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 for (x1, y1), (x2, y2) in itertools.combinations(points, 2))
    assert closest >= 20
    centres = {g: [sum(c) / len(c) for c in zip(*(pos[n] for n in graph if groups[n] == g))] for g in range(1, 13)}
    for n in graph:   # every node is nearest its own group's centre: the groups do not overlap
        dist = {g: (pos[n][0] - c[0]) ** 2 + (pos[n][1] - c[1]) ** 2 for g, c in centres.items()}
        assert min(dist, key=dist.get) == groups[n]


def test_layout_groups_put_measures_with_their_lead_agency(net, notice_rows):
    """The measures view's layout groups: agencies as in the collaboration view, each measure with its
    lead unit (the first of its row), each district with most of its measures."""
    from collections import Counter

    import networkx as nx

    from reformkg.network import layout_groups

    graph = nx.Graph(net.bipartite)
    for m in net.measures:
        if net.bipartite.nodes[m]["district"]:
            graph.add_edge(m, net.bipartite.nodes[m]["district"])
    groups = layout_groups(net, graph)
    assert set(groups) == set(graph)
    assert {a: groups[a] for a in net.agencies} == {r["agency"]: r["community"] for r in metrics(net)}
    names, titles = by_name(net), {net.bipartite.nodes[m]["title"]: m for m in net.measures}
    for row in notice_rows:
        assert groups[titles[row["title"]]] == groups[names[split_units(row["units"])[0]]]
    districts = {net.bipartite.nodes[m]["district"] for m in net.measures} - {None}
    assert len(districts) == len({district_of(r) for r in notice_rows if r["level"] == "district"}) >= 2
    for d in districts:
        votes = Counter(groups[m] for m in graph[d])
        assert votes[groups[d]] == max(votes.values())
