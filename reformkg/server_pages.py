"""What the server answers at each path: the request handlers and their HTML (Jinja2, autoescaped).

``reformkg.server`` runs the queries (worker pool, formats, negotiation); this module turns requests into
jobs for it and its replies into responses: the query page, result tables, entity pages, RDF.

Every IRI under the base IRI links to its local ``/id/…`` page, so the pages can be browsed whatever
base the graph was built with. Labels come from the triples the page shows (skos:prefLabel, rdfs:label).
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from . import paths
from .namespaces import PREFIXES
from .server import (CONTENT_TYPES, DUMPS, FORMAT_PARAMS, RDF_OFFERS, READ_ONLY, QueryTimeout, WorkerDied,
                     WorkerPool, examples, is_update, negotiate, parse_form, result_formats)

STYLE = """body{font:15px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em} .iri{color:#666;font-size:.9em;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:1em 0} td,th{border-bottom:1px solid #ddd;padding:.3em .5em;
text-align:left;vertical-align:top} th{background:#f5f5f5} textarea{width:100%;font:13px monospace}
.lang,.dt{color:#888;font-size:.8em} nav a{margin-right:1em} details{margin:.4em 0} pre{background:#f7f7f7;
padding:.5em;overflow:auto;font-size:12px} .note{color:#a60}"""

BASE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }} · reformkg</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{% block head %}{% endblock %}
<style>{{ style }}</style></head><body><nav><a href="/">Query</a><a href="/ns">Ontology</a>
<a href="/catalog">Catalogue (DCAT)</a><a href="/dist/reformkg.ttl">Download (Turtle)</a></nav>
{% block body %}{% endblock %}</body></html>"""

HOME = """{% extends "base" %}{% block body %}
<h1>reformkg SPARQL endpoint</h1>
<p>{{ triples }} triples, read-only. Results are cut at {{ max_rows }} rows; a query stops after {{ timeout }} s.
SPARQL 1.1 Protocol at <code>/sparql</code> (GET or POST); entities at <code>/id/…</code>. Prefixes such as
<code>rk:</code>, <code>skos:</code>, <code>dcterms:</code> may be left out.</p>
<form method="get" action="/sparql"><textarea id="query" name="query" rows="14">{{ query }}</textarea>
<p><label>Result format <select name="format"><option value="html">HTML table</option>
<option value="json">JSON</option><option value="xml">XML</option><option value="csv">CSV</option>
<option value="tsv">TSV</option><option value="turtle">Turtle (CONSTRUCT)</option>
<option value="json-ld">JSON-LD (CONSTRUCT)</option></select></label> <button type="submit">Run query</button></p>
</form>
<h2>Named queries</h2>
{% for ex in examples %}<details><summary><strong>{{ ex.title }}</strong> <code>{{ ex.name }}</code>
— <a href="/sparql?query={{ ex.text | urlencode }}&amp;format=html">run</a>
<button type="button" data-example="{{ loop.index0 }}">edit</button></summary>
<p>{{ ex.description }}</p><pre>{{ ex.text }}</pre></details>
{% else %}<p>No named queries in <code>queries/</code>.</p>{% endfor %}
<script>const examples = {{ texts | tojson }};
document.querySelectorAll("button[data-example]").forEach(b => b.addEventListener("click", () => {
  document.getElementById("query").value = examples[+b.dataset.example]; window.scrollTo(0, 0); }));</script>
{% endblock %}"""

RESULTS = """{% extends "base" %}{% block body %}
<h1>Results</h1><pre>{{ query }}</pre>
{% if truncated %}<p class="note">Only the first {{ max_rows }} rows are shown (the row cap).</p>{% endif %}
{% if result.kind == "ask" %}<p><strong>{{ "true" if result.boolean else "false" }}</strong></p>
{% elif result.kind == "graph" %}<p>{{ result.triples | length }} triples</p>
<table><tr><th>subject</th><th>predicate</th><th>object</th></tr>
{% for s, p, o in result.triples %}<tr><td>{{ term(s) }}</td><td>{{ term(p) }}</td><td>{{ term(o) }}</td></tr>{% endfor %}
</table>{% else %}<p>{{ result.rows | length }} rows</p>
<table><tr>{% for v in result.variables %}<th>{{ v }}</th>{% endfor %}</tr>
{% for row in result.rows %}<tr>{% for t in row %}<td>{{ term(t) }}</td>{% endfor %}</tr>{% endfor %}</table>
{% endif %}<p><a href="/?query={{ query | urlencode }}">Edit the query</a></p>{% endblock %}"""

ENTITY = """{% extends "base" %}{% block head %}
<link rel="alternate" type="text/turtle" href="?format=ttl">
<link rel="alternate" type="application/ld+json" href="?format=jsonld">{% endblock %}{% block body %}
<h1>{{ heading }}</h1><div class="iri">{{ iri }}</div>
<p>{% for t in types %}{{ term(t) }} {% endfor %} · <a href="?format=ttl">Turtle</a>
· <a href="?format=jsonld">JSON-LD</a> · <a href="?format=nt">N-Triples</a></p>
<table><tr><th>property</th><th>value</th></tr>
{% for p, values in outgoing %}<tr><td>{{ term(p) }}</td><td>{% for v in values %}{{ term(v) }}<br>{% endfor %}</td></tr>
{% endfor %}</table>
{% if neighbours %}<h2>Network neighbourhood</h2><p>Agencies listed on the same measures, by shared measures.</p>
<table><tr><th>agency</th><th>shared measures</th></tr>{% for other, label, n in neighbours %}
<tr><td><a href="{{ href(other) }}">{{ label }}</a></td><td>{{ n }}</td></tr>{% endfor %}</table>{% endif %}
{% if incoming %}<h2>Referred to by</h2><table><tr><th>property</th><th>from</th></tr>
{% for p, subjects in incoming %}<tr><td>{{ term(p) }}</td><td>{% for s in subjects %}{{ term(s) }}<br>{% endfor %}</td></tr>
{% endfor %}</table>{% endif %}{% endblock %}"""

MESSAGE = """{% extends "base" %}{% block body %}<h1>{{ title }}</h1><p>{{ message }}</p>{% endblock %}"""

LABELS = (SKOS.prefLabel, RDFS.label)


@functools.lru_cache(maxsize=1)
def _env():
    from jinja2 import DictLoader, Environment

    env = Environment(loader=DictLoader({"base": BASE, "home": HOME, "results": RESULTS, "entity": ENTITY,
                                         "message": MESSAGE}), autoescape=True)
    env.globals["style"] = STYLE
    return env


def _render(template: str, **context) -> str:
    return _env().get_template(template).render(**context)


def home_page(examples: list[dict], triples: int, base: str, max_rows: int, timeout: float, query: str = "") -> str:
    default = "SELECT ?measure ?title WHERE {\n  ?measure a rk:Measure ; rk:title ?title .\n} ORDER BY ?measure"
    return _render("home", title="SPARQL", examples=examples, texts=[e["text"] for e in examples], triples=triples,
                   max_rows=max_rows, timeout=f"{timeout:g}", query=query or default)


def results_page(query: str, result, truncated: bool, max_rows: int, base: str) -> str:
    labels = _labels(result.triples) if result.kind == "graph" else {}
    return _render("results", title="Results", query=query, result=result, truncated=truncated, max_rows=max_rows,
                   term=_term_renderer(base, labels))


def entity_page(iri: str, triples: list, neighbours: list, base: str) -> str:
    subject = URIRef(iri)
    labels = _labels(triples)
    outgoing: dict = {}
    incoming: dict = {}
    for s, p, o in sorted(triples, key=lambda t: (str(t[1]), str(t[2]), str(t[0]))):
        if s == subject and p != RDF.type:
            outgoing.setdefault(p, []).append(o)
        elif o == subject:
            incoming.setdefault(p, []).append(s)
    types = sorted({o for s, p, o in triples if s == subject and p == RDF.type}, key=str)
    heading = " / ".join(_names(labels.get(subject, {}))) or iri
    return _render("entity", title=heading, heading=heading, iri=iri, types=types, outgoing=list(outgoing.items()),
                   incoming=list(incoming.items()), neighbours=neighbours, term=_term_renderer(base, labels),
                   href=lambda t: _href(t, base))


def message_page(title: str, message: str) -> str:
    return _render("message", title=title, message=message)


# -- terms -----------------------------------------------------------------------------------------

def _labels(triples) -> dict:
    out: dict = {}
    for s, p, o in triples:
        if p in LABELS and isinstance(o, Literal):
            out.setdefault(s, {}).setdefault(o.language or "", str(o))
    return out


def _names(by_lang: dict) -> list[str]:
    """zh first, then en, then the rest: the notices are Chinese, the English is curated."""
    order = sorted(by_lang, key=lambda lang: ({"zh": 0, "en": 1}.get(lang, 2), lang))
    return [by_lang[lang] for lang in order]


def _href(term, base: str) -> str:
    text = str(term)
    return "/id/" + text[len(base):] if text.startswith(base) else text


def _compact(iri: str) -> str:
    best = max(((p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns)), default=None, key=lambda x: len(x[1]))
    return f"{best[0]}:{iri[len(best[1]):]}" if best else iri


def _term_renderer(base: str, labels: dict):
    from markupsafe import Markup, escape

    def render(term) -> Markup:
        if term is None:
            return Markup("")
        if isinstance(term, Literal):
            extra = (f' <span class="lang">@{escape(term.language)}</span>' if term.language else
                     f' <span class="dt">{escape(_compact(str(term.datatype)))}</span>' if term.datatype else "")
            return Markup(f"{escape(str(term))}{extra}")
        if isinstance(term, BNode):
            return Markup(f"_:{escape(str(term))}")
        names = _names(labels.get(term, {}))
        text = names[0] if names else (str(term)[len(base):] if str(term).startswith(base) else _compact(str(term)))
        return Markup(f'<a href="{escape(_href(term, base))}" title="{escape(str(term))}">{escape(text)}</a>')

    return render


# -- the request handlers --------------------------------------------------------------------------

class Site:
    """The request handlers, sharing the pool, the base IRI and the files beside the graph."""

    def __init__(self, pool: WorkerPool, graph_file: Path, base: str | None, max_rows: int, timeout: float):
        self.pool, self.graph_file, self.base = pool, graph_file, base
        self.max_rows, self.timeout = max_rows, timeout
        self.catalog_graph = None
        self.docs_html: str | None = None
        self.examples: list[dict] = []

    def start(self) -> None:
        """Start the workers; take the base IRI from the graph's notice IRIs unless one was given."""
        from .export import base_of
        from .iris import DEFAULT_BASE

        self.pool.start()
        if self.base is None:
            self.base = base_of(self.pool.notice or "") or DEFAULT_BASE
        catalog = self.graph_file.parent / "catalog.ttl"
        if catalog.exists():
            from rdflib import Graph

            self.catalog_graph = Graph().parse(catalog, format="turtle")
        self.examples = examples(self.base)

    # -- pages ------------------------------------------------------------------------------------
    async def home(self, request):
        from starlette.responses import HTMLResponse

        return HTMLResponse(home_page(self.examples, self.pool.triples, self.base, self.max_rows, self.timeout,
                                      request.query_params.get("query", "")))

    async def sparql(self, request):
        from starlette.responses import HTMLResponse, PlainTextResponse, Response

        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await request.body()
            if ctype == "application/sparql-update":
                return PlainTextResponse(READ_ONLY, status_code=403)
            if ctype == "application/sparql-query":
                params["query"] = [body.decode("utf-8", errors="replace")]
            elif ctype in ("application/x-www-form-urlencoded", ""):
                for key, values in parse_form(body).items():
                    params.setdefault(key, []).extend(values)
            else:
                return PlainTextResponse(f"unsupported content type '{ctype}': send application/sparql-query "
                                         "or a form with query=", status_code=415)
        if "update" in params or any(is_update(q) for q in params.get("query", [])):
            return PlainTextResponse(READ_ONLY, status_code=403)
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            if not queries and negotiate(request.headers.get("accept"), ["application/json", "text/html"]) == \
                    "text/html":
                return await self.home(request)
            return PlainTextResponse("expected exactly one 'query' parameter with a SPARQL query", status_code=400)
        select_fmt, graph_fmt = result_formats(request.headers.get("accept"),
                                               params.get("format", []) + params.get("output", []))
        reply = await self._submit(("query", queries[0], select_fmt, graph_fmt, self.max_rows))
        if isinstance(reply, Response):
            return reply
        _, kind, fmt, body, truncated = reply
        headers = {"X-Result-Limit": str(self.max_rows), "X-Result-Truncated": "true" if truncated else "false",
                   "Vary": "Accept"}
        if fmt == "html":
            return HTMLResponse(results_page(queries[0], body, truncated, self.max_rows, self.base), headers=headers)
        return Response(body, media_type=CONTENT_TYPES[(kind, fmt)], headers=headers)

    async def entity(self, request):
        from starlette.responses import PlainTextResponse, Response

        iri = self.base + request.path_params["rest"]
        offer = self._offer(request)
        if offer is None:
            return PlainTextResponse("not acceptable: this resource is available as " + ", ".join(RDF_OFFERS),
                                     status_code=406, headers={"Vary": "Accept"})
        reply = await self._submit(("entity", iri, self.max_rows))
        if isinstance(reply, Response):
            return reply
        _, triples, neighbours = reply
        if self.catalog_graph is not None:
            from rdflib import URIRef

            triples = triples + list(self.catalog_graph.triples((URIRef(iri), None, None)))
        if not triples:
            return PlainTextResponse(f"nothing is known about <{iri}>", status_code=404, headers={"Vary": "Accept"})
        return self._rdf(triples, offer, lambda: entity_page(iri, triples, neighbours, self.base))

    async def ontology(self, request):
        from starlette.responses import HTMLResponse, PlainTextResponse, Response

        offer = self._offer(request)
        if offer is None:
            return PlainTextResponse("not acceptable: the ontology is available as " + ", ".join(RDF_OFFERS),
                                     status_code=406, headers={"Vary": "Accept"})
        if offer == "text/turtle":
            return Response(paths.ONTOLOGY.read_bytes(), media_type="text/turtle; charset=utf-8",
                            headers={"Vary": "Accept"})
        if offer == "text/html":
            return HTMLResponse(await asyncio.get_running_loop().run_in_executor(None, self._docs),
                                headers={"Vary": "Accept"})
        from rdflib import Graph

        return self._rdf(list(Graph().parse(paths.ONTOLOGY, format="turtle")), offer, None)

    async def catalog(self, request):
        from starlette.responses import PlainTextResponse

        if self.catalog_graph is None:
            return PlainTextResponse("no catalog.ttl beside the graph: run `reformkg build`", status_code=404)
        from rdflib import Graph

        from .catalog import add_endpoint

        graph = Graph()
        for t in self.catalog_graph:
            graph.add(t)
        add_endpoint(graph, self.base, str(request.url_for("sparql")))
        offer = self._offer(request)
        return self._rdf(list(graph), "text/turtle" if offer in (None, "text/html") else offer, None)

    async def dump(self, request):
        from starlette.responses import FileResponse, PlainTextResponse

        name = request.path_params["name"]
        path = self.graph_file.parent / name
        if name not in DUMPS or not path.is_file():
            return PlainTextResponse(f"no such file: {name} (available: {', '.join(DUMPS)})", status_code=404)
        return FileResponse(path, media_type=DUMPS[name])

    # -- helpers ----------------------------------------------------------------------------------
    async def _submit(self, job: tuple):
        from starlette.responses import PlainTextResponse

        try:
            reply = await self.pool.submit(job)
        except QueryTimeout:
            return PlainTextResponse(f"the query ran longer than the time limit of {self.timeout:g} s and was "
                                     "stopped", status_code=503)
        except WorkerDied:
            return PlainTextResponse("the query worker stopped unexpectedly (out of memory?); it was replaced",
                                     status_code=500)
        if reply[0] == "bad":
            return PlainTextResponse(reply[1], status_code=400)
        if reply[0] == "error":
            return PlainTextResponse(f"the query failed: {reply[1]}", status_code=500)
        return reply

    @staticmethod
    def _offer(request) -> str | None:
        wanted = request.query_params.get("format")
        if wanted and FORMAT_PARAMS.get(wanted.lower()) in ("ttl", "jsonld", "nt", "html"):
            return {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
                    "html": "text/html"}[FORMAT_PARAMS[wanted.lower()]]
        return negotiate(request.headers.get("accept"), RDF_OFFERS)

    def _rdf(self, triples: list, offer: str, html):
        from starlette.responses import HTMLResponse, Response

        from .export import serialize

        headers = {"Vary": "Accept"}
        if offer == "text/html" and html is not None:
            return HTMLResponse(html(), headers=headers)
        fmt = {"application/ld+json": "jsonld", "application/n-triples": "nt"}.get(offer, "ttl")
        return Response(serialize(triples, fmt, self.base), media_type=CONTENT_TYPES[("graph", fmt)],
                        headers=headers)

    def _docs(self) -> str:
        if self.docs_html is None:
            built = self.graph_file.parent / "ontology" / "index.html"
            if built.exists():
                self.docs_html = built.read_text(encoding="utf-8")
            else:
                from .ontodocs import ontology_html

                try:
                    self.docs_html = ontology_html()
                except ImportError:
                    self.docs_html = message_page("Ontology", "pyLODE is not installed: the ontology is available "
                                                  "as Turtle at /ns (Accept: text/turtle).")
        return self.docs_html
