"""The store behind every reader: one small interface, two engines.

- ``OxigraphStore`` (default): pyoxigraph, in memory or the on-disk store that ``reformkg build``
  leaves in ``dist/store`` (build once, query many: no Turtle re-parsing).
- ``RdflibStore``: plain rdflib, the API people know, and the reference the tests compare against.

Queries take parameters as typed RDF terms (SEP-0007 substitutions / initBindings), never pasted
into the query text. Results come back as rdflib terms so callers do not care which engine ran.
"""

from __future__ import annotations

import io
import itertools
import json
import shutil
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ReformKGError
from .namespaces import PREFIXES

STORE_DIR = "store"
STAMP = "SOURCE"


class QueryError(ReformKGError):
    """A query that does not parse or cannot run; the message carries the engine's explanation."""


@dataclass
class QueryResult:
    """A SELECT, ASK or graph (CONSTRUCT/DESCRIBE) result with rdflib terms."""

    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple] = field(default_factory=list)

    def as_dicts(self) -> list[dict[str, object]]:
        return [dict(zip(self.variables, row)) for row in self.rows]

    def graph(self):
        from rdflib import Graph

        from .namespaces import bind_prefixes

        g = bind_prefixes(Graph())
        for t in self.triples:
            g.add(t)
        return g

    def serialize(self, fmt: str) -> str:
        """W3C result formats: csv, tsv, json (SPARQL 1.1 Query Results); ttl/nt/jsonld for graphs."""
        if self.kind == "graph":
            return _graph_text(self.triples, fmt)
        if fmt == "json":
            return json.dumps(_json_results(self), ensure_ascii=False, indent=2)
        if fmt == "csv":
            return _csv_results(self)
        if fmt == "tsv":
            return _tsv_results(self)
        raise QueryError(f"format '{fmt}' does not fit a {self.kind.upper()} result (use csv, tsv or json)")


def bind_values(sparql: str, bindings: Mapping[str, object] | None) -> str:
    """Bind parameters as typed RDF terms in a VALUES block at the start of the WHERE pattern.

    Each value is an rdflib term written in its escaped N-Triples form, so a value such as
    ``税" } DROP ALL #`` stays one string literal that simply matches nothing. Both engines get the
    same text, so both give the same rows.
    """
    if not bindings:
        return sparql
    import re

    masked = re.sub(r"(?m)^\s*#.*$", lambda m: " " * len(m.group(0)), sparql)  # comments are not the pattern
    match = re.search(r"\bWHERE\s*\{", masked, flags=re.IGNORECASE) or re.search(r"\{", masked)
    if match is None:
        raise QueryError("cannot bind parameters: the query has no WHERE pattern")
    values = " ".join(f"VALUES ?{name} {{ {term.n3()} }}" for name, term in bindings.items())
    return sparql[: match.end()] + " " + values + " " + sparql[match.end():]


class Store:
    """What every reader needs: run SPARQL, count triples, list triples."""

    name = "store"

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None,
              limit: int | None = None) -> QueryResult:
        """Run SPARQL; ``limit`` stops reading a SELECT or graph result after that many rows/triples
        (the engine streams, so a capped query over a huge result costs only what it returns)."""
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def triples(self) -> Iterable[tuple]:
        raise NotImplementedError


