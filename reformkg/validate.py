"""SHACL validation with pySHACL against ontology/shapes.ttl, reported one readable line per problem."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SH

from . import paths


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str

    def __str__(self) -> str:
        where = self.focus + (f" {self.path}" if self.path else "")
        return f"{self.severity}: {where}: {self.message}"


@dataclass(frozen=True)
class Report:
    conforms: bool
    violations: tuple[Violation, ...]

    def __str__(self) -> str:
        if self.conforms:
            return "conforms: the graph satisfies every shape"
        return "\n".join(str(v) for v in self.violations)


def shapes_graph(path: Path = paths.SHAPES) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def validate_graph(data: Graph, shapes: Graph | None = None) -> Report:
    """Validate with pySHACL (RDFS subclass reasoning comes from the ontology inside the data)."""
    import pyshacl

    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=shapes if shapes is not None else shapes_graph(), inference="none",
        advanced=True, allow_warnings=True)
    return Report(bool(conforms), _violations(results, data))


def _violations(results: Graph, data: Graph) -> tuple[Violation, ...]:
    out = []
    for result in results.subjects(predicate=SH.resultSeverity):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        severity = str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        out.append(Violation(_short(data, focus), _path(results, data, path) if path is not None else None,
                             "; ".join(messages) or "constraint violated", severity))
    return tuple(sorted(out, key=lambda v: (v.severity, v.focus, v.path or "", v.message)))


def _path(results: Graph, data: Graph, path) -> str:
    """A result path as SPARQL writes it: rk:p, or ^rk:p for an inverse path (not a blank-node id)."""
    inverse = results.value(path, SH.inversePath)
    return "^" + _short(data, inverse) if inverse is not None else _short(data, path)


def _short(graph: Graph, term) -> str:
    try:
        return graph.namespace_manager.normalizeUri(term)
    except Exception:  # noqa: BLE001 - a blank node or an IRI with no prefix prints as itself
        return str(term)
