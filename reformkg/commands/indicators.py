"""``reformkg indicators``: every outcome figure beside the clause it was read from, for auditing."""

from __future__ import annotations

import re

import click

from .common import graph_option

INDICATORS_QUERY = """
SELECT ?measure ?level ?rank ?title ?indicator ?value ?unit ?qualifier ?change ?asOf ?periodStart ?periodEnd ?source
WHERE {
  ?measure rk:hasIndicator ?indicator ; rk:level ?levelConcept ; rk:rank ?rank ; rk:title ?title .
  ?levelConcept skos:notation ?level .
  ?indicator rk:value ?value ; rk:unit ?unit ; rk:sourceText ?source .
  OPTIONAL { ?indicator rk:qualifier/skos:notation ?qualifier }
  OPTIONAL { ?indicator rk:change/skos:notation ?change }
  OPTIONAL { ?indicator rk:asOf ?asOf }
  OPTIONAL { ?indicator rk:periodStart ?periodStart }
  OPTIONAL { ?indicator rk:periodEnd ?periodEnd }
}
ORDER BY ?measure ?indicator
"""
COLUMNS = ("measure", "level", "rank", "title", "n", "value", "unit", "qualifier", "change", "asOf",
           "periodStart", "periodEnd", "source")


def indicator_rows(store, measure: str | None = None) -> list[dict[str, str]]:
    """One plain dict per figure, in measure and figure order; ``measure`` filters (IRI, city-1, 3)."""
    result = store.query(INDICATORS_QUERY)
    rows = []
    for row in result.as_dicts():
        iri = str(row["measure"])
        if measure and not _matches(measure, iri, str(row["level"]), int(row["rank"])):
            continue
        item = {k: ("" if v is None else str(v)) for k, v in row.items()}
        item["n"] = str(row["indicator"]).rsplit("/", 1)[-1]
        rows.append({k: item.get(k, "") for k in COLUMNS})
    rows.sort(key=lambda r: (r["measure"], int(r["n"])))
    return rows


def _matches(wanted: str, iri: str, level: str, rank: int) -> bool:
    if wanted == iri:
        return True
    match = re.fullmatch(r"(?:(city|district)-?)?0*([0-9]+)", wanted.strip())
    return bool(match) and int(match[2]) == rank and match[1] in (None, level)


@click.command("indicators")
@graph_option
@click.option("--measure", help="Only this measure: its IRI, level-rank (city-1, district-03) or a rank.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def indicators_cmd(graph_path, measure, fmt):
    """List every outcome figure: measure, value, unit, qualifier, date and the clause it came from."""
    from ..store import open_store

    rows = indicator_rows(open_store(graph_path), measure)
    if measure and not rows:
        raise click.ClickException(f"no figures for measure '{measure}' (give an IRI, city-1 or district-3)")
    if fmt == "csv":
        import csv
        import sys

        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif fmt == "json":
        import json

        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _table(rows)


def _table(rows: list[dict[str, str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} outcome figures", show_lines=False)
    for name in ("measure", "n", "value", "unit", "qualifier", "change", "date"):
        table.add_column(name, no_wrap=True)
    table.add_column("source", overflow="fold", min_width=20)
    for r in rows:
        date = r["asOf"] or (f"{r['periodStart']}…{r['periodEnd']}" if r["periodEnd"] else "")
        table.add_row(f"{r['level']}-{int(r['rank']):02d}", r["n"], r["value"], r["unit"], r["qualifier"],
                      r["change"], date, r["source"])
    Console().print(table)
