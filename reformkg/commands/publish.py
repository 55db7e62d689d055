"""``reformkg export``, ``reformkg serve`` and ``reformkg push``: the graph as linked data."""

from __future__ import annotations

from pathlib import Path

import click

from .. import paths
from ..build import ensure_graph
from .common import graph_option


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "trig"]), required=True,
              help="Turtle, N-Triples, JSON-LD (with a readable @context) or TriG (one named graph per notice).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@click.option("--base-iri", "base", default=None,
              help="Move every instance IRI to this base (default: keep the base the graph was built with).")
@graph_option
def export_cmd(fmt, out, base, graph_path):
    """Export the built graph (dist/reformkg.trig for TriG, else dist/reformkg.ttl) in one format."""
    from ..errors import ReformKGError
    from ..export import export
    from ..iris import DEFAULT_BASE, Minter

    if base is not None:
        try:
            Minter(base)
        except ValueError as exc:
            raise ReformKGError(f"--base-iri: {exc}") from None
    source = ensure_graph(graph_path, paths.DIST_DIR / ("reformkg.trig" if fmt == "trig" else "reformkg.ttl"))
    written = export(source, fmt, out, base, DEFAULT_BASE)
    click.echo(f"wrote {written}")


@click.command("serve")
@graph_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--base-iri", "base", default=None,
              help="Base IRI of the entities served at /id/… (default: the one the graph was built with).")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="Time limit of one query, in seconds; a query over it is stopped.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(1),
              help="Result-row cap (rows of a SELECT, triples of a CONSTRUCT).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Query worker processes (queries run in parallel up to this number).")
def serve_cmd(graph_path, host, port, base, timeout, max_rows, workers):
    """Serve a read-only SPARQL endpoint at /sparql and every entity at /id/… (Ctrl-C stops it)."""
    import uvicorn

    from ..server import app_for

    graph_file = ensure_graph(graph_path)
    app = app_for(graph_file, base, timeout, max_rows, workers)  # starts the query workers
    click.echo(f"serving {graph_file} at http://{host}:{port}/ (SPARQL at /sparql, entities at /id/…)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@click.command("push")
@click.option("--endpoint", required=True,
              help="Graph Store endpoint, e.g. http://HOST:7878/store (Oxigraph), http://HOST:3030/DS/data (Fuseki).")
@click.option("--graph", "graph_iri", default=None,
              help="Named graph to replace (default: {base}graph; --default-graph for the default graph).")
@click.option("--default-graph", is_flag=True, help="Replace the store's default graph instead of a named graph.")
@click.option("--file", "graph_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Graph file to upload (default: dist/reformkg.ttl).")
@click.option("--user", default=None, help="User name for the store.")
@click.option("--password", default=None, envvar="REFORMKG_PUSH_PASSWORD",
              help="Password (or set REFORMKG_PUSH_PASSWORD).")
@click.option("--auth", type=click.Choice(["basic", "digest"]), default="basic", show_default=True,
              help="HTTP authentication scheme (Virtuoso's /sparql-graph-crud-auth uses digest).")
@click.option("--timeout", default=120.0, show_default=True, type=float, help="HTTP timeout in seconds.")
def push_cmd(endpoint, graph_iri, default_graph, graph_file, user, password, auth, timeout):
    """Replace a named graph in a triple store with the graph (Graph Store Protocol PUT), then verify it."""
    from ..push import default_graph_iri, push

    path = ensure_graph(graph_file)
    if default_graph:
        graph_iri = None
    elif graph_iri is None:
        graph_iri = default_graph_iri(path)
    click.echo(str(push(path, endpoint, graph_iri, user, password, auth, timeout)))