class OxigraphStore(Store):
    name = "oxigraph"

    def __init__(self, store=None):
        import pyoxigraph as ox

        self.ox = store if store is not None else ox.Store()

    @classmethod
    def from_triples(cls, triples: Iterable[tuple]) -> OxigraphStore:
        import pyoxigraph as ox

        from .terms import to_ox

        store = cls()
        store.ox.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples)
        return store

    @classmethod
    def from_quads(cls, quads: list) -> OxigraphStore:
        """A store of pyoxigraph quads (what the build makes: no rdflib terms on the way)."""
        store = cls()
        store.ox.bulk_extend(quads)
        return store

    @classmethod
    def from_file(cls, path: Path) -> OxigraphStore:
        import pyoxigraph as ox

        store = cls()
        try:
            store.ox.bulk_load(path=str(path), format=ox.RdfFormat.from_extension(Path(path).suffix[1:]) or
                               ox.RdfFormat.TURTLE)
        except (SyntaxError, ValueError, OSError) as exc:
            raise ReformKGError(f"cannot parse the graph: {exc}", path=path) from None
        return store

    @classmethod
    def open(cls, directory: Path) -> OxigraphStore:
        import pyoxigraph as ox

        return cls(ox.Store.read_only(str(directory)))

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None,
              limit: int | None = None) -> QueryResult:
        import pyoxigraph as ox

        try:
            result = self.ox.query(bind_values(sparql, bindings), prefixes=PREFIXES)
        except SyntaxError as exc:
            raise QueryError(f"the query does not parse: {exc}") from None
        except OSError as exc:
            raise QueryError(f"the query failed: {exc}") from None
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(result))
        term = _Terms()  # each distinct term made once: agencies, classes, concepts recur in every row
        if isinstance(result, ox.QueryTriples):
            return QueryResult("graph", triples=[(term[t.subject], term[t.predicate], term[t.object])
                                                 for t in itertools.islice(result, limit)])
        variables = [v.value for v in result.variables]
        positions = range(len(variables))
        rows = [tuple(term[solution[i]] for i in positions) for solution in itertools.islice(result, limit)]
        return QueryResult("select", variables, rows)

    def __len__(self) -> int:
        return len(self.ox)

    def triples(self) -> Iterable[tuple]:
        from .terms import from_ox

        for q in self.ox.quads_for_pattern(None, None, None, None):
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)


class _Terms(dict):
    """pyoxigraph term → rdflib term, memoised for one result (an rdflib Literal costs 2–6 µs to make)."""

    def __missing__(self, term):
        from .terms import from_ox

        value = self[term] = from_ox(term)
        return value


class RdflibStore(Store):
    name = "rdflib"

    def __init__(self, graph=None):
        from rdflib import Graph

        self.graph = graph if graph is not None else Graph()

    @classmethod
    def from_triples(cls, triples: Iterable[tuple]) -> RdflibStore:
        from .graph import to_graph

        return cls(to_graph(triples))

    @classmethod
    def from_file(cls, path: Path) -> RdflibStore:
        from rdflib import Graph

        graph = Graph()
        try:
            graph.parse(path, format="nt" if Path(path).suffix == ".nt" else "turtle")
        except Exception as exc:  # noqa: BLE001 - any parser error becomes one clear line
            raise ReformKGError(f"cannot parse the graph: {exc}", path=path) from None
        return cls(graph)

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None,
              limit: int | None = None) -> QueryResult:
        from pyparsing import ParseException
        from rdflib.plugins.sparql import prepareQuery

        try:
            prepared = prepareQuery(bind_values(sparql, bindings), initNs=PREFIXES)
        except ParseException as exc:
            raise QueryError(f"the query does not parse: line {exc.lineno}, column {exc.col}: {exc.msg}") from None
        result = self.graph.query(prepared)
        if result.type == "ASK":
            return QueryResult("ask", boolean=bool(result.askAnswer))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            return QueryResult("graph", triples=list(itertools.islice(result.graph, limit)))
        variables = [str(v) for v in result.vars]
        return QueryResult("select", variables, [tuple(row) for row in itertools.islice(result, limit)])

    def __len__(self) -> int:
        return len(self.graph)

    def triples(self) -> Iterable[tuple]:
        return iter(self.graph)


# -- the on-disk store that a build leaves behind --------------------------------------------------

