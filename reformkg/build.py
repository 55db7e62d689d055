"""The build: notices + registry + curated annotations → one validated graph → files in ``dist/``.

Everything is computed in memory first; files are written only when the graph is complete and valid,
each through a temporary file and a rename, so a failed build leaves the previous outputs intact.

At scale (a thousand notices, a million triples) the work stays in pyoxigraph: the builder makes
pyoxigraph terms, the store is loaded once, SHACL runs as SPARQL on it (fastvalidate.py), and the
sorted N-Triples (one bytes sort) feed the Turtle file and the on-disk store. No rdflib graph of the
corpus is made unless someone asks for ``BuildResult.graph``.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import threading
import time
from collections.abc import Callable, Iterable, Iterator
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


class Progress:
    """Where a build reports its steps and times; silent by default (the command shows rich bars).

    ``step(name, total)`` is a context manager yielding ``advance(n=1)``; its duration lands in
    ``timings[name]``. ``on_step(name)`` is the older, simpler hook: called when a step starts.
    """

    def __init__(self, on_step: Callable[[str], None] | None = None):
        self.on_step = on_step
        self.timings: dict[str, float] = {}

    def start(self, name: str, total: int | None) -> None:
        if self.on_step:
            self.on_step(name)

    def advance(self, name: str, n: int = 1) -> None:
        pass

    def set_total(self, name: str, total: int) -> None:
        """A step that learns its size once running (validation knows its checks after compiling)."""

    def finish(self, name: str) -> None:
        pass

    @contextlib.contextmanager
    def step(self, name: str, total: int | None = None) -> Iterator[Callable[..., None]]:
        clock = time.perf_counter()
        self.start(name, total)
        try:
            yield functools.partial(self.advance, name)
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - clock
            self.finish(name)


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
    report: object = None  # the SHACL Report, when the build validated
    quads: list | None = field(default=None, repr=False)  # the union as pyoxigraph quads, until written

    @property
    def measures(self) -> int:
        return sum(len(n.measures) for n in self.notices)

    @functools.cached_property
    def triples(self) -> list:
        """The union graph's triples as rdflib terms, each once (parts may share agency descriptions)."""
        return list(self.parts.union())

    @functools.cached_property
    def graph(self) -> Graph:
        return to_graph(self.triples, self.base)

    @functools.cached_property
    def ntriples(self) -> bytes:
        """The union graph as N-Triples, lines sorted: byte-identical for the same graph, ready to write."""
        quads, self.quads = (self.quads if self.quads is not None else self.parts.quads()), None
        return sorted_ntriples(quads)


def sorted_ntriples(quads: list) -> bytes:
    """N-Triples of pyoxigraph quads (default graph), one sort of the lines: pyoxigraph writes, Python sorts
    bytes (code-point order, the same order as sorting the terms' N-Triples forms)."""
    import pyoxigraph as ox

    lines = ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES).split(b"\n")
    lines.sort()
    return b"\n".join(line for line in lines if line) + b"\n"


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


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the build makes millions of long-lived objects.

    Every few hundred allocations the collector walks the young objects, and now and then all of them:
    at a million triples those walks cost as much as the build itself (measured: 46 s → 25 s for
    ``assemble``). The build makes no reference cycles worth collecting; the collector resumes after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _progress(on_step, progress: Progress | None) -> Progress:
    return progress if progress is not None else Progress(on_step)


def assemble(data_dir: Path = paths.DATA_DIR, extra: Iterable[Path] = (), base: str = DEFAULT_BASE,
             strict: bool = False, on_step: Callable[[str], None] | None = None,
             progress: Progress | None = None) -> BuildResult:
    """Parse, resolve and describe every notice, and load the store; no file is written here."""
    with collector_paused():
        return _assemble(data_dir, extra, base, strict, _progress(on_step, progress))


