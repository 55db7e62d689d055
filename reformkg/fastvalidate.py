"""SHACL shapes compiled to SPARQL and run on the Oxigraph store: pySHACL's verdicts, in seconds at scale.

pySHACL walks every focus node in Python; on a million triples it needs an rdflib graph of them all and
takes minutes. Here the shapes of ``ontology/shapes.ttl`` (read as data) become SPARQL SELECTs over all
focus nodes at once, which Oxigraph answers in well under a second each. The results are the same
``Report`` / ``Violation`` objects that ``validate.py`` makes from pySHACL's report.

Compiled: node shapes with ``sh:targetClass`` (instances of subclasses included, as pySHACL does with the
ontology in the data); property shapes with an IRI or ``sh:inversePath`` path and ``sh:minCount``,
``sh:maxCount``, ``sh:datatype``, ``sh:class``, ``sh:in``, ``sh:hasValue``, ``sh:pattern`` (``sh:flags``),
``sh:minLength``, ``sh:maxLength``, ``sh:languageIn``, ``sh:uniqueLang``, ``sh:min/maxInclusive``,
``sh:min/maxExclusive``, ``sh:equals``, ``sh:qualifiedValueShape`` with ``sh:qualifiedMin/MaxCount``;
``sh:or`` of such shapes; ``sh:sparql`` SELECT constraints with ``$this``, ``sh:prefixes`` / ``sh:declare``
and ``{?var}`` in messages; ``sh:severity``, ``sh:message``, ``sh:deactivated``. Anything else in the
``sh:`` namespace raises ``UnsupportedShape``, so a new kind of constraint is never silently ignored.

Scanning a class's values is what costs, so constraints share queries: the value-level constraints of
a property shape are one query (a flag per constraint), the cardinalities of a whole node shape one
more (an ``EXISTS`` flag per bound); a row is one result per true flag, as pySHACL reports them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .errors import ReformKGError

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
CASTABLE = {XSD + t for t in ("integer", "decimal", "double", "float", "boolean", "date", "dateTime")}

NODE_KEYS = {"targetClass", "property", "sparql", "or", "message", "severity", "name", "description", "deactivated"}
VALUE_KEYS = {"datatype", "class", "in", "pattern", "flags", "minLength", "maxLength", "languageIn",
              "minInclusive", "maxInclusive", "minExclusive", "maxExclusive"}
PROPERTY_KEYS = VALUE_KEYS | {"path", "name", "description", "message", "severity", "minCount", "maxCount",
                              "hasValue", "uniqueLang", "equals", "qualifiedValueShape", "qualifiedMinCount",
                              "qualifiedMaxCount", "order", "group", "deactivated"}
SPARQL_KEYS = {"select", "message", "prefixes", "deactivated"}
NEVER = "SELECT ?this WHERE { FILTER(false) }"


class UnsupportedShape(ReformKGError):
    """A shape uses a SHACL construct this compiler does not know: refuse rather than skip it."""


@dataclass(frozen=True)
class Result:
    """What a violation reports: the shape's path, messages and severity."""

    path: object  # an rdflib IRI, ("^", IRI) for an inverse path, or None
    messages: tuple[str, ...]
    severity: str


@dataclass(frozen=True)
class Check:
    """One query. Without ``flags`` each solution is one ``result``; with them, each true ``?flag``."""

    shape: str
    query: str
    result: Result | None = None
    flags: tuple[tuple[str, Result], ...] = ()
    sparql: bool = False  # SPARQL constraint: {?var} in its messages is filled in
    alternatives: tuple[str, ...] = ()  # sh:or: focus nodes that fail every alternative


