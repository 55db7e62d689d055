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
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from .atomic import atomic_path
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


# -- JSON-LD ---------------------------------------------------------------------------------------

_RDF = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = b"http://www.w3.org/2001/XMLSchema#"
_GEN_DELIMS = tuple(":/?#[]@")  # a context term ending in one of these may prefix compact IRIs
_ID, _LANG, _TYPED, _RAW, _LIST = range(5)  # value kinds; a value is (JSON text, kind, *parts), all bytes
_NATIVE = {_XSD + b"integer": re.compile(rb"0|-?[1-9][0-9]{0,20}"),  # JSON-LD reads 10^21 and more as doubles
           _XSD + b"boolean": re.compile(rb"true|false")}
_NT_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_NT_CHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


class JsonLd:
    """JSON-LD from sorted N-Triples, one pass over the lines: no RDF term object is made.

    The document is the one rdflib's writer made with our context and ``auto_compact`` (then sorted), as
    ``json.dumps(indent=1, sort_keys=True, ensure_ascii=False)`` writes it: node objects sorted by ``@id``,
    keys sorted, the values of a key sorted by their JSON text. IRIs are compacted as rdflib does: split
    at the last ``#`` (else ``/``, else ``:``), written ``prefix:name`` when the part before is a context
    prefix. ``xsd:integer`` and ``xsd:boolean`` literals in canonical form are JSON numbers and booleans
    (another form stays a typed value, so it reads back the same). RDF lists (blank nodes with just
    ``rdf:first`` and ``rdf:rest``, each referred to once) become ``@list``. Unlike rdflib's, a graph of
    one node still has a ``@graph``.

    Why the lines can be copied: pyoxigraph writes IRIs as they are and escapes in a literal only what
    JSON escapes too (``"``, ``\\``, ``\\n``, ``\\r``, ``\\t``, ``\\b``, ``\\f``), except the other control
    characters (``\\uXXXX``): a literal with such an escape is decoded and encoded again.
    """

    def __init__(self, context: Mapping[str, str]):
        from json.encoder import encode_basestring

        self.context = dict(context)
        self.json = encode_basestring  # json.dumps of one string (ensure_ascii=False), in C
        self.terms = {iri.encode(): name.encode() for name, iri in self.context.items()}
        self.prefixes = {iri.encode(): name.encode() for name, iri in self.context.items()
                         if iri.endswith(_GEN_DELIMS)}
        self.keys: dict[bytes, tuple] = {}      # predicate → (key, JSON text of the key)
        self.iris: dict[bytes, tuple] = {}      # IRI object → value
        self.datatypes: dict[bytes, bytes] = {}  # datatype IRI → JSON text of its symbol
        self.nodes: list[tuple[bytes, bytes]] = []  # (JSON text of @id, node object text)
        self.blank: dict[bytes, list] = {}          # blank node label → [(predicate, object)]
        self.deferred: list[tuple] = []             # (IRI subject, [(predicate, object)]) with blank-node objects
        self.lists: dict[bytes, list] = {}          # list head label → its items

    def compact(self, iri: bytes) -> bytes:
        """A node's ``@id``: ``prefix:name``, or the IRI (rdflib's ``shrink_iri``)."""
        for delim in (b"#", b"/", b":"):
            at = iri.rfind(delim)
            if at > -1:
                prefix, name = self.prefixes.get(iri[:at + 1]), iri[at + 1:]
                return prefix + b":" + name if prefix and not name.startswith(b"//") else iri
        return iri

    def symbol(self, iri: bytes) -> bytes:
        """A key, ``@type`` or datatype: the context term itself when it is one (rdflib's ``to_symbol``)."""
        return self.terms.get(iri) or self.compact(iri)

    def document(self, ntriples: bytes) -> Iterator[bytes]:
        """The whole document in chunks, from N-Triples whose lines are grouped by subject (sorted)."""
        import io

        subject, group, previous = None, [], None
        for line in io.BytesIO(ntriples):
            if line == previous or line == b"\n":
                continue  # the same triple twice, or an empty line
            previous = line
            s, p, o = line.split(b" ", 2)  # subject and predicate have no spaces; o ends with " .\n"
            if s != subject:
                if group:
                    self._group(subject, group)
                subject, group = s, []
            group.append((p, o[:-3] if o[-1] == 10 else o[:-2]))
        if group:
            self._group(subject, group)
        self._blank_nodes()
        self.nodes.sort()
        yield ("{\n \"@context\": {\n" + ",\n".join(
            f"  {self.json(k)}: {self.json(v)}" for k, v in sorted(self.context.items())) + "\n },\n").encode()
        if not self.nodes:
            yield b' "@graph": []\n}'
            return
        yield b' "@graph": [\n'
        end = len(self.nodes) - 1
        for i, (_, text) in enumerate(self.nodes):
            yield text + (b",\n" if i < end else b"\n ]\n}")

    def _group(self, s: bytes, group: list) -> None:
        if s[0] == 95:  # "_:label"
            self.blank.setdefault(s[2:], []).extend(group)
        elif any(o[0] == 95 for _, o in group):
            self.deferred.append((s, group))  # written once the lists are known
        else:
            self.nodes.append(self.node(b'"' + self.compact(s[1:-1]) + b'"', group))

    def _blank_nodes(self) -> None:
        """Fold RDF lists into ``@list``, then write the blank nodes and the nodes that waited for them."""
        first, rest, nil = b"<" + _RDF + b"first>", b"<" + _RDF + b"rest>", b"<" + _RDF + b"nil>"
        referrers: dict[bytes, list] = {}
        for s, group in [*self.deferred, *((b"_:" + label, g) for label, g in self.blank.items())]:
            for _, o in group:
                if o[0] == 95:
                    referrers.setdefault(o[2:], []).append(s)
        cells = {}
        for label, group in self.blank.items():
            props = dict(group)
            if len(group) == 2 and set(props) == {first, rest} and len(referrers.get(label, ())) == 1:
                cells[label] = props[first], props[rest]
        folded: set[bytes] = set()
        for head in cells:
            referrer = referrers[head][0]
            if referrer[0] == 95 and referrer[2:] in cells:
                continue  # the middle of a list, or a list in a list: a node of its own unless folded whole
            chain, label = [], head
            while label in cells and label not in chain:
                chain.append(label)
                tail = cells[label][1]
                if tail == nil:
                    self.lists[head] = [cells[c][0] for c in chain]
                    folded.update(chain)
                    break
                label = tail[2:] if tail[0] == 95 else None
        for label, group in self.blank.items():
            if label not in folded:
                self.nodes.append(self.node(b'"_:' + label + b'"', group))
        for s, group in self.deferred:
            self.nodes.append(self.node(b'"' + self.compact(s[1:-1]) + b'"', group))

    def value(self, o: bytes) -> tuple:
        """The value of an object in N-Triples form."""
        start = o[0]
        if start == 60:  # <IRI>
            found = self.iris.get(o)
            if found is None:
                iri = o[1:-1]
                found = self.iris[o] = _list_value([]) if iri == _RDF + b"nil" else \
                    _id_value(b'"' + self.compact(iri) + b'"')
            return found
        if start == 95:  # _:label
            items = self.lists.get(o[2:])
            return _id_value(b'"' + o + b'"') if items is None else _list_value([self.value(i) for i in items])
        end = o.rindex(b'"')
        text = o[:end + 1]
        if b"\\u" in text or b"\\U" in text:
            text = self.json(_nt_unescape(text[1:-1].decode())).encode()
        suffix = o[end + 1:]
        if not suffix:
            return text, _RAW, text
        if suffix[0] == 64:  # @language
            lang = b'"' + suffix[1:] + b'"'
            return b'{"@language": ' + lang + b', "@value": ' + text + b"}", _LANG, lang, text
        datatype = suffix[3:-1]  # ^^<datatype>
        native = _NATIVE.get(datatype)
        if native is not None and native.fullmatch(text, 1, len(text) - 1):
            return text[1:-1], _RAW, text[1:-1]
        name = self.datatypes.get(datatype)
        if name is None:
            name = self.datatypes[datatype] = b'"' + self.symbol(datatype) + b'"'
        return b'{"@type": ' + name + b', "@value": ' + text + b"}", _TYPED, name, text

    def node(self, node_id: bytes, group: list) -> tuple[bytes, bytes]:
        """One node object, at depth 2 of the document: (JSON text of its ``@id``, its text)."""
        props: dict[tuple, list] = {}
        types: set[bytes] = set()
        keys, value, rdf_type = self.keys, self.value, b"<" + _RDF + b"type>"
        for p, o in group:
            if p == rdf_type and o[0] == 60:
                types.add(b'"' + self.symbol(o[1:-1]) + b'"')
                continue
            key = keys.get(p)
            if key is None:
                name = self.symbol(p[1:-1])
                key = keys[p] = (name, b'"' + name + b'"')
            values = props.get(key)
            if values is None:
                props[key] = [value(o)]
            else:
                values.append(value(o))
        entries = [(b"@id", b'"@id"', node_id)]
        if types:
            ordered = sorted(types)
            entries.append((b"@type", b'"@type"', ordered[0] if len(ordered) == 1 else
                            b"[\n    " + b",\n    ".join(ordered) + b"\n   ]"))
        for (name, key), values in props.items():
            if len(values) > 1:
                values = sorted({v[0]: v for v in values}.values(), key=_first)  # sorted, each once
            if len(values) == 1:
                entries.append((name, key, _render(values[0], 3)))
            else:
                entries.append((name, key, b"[\n    " + b",\n    ".join(_render(v, 4) for v in values) + b"\n   ]"))
        entries.sort(key=_first)
        return node_id, b"  {\n" + b",\n".join(b"   " + key + b": " + text for _, key, text in entries) + b"\n  }"