def _source_stamp(graph_file: Path) -> str:
    st = Path(graph_file).stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def write_disk_store(triples: Iterable[tuple] | bytes, out_dir: Path, graph_file: Path) -> Path:
    """Write ``OUT/store`` beside the Turtle it mirrors; swapped in whole, stamped with its source.

    ``triples`` are rdflib triples, or N-Triples bytes (what the build passes: Oxigraph's bulk loader
    parses them in Rust, with no Python object per triple).
    """
    import pyoxigraph as ox

    from .terms import to_ox

    target = Path(out_dir) / STORE_DIR
    tmp = Path(out_dir) / f".{STORE_DIR}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    store = ox.Store(str(tmp))
    if isinstance(triples, (bytes, bytearray)):
        store.bulk_load(triples, format=ox.RdfFormat.N_TRIPLES)
    else:
        store.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples)
    store.flush()
    store.optimize()
    del store
    (tmp / STAMP).write_text(_source_stamp(graph_file), encoding="utf-8")
    old = Path(out_dir) / f".{STORE_DIR}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


_LIVE: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def _live_key(graph_file: Path) -> str | None:
    try:
        return f"{Path(graph_file).resolve()}|{_source_stamp(graph_file)}"
    except OSError:
        return None


def share_store(graph_file: Path, store: OxigraphStore) -> None:
    """Let readers in this process (the build's outputs) use the build's in-memory store for this file.

    The same triples as the disk store, and Oxigraph answers from memory about 1.5× faster than from
    disk. Held weakly and keyed by the file's size and mtime: a replaced file is never answered for.
    """
    key = _live_key(graph_file)
    if key is not None:
        _LIVE[key] = store


def disk_store_is_fresh(graph_file: Path) -> bool:
    stamp = Path(graph_file).parent / STORE_DIR / STAMP
    return stamp.exists() and Path(graph_file).exists() and stamp.read_text() == _source_stamp(graph_file)


def open_store(graph_file: Path | None = None, engine: str = "oxigraph", in_memory: bool = False) -> Store:
    """The store for a command: the built on-disk store when it is fresh, else the file loaded in memory.

    Without ``graph_file`` this is ``dist/reformkg.ttl``, built first when missing. The on-disk store opens
    at once but answers 1.5–4× slower than memory: ``in_memory=True`` suits a long-running server.
    """
    from .build import ensure_graph

    path = ensure_graph(graph_file)
    if engine == "rdflib":
        return RdflibStore.from_file(path)
    live = _LIVE.get(_live_key(path))
    if live is not None:
        return live
    if disk_store_is_fresh(path) and not in_memory:
        try:
            return OxigraphStore.open(path.parent / STORE_DIR)
        except OSError:
            pass  # locked or unreadable: fall back to loading the file
    return OxigraphStore.from_file(path)


# -- result serialisation (SPARQL 1.1 Query Results JSON / CSV / TSV) ------------------------------

def _json_term(term) -> dict:
    from rdflib import BNode, Literal

    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "bnode" if isinstance(term, BNode) else "uri", "value": str(term)}


def _json_results(result: QueryResult) -> dict:
    if result.kind == "ask":
        return {"head": {}, "boolean": result.boolean}
    bindings = [{v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
    return {"head": {"vars": result.variables}, "results": {"bindings": bindings}}


def _csv_results(result: QueryResult) -> str:
    import csv

    from rdflib import BNode

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return buffer.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else ("_:" + str(t) if isinstance(t, BNode) else str(t)) for t in row])
    return buffer.getvalue()


def _tsv_term(term) -> str:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return term.n3()
    return str(term)


def _tsv_results(result: QueryResult) -> str:
    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join("?" + v for v in result.variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _graph_text(triples: list[tuple], fmt: str) -> str:
    import pyoxigraph as ox

    from .terms import ox_triples

    formats = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
    if fmt not in formats:
        raise QueryError(f"format '{fmt}' does not fit a graph result (use ttl, nt or jsonld)")
    data = ox.serialize(ox_triples(triples), format=formats[fmt], prefixes=PREFIXES if fmt != "nt" else None)
    return data.decode("utf-8")
