"""One writer per export format, one place for prefixes and named graphs.

- Turtle, N-Triples and TriG are written by pyoxigraph (fast, correct escaping of every string).
- JSON-LD is written here (pyoxigraph's JSON-LD writer ignores prefixes; rdflib's takes 42 s at a
  million triples, this one under 4 s): a readable ``@context`` from ``namespaces.PREFIXES`` (plus ``id:``
  for the base), one node object per subject, compact IRIs, literals as ``{"@value", "@language"}`` /
  ``{"@value", "@type"}`` / plain strings, canonical integers and booleans as JSON numbers and booleans,
  RDF lists as ``@list``. It is the document rdflib's writer made (``auto_compact``), byte for byte on
  our graphs.
- TriG holds one named graph per notice plus the ontology and registry graphs (``{base}graph/…``).

Triples are sorted before writing, so the same graph always gives byte-identical files. The build
hands over its sorted N-Triples and its pyoxigraph parts: no rdflib term is made for the exports.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from .atomic import atomic_path
from .jsonld import JsonLd
from .namespaces import prefixes_with_base

FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "jsonld": "JSON_LD", "trig": "TRIG"}
MEDIA_TYPES = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
               "trig": "application/trig"}
EXPORTS = {fmt: f"reformkg.{fmt}" for fmt in FORMATS}  # the files a build writes in dist/
PARSE_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".jsonld": "JSON_LD", ".json": "JSON_LD",
                 ".trig": "TRIG", ".nq": "N_QUADS"}


def write_graph(triples: Iterable, path: Path, fmt: str, base: str) -> Path:
    """Serialise rdflib triples to ``path`` in ``fmt`` (atomic write); TriG puts them in the default graph."""
    _check_format(fmt)
    with atomic_path(Path(path)) as tmp:
        if fmt == "jsonld":
            tmp.write_bytes(jsonld_bytes(triples, base))
        else:
            graphs = {None: triples} if fmt == "trig" else None
            _ox_write(graphs or triples, tmp, fmt, base)
    return Path(path)


def write_dataset(graphs: Mapping, path: Path, base: str) -> Path:
    """TriG with one graph per key of ``graphs`` (an IRI, or None for the default graph)."""
    with atomic_path(Path(path)) as tmp:
        _ox_write(graphs, tmp, "trig", base)
    return Path(path)


def serialize(triples: Iterable, fmt: str, base: str | None = None) -> bytes:
    """The triples as bytes in ``fmt`` (``ttl``, ``nt``, ``jsonld``, ``xml`` for RDF/XML), for the server."""
    import pyoxigraph as ox

    from .terms import ox_triples

    if fmt == "jsonld":
        return jsonld_bytes(triples, base)
    rdf_format = ox.RdfFormat.RDF_XML if fmt == "xml" else getattr(ox.RdfFormat, FORMATS[_check_format(fmt)])
    prefixes = None if fmt == "nt" else _vocab_prefixes()
    return ox.serialize(ox_triples(triples), format=rdf_format, prefixes=prefixes)


def jsonld_bytes(triples: Iterable, base: str | None = None) -> bytes:
    """rdflib triples as JSON-LD with a readable ``@context`` (the shared prefixes; see ``JsonLd``)."""
    import pyoxigraph as ox

    from .terms import ox_triples

    ntriples = ox.serialize(ox_triples(triples), format=ox.RdfFormat.N_TRIPLES)  # sorted: grouped by subject
    return b"".join(JsonLd(prefixes_with_base(base) if base else _vocab_prefixes()).document(ntriples))


def graph_name(base: str, part: str):
    """The named graph of a build part: ``{base}graph/ontology``, ``…/registry``, ``…/notice/<slug>``."""
    from rdflib import URIRef

    return URIRef(_graph_iri(base, part))


def _graph_iri(base: str, part: str) -> str:
    return f"{base}graph/{part}" if part in ("ontology", "registry") else f"{base}graph/notice/{part}"


def write_exports(result, out_dir: Path) -> list[Path]:
    """The build's output hook: N-Triples, JSON-LD and TriG beside the Turtle that the build wrote.

    All three come from what the build already holds: its sorted N-Triples (written as they are, and
    turned line by line into JSON-LD) and its parts in pyoxigraph terms (TriG).
    """
    from .atomic import write_bytes

    out_dir = Path(out_dir)
    data = result.ntriples
    written = [write_bytes(out_dir / EXPORTS["nt"], data)]
    context = prefixes_with_base(result.base)
    with atomic_path(out_dir / EXPORTS["jsonld"]) as tmp, open(tmp, "wb") as fh:
        fh.writelines(JsonLd(context).document(data))
    written.append(out_dir / EXPORTS["jsonld"])
    written.append(write_parts(result.parts.ox, out_dir / EXPORTS["trig"], result.base))
    return written


def write_parts(parts: Mapping[str, list], path: Path, base: str) -> Path:
    """TriG of the build's parts (pyoxigraph triples by part), one named graph each, as ``write_dataset``.

    Each part becomes N-Quads lines made of its terms' N-Triples forms (each distinct term written
    once), sorted (the order of ``terms.ox_triples``), and read by pyoxigraph's parser straight into
    its TriG writer: making a pyoxigraph Quad from Python costs twice as much as parsing one.
    """
    import itertools

    import pyoxigraph as ox

    names = {part: _graph_iri(base, part) for part in parts}
    forms: dict = {}

    def form(term) -> str:
        found = forms.get(term)
        if found is None:
            found = forms[term] = str(term)
        return found

    def quads(part: str):
        tail = f" <{names[part]}> .\n"
        lines = [f"{form(s)} {form(p)} {form(o)}{tail}" for s, p, o in parts[part]]
        lines.sort()
        return ox.parse("".join(lines).encode(), format=ox.RdfFormat.N_QUADS)

    with atomic_path(Path(path)) as tmp:
        data = itertools.chain.from_iterable(quads(p) for p in sorted(parts, key=names.__getitem__))
        ox.serialize(data, str(tmp), ox.RdfFormat.TRIG, prefixes=_vocab_prefixes())
    return Path(path)


def read_dataset(path: Path) -> dict:
    """Any export (or other RDF file) as ``{graph IRI or None: [rdflib triples]}``."""
    import pyoxigraph as ox

    from .errors import ReformKGError
    from .terms import from_ox

    path = Path(path)
    name = PARSE_FORMATS.get(path.suffix.lower(), "TURTLE")
    graphs: dict = {}
    try:
        for quad in ox.parse(path=str(path), format=getattr(ox.RdfFormat, name)):
            key = None if isinstance(quad.graph_name, ox.DefaultGraph) else from_ox(quad.graph_name)
            graphs.setdefault(key, []).append((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    except FileNotFoundError:
        raise ReformKGError("graph file not found", path=path) from None
    except (SyntaxError, ValueError, OSError) as exc:
        raise ReformKGError(f"cannot parse the graph: {exc}", path=path) from None
    return graphs


def detect_base(triples: Iterable, default: str) -> str:
    """The base IRI a graph was built with, read off its notice IRIs (``{base}notice/<slug>``)."""
    from rdflib.namespace import RDF

    from .namespaces import RK

    for s, p, o in triples:
        if p == RDF.type and o == RK.Notice and base_of(str(s)):
            return base_of(str(s))
    return default


def base_of(notice_iri: str) -> str | None:
    """The base IRI a notice IRI was minted under: ``{base}notice/<slug>`` (see ``iris.Minter.notice``)."""
    match = re.match(r"^(.*/)notice/[^/]+$", notice_iri)
    return match.group(1) if match else None


def rebase(triples: Iterable, old: str, new: str) -> list:
    """The triples with every IRI under ``old`` moved under ``new``; literals are left as they are."""
    return [(rebase_term(s, old, new), rebase_term(p, old, new), rebase_term(o, old, new)) for s, p, o in triples]


def rebase_term(term, old: str, new: str):
    from rdflib import URIRef

    return URIRef(new + term[len(old):]) if isinstance(term, URIRef) and term.startswith(old) else term


def export(source: Path, fmt: str, out: Path, base: str | None, default_base: str) -> Path:
    """``reformkg export``: read a built file, optionally move it to ``base``, write ``fmt`` to ``out``."""
    graphs = read_dataset(source)
    old = detect_base((t for ts in graphs.values() for t in ts), default_base)
    new = base or old
    if new != old:
        graphs = {rebase_term(key, old, new): rebase(ts, old, new) for key, ts in graphs.items()}
    if fmt == "trig":
        if list(graphs) == [None]:
            print(f"note: {source} has no named graphs; everything goes to the default graph "
                  f"(export from dist/reformkg.trig for one graph per notice)", file=sys.stderr)
        return write_dataset(graphs, out, new)
    union = list(dict.fromkeys(t for ts in graphs.values() for t in ts))
    return write_graph(union, out, fmt, new)


# -- helpers ---------------------------------------------------------------------------------------

def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}' (expected one of {', '.join(FORMATS)})")
    return fmt


def _vocab_prefixes() -> dict[str, str]:
    from .namespaces import PREFIXES

    return dict(PREFIXES)


def _ox_write(triples_or_graphs, path: Path, fmt: str, base: str) -> None:
    """pyoxigraph writer: triples, or a mapping graph → triples for TriG; sorted for stable output."""
    import pyoxigraph as ox

    from .terms import ox_triples, to_ox

    rdf_format = getattr(ox.RdfFormat, FORMATS[fmt])
    # No id: prefix in Turtle/TriG: instance IRIs have slashes, which a prefixed name must escape
    # (id:agency\/xiamen\/…); full IRIs read better. JSON-LD keeps id: in its @context.
    prefixes = None if fmt == "nt" else _vocab_prefixes()
    if isinstance(triples_or_graphs, Mapping):
        items = sorted(triples_or_graphs.items(), key=lambda kv: "" if kv[0] is None else str(kv[0]))
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph() if g is None else to_ox(g))
                for g, triples in items for t in ox_triples(triples)]
    else:
        data = ox_triples(triples_or_graphs)
    ox.serialize(data, str(path), rdf_format, prefixes=prefixes)