def _nt_unescape(body: str) -> str:
    """The value of a literal written with N-Triples escapes."""
    def char(match) -> str:
        code = match.group(1) or match.group(2)
        return chr(int(code, 16)) if code else _NT_CHARS.get(match.group(3), match.group(3))

    return _NT_ESCAPE.sub(char, body)


def _first(item: tuple):
    return item[0]


def _id_value(node_id: bytes) -> tuple:
    return b'{"@id": ' + node_id + b"}", _ID, node_id


def _list_value(items: list) -> tuple:
    return b'{"@list": [' + b", ".join(i[0] for i in items) + b"]}", _LIST, items


def _render(value: tuple, depth: int) -> bytes:
    """A value as ``json.dumps(indent=1)`` writes it when its first line is indented by ``depth``."""
    kind = value[1]
    if kind == _RAW:
        return value[2]
    inner, close = b"\n" + b" " * (depth + 1), b"\n" + b" " * depth + b"}"
    if kind == _ID:
        return b"{" + inner + b'"@id": ' + value[2] + close
    if kind == _LANG:
        return b"{" + inner + b'"@language": ' + value[2] + b"," + inner + b'"@value": ' + value[3] + close
    if kind == _TYPED:
        return b"{" + inner + b'"@type": ' + value[2] + b"," + inner + b'"@value": ' + value[3] + close
    if not value[2]:
        return b"{" + inner + b'"@list": []' + close
    item = b"\n" + b" " * (depth + 2)
    return b"{" + inner + b'"@list": [' + item + (b"," + item).join(_render(i, depth + 2) for i in value[2]) + \
        inner + b"]" + close


# -- reading an export back, and moving it to another base IRI -------------------------------------

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
