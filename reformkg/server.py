"""``reformkg serve``: a read-only SPARQL 1.1 endpoint and dereferenceable IRIs (starlette + uvicorn).

Queries run in a small pool of worker processes, each with its own read-only store (``open_store``).
A pyoxigraph query cannot be interrupted from Python, so a query over the time limit is stopped by
killing its worker, which is then replaced: the CPU really stops, and memory is given back. Results
are cut at a row cap. Updates are refused with 403, whichever way they are sent.

Routes (handlers in ``server_pages``): ``/`` query page, ``/sparql`` the endpoint, ``/id/<rest>`` every
entity under the base IRI (HTML, Turtle, JSON-LD or N-Triples by ``Accept``), ``/ns`` the ontology,
``/catalog`` the DCAT description with this endpoint, ``/dist/<file>`` the dumps.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import re
import sys
import urllib.parse
from pathlib import Path

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 2
SELECT_TYPES = {"application/sparql-results+json": "json", "application/json": "json",
                "application/sparql-results+xml": "xml", "application/xml": "xml", "text/csv": "csv",
                "text/tab-separated-values": "tsv", "text/html": "html"}
GRAPH_TYPES = {"text/turtle": "ttl", "application/x-turtle": "ttl", "application/n-triples": "nt",
               "application/ld+json": "jsonld", "application/rdf+xml": "xml", "text/html": "html"}
CONTENT_TYPES = {("select", "json"): "application/sparql-results+json",
                 ("select", "xml"): "application/sparql-results+xml", ("select", "csv"): "text/csv; charset=utf-8",
                 ("select", "tsv"): "text/tab-separated-values; charset=utf-8",
                 ("graph", "ttl"): "text/turtle; charset=utf-8", ("graph", "nt"): "application/n-triples",
                 ("graph", "jsonld"): "application/ld+json", ("graph", "xml"): "application/rdf+xml"}
FORMAT_PARAMS = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "ttl", "ttl": "ttl", "n3": "ttl",
                 "nt": "nt", "ntriples": "nt", "json-ld": "jsonld", "jsonld": "jsonld", "rdf+xml": "xml",
                 "rdfxml": "xml", "html": "html", **SELECT_TYPES, **GRAPH_TYPES}
RDF_OFFERS = ["text/turtle", "text/html", "application/ld+json", "application/n-triples"]
DUMPS = {"reformkg.ttl": "text/turtle; charset=utf-8", "reformkg.nt": "application/n-triples",
         "reformkg.jsonld": "application/ld+json", "reformkg.trig": "application/trig",
         "catalog.ttl": "text/turtle; charset=utf-8"}
UPDATE_START = re.compile(r"^\s*(?:(?:PREFIX\s+[^:\s]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
                          r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
READ_ONLY = "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP…) is refused"


class QueryTimeout(Exception):
    pass


class WorkerDied(Exception):
    pass


# -- the worker processes --------------------------------------------------------------------------

ENTITY_QUERY = """CONSTRUCT { ?e ?p ?o . ?s ?q ?e . ?n ?l ?label } WHERE {
  { ?e ?p ?o } UNION { ?s ?q ?e } UNION
  { { ?e ?x ?n } UNION { ?n ?x ?e } ?n ?l ?label . FILTER(?l IN (skos:prefLabel, rdfs:label)) }
}"""
NEIGHBOURS_QUERY = """SELECT ?other (SAMPLE(?name) AS ?label) (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?m rk:involvesAgency ?e , ?other . FILTER(?other != ?e)
  ?other skos:prefLabel ?name . FILTER(LANG(?name) = "zh")
} GROUP BY ?other ORDER BY DESC(?n) ?label LIMIT 50"""
BASE_QUERY = "SELECT ?n WHERE { ?n a rk:Notice } ORDER BY ?n LIMIT 1"


def _worker_main(conn, graph_file: str) -> None:
    """One worker: open the store once, then answer jobs until the pipe closes (or it is killed)."""
    from .store import open_store

    try:
        # in memory: a long-running worker answers 1.5–4× faster than from the on-disk store
        store = open_store(Path(graph_file), in_memory=True)
        notice = store.query(BASE_QUERY).rows
        conn.send(("ready", len(store), str(notice[0][0]) if notice else None))
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        conn.send(("failed", str(exc)))
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(_run_job(store, job))


def _run_job(store, job: tuple) -> tuple:
    from .store import QueryError

    try:
        if job[0] == "entity":
            return ("ok", *_describe(store, job[1], job[2]))
        _, sparql, select_fmt, graph_fmt, max_rows = job
        return ("ok", *_answer(store, sparql, select_fmt, graph_fmt, max_rows))
    except QueryError as exc:
        return ("bad", str(exc))
    except Exception as exc:  # noqa: BLE001 - a failed query must not kill the worker
        return ("error", f"{type(exc).__name__}: {exc}")


def _answer(store, sparql: str, select_fmt: str, graph_fmt: str, max_rows: int) -> tuple:
    result = store.query(sparql, limit=max_rows + 1)  # one more than the cap tells that it was reached
    truncated = len(result.rows) > max_rows or len(result.triples) > max_rows
    result.rows, result.triples = result.rows[:max_rows], result.triples[:max_rows]
    kind = "graph" if result.kind == "graph" else "select"
    fmt = graph_fmt if kind == "graph" else select_fmt
    if fmt == "html":
        return kind, fmt, result, truncated
    if kind == "select" and fmt == "xml":
        return kind, fmt, xml_results(result).encode("utf-8"), truncated
    if kind == "graph":
        from .export import serialize

        return kind, fmt, serialize(result.triples, fmt), truncated
    return kind, fmt, result.serialize(fmt).encode("utf-8"), truncated


def _describe(store, iri: str, max_rows: int) -> tuple:
    from rdflib import URIRef

    from .namespaces import RK

    triples = store.query(ENTITY_QUERY, {"e": URIRef(iri)}, limit=max_rows).triples
    neighbours = []
    if any(t[0] == URIRef(iri) and t[2] == RK.Agency for t in triples):
        neighbours = store.query(NEIGHBOURS_QUERY, {"e": URIRef(iri)}).rows
    return triples, neighbours


def xml_results(result) -> str:
    """SPARQL 1.1 Query Results XML Format."""
    from xml.sax.saxutils import escape, quoteattr

    from rdflib import BNode, Literal

    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.kind == "ask":
        out += ["<head/>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables) + "</head>")
    out.append("<results>")
    for row in result.rows:
        cells = []
        for var, term in zip(result.variables, row):
            if term is None:
                continue
            if isinstance(term, Literal):
                attr = (f" xml:lang={quoteattr(term.language)}" if term.language else
                        f" datatype={quoteattr(str(term.datatype))}" if term.datatype else "")
                value = f"<literal{attr}>{escape(str(term))}</literal>"
            elif isinstance(term, BNode):
                value = f"<bnode>{escape(str(term))}</bnode>"
            else:
                value = f"<uri>{escape(str(term))}</uri>"
            cells.append(f"<binding name={quoteattr(var)}>{value}</binding>")
        out.append("<result>" + "".join(cells) + "</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


class _Worker:
    def __init__(self, ctx, graph_file: Path):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, str(graph_file)), daemon=True)
        self.process.start()
        child.close()
        self.triples = 0
        self.notice = None

    def wait_ready(self, timeout: float = 300) -> _Worker:
        from .errors import ReformKGError

        if not self.conn.poll(timeout):
            self.kill()
            raise ReformKGError("a query worker did not start in time")
        message = self.conn.recv()
        if message[0] != "ready":
            self.kill()
            raise ReformKGError(f"a query worker could not open the graph: {message[1]}")
        _, self.triples, self.notice = message
        return self

    def call(self, job: tuple, timeout: float) -> tuple:
        try:
            self.conn.send(job)
            if not self.conn.poll(timeout):
                raise QueryTimeout
            return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            raise WorkerDied from None

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """N worker processes; a job waits for an idle one; a job over the time limit kills its worker."""

    def __init__(self, graph_file: Path, size: int = DEFAULT_WORKERS, timeout: float = DEFAULT_TIMEOUT):
        self.graph_file, self.size, self.timeout = Path(graph_file), max(1, size), timeout
        self.ctx = multiprocessing.get_context("spawn")
        self.threads = concurrent.futures.ThreadPoolExecutor(max_workers=self.size + 2)
        self.idle: asyncio.Queue = asyncio.Queue()
        self.workers: list[_Worker] = []
        self.triples, self.notice = 0, None

    def start(self) -> WorkerPool:
        self.workers = [_Worker(self.ctx, self.graph_file) for _ in range(self.size)]
        for worker in self.workers:
            worker.wait_ready()
            self.idle.put_nowait(worker)
        self.triples, self.notice = self.workers[0].triples, self.workers[0].notice
        return self

    async def submit(self, job: tuple) -> tuple:
        """Run a job on an idle worker. The worker goes back to the pool only when its job is over, even if
        the client has gone (a cancelled request must not hand a busy worker to the next one)."""
        loop = asyncio.get_running_loop()
        worker = await self.idle.get()
        return await asyncio.shield(loop.run_in_executor(self.threads, self._call, loop, worker, job))

    def _call(self, loop, worker: _Worker, job: tuple) -> tuple:
        try:
            reply = worker.call(job, self.timeout)
        except (QueryTimeout, WorkerDied):
            worker.kill()  # the only way to stop a running pyoxigraph query
            self.threads.submit(self._replace, loop)  # answer now; the new worker starts meanwhile
            raise
        loop.call_soon_threadsafe(self.idle.put_nowait, worker)
        return reply

    def _replace(self, loop) -> None:
        try:
            fresh = _Worker(self.ctx, self.graph_file).wait_ready()
        except Exception as exc:  # noqa: BLE001 - the pool runs on with one worker fewer
            print(f"error: could not replace a query worker: {exc}", file=sys.stderr)
            return
        self.workers = [w for w in self.workers if w.process.is_alive()] + [fresh]
        loop.call_soon_threadsafe(self.idle.put_nowait, fresh)

    def close(self) -> None:
        for worker in self.workers:
            worker.kill()
        self.threads.shutdown(wait=False, cancel_futures=True)


# -- content negotiation ---------------------------------------------------------------------------

def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers (q-values, most specific range wins; ties go to the first offer)."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = []
    for part in accept.split(","):
        media, *params = [x.strip() for x in part.split(";")]
        q = 1.0
        for param in params:
            if param.replace(" ", "").startswith("q="):
                try:
                    q = float(param.split("=", 1)[1])
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))

    def quality(offer: str) -> float:
        kind = offer.split("/")[0]
        matches = [(2 if m == offer else 1 if m == f"{kind}/*" else 0, q) for m, q in ranges
                   if m in (offer, f"{kind}/*", "*/*")]
        return max(matches)[1] if matches else 0.0

    scored = [(quality(o), -i, o) for i, o in enumerate(offers)]
    best = max(scored)
    return best[2] if best[0] > 0 else None


def result_formats(accept: str | None, format_values: list[str]) -> tuple[str, str]:
    """(format for SELECT/ASK, format for CONSTRUCT/DESCRIBE): a ``format``/``output`` parameter, else Accept."""
    chosen = [FORMAT_PARAMS.get(v.strip().lower()) for v in format_values]
    select_fmt = next((f for f in chosen if f in SELECT_TYPES.values()), None)
    graph_fmt = next((f for f in chosen if f in GRAPH_TYPES.values()), None)
    select_fmt = select_fmt or SELECT_TYPES.get(negotiate(accept, list(SELECT_TYPES)) or "", "json")
    graph_fmt = graph_fmt or GRAPH_TYPES.get(negotiate(accept, list(GRAPH_TYPES)) or "", "ttl")
    return select_fmt, graph_fmt


def is_update(sparql: str) -> bool:
    """True for SPARQL Update text (after comments and the prologue), which a query endpoint refuses."""
    text = re.sub(r"#[^\n]*", " ", sparql)  # comments ('#' inside IRIs/strings cannot precede the verb)
    return bool(UPDATE_START.match(text))


def parse_form(body: bytes) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)


def examples(base: str) -> list[dict]:
    """The named queries (``queries/*.rq``) with their default parameters bound, as page examples."""
    from .errors import ReformKGError
    from .queries import all_queries, bindings_for
    from .store import bind_values

    out = []
    try:
        named = all_queries()
    except ReformKGError:
        return out
    for query in named:
        try:
            text = bind_values(query.text, bindings_for(query, {}, base))
        except ReformKGError:
            text = query.text  # a required parameter: show the query as written
        out.append({"name": query.name, "title": query.title or query.name, "description": query.description,
                    "text": text})
    return out


# -- the application -------------------------------------------------------------------------------

def app_for(graph_file: Path, base: str | None = None, timeout: float = DEFAULT_TIMEOUT,
            max_rows: int = DEFAULT_MAX_ROWS, workers: int = DEFAULT_WORKERS):
    """The starlette application. The workers start here, so a graph that cannot be read is one clear error
    before the server listens; the app's lifespan stops them."""
    import contextlib

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.routing import Route

    from .server_pages import Site

    pool = WorkerPool(graph_file, workers, timeout)
    site = Site(pool, Path(graph_file), base, max_rows, timeout)
    try:
        site.start()
    except BaseException:
        pool.close()
        raise

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        pool.close()

    routes = [Route("/", site.home), Route("/sparql", site.sparql, methods=["GET", "POST"]),
              Route("/id/{rest:path}", site.entity), Route("/ns", site.ontology),
              Route("/catalog", site.catalog), Route("/.well-known/void", site.catalog),
              Route("/dist/{name}", site.dump)]
    cors = Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                      allow_headers=["*"], expose_headers=["X-Result-Limit", "X-Result-Truncated", "Vary"])
    return Starlette(routes=routes, middleware=[cors], lifespan=lifespan)
