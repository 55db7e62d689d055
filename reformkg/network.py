"""The agency network, read from the graph with SPARQL (never from the notices).

A bipartite graph of measures and the agencies they involve (edge role: lead or cooperating), its
projection onto agencies (two agencies are linked once per measure they share), and the metrics
that answer "who are the hubs, who bridges, which groups work together": degree, weighted degree,
betweenness centrality and Louvain communities (fixed seed, so every build gives the same groups).
networkx is imported inside the functions: ``reformkg --help`` must stay fast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .errors import ReformKGError

SEED = 20251031          # Louvain and sampled betweenness: the same groups on every build
EXACT_BETWEENNESS_MAX = 500    # above this many agencies, betweenness is estimated from samples
BETWEENNESS_SAMPLES = 200

MEASURES = """
SELECT ?m ?title ?en ?level ?rank ?notice WHERE {
  ?m a rk:Measure ; rk:title ?title ; rk:level ?lv ; rk:rank ?rank ; rk:listedIn ?notice .
  ?lv skos:notation ?level .
  OPTIONAL { ?m skos:prefLabel ?en FILTER(langMatches(lang(?en), "en")) }
}"""

PARTICIPATION = """
SELECT ?m ?a ?role WHERE {
  { ?m rk:leadAgency ?a BIND("lead" AS ?role) } UNION { ?m rk:cooperatingAgency ?a BIND("cooperating" AS ?role) }
}"""

LABELS = """
SELECT ?s ?p ?label (LANG(?label) AS ?lang) WHERE {
  VALUES ?p { skos:prefLabel skos:altLabel }
  { ?s a rk:Agency } UNION { ?s a rk:District } UNION { ?s a skos:Concept }
  ?s ?p ?label .
}"""

CONCEPTS = """
SELECT ?c ?notation WHERE { ?c a skos:Concept ; skos:notation ?notation }"""

LINKS = """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { rk:agencyType rk:adminLevel rk:district rk:topic }
  ?s ?p ?o .
}"""

DISTRICT_CODES = """
SELECT ?d ?code WHERE { ?d a rk:District ; rk:adminCode ?code }"""

FIGURES = """
SELECT ?m ?i ?value ?unit ?qualifier ?asOf ?start ?end ?source WHERE {
  ?m rk:hasIndicator ?i . ?i rk:value ?value .
  OPTIONAL { ?i rk:unit ?unit }
  OPTIONAL { ?i rk:qualifier ?q . ?q skos:notation ?qualifier }
  OPTIONAL { ?i rk:asOf ?asOf }
  OPTIONAL { ?i rk:periodStart ?start }
  OPTIONAL { ?i rk:periodEnd ?end }
  OPTIONAL { ?i rk:sourceText ?source }
}"""

NOTICES = """
SELECT ?n ?doc ?title ?issued WHERE {
  ?n a rk:Notice ; rk:docNumber ?doc .
  OPTIONAL { ?n dcterms:title ?title }
  OPTIONAL { ?n dcterms:issued ?issued }
}"""


@dataclass
class AgencyNetwork:
    """The measures kept by the filters, the agencies they involve, and what the views need to say."""

    bipartite: object                      # nx.Graph: measure and agency nodes, edges carry ``role``
    concepts: dict[str, dict]              # concept IRI -> {notation, en, zh}
    districts: dict[str, dict]             # district IRI -> {zh, en, code, labels}
    notices: list[dict]                    # the notices the kept measures are listed in (文号, title, date)
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def measures(self) -> list[str]:
        return sorted(n for n, d in self.bipartite.nodes(data=True) if d["kind"] == "measure")

    @property
    def agencies(self) -> list[str]:
        return sorted(n for n, d in self.bipartite.nodes(data=True) if d["kind"] == "agency")

    def by_notation(self, notation: str | None) -> dict | None:
        """A concept (level, agency kind, topic…) by its skos:notation."""
        if not hasattr(self, "_notations"):
            self._notations = {}
            for c in sorted(self.concepts):
                self._notations.setdefault(self.concepts[c]["notation"], self.concepts[c])
        return self._notations.get(notation)

    def collaboration(self):
        """Agencies linked by shared measures: ``weight`` = how many, ``shared`` = which (sorted IRIs).

        Made once per network (both views and network.csv read it); treat it as read-only.
        """
        import networkx as nx

        if getattr(self, "_collaboration", None) is None:
            graph = nx.bipartite.weighted_projected_graph(self.bipartite, self.agencies)
            for u, v, data in graph.edges(data=True):
                data["shared"] = sorted(set(self.bipartite[u]) & set(self.bipartite[v]))
            self._collaboration = graph
        return self._collaboration


def _text(term) -> str | None:
    return None if term is None else str(term)


def _rows(store, sparql: str) -> list[tuple]:
    """The rows as plain strings (IRI, blank node label or literal's lexical form; None when unbound).

    On Oxigraph straight from its solutions: making rdflib terms (decimals above all) cost more than
    the queries themselves at twenty thousand measures.
    """
    if hasattr(store, "ox"):
        from .namespaces import PREFIXES
        from .store import QueryError

        try:
            result = store.ox.query(sparql, prefixes=PREFIXES)
            positions = range(len(result.variables))
            return [tuple(None if (t := solution[i]) is None else t.value for i in positions) for solution in result]
        except (SyntaxError, OSError) as exc:
            raise QueryError(f"the network query failed: {exc}") from None
    return [tuple(_text(t) for t in row) for row in store.query(sparql).rows]


def _local_key(text: str) -> str:
    """Sort key that puts ``…/indicator/2`` before ``…/indicator/10``."""
    head, _, tail = text.rpartition("/")
    return f"{head}/{int(tail):09d}" if tail.isdigit() else text


def _labels(store) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for s, p, label, lang in _rows(store, LABELS):
        entry = out.setdefault(s, {"zh": None, "en": None, "labels": []})
        lang = (lang or "").lower()
        if p.endswith("prefLabel") and lang in ("zh", "en") and entry[lang] is None:
            entry[lang] = label
        if lang.startswith("zh") or not lang:
            entry["labels"].append(label)
    for entry in out.values():
        entry["labels"] = sorted(set(entry["labels"]), key=lambda x: (len(x), x))
    return out


def read_network(store, level: str | None = None, district: str | None = None,
                 topic: str | None = None) -> AgencyNetwork:
    """Read measures, agencies and their roles from ``store`` (any Store) and keep those the filters select."""
    import networkx as nx

    labels = _labels(store)
    concepts = {c: {"notation": n, **labels.get(c, {"zh": None, "en": None, "labels": []})}
                for c, n in _rows(store, CONCEPTS)}
    links: dict[tuple[str, str], list[str]] = {}
    for s, p, o in _rows(store, LINKS):
        links.setdefault((s, p.rsplit("#", 1)[-1]), []).append(o)
    codes = dict(_rows(store, DISTRICT_CODES))
    districts = {d: {**labels.get(d, {"zh": None, "en": None, "labels": []}), "code": codes.get(d)}
                 for d in {o for (s, p), os_ in links.items() if p == "district" for o in os_} | set(codes)}
    measures: dict[str, dict] = {}
    for m, title, en, lv, rank, notice in _rows(store, MEASURES):
        measures.setdefault(m, {
            "kind": "measure", "title": title, "en": en, "level": lv, "rank": int(rank),
            "notice": notice, "district": (links.get((m, "district")) or [None])[0],
            "topics": sorted(links.get((m, "topic"), [])), "figures": []})
    selected = _select(measures, districts, concepts, level, district, topic)
    _add_figures(store, selected)
    bipartite = nx.Graph()
    for m in sorted(selected):
        bipartite.add_node(m, **selected[m])
    roles = sorted(row for row in _rows(store, PARTICIPATION) if row[0] in selected)
    for m, a, role in roles:
        if a not in bipartite:
            bipartite.add_node(a, **_agency(a, labels, concepts, links))
        if bipartite.has_edge(m, a) and bipartite[m][a]["role"] == "lead":
            continue  # a unit listed as lead and again as cooperating counts once, as lead
        bipartite.add_edge(m, a, role=role)
    for a in (n for n, d in bipartite.nodes(data=True) if d["kind"] == "agency"):
        roles_of = [bipartite[a][m]["role"] for m in bipartite[a]]
        bipartite.nodes[a].update(measures=len(roles_of), lead=roles_of.count("lead"))
    used = {d["notice"] for d in selected.values()}
    notices = sorted(({"iri": n, "doc": doc, "title": title, "issued": issued}
                      for n, doc, title, issued in _rows(store, NOTICES) if n in used),
                     key=lambda n: (n["issued"] or "", n["doc"]))
    filters = {k: v for k, v in (("level", level), ("district", district), ("topic", topic)) if v}
    return AgencyNetwork(bipartite, concepts, districts, notices, filters)


def _agency(iri: str, labels: dict, concepts: dict, links: dict) -> dict:
    own = labels.get(iri, {"zh": None, "en": None, "labels": []})

    def concept(prop):
        found = sorted(links.get((iri, prop), []))
        return concepts.get(found[0], {"notation": None, "zh": None, "en": None}) if found else \
            {"notation": None, "zh": None, "en": None}

    kind, admin = concept("agencyType"), concept("adminLevel")
    return {"kind": "agency", "zh": own["zh"] or (own["labels"] or [iri])[0], "en": own["en"],
            "short": (own["labels"] or [own["zh"] or iri])[0], "labels": own["labels"],
            "type": kind["notation"], "type_zh": kind["zh"], "type_en": kind["en"],
            "admin": admin["notation"], "admin_zh": admin["zh"], "admin_en": admin["en"]}


def _select(measures, districts, concepts, level, district, topic) -> dict[str, dict]:
    """The measures the filters keep; an unknown district or topic is an error that lists the known ones."""
    keep = dict(measures)
    if level:
        keep = {m: d for m, d in keep.items() if d["level"] == level}
    if district:
        wanted = _match(district, {d: [v.get("zh"), v.get("en"), v.get("code"), d.rsplit("/", 1)[-1],
                                       *v.get("labels", [])] for d, v in districts.items()})
        if not wanted:
            known = ", ".join(sorted(v["zh"] or d for d, v in districts.items()))
            raise ReformKGError(f"unknown district '{district}': expected one of {known}")
        keep = {m: d for m, d in keep.items() if d["district"] in wanted}
    if topic:
        used = {t for d in measures.values() for t in d["topics"]}
        wanted = _match(topic, {t: [concepts.get(t, {}).get("notation"), t.split("/topic/", 1)[-1],
                                    concepts.get(t, {}).get("en"), concepts.get(t, {}).get("zh")] for t in used})
        if not wanted:
            known = ", ".join(sorted(concepts.get(t, {}).get("notation") or t for t in used))
            raise ReformKGError(f"unknown topic '{topic}': expected one of {known}")
        keep = {m: d for m, d in keep.items() if wanted & set(d["topics"])}
    if not keep:
        asked = " ".join(f"--{k} {v}" for k, v in (("level", level), ("district", district), ("topic", topic)) if v)
        raise ReformKGError(f"no measures match {asked}" if asked else "the graph has no measures")
    return keep


def _match(name: str, candidates: dict[str, list]) -> set[str]:
    needle = name.strip().casefold()
    return {key for key, names in candidates.items() if any(n and str(n).casefold() == needle for n in names)}


def _add_figures(store, measures: dict[str, dict]) -> None:
    rows = sorted(_rows(store, FIGURES), key=lambda r: _local_key(r[1]))
    for m, _i, value, unit, qualifier, as_of, start, end, source in rows:
        if m in measures:
            measures[m]["figures"].append({"value": float(value), "unit": unit, "qualifier": qualifier,
                                           "as_of": as_of, "start": start, "end": end, "source": source})


# -- metrics ---------------------------------------------------------------------------------------

def communities(graph) -> dict[str, int]:
    """Louvain communities on the shared-measure weights, numbered 1… by size (then by first member)."""
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return {}
    groups = nx.community.louvain_communities(graph, weight="weight", seed=SEED)
    ordered = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g[0]))
    return {node: i for i, group in enumerate(ordered, 1) for node in group}


def betweenness(graph) -> dict[str, float]:
    """Normalised betweenness on hops; estimated from a fixed sample of sources on large graphs."""
    import networkx as nx

    n = graph.number_of_nodes()
    if n <= EXACT_BETWEENNESS_MAX:
        return nx.betweenness_centrality(graph, normalized=True)
    return nx.betweenness_centrality(graph, k=BETWEENNESS_SAMPLES, normalized=True, seed=SEED)


def metrics(net: AgencyNetwork, graph=None) -> list[dict]:
    """One row per agency: names, kind, measures (as lead), degree, weighted degree, betweenness, community.

    Computed once per network and graph (the collaboration view and network.csv both ask); each call
    gets its own copies of the rows.
    """
    graph = graph if graph is not None else net.collaboration()
    cached = getattr(net, "_metrics", None)
    if cached is None or cached[0] is not graph:
        cached = net._metrics = (graph, _metrics(net, graph))
    return [dict(row) for row in cached[1]]


def _metrics(net: AgencyNetwork, graph) -> list[dict]:
    groups, between = communities(graph), betweenness(graph)
    rows = []
    for a in sorted(graph, key=lambda a: (-between[a], -graph.degree(a, weight="weight"), a)):
        d = net.bipartite.nodes[a]
        rows.append({"agency": a, "name_zh": d["zh"], "name_en": d["en"] or "", "kind": d["type"] or "",
                     "measures": d["measures"], "lead": d["lead"], "degree": graph.degree(a),
                     "weighted_degree": graph.degree(a, weight="weight"),
                     "betweenness": round(between[a], 6), "community": groups[a]})
    return rows


# -- layout (for views too large for the browser's physics) ----------------------------------------

GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def layout_groups(net: AgencyNetwork, graph) -> dict[str, int]:
    """Groups for laying out the measures view: agencies in their collaboration communities, each measure
    with its lead agency, each district with most of its measures.

    Louvain on the agency network (the communities the collaboration view shows) instead of on the
    whole bipartite graph: at twenty thousand measures 0.05 s instead of 1.4 s, the same groups of
    agencies in both views, and every measure beside its lead (short lead edges).
    """
    from collections import Counter

    groups = dict(communities(net.collaboration()))
    for m in net.measures:
        links = net.bipartite[m]
        lead = min((a for a in links if links[a]["role"] == "lead"), default=None) or min(links, default=None)
        if lead is not None:
            groups[m] = groups[lead]
    for node in graph:
        if node not in groups:  # districts: with most of their measures
            votes = Counter(groups[m] for m in graph[node] if m in groups)
            groups[node] = min(votes, key=lambda g: (-votes[g], g)) if votes else 0
    return groups


def community_layout(graph, groups: dict[str, int], spacing: float = 40.0) -> dict[str, tuple[float, float]]:
    """Positions in linear time: each community a sunflower disc (hubs at its centre), discs shelf-packed.

    networkx's force layouts need numpy and cost O(n²) per iteration; this one shows the structure
    Louvain found and opens instantly with physics off.
    """
    members: dict[int, list[str]] = {}
    for node in sorted(graph):
        members.setdefault(groups.get(node, 0), []).append(node)
    discs = []
    for group, nodes in members.items():
        nodes.sort(key=lambda n: (-graph.degree(n, weight="weight"), n))
        discs.append((spacing * math.sqrt(len(nodes) + 1), group, nodes))
    discs.sort(key=lambda d: (-d[0], d[1]))
    total = sum(4 * r * r for r, _, _ in discs)
    row_width = max(math.sqrt(total) * 1.2, 2 * discs[0][0]) if discs else 0
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for radius, _group, nodes in discs:
        if x > 0 and x + 2 * radius > row_width:
            x, y, row_height = 0.0, y + row_height + spacing, 0.0
        cx, cy = x + radius, y + radius
        for j, node in enumerate(nodes):
            r, angle = spacing * math.sqrt(j), j * GOLDEN_ANGLE
            positions[node] = (round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1))
        x += 2 * radius + spacing
        row_height = max(row_height, 2 * radius)
    return positions


METRIC_COLUMNS = ("agency", "name_zh", "name_en", "kind", "measures", "lead", "degree", "weighted_degree",
                  "betweenness", "community")


def metrics_csv(rows: list[dict]) -> str:
    """The metrics as CSV (UTF-8, header row), one agency per line."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=METRIC_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
