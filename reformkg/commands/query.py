"""``reformkg queries`` (list the named queries) and ``reformkg query`` (run one on the graph).

Imports stay light at module level: rich, the store and rdflib load only when a command runs, and the
rdflib SPARQL engine only with ``--engine rdflib``.
"""

from __future__ import annotations

import click

from .. import paths
from .common import base_option, graph_option

FORMATS = ("table", "csv", "tsv", "json", "ttl", "nt", "jsonld")


def _console():
    import sys

    from rich.console import Console

    # a terminal sets the width; piped or captured output gets a wide table rather than folded cells
    return Console(file=sys.stdout, width=None if sys.stdout.isatty() else 160, soft_wrap=False)


@click.command("queries")
def queries_cmd():
    """List the named queries in queries/ (name, title, parameters)."""
    from rich.table import Table

    from ..queries import all_queries

    table = Table(title="Named queries (run one with: reformkg query NAME [--param name=value])")
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("title")
    table.add_column("parameters")
    for q in all_queries():
        table.add_row(q.name, q.title, "\n".join(_param_text(p) for p in q.params))
    _console().print(table)


def _param_text(p) -> str:
    return f"{p.name} ({p.type})" + (" required" if p.required else f" = {p.default}")


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected name=value, got '{item}'", param_hint="--param")
        params[name.strip()] = value
    return params


@click.command("query")
@click.argument("name_or_file")
@graph_option
@click.option("--param", "-p", "param_values", multiple=True, metavar="NAME=VALUE",
              help="A query parameter (repeatable); bound as a typed RDF term, never pasted into the text.")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table (readable), csv/tsv/json (W3C SPARQL results), ttl/nt/jsonld (CONSTRUCT results).")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
              help="Query engine.")
@base_option
def query_cmd(name_or_file, graph_path, param_values, fmt, engine, base):
    """Run a named query (see `reformkg queries`) or a .rq file on the graph.

    By default the graph is dist/reformkg.ttl (built first when missing).
    """
    from ..queries import bindings_for, find, run
    from ..store import open_store

    query = find(name_or_file)
    params = _parse_params(param_values)
    bindings_for(query, params, base)  # bad parameters fail before the graph is opened
    if graph_path is None and not (paths.DIST_DIR / "reformkg.ttl").exists():
        click.echo("dist/reformkg.ttl is missing: building it first…", err=True)
    store = open_store(graph_path, engine=engine)
    result = run(query, store, params, base)
    if fmt == "table":
        _print_table(query, result, base)
    else:
        text = result.serialize(fmt)
        click.echo(text, nl=not text.endswith("\n"))


TABLE_ROWS = 500


def _print_table(query, result, base: str) -> None:
    from rich.table import Table

    from ..namespaces import prefixes_with_base

    prefixes = sorted(prefixes_with_base(base).items(), key=lambda kv: -len(kv[1]))
    console = _console()
    if result.kind == "ask":
        console.print("true" if result.boolean else "false", markup=False)
        return
    if result.kind == "graph":
        header = ["subject", "predicate", "object"]
        rows = sorted(result.triples, key=lambda t: tuple(str(x) for x in t))
        caption = f"{len(rows)} triples"
    else:
        header, rows = result.variables, result.rows
        caption = f"{len(rows)} row" + ("" if len(rows) == 1 else "s")
    if len(rows) > TABLE_ROWS:  # a terminal table of 20,000 rows helps nobody and takes seconds
        caption += f" (the first {TABLE_ROWS} shown; --format csv or json gives them all)"
        rows = rows[:TABLE_ROWS]
    table = Table(title=query.title or query.name, caption=caption)
    for i, name in enumerate(header):
        numeric = bool(rows) and all(_is_number(row[i]) for row in rows if row[i] is not None)
        table.add_column(name, overflow="fold", justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(_cell(term, prefixes) for term in row))
    console.print(table)


_NUMBERS = {"integer", "decimal", "double", "float", "long", "int", "nonNegativeInteger"}


def _is_number(term) -> bool:
    datatype = getattr(term, "datatype", None)
    return datatype is not None and str(datatype).rsplit("#", 1)[-1] in _NUMBERS


def _cell(term, prefixes) -> str:
    """Labels as plain text, IRIs shortened with the known prefixes (``id:`` for the base)."""
    from rich.markup import escape
    from rdflib import BNode, URIRef

    if term is None:
        return ""
    if isinstance(term, URIRef):
        iri = str(term)
        for prefix, ns in prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                return escape(f"{prefix}:{iri[len(ns):]}")
        return escape(f"<{iri}>")
    if isinstance(term, BNode):
        return f"_:{term}"
    return escape(str(term))
