"""``reformkg registry check|fmt``: curated YAML validated and kept in canonical form."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import paths

data_option = click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
                           default=paths.DATA_DIR, show_default="data/", help="Folder with the curated YAML.")


@click.group("registry")
def registry_cmd():
    """Check or rewrite the curated YAML in data/ (cities, districts, agencies, topics, measures)."""


@registry_cmd.command("check")
@data_option
def check_cmd(data_dir):
    """Validate every curated file and report files not in canonical form (exit 1)."""
    from ..canonical import drifted
    from ..registry import load_registry

    registry = load_registry(data_dir)
    bad = drifted(data_dir)
    for path in bad:
        click.echo(f"{path}: not in canonical form (run: reformkg registry fmt)")
    click.echo(f"{len(registry.agencies)} agencies, {len(registry.districts)} districts, "
               f"{len(registry.cities)} cities: valid" + ("" if bad else "; every file is canonical"))
    sys.exit(1 if bad else 0)


@registry_cmd.command("fmt")
@data_option
def fmt_cmd(data_dir):
    """Rewrite curated files in canonical form (sorted records, fixed key order)."""
    from ..canonical import fix

    for path in fix(data_dir):
        click.echo(f"rewrote {path}")
