"""``reformkg build`` and ``reformkg validate``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .. import paths
from .common import base_option

MAX_WARNINGS = 20  # beyond this, a corpus build prints a count per kind (all of them with --verbose)
STEP_NAMES = {"describe": "describe (resolve, figures, triples)", "store": "load into Oxigraph",
              "check": "commended = leads", "validate": "validate (SHACL as SPARQL)",
              "sort": "sort N-Triples", "write": "write Turtle", "disk store": "write on-disk store"}


class RichProgress:
    """The build's steps as rich progress bars on stderr: a bar where the step knows its size, a spinner
    where it does not. On a terminal only; elsewhere (CI logs, tests) one plain line per step."""

    def __init__(self, console=None):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, \
            TimeElapsedColumn

        from ..build import Progress as Steps

        self.console = console or Console(stderr=True)
        self.bars = Progress(SpinnerColumn(), TextColumn("{task.description:<34}"), BarColumn(),
                             MofNCompleteColumn(), TimeElapsedColumn(), console=self.console, transient=False)
        self.tasks: dict[str, int] = {}
        progress = self

        class _Steps(Steps):
            def start(self, name, total):
                progress.start(name, total)

            def advance(self, name, n=1):
                progress.bars.advance(progress.tasks[name], n)

            def finish(self, name):
                progress.finish(name)

            def set_total(self, name, total):
                progress.bars.update(progress.tasks[name], total=total)

        self.steps = _Steps()

    def start(self, name: str, total: int | None) -> None:
        self.tasks[name] = self.bars.add_task(STEP_NAMES.get(name, name), total=total)

    def finish(self, name: str) -> None:
        task = self.tasks[name]
        total = self.bars.tasks[task].total
        self.bars.update(task, total=total or 1, completed=total or 1)

    def __enter__(self):
        self.bars.start()
        return self.steps

    def __exit__(self, *exc):
        self.bars.stop()


def _steps(quiet: bool):
    """Rich bars on a terminal; plain ``… step`` lines otherwise (the lines the tests and logs see)."""
    import contextlib

    from rich.console import Console

    from ..build import Progress

    console = Console(stderr=True)
    if console.is_terminal and not quiet:
        return RichProgress(console)
    return contextlib.nullcontext(Progress(None if quiet else (lambda step: click.echo(f"… {step}", err=True))))


def summary(result, seconds: float, validated: bool) -> str:
    """One line: what was built, how big, how long, and where the time went."""
    agencies = _count(result.store, "rk:Agency")
    steps = ", ".join(f"{name} {t:.1f}s" for name, t in result.timings.items())
    triples = len(result.store)
    return (f"built {len(result.notices):,} notice(s), {result.measures:,} measures, {agencies:,} agencies, "
            f"{triples:,} triples in {seconds:.2f}s ({triples / max(seconds, 1e-9):,.0f} triples/s"
            + (f"; {steps}" if steps else "") + ")" + ("; the graph conforms" if validated else ""))


def _count(store, cls: str) -> int:
    from ..namespaces import PREFIXES

    rows = list(store.ox.query(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}", prefixes=PREFIXES))
    return int(rows[0]["n"].value)


def _warnings(warnings: list[str], verbose: bool) -> None:
    if verbose or len(warnings) <= MAX_WARNINGS:
        for warning in warnings:
            click.secho(f"warning: {warning}", fg="yellow", err=True)
        return
    kinds: dict[str, int] = {}
    for warning in warnings:
        kind = ("no curated English/topics" if warning.startswith("no curated") else
                "provisional " + warning.split("provisional ", 1)[1].split(" ", 1)[0] if "provisional " in warning
                else "other")
        kinds[kind] = kinds.get(kind, 0) + 1
    for warning in warnings[:MAX_WARNINGS // 2]:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    counts = ", ".join(f"{n:,} {kind}" for kind, n in sorted(kinds.items()))
    click.secho(f"warning: … {len(warnings) - MAX_WARNINGS // 2:,} more ({counts} in all; --verbose lists them)",
                fg="yellow", err=True)


@click.command("build")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=paths.DATA_DIR,
              show_default="data/", help="Folder with notices/ and the curated YAML.")
@click.option("--notice", "extra", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A notice file from anywhere, added to those in DATA/notices/ (repeatable).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=paths.DIST_DIR,
              show_default="dist/", help="Output folder.")
@base_option
@click.option("--strict", is_flag=True, help="Fail on provisional entities and uncurated measures.")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (faster; not for publishing).")
@click.option("--verbose", is_flag=True, help="List every warning, however many.")
@click.option("--quiet", is_flag=True, help="No progress output (warnings and the summary still go to stderr).")
def build_cmd(data_dir, extra, out_dir, base, strict, no_validate, verbose, quiet):
    """Build OUT/reformkg.ttl from every notice in DATA/notices/ (and --notice files)."""
    from ..build import build

    started = time.perf_counter()
    with _steps(quiet) as steps:
        result = build(data_dir, extra, out_dir, base, strict, validate=not no_validate, progress=steps)
    _warnings(result.warnings, verbose)
    problems = [check for check in result.consistency if not check.ok]
    for check in (result.consistency if verbose or len(result.consistency) <= MAX_WARNINGS else problems):
        click.echo(("ok: " if check.ok else "warning: ") + str(check), err=True)
    if len(result.consistency) > MAX_WARNINGS and not verbose:
        click.echo(f"ok: {len(result.consistency) - len(problems):,} of {len(result.consistency):,} notices "
                   "commend exactly their lead units", err=True)
    for path in result.written:
        click.echo(f"wrote {_relative(path)}")
    click.echo(summary(result, time.perf_counter() - started, not no_validate), err=True)


@click.command("validate")
@click.argument("graph_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--shapes", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=paths.SHAPES,
              show_default="ontology/shapes.ttl", help="SHACL shapes file.")
@click.option("--engine", type=click.Choice(["sparql", "pyshacl"]), default="sparql", show_default=True,
              help="sparql: the shapes compiled to SPARQL on Oxigraph (fast); pyshacl: the reference engine.")
def validate_cmd(graph_file, shapes, engine):
    """Validate GRAPH_FILE (default dist/reformkg.ttl) with SHACL; exit status 1 if it does not conform."""
    from ..validate import shapes_graph

    if engine == "pyshacl":
        from ..validate import validate_graph
        from .common import load_graph

        graph = load_graph(graph_file)
        if not any(True for _ in graph.triples((None, None, None))):
            raise click.ClickException(f"{graph_file}: the graph is empty")
        report = validate_graph(graph, shapes_graph(shapes))
    else:
        from ..build import ensure_graph
        from ..fastvalidate import validate_store
        from ..store import OxigraphStore

        store = OxigraphStore.from_file(ensure_graph(graph_file))
        if not len(store):
            raise click.ClickException(f"{graph_file}: the graph is empty")
        report = validate_store(store, shapes_graph(shapes))
    click.echo(str(report))
    sys.exit(0 if report.conforms else 1)


def _relative(path: Path) -> Path:
    """A path under the working directory as a relative one (dist/reformkg.ttl), else as given."""
    try:
        return Path(path).resolve().relative_to(Path.cwd())
    except ValueError:
        return Path(path)
