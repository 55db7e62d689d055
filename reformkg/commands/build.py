"""``reformkg build`` and ``reformkg validate``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .. import paths
from .common import base_option


@click.command("build")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=paths.DATA_DIR,
              show_default=True, help="Folder with notices/ and the curated YAML.")
@click.option("--notice", "extra", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A notice file from anywhere, added to those in DATA/notices/ (repeatable).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=paths.DIST_DIR,
              show_default=True, help="Output folder.")
@base_option
@click.option("--strict", is_flag=True, help="Fail on provisional entities and uncurated measures.")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (faster; not for publishing).")
def build_cmd(data_dir, extra, out_dir, base, strict, no_validate):
    """Build OUT/reformkg.ttl from every notice in DATA/notices/ (and --notice files)."""
    from ..build import build

    started = time.perf_counter()
    result = build(data_dir, extra, out_dir, base, strict, validate=not no_validate,
                   on_step=lambda step: click.echo(f"… {step}", err=True))
    for warning in result.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    for check in result.consistency:
        click.echo(("ok: " if check.ok else "warning: ") + str(check), err=True)
    for path in result.written:
        click.echo(f"wrote {path}")
    click.echo(f"built {len(result.notices)} notice(s), {result.measures} measures, {len(result.store)} triples"
               f" in {time.perf_counter() - started:.2f}s" + ("" if no_validate else "; the graph conforms"))


@click.command("validate")
@click.argument("graph_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--shapes", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=paths.SHAPES,
              show_default=True, help="SHACL shapes file.")
def validate_cmd(graph_file, shapes):
    """Validate GRAPH_FILE (default dist/reformkg.ttl) with SHACL; exit status 1 if it does not conform."""
    from ..validate import shapes_graph, validate_graph
    from .common import load_graph

    graph = load_graph(graph_file)
    if not any(True for _ in graph.triples((None, None, None))):
        raise click.ClickException(f"{graph_file}: the graph is empty")
    report = validate_graph(graph, shapes_graph(shapes))
    click.echo(str(report))
    sys.exit(0 if report.conforms else 1)