def _assemble(data_dir: Path, extra: Iterable[Path], base: str, strict: bool, report: Progress) -> BuildResult:
    from .enrichment import load_annotations, load_topics

    data_dir = Path(data_dir)
    registry = load_registry(data_dir)
    files = notice_files(data_dir, extra)
    if not files:
        raise ReformKGError("no notices to build: put notice files in data/notices/ or pass --notice FILE",
                            path=data_dir / "notices")
    notices = []
    with report.step("parse", len(files)) as advance:
        for path in files:
            notices.append(parse_notice(path))
            advance()
    resolver = Resolver(registry)
    minter = Minter(base)
    slugs: dict[str, str] = {}
    with report.step("describe", len(notices)) as advance:
        builder = GraphBuilder(resolver, minter, load_annotations(data_dir), load_topics(data_dir))
        builder.add_ontology()
        builder.add_registry()
        owners: dict[str, Notice] = {}
        for notice in notices:
            slug = f"{resolver.city(notice).slug}-{notice.year}-{notice.number}"
            if slug in owners:
                raise ReformKGError(f"notice {notice.doc_number} has the same identifier '{slug}' as "
                                    f"{owners[slug].path}", path=notice.path)
            owners[slug] = notice
            slugs[str(notice.path)] = slug
            builder.add_notice(notice, slug)
            advance()
    warnings = list(dict.fromkeys(str(p) for p in resolver.provisional))
    warnings += [f"no curated English/topics for {m}" for m in builder.unannotated]
    if strict and warnings:
        raise ResolutionError("--strict: " + str(len(warnings)) + " problem(s):\n  " + "\n  ".join(warnings))
    with report.step("store"):
        quads = builder.parts.quads()
        store = OxigraphStore.from_quads(quads)
    result = BuildResult(builder.parts, store, base, notices, slugs, warnings, timings=report.timings, quads=quads)
    with report.step("check"):
        result.consistency = check_commended(store, {minter.notice(slugs[str(n.path)]): n.doc_number
                                                     for n in notices})
    return result


COMMENDED = """SELECT ?notice ?agency ?name WHERE {
  ?notice rk:commends ?agency . ?agency skos:prefLabel ?name . FILTER(lang(?name) = "zh") }"""
LEADING = """SELECT DISTINCT ?notice ?agency ?name WHERE {
  ?m rk:listedIn ?notice ; rk:leadAgency ?agency . ?agency skos:prefLabel ?name . FILTER(lang(?name) = "zh") }"""


def check_commended(store, notices: dict[URIRef, str]) -> list[Consistency]:
    """Per notice, the units the body commends that lead nothing, and the leads it does not commend.

    Two plain joins and set differences in Python: the same answer as one query with FILTER NOT EXISTS,
    which Oxigraph takes seconds over at a million triples.
    """
    from .namespaces import PREFIXES

    sides: dict[str, dict[str, dict[str, set[str]]]] = {"commended": {}, "leading": {}}
    for side, query in (("commended", COMMENDED), ("leading", LEADING)):
        for row in store.ox.query(query, prefixes=PREFIXES):
            agencies = sides[side].setdefault(row["notice"].value, {})
            agencies.setdefault(row["agency"].value, set()).add(row["name"].value)
    out = []
    for notice, label in notices.items():
        commended = sides["commended"].get(str(notice), {})
        leading = sides["leading"].get(str(notice), {})
        not_leading = {n for a, names in commended.items() if a not in leading for n in names}
        not_commended = {n for a, names in leading.items() if a not in commended for n in names} if commended \
            else set()
        out.append(Consistency(label, tuple(sorted(not_leading)), tuple(sorted(not_commended))))
    return out


def write_turtle(ntriples: bytes, path: Path) -> Path:
    """Turtle in the order of the sorted N-Triples, with the vocabulary prefixes (atomic write).

    As export.py: no ``id:`` prefix, since instance IRIs have slashes a prefixed name would escape.
    """
    import pyoxigraph as ox

    from .atomic import atomic_path
    from .namespaces import PREFIXES

    with atomic_path(Path(path)) as tmp:
        ox.serialize(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES), str(tmp), ox.RdfFormat.TURTLE,
                     prefixes=dict(PREFIXES))
    return Path(path)


