#!/usr/bin/env python3
"""How fast the network views are at scale: prints the figures behind the bound in tests/test_views.py.

A synthetic graph in the reformkg vocabulary (agencies in groups of 30, two-agency measures, 80 % of
them inside a group) goes through the real path: Oxigraph store → SPARQL → networkx → pyvis model →
HTML → headless Chromium (file://, network blocked). For each size it prints the Python time per step,
the HTML size and the time until the page is interactive (first ``afterDrawing`` with physics off).
It also times pyvis's own add_node/add_edge (undirected: quadratic) against building the lists
directly, and the browser's physics at a size where the views switch it off.

    .venv/bin/python benchmarks/bench_views.py              # 300/1,500, 1,000/5,000, 3,000/15,000
    .venv/bin/python benchmarks/bench_views.py --quick      # the 3,000/15,000 case only
    .venv/bin/python benchmarks/bench_views.py --screenshot docs/collaboration.png   # the README picture
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASE = "https://example.org/synthetic/"
RK = "https://w3id.org/reformkg/ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
KINDS = ["GovernmentDepartment", "LocalGovernment", "Court", "PartyOrgan", "CentralAgencyBranch",
         "StateOwnedEnterprise", "PublicInstitution", "MassOrganisation"]
GROUP = 30
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def synthetic_ntriples(agencies: int = 3000, links: int = 15000, seed: int = 1) -> str:
    """N-Triples of ``agencies`` agencies whose collaboration network has exactly ``links`` edges.

    Every link is one two-agency measure (lead + cooperating); a further 10 % of measures repeat a
    pair, so some links weigh more than one, without changing the number of links.
    """
    if links < agencies - (agencies + GROUP - 1) // GROUP or links > agencies * (agencies - 1) // 2:
        raise ValueError("cannot make that many links")
    rng = random.Random(seed)
    pairs: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()

    def add(a: int, b: int) -> None:
        pair = (min(a, b), max(a, b))
        if a != b and pair not in seen:
            seen.add(pair)
            pairs.append(pair)

    for i in range(agencies - 1):          # a chain inside each group: nobody is left out
        if (i + 1) // GROUP == i // GROUP and len(pairs) < links:
            add(i, i + 1)
    while len(pairs) < links:
        a = rng.randrange(agencies)
        if rng.random() < 0.8:
            start = a // GROUP * GROUP
            b = rng.randrange(start, min(start + GROUP, agencies))
        else:
            b = rng.randrange(agencies)
        add(a, b)
    measures = pairs + [rng.choice(pairs) for _ in range(links // 10)]
    lines = [f'<{BASE}notice/1> <{RDF_TYPE}> <{RK}Notice> .',
             f'<{BASE}notice/1> <{RK}docNumber> "合成〔2025〕1号" .']
    for i in range(agencies):
        a = f"<{BASE}agency/{i}>"
        lines += [f"{a} <{RDF_TYPE}> <{RK}Agency> .",
                  f'{a} <{SKOS}prefLabel> "合成单位{i}"@zh .',
                  f'{a} <{SKOS}prefLabel> "Synthetic agency {i}"@en .',
                  f"{a} <{RK}agencyType> <{RK}{KINDS[(i // GROUP) % len(KINDS)]}> .",
                  f"{a} <{RK}adminLevel> <{RK}MunicipalLevel> ."]
    for k, (a, b) in enumerate(measures, 1):
        m = f"<{BASE}measure/{k}>"
        lines += [f"{m} <{RDF_TYPE}> <{RK}Measure> .",
                  f'{m} <{RK}title> "合成举措{k}"@zh .',
                  f"{m} <{RK}level> <{RK}{'CityLevel' if k % 2 else 'DistrictLevel'}> .",
                  f'{m} <{RK}rank> "{k}"^^<http://www.w3.org/2001/XMLSchema#integer> .',
                  f"{m} <{RK}listedIn> <{BASE}notice/1> .",
                  f"{m} <{RK}leadAgency> <{BASE}agency/{a}> .",
                  f"{m} <{RK}cooperatingAgency> <{BASE}agency/{b}> ."]
    return "\n".join(lines) + "\n"


def synthetic_store(agencies: int = 3000, links: int = 15000, seed: int = 1):
    """An Oxigraph store with the ontology and the synthetic graph."""
    import pyoxigraph as ox

    from reformkg import paths
    from reformkg.store import OxigraphStore

    store = OxigraphStore()
    store.ox.bulk_load(path=str(paths.ONTOLOGY), format=ox.RdfFormat.TURTLE)
    store.ox.bulk_load(synthetic_ntriples(agencies, links, seed).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def open_until_ready(browser, html: Path, timeout_ms: int = 120_000) -> dict:
    """Open a view from file:// with every other request aborted; time until it is interactive."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    blocked: list[str] = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
               else (blocked.append(route.request.url), route.abort()))
    clock = time.perf_counter()
    page.goto(html.as_uri())
    page.wait_for_selector("body[data-ready]", state="attached", timeout=timeout_ms)
    wall = time.perf_counter() - clock
    facts = page.evaluate("() => ({ms: reformkgView.readyAt, how: reformkgView.how,"
                          " nodes: reformkgView.nodes.length, edges: reformkgView.edges.length})")
    page.close()
    return {"wall": wall, "blocked": blocked, **facts}


