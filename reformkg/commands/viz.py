"""``reformkg viz`` (an interactive HTML view) and ``reformkg network`` (the agency metrics)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import graph_option


def filter_options(func):
    """--level, --district and --topic: which measures the network is made of."""
    func = click.option("--topic", default=None, metavar="ID",
                        help="Only measures with this topic (notation such as bready/taxation, or its label).")(func)
    func = click.option("--district", default=None, metavar="NAME",
                        help="Only the measures of this district (思明区, Siming District or 350203).")(func)
    return click.option("--level", type=click.Choice(["city", "district"]), default=None,
                        help="Only city-level or district-level measures.")(func)


@click.command("viz")
@graph_option
@click.option("--view", "view_name", type=click.Choice(["collaboration", "measures"]), default="collaboration",
              show_default=True, help="collaboration: agencies linked by shared measures; "
                                      "measures: the measure–agency network.")
@filter_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="HTML file to write (default: dist/<view>.html).")
def viz_cmd(graph_path, view_name, level, district, topic, out):
    """Write an interactive network view: one self-contained HTML file that opens offline."""
    from .. import paths
    from ..network import read_network
    from ..store import open_store
    from ..views import write_view

    net = read_network(open_store(graph_path), level=level, district=district, topic=topic)
    out = out or paths.DIST_DIR / f"{view_name}.html"
    path = write_view(net, view_name, out)
    click.echo(f"wrote {path} ({len(net.agencies)} agencies, {len(net.measures)} measures)")


@click.command("network")
@graph_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def network_cmd(graph_path, level, district, topic, fmt):
    """Print degree, weighted degree, betweenness and community of every agency, bridges first."""
    import json

    from ..network import METRIC_COLUMNS, metrics, metrics_csv, read_network
    from ..store import open_store

    rows = metrics(read_network(open_store(graph_path), level=level, district=district, topic=topic))
    if fmt == "csv":
        click.echo(metrics_csv(rows), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        columns = [c for c in METRIC_COLUMNS if c != "agency"]
        table = Table(show_edge=False)
        for c in columns:
            text = c in ("name_zh", "name_en", "kind")
            table.add_column(c, no_wrap=True, overflow="ellipsis", justify="left" if text else "right",
                             max_width=34 if c == "name_en" else None, min_width=None if text else len(c))
        for r in rows:
            table.add_row(*[str(r[c]) for c in columns])
        Console(width=max(160, Console().width)).print(table)
