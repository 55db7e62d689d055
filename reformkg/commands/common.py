"""Options and helpers shared by the commands."""

from __future__ import annotations

from pathlib import Path

import click

from ..iris import DEFAULT_BASE


def graph_option(func):
    return click.option("--graph", "graph_path", type=click.Path(dir_okay=False, path_type=Path),
                        default=None, help="Graph file to read (default: dist/reformkg.ttl, built if missing).")(func)


def base_option(func):
    return click.option("--base-iri", "base", default=DEFAULT_BASE, show_default=True,
                        help="Base IRI of the instance IRIs.")(func)


def load_graph(graph_path: Path | None):
    """The graph to read: the given file, or dist/reformkg.ttl (built first when it is missing)."""
    from rdflib import Graph

    from ..build import ensure_graph
    from ..errors import ReformKGError
    from ..namespaces import bind_prefixes

    path = ensure_graph(graph_path)
    graph = Graph()
    try:
        graph.parse(path, format=_format_of(path))
    except Exception as exc:  # noqa: BLE001 - any parser error becomes one clear line
        raise ReformKGError(f"cannot parse the graph: {exc}", path=path) from None
    return bind_prefixes(graph)


def _format_of(path: Path) -> str:
    return {".nt": "nt", ".jsonld": "json-ld", ".trig": "trig", ".nq": "nquads"}.get(path.suffix, "turtle")
