"""Upload the graph to a triple store with the SPARQL 1.1 Graph Store HTTP Protocol, then verify it.

PUT replaces the named graph, so pushing twice never duplicates triples. Afterwards the graph is read
back (GET) and its triples counted: a store that silently drops or merges triples is caught. The body
is N-Triples sent as ``text/turtle`` (N-Triples is a subset of Turtle, and every GSP store accepts
Turtle). URL forms, for ``--endpoint``:

- Oxigraph ``http://HOST:7878/store``            - Fuseki   ``http://HOST:3030/DATASET/data``
- GraphDB  ``http://HOST:7200/repositories/REPO/rdf-graphs/service``
- Virtuoso ``http://HOST:8890/sparql-graph-crud-auth`` (digest login) or ``…/sparql-graph-crud``
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .errors import ReformKGError

READ_BACK = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
PARSE = {"application/n-triples": "N_TRIPLES", "text/plain": "N_TRIPLES", "text/turtle": "TURTLE",
         "application/x-turtle": "TURTLE", "application/rdf+xml": "RDF_XML", "application/ld+json": "JSON_LD",
         "application/trig": "TRIG", "application/n-quads": "N_QUADS"}


class PushError(ReformKGError):
    """The store could not be reached, refused the login, or does not hold what was sent."""


@dataclass
class PushReport:
    url: str
    graph: str | None
    sent: int
    stored: int
    seconds: float

    def __str__(self) -> str:
        where = f"<{self.graph}>" if self.graph else "the default graph"
        return (f"pushed {self.sent} triples to {where} at {self.url}; read back {self.stored} triples "
                f"in {self.seconds:.2f}s")


def load_triples(path: Path) -> list:
    """The distinct triples of an RDF file (pyoxigraph), the graph being pushed."""
    import pyoxigraph as ox

    from .export import PARSE_FORMATS

    name = PARSE_FORMATS.get(Path(path).suffix.lower(), "TURTLE")
    try:
        quads = ox.parse(path=str(path), format=getattr(ox.RdfFormat, name))
        return sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    except FileNotFoundError:
        raise ReformKGError("graph file not found", path=path) from None
    except (SyntaxError, ValueError, OSError) as exc:
        raise ReformKGError(f"cannot parse the graph: {exc}", path=path) from None


def default_graph_iri(path: Path) -> str:
    """``{base}graph``, with the base the graph was built with (read off its first notice IRI)."""
    import pyoxigraph as ox

    from .export import PARSE_FORMATS, base_of
    from .iris import DEFAULT_BASE

    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    notice = ox.NamedNode("https://w3id.org/reformkg/ns#Notice")
    name = PARSE_FORMATS.get(Path(path).suffix.lower(), "TURTLE")
    for quad in ox.parse(path=str(path), format=getattr(ox.RdfFormat, name)):
        if quad.predicate == rdf_type and quad.object == notice and base_of(quad.subject.value):
            return base_of(quad.subject.value) + "graph"
    return DEFAULT_BASE + "graph"


def push(path: Path, endpoint: str, graph: str | None, user: str | None = None, password: str | None = None,
         auth: str = "basic", timeout: float = 60.0) -> PushReport:
    """PUT the triples of ``path`` into ``graph`` (None: the default graph) at ``endpoint``, then GET and count."""
    import httpx
    import pyoxigraph as ox

    started = time.perf_counter()
    triples = load_triples(path)
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    target = _target(endpoint, graph)
    credentials = None
    if user is not None:
        credentials = (httpx.DigestAuth if auth == "digest" else httpx.BasicAuth)(user, password or "")
    with httpx.Client(timeout=timeout, auth=credentials, follow_redirects=True) as client:
        put = _request(client, "PUT", target, content=body, headers={"Content-Type": "text/turtle; charset=utf-8"})
        _check(put, endpoint, "upload")
        got = _request(client, "GET", target, headers={"Accept": READ_BACK})
        _check(got, endpoint, "read-back")
    stored = _count(got)
    report = PushReport(endpoint, graph, len(triples), stored, time.perf_counter() - started)
    if stored != len(triples):
        raise PushError(f"the store holds {stored} triples in {_where(graph)} after the upload, but {len(triples)} "
                        f"were sent: it dropped or merged triples ({endpoint})")
    return report


def _target(endpoint: str, graph: str | None) -> str:
    """Indirect graph identification: ``?graph=<encoded IRI>``, or ``?default`` for the default graph."""
    import urllib.parse

    query = "graph=" + urllib.parse.quote(graph, safe="") if graph else "default"
    return endpoint + ("&" if "?" in endpoint else "?") + query


def _request(client, method: str, url: str, **kwargs):
    import httpx

    where = url.split("?")[0]
    try:
        return client.request(method, url, **kwargs)
    except httpx.ConnectError as exc:
        reason = "connection refused" if "refused" in str(exc).lower() else str(exc)
        raise PushError(f"cannot reach the triple store at {where}: {reason} (is it running, and is the "
                        "host:port right?)") from None
    except httpx.TimeoutException:
        raise PushError(f"the triple store at {where} did not answer within {client.timeout.read}s") from None
    except httpx.HTTPError as exc:
        raise PushError(f"request to {where} failed: {exc}") from None


def _check(response, endpoint: str, step: str) -> None:
    code = response.status_code
    if code in (200, 201, 204):
        return
    if code == 401:
        raise PushError(f"the store refused the login (HTTP 401) at {endpoint}: check --user/--password "
                        "(and --auth digest for Virtuoso)")
    if code == 403:
        raise PushError(f"the store forbids this {step} (HTTP 403) at {endpoint}: the user may not write there")
    if code in (404, 405):
        raise PushError(f"no Graph Store endpoint at {endpoint} (HTTP {code}): see the README for the URL form of "
                        "your store (e.g. Oxigraph …/store, Fuseki …/DATASET/data)")
    text = " ".join(response.text.split())[:300]
    raise PushError(f"the {step} failed with HTTP {code} at {endpoint}: {text}")


def _count(response) -> int:
    import pyoxigraph as ox

    media = response.headers.get("content-type", "application/n-triples").split(";")[0].strip().lower()
    if media not in PARSE:
        raise PushError(f"the store answered the read-back in '{media}', which cannot be counted")
    try:
        return len({ox.Triple(q.subject, q.predicate, q.object)
                    for q in ox.parse(response.content, format=getattr(ox.RdfFormat, PARSE[media]))})
    except SyntaxError as exc:
        raise PushError(f"the store's read-back does not parse as {media}: {exc}") from None


def _where(graph: str | None) -> str:
    return f"<{graph}>" if graph else "the default graph"
