"""The ``reformkg`` command group. Commands are imported only when run, so ``--help`` and small
queries start fast (rdflib's SPARQL engine, pyshacl and pyvis are costly imports)."""

from __future__ import annotations

import importlib

import click

from .errors import ReformKGError

COMMANDS = {
    "build": ("reformkg.commands.build", "build_cmd", "Build the graph from the notices and curated data."),
    "validate": ("reformkg.commands.build", "validate_cmd", "Validate a graph against the SHACL shapes."),
    "indicators": ("reformkg.commands.indicators", "indicators_cmd", "List every outcome figure, for auditing."),
    "queries": ("reformkg.commands.query", "queries_cmd", "List the named SPARQL queries."),
    "query": ("reformkg.commands.query", "query_cmd", "Run a named query or a .rq file on the graph."),
    "viz": ("reformkg.commands.viz", "viz_cmd", "Write an interactive network view (HTML)."),
    "network": ("reformkg.commands.viz", "network_cmd", "Print agency network metrics."),
    "export": ("reformkg.commands.publish", "export_cmd", "Export the graph as Turtle, N-Triples, JSON-LD or TriG."),
    "serve": ("reformkg.commands.publish", "serve_cmd", "Serve a SPARQL endpoint and dereferenceable IRIs."),
    "push": ("reformkg.commands.publish", "push_cmd", "Upload the graph to a triple store (Graph Store Protocol)."),
    "registry": ("reformkg.commands.registry", "registry_cmd", "Check or rewrite curated YAML in canonical form."),
}


class LazyGroup(click.Group):
    """Lists every command without importing it; imports a command's module only to run it."""

    def list_commands(self, ctx):
        return sorted(name for name in COMMANDS if self._available(name))

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            return None

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ReformKGError as exc:
            raise click.ClickException(str(exc)) from None

    @staticmethod
    def _available(name: str) -> bool:
        return importlib.util.find_spec(COMMANDS[name][0]) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reformkg")
def main():
    """reformkg: a knowledge graph of government reform measures.

    Notices in data/notices/ and curated YAML in data/ become one RDF graph (dist/reformkg.ttl);
    query it with SPARQL, view the agency network, publish it as linked data.
    """


if __name__ == "__main__":
    main()
