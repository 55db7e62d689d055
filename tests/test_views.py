"""The HTML views in real headless Chromium (Debian's), opened from file:// with the network blocked.

Expected counts come from the notice rows: the collaboration view draws every unit of the tables
(units named only in the distribution list 有关单位 work on no measure and are not drawn) and one
link per pair of units sharing a row; the measures view draws the measures, the units and the
districts of the district-level measures, with one link per unit listed and one per district measure.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from rdflib import Literal
from rdflib.namespace import SKOS

from conftest import ROOT, split_units
from reformkg.errors import ReformKGError
from reformkg.namespaces import RK

CHROMIUM = Path(os.environ.get("REFORMKG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>window.pwned=1</script>"
# The bound for the 3,000-agency view to become interactive. benchmarks/bench_views.py measured a
# median of 1.2–1.6 s (browser clock, 2 busy cores): the bound leaves room for a loaded CI machine and
# still fails if the browser's physics comes back at this size (5 s of stabilisation at 1,000 agencies
# already, and no rest within 30 s).
SYNTHETIC_READY_BOUND_S = 8.0


# -- fixtures --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: the view tests need it. Install it with "
                    "`sudo apt-get install -y chromium` (or `make browser` as root).", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Opened:
    """A view opened offline: the page, what it tried to fetch, what it logged, the dialogs it raised."""

    def __init__(self, browser, html: Path, timeout_ms: int = 30_000):
        self.page = browser.new_page(viewport={"width": 1280, "height": 860})
        self.requests, self.errors, self.dialogs = [], [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

        def route(r):
            if r.request.url.startswith("file:"):
                return r.continue_()
            self.requests.append(r.request.url)
            return r.abort()

        self.page.route("**/*", route)
        self.page.goto(Path(html).resolve().as_uri())
        self.page.wait_for_selector("body[data-ready]", state="attached", timeout=timeout_ms)

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def counts(self) -> tuple[int, int, int, int]:
        return tuple(self.js("() => { const v = window.reformkgView, b = v.network.body;"
                             " return [v.nodes.length, v.edges.length, b.nodeIndices.length, b.edgeIndices.length]; }"))

    def drawn_pixels(self) -> int:
        return self.js("""() => { const c = document.querySelector('#network canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
            for (let i = 0; i < d.length; i += 4)
                if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) n++;
            return n; }""")

    def node_id(self, iri: str) -> int:
        return self.js(f"() => window.reformkgView.nodes.get({{filter: n => n.iri === {json.dumps(iri)}}})[0].id")

    def hover_tooltip(self, node: int) -> str:
        """Move the mouse onto a node and return the text of the tooltip vis-network shows."""
        x, y = self.js(f"""() => {{ const n = window.reformkgView.network; n.moveTo({{scale: 1.2,
            position: n.getPositions([{node}])[{node}], animation: false}}); n.redraw();
            const p = n.canvasToDOM(n.getPositions([{node}])[{node}]);
            const r = document.getElementById('network').getBoundingClientRect();
            return [r.left + p.x, r.top + p.y]; }}""")
        self.page.mouse.move(x - 3, y - 3)
        self.page.mouse.move(x, y)
        self.wait("() => { const t = document.querySelector('div.vis-tooltip');"
                  " return !!t && t.style.visibility === 'visible' && t.textContent.length > 0; }")
        return self.js("() => document.querySelector('div.vis-tooltip').textContent")

    def wait(self, predicate: str, timeout_s: float = 5.0) -> None:
        """Poll a predicate with evaluate (the page's CSP forbids the eval behind wait_for_function)."""
        deadline = time.monotonic() + timeout_s
        while not self.js(predicate):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {predicate}")
            self.page.wait_for_timeout(50)

    def close(self):
        self.page.close()


def out_dir(built) -> Path:
    return built.written[0].parent


def rows_units(rows):
    return {u for r in rows for u in split_units(r["units"])}


def rows_pairs(rows):
    return {frozenset(p) for r in rows for p in itertools.combinations(sorted(set(split_units(r["units"]))), 2)}


def rows_districts(rows):
    return {re.match(r"^(.+?区)", split_units(r["units"])[0]).group(1) for r in rows if r["level"] == "district"}


# -- the Xiamen views ------------------------------------------------------------------------------

def tax_bureau(graph):
    return next(a for a in graph.subjects(SKOS.altLabel, Literal("市税务局", lang="zh")))


def test_collaboration_view_in_chromium(browser, built, graph, notice_rows):
    page = Opened(browser, out_dir(built) / "collaboration.html")
    try:
        agencies, links = len(rows_units(notice_rows)), len(rows_pairs(notice_rows))
        assert (agencies, links) == (43, 99)
        assert page.counts() == (agencies, links, agencies, links)
        assert page.requests == [] and page.errors == [] and page.dialogs == []
        assert page.drawn_pixels() > 5000
        assert page.js("() => document.body.dataset.ready") == "stabilized"
        assert page.js("() => document.querySelector('.doc-number').textContent") == "厦府办〔2025〕38号"
        assert page.js("() => document.querySelectorAll('#find-names option').length") == agencies
        # find a unit by the name the notice uses: it is selected
        page.page.fill("#find", "市税务局")
        page.page.press("#find", "Enter")
        selected = page.js("() => window.reformkgView.network.getSelectedNodes()")
        assert len(selected) == 1
        assert page.js(f"() => window.reformkgView.nodes.get({selected[0]}).label") == "市税务局"
        # its tooltip: zh and en names, kind, level, the titles of its measures
        tip = page.hover_tooltip(selected[0])
        level = graph.value(graph.value(tax_bureau(graph), RK.adminLevel), SKOS.prefLabel)  # curated, not in the notice
        titles = [r["title"] for r in notice_rows if "市税务局" in split_units(r["units"])]
        assert len(titles) == 3
        for text in ("国家税务总局厦门市税务局", "Xiamen Municipal Tax Service", "local branch of a central agency",
                     str(level), *titles):
            assert text in tip
        # colour by community switches the legend
        page.page.select_option("#colour-by", "community")
        assert page.js("() => document.getElementById('legend-community').hidden") is False
        assert page.errors == []
    finally:
        page.close()


def test_measures_view_in_chromium(browser, built, notice_rows):
    page = Opened(browser, out_dir(built) / "measures.html")
    try:
        districts = rows_districts(notice_rows)
        nodes = len(notice_rows) + len(rows_units(notice_rows)) + len(districts)
        edges = sum(len(split_units(r["units"])) for r in notice_rows) + sum(r["level"] == "district"
                                                                              for r in notice_rows)
        assert (nodes, edges) == (20 + 43 + 6, 54 + 10)
        assert page.counts() == (nodes, edges, nodes, edges)
        assert page.requests == [] and page.errors == [] and page.dialogs == []
        assert page.drawn_pixels() > 5000
        roles = page.js("() => window.reformkgView.edges.map(e => [e.role, !!e.dashes])")
        assert sorted(set(map(tuple, roles))) == [("cooperating", True), ("district", True), ("lead", False)]
        assert sum(r == "lead" for r, _ in roles) == len(notice_rows)
        labels = page.js("() => window.reformkgView.nodes.map(n => n.label)")
        assert districts <= set(labels)
        # a measure's tooltip carries its figures
        row = next(r for r in notice_rows if r["title"].startswith("打造“电力+AI”"))
        node = page.js(f"() => window.reformkgView.nodes.get({{filter: n => (n.find || '').startsWith("
                       f"{json.dumps(row['title'])})}})[0].id")
        tip = page.hover_tooltip(node)
        assert row["title"] in tip and "267,000,000 千瓦时" in tip and "2.67 亿千瓦时" in tip
    finally:
        page.close()


# -- hostile labels --------------------------------------------------------------------------------

def hostile_store():
    """The ontology plus two measures whose agencies, district, notice and figure carry markup."""
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF, SKOS, XSD

    from reformkg import paths
    from reformkg.namespaces import DCTERMS, RK
    from reformkg.store import RdflibStore

    ex = Namespace("https://example.org/hostile/")
    g = Graph().parse(paths.ONTOLOGY)
    a_img, a_script, a_plain, m1, m2, notice, district, ind = (
        ex["agency/img"], ex["agency/script"], ex["agency/plain"], ex["measure/1"], ex["measure/2"], ex["notice"],
        ex["district/1"], ex["measure/1/indicator/1"])
    for agency, label, kind in ((a_img, IMG, RK.Court), (a_script, SCRIPT, RK.PartyOrgan),
                                (a_plain, "市普通局", RK.GovernmentDepartment)):
        g += [(agency, RDF.type, RK.Agency), (agency, SKOS.prefLabel, Literal(label, lang="zh")),
              (agency, SKOS.prefLabel, Literal(label, lang="en")), (agency, RK.agencyType, kind),
              (agency, RK.adminLevel, RK.MunicipalLevel)]
    g += [(notice, RDF.type, RK.Notice), (notice, RK.docNumber, Literal(IMG + "〔2025〕1号")),
          (notice, DCTERMS.title, Literal(SCRIPT, lang="zh")),
          (district, RDF.type, RK.District),
          (district, SKOS.prefLabel, Literal("<b onmouseover=alert(1)>区</b>", lang="zh"))]
    for m, rank, level, lead, others in ((m1, 1, RK.CityLevel, a_img, (a_script, a_plain)),
                                         (m2, 2, RK.DistrictLevel, a_script, (a_plain,))):
        g += [(m, RDF.type, RK.Measure), (m, RK.title, Literal(SCRIPT + str(rank), lang="zh")),
              (m, SKOS.prefLabel, Literal(IMG, lang="en")), (m, RK.rank, Literal(rank, datatype=XSD.integer)),
              (m, RK.level, level), (m, RK.listedIn, notice), (m, RK.leadAgency, lead), (m, RK.involvesAgency, lead)]
        g += [(m, RK.cooperatingAgency, a) for a in others] + [(m, RK.involvesAgency, a) for a in others]
    g += [(m2, RK.district, district), (m1, RK.hasIndicator, ind),
          (ind, RK.value, Literal("5", datatype=XSD.decimal)), (ind, RK.unit, Literal(SCRIPT)),
          (ind, RK.sourceText, Literal(IMG, lang="zh"))]
    assert isinstance(a_img, URIRef)
    return RdflibStore(g)


@pytest.mark.parametrize("view", ["collaboration", "measures"])
def test_hostile_labels_render_as_text(browser, tmp_path, view):
    from reformkg.network import read_network
    from reformkg.views import write_view

    html = write_view(read_network(hostile_store()), view, tmp_path / f"{view}.html")
    raw = html.read_text(encoding="utf-8")
    assert raw.lower().count("</script") == 3          # vis, data, page: nothing closes a script early
    assert "<script>window.pwned" not in raw and IMG not in raw
    page = Opened(browser, html)
    try:
        assert page.js("() => typeof window.pwned") == "undefined"
        assert page.dialogs == [] and page.requests == [] and page.errors == []
        assert page.js("() => [document.querySelectorAll('img, b').length, document.scripts.length]") == [0, 3]
        assert page.js("() => document.querySelector('.doc-number').textContent") == IMG + "〔2025〕1号"
        assert SCRIPT in page.js("() => document.querySelector('.source').textContent")
        node = page.node_id("https://example.org/hostile/agency/img")
        assert page.js(f"() => window.reformkgView.nodes.get({node}).label") == IMG
        assert IMG in page.js("() => Array.from(document.querySelectorAll('#find-names option'), o => o.value)")
        tip = page.hover_tooltip(node)
        assert IMG in tip and SCRIPT + "1" in tip
        assert page.js("() => document.querySelectorAll('div.vis-tooltip *:is(img, script, b)').length") == 0
        if view == "collaboration":
            assert SCRIPT in page.js("() => document.querySelector('table.hubs').textContent")
        else:
            tip = page.hover_tooltip(page.node_id("https://example.org/hostile/measure/1"))
            assert SCRIPT in tip and IMG in tip     # the figure's unit and source clause, as text
            assert "<b onmouseover=alert(1)>区</b>" in page.js("() => window.reformkgView.nodes.map(n => n.label)")
        assert page.js("() => typeof window.pwned") == "undefined" and page.dialogs == []
    finally:
        page.close()


# -- scale -----------------------------------------------------------------------------------------

def load_bench():
    spec = importlib.util.spec_from_file_location("bench_views", ROOT / "benchmarks" / "bench_views.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_three_thousand_agencies_become_interactive(browser, tmp_path):
    from reformkg.network import read_network
    from reformkg.views import write_view

    net = read_network(load_bench().synthetic_store(3000, 15000))
    html = write_view(net, "collaboration", tmp_path / "big.html")
    page = Opened(browser, html, timeout_ms=int(SYNTHETIC_READY_BOUND_S * 1000) + 30_000)
    try:
        ready_s = page.js("() => window.reformkgView.readyAt") / 1000
        assert page.js("() => [document.body.dataset.physics, document.body.dataset.ready]") == ["off", "afterDrawing"]
        assert page.counts() == (3000, 15000, 3000, 15000)
        assert page.requests == [] and page.errors == []
        assert ready_s < SYNTHETIC_READY_BOUND_S, f"interactive after {ready_s:.1f} s"
        positions = page.js("() => Object.values(window.reformkgView.network.getPositions())"
                            ".map(p => p.x + ',' + p.y)")
        assert len(set(positions)) == 3000      # laid out in Python: every node has its own place
    finally:
        page.close()


# -- the page without a browser --------------------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_page_is_self_contained(built):
    for name in ("collaboration", "measures"):
        raw = (out_dir(built) / f"{name}.html").read_text(encoding="utf-8")
        parser = _Tags()
        parser.feed(raw)
        fetching = [(t, a) for t, a in parser.tags if t in ("link", "img", "iframe", "object", "embed")
                    or (t == "script" and "src" in a)]
        assert fetching == []
        csp = next(a["content"] for t, a in parser.tags if t == "meta" and a.get("http-equiv") ==
                   "Content-Security-Policy")
        assert "default-src 'none'" in csp and "connect-src 'none'" in csp
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", raw)
        assert "cdnjs" not in raw and "jsdelivr" not in raw and "bootstrap" not in raw.lower()


def test_script_json_cannot_close_a_script():
    from reformkg.views import script_json

    value = {"a": "</script><!-- <script>x</script> & \u2028"}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_every_agency_kind_and_level_has_a_colour():
    from rdflib import Graph
    from rdflib.namespace import SKOS

    from reformkg import paths
    from reformkg.namespaces import RK
    from reformkg.viewstyle import load_style

    ontology = Graph().parse(paths.ONTOLOGY)
    kinds = {str(ontology.value(c, SKOS.notation)) for c in ontology.subjects(SKOS.inScheme, RK.AgencyTypes)}
    levels = {str(ontology.value(c, SKOS.notation)) for c in ontology.subjects(SKOS.inScheme, RK.MeasureLevels)}
    style = load_style()
    assert len(kinds) == 11 and set(style.agency_kinds) == kinds
    assert set(style.levels) == levels == {"city", "district"}


@pytest.mark.parametrize("change, message", [
    (("levels:\n  city: \"#1f4e8c\"", "levels:\n  city: \"red;background:url(http://x/)\""), "levels.city"),
    (("hubs: 8", "hubs: 8\n  hub_colour: red"), "page.hub_colour: Extra inputs are not permitted"),
])
def test_bad_style_is_one_clear_error(tmp_path, change, message):
    from reformkg import paths
    from reformkg.viewstyle import load_style

    text = (paths.VIZ_DIR / "views.yaml").read_text(encoding="utf-8")
    assert change[0] in text
    bad = tmp_path / "views.yaml"
    bad.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    with pytest.raises(ReformKGError) as err:
        load_style(bad)
    assert str(err.value).startswith(f"{bad}: ") and message in str(err.value)


def test_viz_command_filters_and_writes(built, notice_rows, tmp_path):
    from reformkg.cli import main

    graph = next(p for p in built.written if p.name == "reformkg.ttl")
    out = tmp_path / "district.html"
    result = CliRunner().invoke(main, ["viz", "--graph", str(graph), "--view", "measures", "--level", "district",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(re.search(r'<script id="view-data" type="application/json">(.*?)</script>',
                                out.read_text(encoding="utf-8"), re.S).group(1))
    rows = [r for r in notice_rows if r["level"] == "district"]
    assert len(data["nodes"]) == len(rows) + len(rows_units(rows)) + len(rows_districts(rows))
    assert len(data["edges"]) == sum(len(split_units(r["units"])) for r in rows) + len(rows)
    bad = CliRunner().invoke(main, ["viz", "--graph", str(graph), "--topic", "nope", "--out", str(out)])
    assert bad.exit_code == 1 and "unknown topic 'nope'" in bad.output


def test_large_measures_view_is_laid_out_in_python(built):
    """Above ``physics_max_nodes`` the measures view has a position for every node (forced here on the
    notice's 20 measures), and the same nodes and links as the view the browser lays out."""
    from reformkg.network import read_network
    from reformkg.store import open_store
    from reformkg.views import load_style, measures_view

    style = load_style()
    forced = style.model_copy(update={"layout": style.layout.model_copy(update={"physics_max_nodes": 0})})
    net = read_network(open_store(out_dir(built) / "reformkg.ttl"))
    laid_out, free = measures_view(net, forced), measures_view(net, style)
    assert (laid_out.physics, free.physics) == (False, True)
    assert all("x" in n and "y" in n for n in laid_out.nodes) and not any("x" in n for n in free.nodes)
    assert len({(n["x"], n["y"]) for n in laid_out.nodes}) == len(laid_out.nodes)
    strip = [{k: v for k, v in n.items() if k not in ("x", "y")} for n in laid_out.nodes]
    assert strip == free.nodes and laid_out.edges == free.edges
