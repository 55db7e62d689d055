"""The build: notices + registry + curated annotations → one validated graph → files in ``dist/``.

Everything is computed in memory first; files are written only when the graph is complete and valid,
each through a temporary file and a rename, so a failed build leaves the previous outputs intact.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from . import paths
from .errors import ReformKGError, ResolutionError, ValidationFailed
from .graph import GraphBuilder, Parts, to_graph
from .iris import DEFAULT_BASE, Minter
from .notice import Notice, parse_notice
from .registry import load_registry
from .resolve import Resolver
from .store import OxigraphStore

GRAPH_FILE = "reformkg.ttl"


@dataclass(frozen=True)
class Consistency:
    """Commended units vs lead units of one notice: the body commends exactly the leads."""

    notice: str
    commended_not_leading: tuple[str, ...]
    leading_not_commended: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.commended_not_leading and not self.leading_not_commended

    def __str__(self) -> str:
        if self.ok:
            return f"{self.notice}: the commended units are exactly the lead units"
        parts = []
        if self.commended_not_leading:
            parts.append("commended but not leading: " + "、".join(self.commended_not_leading))
        if self.leading_not_commended:
            parts.append("leading but not commended: " + "、".join(self.leading_not_commended))
        return f"{self.notice}: " + "; ".join(parts)


@dataclass
class BuildResult:
    """What a build made and what it noticed, for the summary line and the tests.

    ``store`` (pyoxigraph) is what the build's own steps query; ``graph`` is the same triples as an
    rdflib Graph, made only when someone asks for it (costly at a million triples).
    """

    parts: Parts
    store: OxigraphStore
    base: str
    notices: list[Notice]
    notice_slugs: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    consistency: list[Consistency] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def measures(self) -> int:
        return sum(len(n.measures) for n in self.notices)

    @functools.cached_property
    def triples(self) -> list:
        """The union graph's triples, each once (parts may share agency descriptions)."""
        return list(self.parts.union())

    @functools.cached_property
    def graph(self) -> Graph:
        return to_graph(self.triples, self.base)


def notice_files(data_dir: Path, extra: Iterable[Path] = ()) -> list[Path]:
    """Every ``*.txt`` in ``data/notices/`` (sorted), then the extra files given on the command line."""
    found = sorted((Path(data_dir) / "notices").glob("*.txt"))
    seen = {p.resolve() for p in found}
    for path in extra:
        path = Path(path)
        if not path.is_file():
            raise ReformKGError("notice file not found", path=path)
        if path.resolve() not in seen:
            found.append(path)
            seen.add(path.resolve())
    return found


def assemble(data_dir: Path = paths.DATA_DIR, extra: Iterable[Path] = (), base: str = DEFAULT_BASE,
             strict: bool = False, on_step: Callable[[str], None] | None = None) -> BuildResult:
    """Parse, resolve and describe every notice; no file is written here."""
    from .enrichment import load_annotations, load_topics

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    step = on_step or (lambda _name: None)
    data_dir = Path(data_dir)
    registry = load_registry(data_dir)
    step("parse")
    notices = [parse_notice(p) for p in notice_files(data_dir, extra)]
    if not notices:
        raise ReformKGError("no notices to build: put notice files in data/notices/ or pass --notice FILE",
                            path=data_dir / "notices")
    timings["parse"] = time.perf_counter() - clock
    resolver = Resolver(registry)
    builder = GraphBuilder(resolver, Minter(base), load_annotations(data_dir), load_topics(data_dir))
    builder.add_ontology()
    builder.add_registry()
    slugs: dict[str, str] = {}
    step("describe")
    for notice in notices:
        slug = f"{resolver.city(notice).slug}-{notice.year}-{notice.number}"
        if slug in slugs.values():
            other = next(k for k, v in slugs.items() if v == slug)
            raise ReformKGError(f"notice {notice.doc_number} has the same identifier '{slug}' as {other}",
                                path=notice.path)
        slugs[str(notice.path)] = slug
        builder.add_notice(notice, slug)
    timings["describe"] = time.perf_counter() - clock - sum(timings.values())
    warnings = [str(p) for p in resolver.provisional]
    warnings += [f"no curated English/topics for {m}" for m in builder.unannotated]
    if strict and warnings:
        raise ResolutionError("--strict: " + str(len(warnings)) + " problem(s):\n  " + "\n  ".join(warnings))
    result = BuildResult(builder.parts, None, base, notices, slugs, warnings, timings=timings)
    clock = time.perf_counter()
    result.store = OxigraphStore.from_triples(result.triples)
    timings["store"] = time.perf_counter() - clock
    result.consistency = check_commended(result.store, {Minter(base).notice(slugs[str(n.path)]): n.doc_number
                                                        for n in notices})
    return result


COMMENDED_VS_LEADS = """
SELECT ?notice ?agency ?side ?name WHERE {
  { ?notice rk:commends ?agency . FILTER NOT EXISTS { ?m rk:listedIn ?notice ; rk:leadAgency ?agency }
    BIND("commended" AS ?side) }
  UNION
  { ?m rk:listedIn ?notice ; rk:leadAgency ?agency .
    ?notice rk:commends ?any . FILTER NOT EXISTS { ?notice rk:commends ?agency } BIND("leading" AS ?side) }
  ?agency skos:prefLabel ?name . FILTER(lang(?name) = "zh")
}
"""


def check_commended(store, notices: dict[URIRef, str]) -> list[Consistency]:
    """Per notice, the units the body commends that lead nothing, and the leads it does not commend."""
    found: dict[URIRef, dict[str, set[str]]] = {n: {"commended": set(), "leading": set()} for n in notices}
    for notice, _agency, side, name in store.query(COMMENDED_VS_LEADS).rows:
        if notice in found:
            found[notice][str(side)].add(str(name))
    return [Consistency(label, tuple(sorted(found[n]["commended"])), tuple(sorted(found[n]["leading"])))
            for n, label in notices.items()]


def build(data_dir: Path = paths.DATA_DIR, extra: Iterable[Path] = (), out_dir: Path = paths.DIST_DIR,
          base: str = DEFAULT_BASE, strict: bool = False, validate: bool = True,
          on_step: Callable[[str], None] | None = None, outputs: bool = True) -> BuildResult:
    """Assemble, validate, then write ``OUT/reformkg.ttl``, the store and every output, atomically."""
    from .export import write_graph
    from .store import write_disk_store
    from .validate import validate_graph

    result = assemble(data_dir, extra, base, strict, on_step)
    if validate:
        (on_step or (lambda _n: None))("validate")
        clock = time.perf_counter()
        report = validate_graph(result.graph)
        result.timings["validate"] = time.perf_counter() - clock
        if not report.conforms:
            raise ValidationFailed("the built graph does not conform to ontology/shapes.ttl:\n" + str(report))
    clock = time.perf_counter()
    graph_file = write_graph(result.triples, Path(out_dir) / GRAPH_FILE, "ttl", base)
    result.written.append(graph_file)
    result.written.append(write_disk_store(result.triples, Path(out_dir), graph_file))
    result.timings["write"] = time.perf_counter() - clock
    if outputs:
        from .outputs import write_outputs

        clock = time.perf_counter()
        result.written += write_outputs(result, Path(out_dir), on_step)
        result.timings["outputs"] = time.perf_counter() - clock
    return result