@dataclass
class Compiler:
    """Turns a shapes graph (rdflib) into checks; ``classes`` closes a class under rdfs:subClassOf in
    the data."""

    shapes: object
    classes: Callable[[str], list[str]]
    checks: list[Check] = field(default_factory=list)
    _counter: itertools.count = field(default_factory=itertools.count)

    # -- reading the shapes graph --------------------------------------------------------------
    def _sh(self, node, key: str) -> list:
        from rdflib import URIRef

        return list(self.shapes.objects(node, URIRef(SH + key)))

    def _one(self, node, key: str):
        values = self._sh(node, key)
        if len(values) > 1:
            raise self._error(node, f"sh:{key} given {len(values)} times")
        return values[0] if values else None

    def _keys(self, node, allowed: set[str], what: str) -> set[str]:
        keys = {str(p)[len(SH):] for p in self.shapes.predicates(node) if str(p).startswith(SH)}
        unknown = sorted(keys - allowed)
        if unknown:
            raise self._error(node, f"{what} uses " + ", ".join("sh:" + k for k in unknown)
                              + ", which the SPARQL validator does not compile")
        return keys

    def _error(self, node, message: str) -> UnsupportedShape:
        return UnsupportedShape(f"shape {self._name(node)}: {message} (teach fastvalidate.py, or check with "
                                "reformkg validate --engine pyshacl)", path=paths.SHAPES)

    def _name(self, node) -> str:
        try:
            return self.shapes.namespace_manager.normalizeUri(node)
        except Exception:  # noqa: BLE001 - a blank node prints as itself
            return str(node)

    def _list(self, node) -> list:
        from rdflib.collection import Collection

        return list(Collection(self.shapes, node))

    def _deactivated(self, node) -> bool:
        flag = self._one(node, "deactivated")
        return flag is not None and flag.toPython() is True

    def _result(self, node, path=None, messages: tuple[str, ...] = ()) -> Result:
        severity = self._one(node, "severity")
        own = tuple(str(m) for m in self._sh(node, "message"))
        return Result(path, tuple(dict.fromkeys(messages + own)),
                      "Violation" if severity is None else str(severity).rsplit("#", 1)[-1])

    def _var(self) -> str:
        return f"?v{next(self._counter)}"

    # -- shapes ----------------------------------------------------------------------------
    def compile(self) -> list[Check]:
        from rdflib import URIRef
        from rdflib.namespace import RDF

        shapes = set(self.shapes.subjects(RDF.type, URIRef(SH + "NodeShape")))
        shapes |= set(self.shapes.subjects(URIRef(SH + "targetClass"), None))
        for key in ("targetNode", "targetSubjectsOf", "targetObjectsOf", "target"):
            for node in self.shapes.subjects(URIRef(SH + key), None):
                raise self._error(node, f"sh:{key} targets are not compiled (only sh:targetClass)")
        for node in sorted(shapes, key=str):
            self._node_shape(node)
        return self.checks

    def _node_shape(self, node) -> None:
        keys = self._keys(node, NODE_KEYS, "node shape")
        if self._deactivated(node) or "targetClass" not in keys:
            return  # no focus nodes: pySHACL does not look at it either
        target = self._target([str(c) for c in self._sh(node, "targetClass")])
        probes: list[tuple[str, Result]] = []  # the cardinalities of every property shape, one query
        for prop in self._sh(node, "property"):
            self._property_shape(prop, target, probes)
        if probes:
            flags = tuple((f"f{k}", result) for k, (_, result) in enumerate(probes))
            binds = " ".join(f"BIND({expr} AS ?f{k})" for k, (expr, _) in enumerate(probes))
            test = " || ".join(f"?{name}" for name, _ in flags)
            self.checks.append(Check(self._name(node), f"SELECT * WHERE {{ {target} {binds} FILTER({test}) }}",
                                     flags=flags))
        for constraint in self._sh(node, "sparql"):
            self._sparql(node, constraint, target)
        for members in self._sh(node, "or"):
            alternatives = tuple(self._alternative(member, target) for member in self._list(members))
            self.checks.append(Check(self._name(node), f"SELECT DISTINCT ?this WHERE {{ {target} }}",
                                     self._result(node), alternatives=alternatives))

    def _target(self, classes: list[str]) -> str:
        closure = sorted({sub for c in classes for sub in self.classes(c)})
        if len(closure) == 1:
            return f"?this <{RDF_TYPE}> <{closure[0]}> ."
        values = " ".join(f"<{c}>" for c in closure)
        return f"{{ SELECT DISTINCT ?this WHERE {{ VALUES ?cls {{ {values} }} ?this <{RDF_TYPE}> ?cls }} }}"

    def _path(self, node):
        from rdflib import BNode, URIRef

        path = self._one(node, "path")
        if isinstance(path, URIRef):
            return f"<{path}>", path
        if isinstance(path, BNode):
            keys = {str(p) for p in self.shapes.predicates(path)}
            inverse = self._one(path, "inversePath")
            if keys == {SH + "inversePath"} and isinstance(inverse, URIRef):
                return f"^<{inverse}>", ("^", inverse)
        raise self._error(node, f"path {path!r} is not compiled (only an IRI or sh:inversePath of an IRI)")

    def _property_shape(self, node, target: str, probes: list) -> None:
        keys = self._keys(node, PROPERTY_KEYS, "property shape")
        if self._deactivated(node):
            return
        path, path_term = self._path(node)
        result = self._result(node, path_term)
        queries, exprs = self._constraints(node, keys, target, path)
        for query, flags in queries:
            self.checks.append(Check(self._name(node), query, result, tuple((f, result) for f in flags)))
        probes += [(expr, result) for expr in exprs]

    def _constraints(self, node, keys: set[str], target: str, path: str) -> tuple[list, list[str]]:
        """A property shape's constraints: queries ``(SELECT, flag names)`` and per-focus ``EXISTS`` probes."""
        values = f"{target} ?this {path} ?value ."
        queries: list[tuple[str, tuple[str, ...]]] = []
        tests = [(key, obj) for key in sorted(keys & VALUE_KEYS - {"flags", "class"}) for obj in self._sh(node, key)]
        if tests:  # every value-level constraint in one scan of the values
            flags = tuple(f"bad{i}" for i in range(len(tests)))
            binds = " ".join(f"BIND(!COALESCE({self._value_ok(node, k, o, '?value')}, false) AS ?{f})"
                             for f, (k, o) in zip(flags, tests))
            queries.append((f"SELECT ?this ?value ?{' ?'.join(flags)} WHERE {{ {values} {binds} "
                            f"FILTER(?{' || ?'.join(flags)}) }}", flags))
        for cls in self._sh(node, "class"):
            closure = " ".join(f"<{c}>" for c in self.classes(str(cls)))
            queries.append((f"SELECT ?this ?value WHERE {{ {values} "
                            f"MINUS {{ ?value <{RDF_TYPE}> ?cls VALUES ?cls {{ {closure} }} }} }}", ()))
        for flag in self._sh(node, "uniqueLang"):
            if flag.toPython() is True:  # one result per repeated language, as pySHACL
                queries.append((f"SELECT ?this WHERE {{ {values} BIND(LCASE(LANG(?value)) AS ?lang) "
                                "FILTER(?lang != \"\") } GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)",
                                ()))
        for other in self._sh(node, "equals"):
            queries.append((f"SELECT ?this ?value WHERE {{ {{ {values} MINUS {{ ?this <{other}> ?value }} }} UNION "
                            f"{{ {target} ?this <{other}> ?value . MINUS {{ ?this {path} ?value }} }} }}", ()))
        probes = [f"NOT EXISTS {{ ?this {path} {value.n3()} }}" for value in self._sh(node, "hasValue")]
        counts, more = self._counts(node, keys, target, path)
        return queries + counts, probes + more

    def _counts(self, node, keys: set[str], target: str, path: str) -> tuple[list, list[str]]:
        """Cardinalities: small bounds as EXISTS probes, larger ones in one GROUP BY query."""
        qualified = self._one(node, "qualifiedValueShape")
        if qualified is None and keys & {"qualifiedMinCount", "qualifiedMaxCount"}:
            raise self._error(node, "sh:qualifiedMin/MaxCount without sh:qualifiedValueShape")

        def conforms(v: str) -> str:
            if qualified is None:
                return "true"
            inner = sorted(self._keys(qualified, VALUE_KEYS, "qualified value shape") - {"flags"})
            return " && ".join(f"COALESCE({self._value_ok(qualified, k, o, v)}, false)"
                               for k in inner for o in self._sh(qualified, k)) or "true"

        probes, grouped = [], []
        for key, test in (("minCount", lambda v: "true"), ("maxCount", lambda v: "true"),
                          ("qualifiedMinCount", conforms), ("qualifiedMaxCount", conforms)):
            bound = self._one(node, key)
            if bound is None:
                continue
            n = int(bound)
            if key.endswith("MinCount") or key == "minCount":
                if n >= 1:  # no (conforming) value at all
                    v = self._var()
                    probes.append(f"NOT EXISTS {{ ?this {path} {v} . FILTER({test(v)}) }}")
                if n >= 2:  # some, but too few (none is the probe above)
                    count = "?q" if "qualified" in key else "?n"
                    grouped.append((f"bad_{key}", f"({count} > 0 && {count} < {n})"))
            elif n <= 2:  # more than n distinct (conforming) values
                vs = [self._var() for _ in range(n + 1)]
                conditions = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2)] + [test(v) for v in vs]
                triples = " ".join(f"?this {path} {v} ." for v in vs)
                probes.append(f"EXISTS {{ {triples} FILTER({' && '.join(conditions)}) }}")
            else:
                grouped.append((f"bad_{key}", f"(?{'q' if 'qualified' in key else 'n'} > {n})"))
        if not grouped:
            return [], probes
        binds = " ".join(f"BIND({test} AS ?{flag})" for flag, test in grouped)
        names = tuple(flag for flag, _ in grouped)
        query = (f"SELECT ?this ?{' ?'.join(names)} WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) "
                 f"(COUNT(DISTINCT ?ok) AS ?q) WHERE {{ {target} ?this {path} ?value . "
                 f"BIND(IF({conforms('?value')}, ?value, ?none) AS ?ok) }} GROUP BY ?this }} "
                 f"{binds} FILTER(?{' || ?'.join(names)}) }}")
        return [(query, names)], probes

    def _value_ok(self, node, key: str, obj, v: str) -> str:
        """A SPARQL expression that holds when the value node ``v`` satisfies ``sh:key obj``."""
        if key == "datatype":
            if str(obj) == RDF_LANGSTRING:
                return f"(isLiteral({v}) && LANG({v}) != \"\")"
            ok = f"(isLiteral({v}) && sameTerm(DATATYPE({v}), <{obj}>)"
            if str(obj) in CASTABLE:  # an ill-formed lexical form ("abc"^^xsd:integer) fails, as in pySHACL
                ok += f" && isLiteral(COALESCE(<{obj}>(STR({v})), <urn:ill-formed>))"
            return ok + ")"
        if key == "class":
            closure = " ".join(f"<{c}>" for c in self.classes(str(obj)))
            return f"EXISTS {{ {v} <{RDF_TYPE}> ?cls VALUES ?cls {{ {closure} }} }}"
        if key == "in":
            return "(" + (" || ".join(f"sameTerm({v}, {m.n3()})" for m in self._list(obj)) or "false") + ")"
        if key == "pattern":
            flags = self._one(node, "flags")
            extra = f", {flags.n3()}" if flags is not None else ""
            return f"(!isBlank({v}) && REGEX(STR({v}), {obj.n3()}{extra}))"
        if key in ("minLength", "maxLength"):
            op = ">=" if key == "minLength" else "<="
            return f"(!isBlank({v}) && STRLEN(STR({v})) {op} {int(obj)})"
        if key == "languageIn":
            tags = " || ".join(f"langMatches(LANG({v}), {m.n3()})" for m in self._list(obj)) or "false"
            return f"(isLiteral({v}) && ({tags}))"
        ops = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
        if key in ops:
            return f"({v} {ops[key]} {obj.n3()})"
        raise self._error(node, f"sh:{key} is not compiled")

    def _alternative(self, member, target: str) -> str:
        """A query for the focus nodes that do NOT conform to one member of an sh:or."""
        if self._one(member, "path") is None:
            keys = self._keys(member, VALUE_KEYS, "sh:or member")
            ok = " && ".join(f"COALESCE({self._value_ok(member, k, o, '?this')}, false)"
                             for k in sorted(keys - {"flags"}) for o in self._sh(member, k)) or "true"
            return f"SELECT ?this WHERE {{ {target} FILTER(!({ok})) }}"
        keys = self._keys(member, PROPERTY_KEYS, "sh:or member")
        path, _ = self._path(member)
        queries, probes = self._constraints(member, keys, target, path)
        parts = [query for query, _flags in queries]
        if probes:
            parts.append(f"SELECT ?this WHERE {{ {target} FILTER({' || '.join(probes)}) }}")
        if not parts:
            return NEVER
        return "SELECT DISTINCT ?this WHERE { " + " UNION ".join(f"{{ {q} }}" for q in parts) + " }"

    def _sparql(self, shape, constraint, target: str) -> None:
        self._keys(constraint, SPARQL_KEYS, "SPARQL constraint")
        if self._deactivated(constraint):
            return
        select = self._one(constraint, "select")
        if select is None:
            raise self._error(constraint, "SPARQL constraint without sh:select (sh:ask is not compiled)")
        if re.search(r"(?im)^\s*(PREFIX|BASE)\b", str(select)):
            raise self._error(constraint, "PREFIX/BASE inside sh:select: declare prefixes with sh:prefixes")
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in self._prefixes(constraint))
        # pySHACL pre-binds $this to each focus node; a join with the targets gives the same solutions
        query = f"{prologue}SELECT DISTINCT * WHERE {{ {target} {{ {select} }} }}"
        result = self._result(shape, None, tuple(str(m) for m in self._sh(constraint, "message")))
        self.checks.append(Check(self._name(constraint), query, result, sparql=True))

    def _prefixes(self, constraint) -> list[tuple[str, str]]:
        out = []
        for source in self._sh(constraint, "prefixes"):
            for declaration in self._sh(source, "declare"):
                prefix, namespace = self._one(declaration, "prefix"), self._one(declaration, "namespace")
                if prefix is None or namespace is None:
                    raise self._error(source, "sh:declare needs sh:prefix and sh:namespace")
                out.append((str(prefix), str(namespace)))
        return out


