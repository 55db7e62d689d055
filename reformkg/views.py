"""Interactive network views as one self-contained, offline and safe HTML file each.

pyvis builds the vis-network model (nodes, edges, options); the page is our own Jinja template
(``viz/page.html.j2``, autoescaped) because pyvis 0.3.2's template loads Bootstrap and vis-network
from CDNs in every mode and renders labels without escaping. The vis-network assets that pyvis ships
are inlined; the data goes in as JSON with ``<``, ``>`` and ``&`` escaped, so no label can close a
script; tooltips are built in the browser as DOM text (``textContent``), never as HTML. Views beyond
``layout.physics_max_nodes`` nodes are laid out in Python with the browser's physics off.
Styles (colours, sizes, edge styles, texts) come from ``viz/views.yaml``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import ReformKGError
from .network import AgencyNetwork, community_layout, layout_groups, metrics, metrics_csv, read_network
from .viewstyle import Style, load_style

VIEWS = ("collaboration", "measures")
QUALIFIERS = {"more-than": ">", "at-least": "≥", "at-most": "≤", "about": "≈"}


@dataclass
class View:
    """Everything the page shows: the vis model, and the texts around it."""

    name: str
    title: str
    subtitle: str
    nodes: list[dict]
    edges: list[dict]
    options: dict
    physics: bool
    names: list[str] = field(default_factory=list)     # measure names that tooltips refer to by index
    legend: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    table: dict = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)


# -- texts -----------------------------------------------------------------------------------------

def _both(zh: str | None, en: str | None) -> str:
    return " · ".join(x for x in (zh, en) if x) or "—"


def _figure(f: dict) -> str:
    value = f"{f['value']:,.0f}" if f["value"] == int(f["value"]) else f"{f['value']:,}"
    text = f"{QUALIFIERS.get(f['qualifier'] or '', '')}{value} {f['unit'] or ''}".strip()
    when = f["as_of"] and f"as of {f['as_of']}" or (f["end"] and f"{f['start'] or ''}–{f['end']}") or ""
    return " · ".join(x for x in (text, when, f["source"] and f"“{f['source']}”") if x)


class _Texts:
    """Names and tooltips of one view. Measure names are listed once (``names``); tooltips refer to
    them by index, which keeps a view of thousands of agencies small."""

    def __init__(self, net: AgencyNetwork, style: Style):
        self.net, self.style, self.names, self.index = net, style, [], {}
        self.docs: dict[str, str] = {}
        for n in net.notices:
            self.docs.setdefault(n["iri"], n["doc"])

    def level(self, notation: str) -> str:
        return (self.net.by_notation(notation) or {}).get("zh") or notation

    def measure(self, m: str) -> int:
        if m not in self.index:
            d = self.net.bipartite.nodes[m]
            self.index[m] = len(self.names)
            self.names.append(f"[{self.level(d['level'])} {d['rank']}] {d['title']}")
        return self.index[m]

    def capped(self, heading: str, items: list) -> list:
        cap = self.style.page.tooltip_max_items
        return [heading, items[:cap], max(0, len(items) - cap)]

    def agency_label(self, d: dict) -> str:
        return {"short": d["short"], "full": d["zh"], "en": d["en"] or d["short"]}[self.style.page.agency_label]

    def agency_tip(self, a: str, extra: list | None = None) -> dict:
        d, links = self.net.bipartite.nodes[a], self.net.bipartite[a]
        leads = [self.measure(m) for m in sorted(links) if links[m]["role"] == "lead"]
        others = [self.measure(m) for m in sorted(links) if links[m]["role"] != "lead"]
        rows = [["Kind 类型", _both(d["type_zh"], d["type_en"])],
                ["Level 层级", _both(d["admin_zh"], d["admin_en"])],
                ["Measures 举措", f"{d['measures']} (lead {d['lead']})"], *(extra or [])]
        lists = [self.capped(h, items) for h, items in (("Leads 牵头", leads), ("Cooperates in 配合", others))
                 if items]
        return {"h": d["zh"], "s": d["en"] or "", "rows": rows, "lists": lists}

    def measure_tip(self, m: str) -> dict:
        net, d = self.net, self.net.bipartite.nodes[m]
        names: dict[str, list] = {"lead": [], "cooperating": []}
        for a, x in net.bipartite[m].items():
            names[x["role"]].append(net.bipartite.nodes[a]["zh"])
        for found in names.values():
            found.sort()
        rows = [["Level 级别", f"{self.level(d['level'])} No. {d['rank']}"]]
        if d["district"]:
            district = net.districts.get(d["district"], {})
            rows.append(["District 区", _both(district.get("zh"), district.get("en"))])
        topics = ", ".join(net.concepts.get(t, {}).get("en") or t.rsplit("/", 1)[-1] for t in d["topics"])
        notice = self.docs.get(d["notice"], "—")
        rows += [["Lead 牵头", "、".join(names["lead"]) or "—"], ["Topics 主题", topics or "—"],
                 ["Notice 文号", notice]]
        lists = [self.capped("Figures 成效", [_figure(f) for f in d["figures"]])] if d["figures"] else []
        if names["cooperating"]:
            lists.append(self.capped("Cooperating 配合单位", names["cooperating"]))
        return {"h": d["title"], "s": d["en"] or "", "rows": rows, "lists": lists}

    def agency_node(self, a: str) -> dict:
        d, style = self.net.bipartite.nodes[a], self.style
        colour, lead = style.kind_color(d["type"]), d["lead"] > 0
        sizes = style.sizes
        size = min(sizes.agency_max, sizes.agency_base + sizes.agency_per_measure * (d["measures"] - 1))
        ring = style.lead.border_color
        return {"id": a, "label": self.agency_label(d), "shape": "dot", "size": size,
                "borderWidth": style.lead.border_width if lead else 1,
                "color": {"background": colour, "border": ring if lead else style.node_border_color,
                          "highlight": {"background": colour, "border": ring}, "hover": {"background": colour,
                                                                                       "border": ring}},
                "kc": colour, "find": " ".join(dict.fromkeys([d["zh"], d["en"] or "", *d["labels"]]))}

    def concept(self, notation: str | None) -> str:
        c = self.net.by_notation(notation) or {}
        return _both(c.get("zh"), c.get("en")) if c else (notation or "unknown")

    def kind_legend(self) -> list[dict]:
        kinds = sorted({self.net.bipartite.nodes[a]["type"] for a in self.net.agencies}, key=lambda k: (k is None, k))
        return [{"shape": "dot", "color": self.style.kind_color(k), "text": self.concept(k)} for k in kinds]


def _place(node: dict, pos: dict) -> dict:
    if node["id"] in pos:
        node["x"], node["y"] = pos[node["id"]]
    return node


def _edge_order(graph):
    return sorted(graph.edges(data=True), key=lambda t: (min(t[0], t[1]), max(t[0], t[1])))


# -- the two views ---------------------------------------------------------------------------------

def collaboration_view(net: AgencyNetwork, style: Style) -> View:
    """Agencies linked by shared measures: size = measures, colour = kind, ring = lead, width = shared."""
    texts, graph = _Texts(net, style), net.collaboration()
    rows = {r["agency"]: r for r in metrics(net, graph)}
    physics = graph.number_of_nodes() <= style.layout.physics_max_nodes
    pos = {} if physics else community_layout(graph, {a: r["community"] for a, r in rows.items()},
                                              style.layout.spacing)
    nodes = []
    for a in sorted(graph):
        r = rows[a]
        node = texts.agency_node(a)
        node["cc"] = style.community_color(r["community"])
        node["tip"] = texts.agency_tip(a, [
            ["Partners 协作单位", str(r["degree"])], ["Shared measures 共同举措", str(r["weighted_degree"])],
            ["Betweenness 中介中心性", f"{r['betweenness']:.3f}"], ["Community 社群", str(r["community"])]])
        nodes.append(_place(node, pos))
    e = style.edges.collaboration
    edges = [{"from": u, "to": v, "width": min(e.max_width, e.width + e.per_shared * (d["weight"] - 1)),
              "m": [texts.measure(m) for m in d["shared"]]} for u, v, d in _edge_order(graph)]
    legend = texts.kind_legend() + [
        {"shape": "ring", "color": style.lead.border_color, "text": "Ring: leads at least one measure 牵头单位"},
        {"shape": "dot", "color": style.unknown_kind, "text": "Size: number of measures 参与举措数"},
        {"shape": "line", "color": e.color, "text": "Edge width: shared measures 共同举措数"}]
    members: dict[int, list[str]] = {}
    for a, r in rows.items():
        members.setdefault(r["community"], []).append(a)
    groups = [{"color": style.community_color(c), "text": f"{c}: {len(members[c])} · " + texts.agency_label(
        net.bipartite.nodes[max(members[c], key=lambda a: (graph.degree(a, weight="weight"), a))])}
        for c in sorted(members)]
    hubs = sorted(rows.values(), key=lambda r: (-r["betweenness"], -r["weighted_degree"], r["agency"]))
    table = {"caption": "Hubs and bridges 枢纽与桥梁",
             "head": ["Agency 单位", "Partners", "Shared", "Betweenness", "Group"],
             "rows": [{"id": r["agency"], "cells": [texts.agency_label(net.bipartite.nodes[r["agency"]]), r["degree"],
                                                    r["weighted_degree"], f"{r['betweenness']:.3f}", r["community"]]}
                      for r in hubs[:style.page.hubs]]}
    facts = [f"{graph.number_of_nodes()} agencies", f"{graph.number_of_edges()} links",
             f"{len(net.measures)} measures", f"{len(groups)} communities"]
    options = vis_options(physics, style, edge_color=e.color)
    return _view(net, texts, "collaboration", nodes, edges, options, physics, legend, groups, table, facts)


def measures_view(net: AgencyNetwork, style: Style) -> View:
    """The bipartite network: measures (colour = level) to agencies, lead edges solid, districts shown."""
    texts, kept, attrs = _Texts(net, style), net.measures, net.bipartite.nodes
    links = [(m, a, d["role"]) for m in kept for a, d in net.bipartite[m].items()]
    links += [(m, attrs[m]["district"], "district") for m in kept if attrs[m]["district"]]
    size = len(attrs) + len({d for m, d, role in links if role == "district"} - set(attrs))
    physics = size <= style.layout.physics_max_nodes
    pos = {}
    if not physics:  # the graph the layout needs: measures, agencies and districts
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(net.bipartite)
        graph.add_edges_from((m, other) for m, other, _ in links)
        pos = community_layout(graph, layout_groups(net, graph), style.layout.spacing)
    nodes = [_place({**texts.agency_node(a), "tip": texts.agency_tip(a)}, pos) for a in net.agencies]
    cut = style.page.measure_label_chars
    for m in kept:
        d, colour = net.bipartite.nodes[m], style.level_color(net.bipartite.nodes[m]["level"])
        title = d["title"] if len(d["title"]) <= cut else d["title"][:cut] + "…"
        nodes.append(_place({"id": m, "label": f"{texts.level(d['level'])} {d['rank']}\n{title}", "shape": "square",
                             "size": style.sizes.measure, "color": colour, "kc": colour,
                             "find": " ".join(x for x in (d["title"], d["en"]) if x),
                             "tip": texts.measure_tip(m)}, pos))
    counts = Counter(net.bipartite.nodes[m]["district"] for m in kept)
    for district in sorted(set(counts) - {None}):
        info, count = net.districts.get(district, {}), counts[district]
        nodes.append(_place({"id": district, "label": info.get("zh") or district, "shape": "box",
                             "color": {"background": style.district_color, "border": style.edges.district.color},
                             "kc": style.district_color,
                             "find": " ".join([*info.get("labels", []), info.get("en") or ""]),
                             "tip": {"h": info.get("zh") or district, "s": info.get("en") or "",
                                     "rows": [["Code 代码", info.get("code") or "—"],
                                              ["District measures 区级举措", str(count)]], "lists": []}}, pos))
    edges = []
    for m, other, role in sorted(links, key=lambda t: (min(t[0], t[1]), max(t[0], t[1]))):  # as _edge_order
        s = getattr(style.edges, role)
        edges.append({"from": m, "to": other, "width": s.width, "dashes": s.dashes, "role": role,
                      "color": {"color": s.color, "highlight": style.lead.border_color}})
    levels = sorted({net.bipartite.nodes[m]["level"] for m in kept})
    legend = [{"shape": "square", "color": style.level_color(lv), "text": texts.concept(lv)} for lv in levels]
    legend += texts.kind_legend() + [
        {"shape": "box", "color": style.district_color, "text": "District 区"},
        {"shape": "ring", "color": style.lead.border_color, "text": "Ring: leads at least one measure 牵头单位"},
        {"shape": "line", "color": style.edges.lead.color, "text": "Lead 牵头"},
        {"shape": "dashed", "color": style.edges.cooperating.color, "text": "Cooperating 配合"},
        {"shape": "dashed", "color": style.edges.district.color, "text": "In district 所在区"}]
    widest = sorted(kept, key=lambda m: (-net.bipartite.degree(m), m))[:style.page.hubs]
    table = {"caption": "Measures tying most units together 协作最广的举措", "head": ["Measure 举措", "Units"],
             "rows": [{"id": m, "cells": [texts.names[texts.measure(m)], net.bipartite.degree(m)]} for m in widest]}
    roles = [r for _, _, r in net.bipartite.edges(data="role")]
    facts = [f"{len(kept)} measures", f"{len(net.agencies)} agencies", f"{roles.count('lead')} lead links",
             f"{len(roles) - roles.count('lead')} cooperating links"]
    return _view(net, texts, "measures", nodes, edges, vis_options(physics, style), physics, legend, [], table, facts)


def _view(net, texts, name, nodes, edges, options, physics, legend, groups, table, facts) -> View:
    words = getattr(texts.style.views, name)
    return View(name, words.title, words.subtitle, nodes, edges, options, physics, texts.names, legend, groups,
                table, net.notices, facts + [f"{k}: {v}" for k, v in net.filters.items()])


# -- the vis model, through pyvis ------------------------------------------------------------------

def vis_options(physics: bool, style: Style, edge_color: str | None = None) -> dict:
    """vis-network options: pyvis's model (physics solver, interaction), tuned for the size of the view."""
    from pyvis.network import Network

    net = Network(directed=False)
    p = style.physics
    net.force_atlas_2based(gravity=p.gravity, central_gravity=p.central_gravity, spring_length=p.spring_length,
                           spring_strength=p.spring_strength, damping=p.damping, overlap=p.overlap)
    net.options.physics.stabilization.iterations = style.layout.stabilization_iterations
    net.options.physics.stabilization.updateInterval = 25
    net.toggle_physics(physics)
    net.toggle_hide_edges_on_drag(not physics)
    options = json.loads(net.options.to_json())
    options["edges"] = {"smooth": {"enabled": physics, "type": "continuous"}, "color": {"inherit": False}}
    if edge_color:
        options["edges"]["color"].update(color=edge_color, highlight=style.lead.border_color)
    options["interaction"].update(hover=True, tooltipDelay=150, hideEdgesOnZoom=not physics,
                                  keyboard={"enabled": True, "bindToWindow": False})
    options["layout"] = {"randomSeed": style.layout.random_seed, "improvedLayout": physics}
    options["nodes"] = {"font": {"size": style.sizes.font, "face": "sans-serif"}}
    return options