def bench_size(browser, agencies: int, links: int, runs: int, out: Path) -> None:
    from reformkg.network import read_network
    from reformkg.views import collaboration_view, measures_view, render
    from reformkg.viewstyle import load_style

    style = load_style()
    t0 = time.perf_counter()
    store = synthetic_store(agencies, links)
    t1 = time.perf_counter()
    net = read_network(store)
    t2 = time.perf_counter()
    for name, make in (("collaboration", collaboration_view), ("measures", measures_view)):
        t3 = time.perf_counter()
        view = make(net, style)
        t4 = time.perf_counter()
        html = out / f"{name}-{agencies}.html"
        html.write_text(render(view, style), encoding="utf-8")
        t5 = time.perf_counter()
        opened = [open_until_ready(browser, html) for _ in range(runs)]
        ready = statistics.median(o["ms"] for o in opened) / 1000
        wall = statistics.median(o["wall"] for o in opened)
        assert not any(o["blocked"] for o in opened), "a request left the page"
        print(f"| {name} | {agencies:,} / {links:,} | {opened[0]['nodes']:,} / {opened[0]['edges']:,} | "
              f"{t1 - t0:.2f} | {t2 - t1:.2f} | {t4 - t3:.2f} | {t5 - t4:.2f} | "
              f"{html.stat().st_size / 1e6:.1f} | {ready:.2f} | {wall:.2f} | {opened[0]['how']} |", flush=True)


def bench_pyvis(agencies: int = 2000, links: int = 10000) -> None:
    """pyvis's add_node/add_edge against building its lists directly (what reformkg.views does)."""
    import networkx as nx
    from pyvis.edge import Edge
    from pyvis.network import Network
    from pyvis.node import Node

    graph = nx.gnm_random_graph(agencies, links, seed=1)
    for directed in (False, True):
        net = Network(directed=directed)
        clock = time.perf_counter()
        for n in graph:
            net.add_node(n, label=str(n))
        for u, v in graph.edges():
            net.add_edge(u, v)
        print(f"| pyvis add_node + add_edge ({'directed' if directed else 'undirected'}) | "
              f"{agencies:,} / {links:,} | {time.perf_counter() - clock:.2f} s |")
    net = Network()
    clock = time.perf_counter()
    for n in graph:
        net.nodes.append(Node(n, "dot", label=str(n)).options)
        net.node_ids.append(n)
    net.edges = [Edge(u, v, False).options for u, v in graph.edges()]
    print(f"| reformkg: nodes/edges appended directly (deduplicated by networkx) | {agencies:,} / {links:,} | "
          f"{time.perf_counter() - clock:.2f} s |")


def bench_physics(browser, agencies: int, links: int, out: Path) -> None:
    """The same view with the browser's physics forced on: why large views are laid out in Python.

    Prints the time of the stabilisation iterations (what the page waits for), then how long vis
    would go on animating until every node rests if physics were left on (what the page avoids)."""
    from reformkg.network import read_network
    from reformkg.views import collaboration_view, render
    from reformkg.viewstyle import load_style

    style = load_style()
    forced = style.model_copy(update={"layout": style.layout.model_copy(update={"physics_max_nodes": 10**9})})
    view = collaboration_view(read_network(synthetic_store(agencies, links)), forced)
    html = out / f"physics-{agencies}.html"
    html.write_text(render(view, forced), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page.goto(html.as_uri())
    page.wait_for_selector("body[data-ready]", state="attached", timeout=180_000)
    iterations = page.evaluate("() => reformkgView.readyAt") / 1000
    rest = page.evaluate("""() => new Promise(done => { const n = reformkgView.network, t0 = performance.now();
        const timer = setTimeout(() => done(null), 30000);
        n.once("stabilized", () => { clearTimeout(timer); done(performance.now() - t0); });
        n.setOptions({physics: {enabled: true}}); n.startSimulation(); })""")
    page.close()
    rest_text = f"{rest / 1000:.1f} s more" if rest is not None else "not at rest after 30 s"
    print(f"| physics on ({style.layout.stabilization_iterations} stabilisation iterations), as for views up to "
          f"{style.layout.physics_max_nodes} nodes | {agencies:,} / {links:,} | {iterations:.2f} s interactive; "
          f"left animating until at rest: {rest_text} |")


def screenshot(browser, target: Path) -> None:
    """The README picture: dist/collaboration.html (built first if missing), opened like the tests do."""
    from reformkg import paths

    html = paths.DIST_DIR / "collaboration.html"
    if not html.exists():
        from reformkg.build import build

        build()
    page = browser.new_page(viewport={"width": 1400, "height": 860}, device_scale_factor=1)
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    page.goto(html.as_uri())
    page.wait_for_selector("body[data-ready]", state="attached", timeout=60_000)
    page.screenshot(path=str(target))
    page.close()
    print(f"wrote {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="only 3,000 agencies / 15,000 links")
    parser.add_argument("--runs", type=int, default=3, help="browser openings per view (median)")
    parser.add_argument("--screenshot", type=Path, metavar="PNG",
                        help="only write a screenshot of the collaboration view")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if args.screenshot:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            screenshot(browser, args.screenshot)
            browser.close()
        return

    sizes = [(3000, 15000)] if args.quick else [(300, 1500), (1000, 5000), (3000, 15000)]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        print("| view | agencies / links | nodes / edges drawn | load store s | SPARQL → networkx s |"
              " view model s | HTML s | HTML MB | interactive s (browser) | wall s | ready on |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for agencies, links in sizes:
            bench_size(browser, agencies, links, args.runs, Path(tmp))
        print()
        print("| step | nodes / edges | time |")
        print("|---|---|---|")
        bench_pyvis()
        if not args.quick:
            for agencies, links in ((100, 500), (300, 1500), (1000, 5000)):
                bench_physics(browser, agencies, links, Path(tmp))
        browser.close()


if __name__ == "__main__":
    main()