def build(data_dir: Path = paths.DATA_DIR, extra: Iterable[Path] = (), out_dir: Path = paths.DIST_DIR,
          base: str = DEFAULT_BASE, strict: bool = False, validate: bool = True,
          on_step: Callable[[str], None] | None = None, outputs: bool = True,
          progress: Progress | None = None) -> BuildResult:
    """Assemble, validate, then write ``OUT/reformkg.ttl``, the store and every output, atomically."""
    with collector_paused():
        return _build(data_dir, extra, Path(out_dir), base, strict, validate, outputs,
                      _progress(on_step, progress))


def _build(data_dir: Path, extra: Iterable[Path], out_dir: Path, base: str, strict: bool, validate: bool,
           outputs: bool, report: Progress) -> BuildResult:
    from .store import STORE_DIR, share_store

    result = assemble(data_dir, extra, base, strict, progress=report)
    if validate:
        from .fastvalidate import validate_store

        def checked(done: int, total: int) -> None:
            report.set_total("validate", total)
            advance()

        with report.step("validate", None) as advance:
            result.report = validate_store(result.store, base=base, on_check=checked)
        if not result.report.conforms:
            raise ValidationFailed("the built graph does not conform to ontology/shapes.ttl:\n" + str(result.report))
    with report.step("sort"):
        data = result.ntriples
    with report.step("write"):
        graph_file = write_turtle(data, out_dir / GRAPH_FILE)
        result.written.append(graph_file)
    share_store(graph_file, result.store)
    disk = _DiskStore(data, out_dir, graph_file)  # Oxigraph's bulk loader runs beside the outputs
    result.written.append(out_dir / STORE_DIR)
    try:
        if outputs:
            result.written += _write_outputs(result, out_dir, report)
    finally:
        with report.step("disk store"):
            disk.join()
        result.timings["disk store"] = disk.seconds
    return result


class _DiskStore(threading.Thread):
    """Writes the on-disk store in the background: the bulk loader releases the GIL, so on two cores the
    outputs (views, exports) run meanwhile. ``join()`` re-raises what went wrong."""

    def __init__(self, ntriples: bytes, out_dir: Path, graph_file: Path):
        super().__init__(name="reformkg-disk-store", daemon=True)
        self.args_ = (ntriples, out_dir, graph_file)
        self.error: BaseException | None = None
        self.seconds = 0.0
        self.start()

    def run(self) -> None:
        from .store import write_disk_store

        clock = time.perf_counter()
        try:
            write_disk_store(*self.args_)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread by join()
            self.error = exc
        self.seconds = time.perf_counter() - clock

    def join(self, timeout: float | None = None) -> None:
        super().join(timeout)
        if self.error is not None:
            raise self.error


def _write_outputs(result: BuildResult, out_dir: Path, report: Progress) -> list[Path]:
    """Every registered output, each timed as a step of its own."""
    from .outputs import write_outputs

    steps: list[contextlib.AbstractContextManager] = []

    def next_output(name: str) -> None:
        if steps:
            steps.pop().__exit__(None, None, None)
        step = report.step(name)
        step.__enter__()
        steps.append(step)

    try:
        return write_outputs(result, out_dir, next_output)
    finally:
        if steps:
            steps.pop().__exit__(None, None, None)


def ensure_graph(graph_file: Path | None = None, default: Path | None = None) -> Path:
    """The file a reader should open: the given one, or the built ``default`` (dist/reformkg.ttl unless
    said otherwise), built first when missing, so every reader sees the same graph."""
    import sys

    path = Path(graph_file) if graph_file else (default or paths.DIST_DIR / GRAPH_FILE)
    if graph_file is None and not path.exists():
        print(f"{path.name} is missing from {path.parent}: building it first…", file=sys.stderr)
        build()
    if not path.exists():
        raise ReformKGError("graph file not found", path=path)
    return path