def pyvis_model(view: View):
    """The view as a pyvis Network, with compact integer ids (the IRI stays on each node as ``iri``).

    The lists are filled directly: every node and edge is already unique here, and pyvis's own
    add_node scans a list and its undirected add_edge scans every edge (quadratic)."""
    from pyvis.edge import Edge
    from pyvis.network import Network
    from pyvis.node import Node

    index = {n["id"]: i for i, n in enumerate(view.nodes)}
    net = Network(directed=False)
    for n in view.nodes:
        opts = {k: v for k, v in n.items() if k not in ("id", "label", "shape")}
        net.nodes.append(Node(index[n["id"]], n["shape"], label=n["label"], iri=n["id"], **opts).options)
    net.node_ids = list(range(len(net.nodes)))
    net.node_map = dict(zip(net.node_ids, net.nodes))
    for i, e in enumerate(view.edges):
        opts = {k: v for k, v in e.items() if k not in ("from", "to")}
        net.edges.append(Edge(index[e["from"]], index[e["to"]], False, id=i, **opts).options)
    net.options = view.options
    return net, index


# -- the page --------------------------------------------------------------------------------------

def script_json(data) -> str:
    """JSON safe inside <script>: no ``</script>``, ``<!--`` or line separators can appear in it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def _asset(path: Path, closing: str):
    """An asset to inline; refused if it could close its own element or pull in anything."""
    from markupsafe import Markup

    text = path.read_text(encoding="utf-8")
    lowered = text.lower()
    if closing in lowered or "<!--" in lowered or "@import" in lowered:
        raise ReformKGError(f"cannot inline this asset: it contains '{closing}', '<!--' or '@import'", path=path)
    return Markup(text)


def vis_assets() -> tuple[Path, Path]:
    """vis-network 9.1.2 as shipped inside the pyvis package (so the page needs no CDN)."""
    import pyvis

    lib = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
    return lib / "vis-network.min.js", lib / "vis-network.css"


def render(view: View, style: Style, viz_dir: Path = paths.VIZ_DIR) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup

    env = Environment(loader=FileSystemLoader(str(viz_dir)), autoescape=True, undefined=StrictUndefined)
    net, index = pyvis_model(view)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    data = {"view": view.name, "nodes": nodes, "edges": edges, "options": json.loads(options),
            "physics": view.physics, "names": view.names, "cap": style.page.tooltip_max_items}
    vis_js, vis_css = vis_assets()
    return env.get_template(style.page.template).render(
        view=view, style=style, index=index, data=Markup(script_json(data)),
        vis_js=_asset(vis_js, "</script"), vis_css=_asset(vis_css, "</style"),
        page_js=_asset(viz_dir / "view.js", "</script"), page_css=_asset(viz_dir / "view.css", "</style"))


def make_view(net: AgencyNetwork, name: str = "collaboration", style: Style | None = None) -> View:
    if name not in VIEWS:
        raise ReformKGError(f"unknown view '{name}': expected one of {', '.join(VIEWS)}")
    return (collaboration_view if name == "collaboration" else measures_view)(net, style or load_style())


def write_view(net: AgencyNetwork, name: str, out: Path, style: Style | None = None) -> Path:
    from .atomic import write_text

    style = style or load_style()
    return write_text(Path(out), render(make_view(net, name, style), style))


def write_views(result, out_dir: Path) -> list[Path]:
    """Build output: collaboration.html, measures.html and network.csv, read from the built graph."""
    from .atomic import write_text
    from .build import GRAPH_FILE
    from .store import open_store

    net = read_network(open_store(Path(out_dir) / GRAPH_FILE))
    style = load_style()
    written = [write_view(net, name, Path(out_dir) / f"{name}.html", style) for name in VIEWS]
    written.append(write_text(Path(out_dir) / "network.csv", metrics_csv(metrics(net))))
    return written