# -- running the checks ------------------------------------------------------------------------------

def shapes_graph(path: Path = paths.SHAPES):
    from .validate import shapes_graph as read

    return read(path)


def compile_checks(store, shapes=None) -> list[Check]:
    """The checks of ``shapes`` (default ontology/shapes.ttl) for the data in ``store`` (pyoxigraph)."""
    import pyoxigraph as ox

    def classes(cls: str) -> list[str]:
        query = f"SELECT DISTINCT ?c WHERE {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{cls}> }}"
        found = {s["c"].value for s in store.query(query) if isinstance(s["c"], ox.NamedNode)}
        return sorted(found | {cls})

    return Compiler(shapes if shapes is not None else shapes_graph(), classes).compile()


def validate_store(store, shapes=None, base: str | None = None,
                   on_check: Callable[[int, int], None] | None = None):
    """Validate the data in ``store`` (an OxigraphStore or a pyoxigraph Store) against SHACL ``shapes``.

    Returns the same ``Report`` as ``validate.validate_graph`` (pySHACL); ``on_check(done, total)`` is
    called after every check, for a progress bar.
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    from .validate import Report

    ox_store = getattr(store, "ox", store)
    checks = compile_checks(ox_store, shapes)
    names = _namespaces(ox_store, base)
    violations = []
    # Oxigraph evaluates without holding the GIL: two threads use both cores (12 s → 5.5 s at 1M triples)
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for k, found in enumerate(pool.map(lambda check: _run(ox_store, check, names), checks), 1):
            violations += found
            if on_check:
                on_check(k, len(checks))
    violations.sort(key=lambda v: (v.severity, v.focus, v.path or "", v.message))
    return Report(not any(v.severity == "Violation" for v in violations), tuple(violations))


def _run(store, check: Check, names) -> list:
    """The violations one check finds: (focus, result) pairs made into ``Violation`` objects."""
    from .validate import Violation

    found: list[tuple[object, Result, dict]] = []
    if check.alternatives:
        failing = None
        for query in check.alternatives:
            focus = {s["this"] for s in store.query(query)}
            failing = focus if failing is None else failing & focus
        found = [(this, check.result, {"this": this}) for this in sorted(failing or (), key=str)]
    else:
        solutions = store.query(check.query)
        variables = [v.value for v in solutions.variables]
        for solution in solutions:
            bound = {name: solution[name] for name in variables if solution[name] is not None}
            if check.flags:
                found += [(bound["this"], result, bound) for flag, result in check.flags
                          if flag in bound and bound[flag].value == "true"]
            else:
                found.append((bound["this"], check.result, bound))
    out = []
    for this, result, bound in found:
        messages = result.messages
        if check.sparql:
            bound.setdefault("value", this)  # a node shape's SPARQL result has the focus node as value
            messages = tuple(_fill(m, bound) for m in messages)
        out.append(Violation(_short(names, this), _short_path(names, result.path),
                             "; ".join(sorted(set(messages))) or "constraint violated", result.severity))
    return out


def _fill(message: str, bound: dict) -> str:
    """pySHACL's message templates: ``{?value}`` / ``{$this}`` become the bound term's string."""
    for name, term in bound.items():
        message = re.sub(r"\{[?$]" + re.escape(name) + r"\}", lambda _m, t=term: t.value, message)
    return message


def _namespaces(store, base: str | None):
    """The prefixes a report shortens IRIs with: the shared ones plus ``id:`` for the instance base."""
    from rdflib import Graph

    from .namespaces import bind_prefixes

    if base is None:
        for solution in store.query("SELECT ?n WHERE { ?n a <https://w3id.org/reformkg/ns#Notice> } LIMIT 1"):
            match = re.match(r"^(.*/)notice/[^/]+$", solution["n"].value)
            base = match.group(1) if match else None
    return bind_prefixes(Graph(), base)


def _short(names, term) -> str:
    from .terms import from_ox
    from .validate import _short as shorten

    return shorten(names, from_ox(term))


def _short_path(names, path) -> str | None:
    """The path as the report prints it; an inverse path as ``^prefix:name``."""
    from .validate import _short as shorten

    if path is None:
        return None
    if isinstance(path, tuple):
        return "^" + shorten(names, path[1])
    return shorten(names, path)
