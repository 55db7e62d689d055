"""A synthetic corpus (benchmarks/make_corpus.py) goes through the whole pipeline; the store a build leaves
is used while fresh and passed over when stale; every backend gives the same rows.

Expected values are read from the generated notice text itself (tab-separated rows, the unit cells),
never from the parser.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import shutil
import sys
from decimal import Decimal

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from conftest import ROOT
from reformkg.cli import main
from reformkg.iris import DEFAULT_BASE as ID
from reformkg.namespaces import PREFIXES

SEED = 7


def _make_corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "benchmarks" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


make_corpus = _make_corpus()


def table_rows(text: str) -> list[list[str]]:
    """The measure rows of a notice, read straight from the text: tab-separated, header rows skipped."""
    return [line.split("\t") for line in text.split("\n") if "\t" in line and not line.startswith("序号")]


def units_of(cell: str) -> list[str]:
    return [u.strip() for u in re.split(r"[，,、]", cell) if u.strip()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    make_corpus.write_corpus(5, out, seed=SEED)
    return out


@pytest.fixture(scope="module")
def texts(corpus) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((corpus / "notices").glob("*.txt"))}


@pytest.fixture(scope="module")
def cli_build(corpus, tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    result = CliRunner().invoke(main, ["build", "--data", str(corpus), "--out", str(dist)])
    assert result.exit_code == 0, result.output
    return dist, result


def query(store, sparql: str) -> list[dict]:
    return store.query(sparql).as_dicts()


def test_corpus_is_deterministic_and_each_notice_depends_only_on_the_seed_and_its_place(tmp_path, texts):
    again, fewer, other = tmp_path / "again", tmp_path / "fewer", tmp_path / "other"
    make_corpus.write_corpus(5, again, seed=SEED)
    make_corpus.write_corpus(3, fewer, seed=SEED)
    make_corpus.write_corpus(5, other, seed=SEED + 1)
    assert {p.name: p.read_text(encoding="utf-8") for p in (again / "notices").glob("*.txt")} == texts
    small = {p.name: p.read_text(encoding="utf-8") for p in (fewer / "notices").glob("*.txt")}
    assert len(small) == 3 and all(texts[name] == text for name, text in small.items())
    assert {p.name for p in (other / "notices").glob("*.txt")} != set(texts)


def test_corpus_has_the_traps_of_the_real_notice(texts):
    every = "\n".join(texts.values())
    assert sum(name.startswith("xm-") for name in texts) == 2 and len(texts) == 5  # notices 0 and 3 are Xiamen's
    for text in texts.values():
        assert re.search(r"^# .+人民政府办公厅文件$", text, flags=re.M)
        assert re.search(r"^\S+〔20\d\d〕\d+号$", text, flags=re.M)
        assert text.count("序号\t创新举措\t单位名称\t具体做法及成效") > 2  # the header repeats at page breaks
        assert re.search(r"牵头单位[^。]*\n\n[^。]*予以通报表扬", text)  # a page break inside the commended list
        assert re.search(r"^\d{4}年\d{1,2}月\d{1,2}日印发$", text, flags=re.M)
        assert 16 <= len(table_rows(text)) <= 24  # 8 to 12 measures in each list
    cells = [row[2] for text in texts.values() for row in table_rows(text)]
    assert any("，" in c for c in cells) and any("," in c for c in cells) and any("、" in c for c in cells)
    descriptions = [row[3] for text in texts.values() for row in table_rows(text)]
    assert any("<p>" in d for d in descriptions) and any("<b>一是</b>" in d for d in descriptions)
    assert any(re.search(r"[一二三四]是", d) and "<" not in d for d in descriptions)
    assert re.search(r"\d(?:\.\d+)?万", every) and re.search(r"\d(?:\.\d+)?亿", every)
    assert re.search(r"截至\s*20\d\d\s*年\s*\d+\s*月底", every) and re.search(r"[超约]\d|\d+余", every)
    assert re.search(r"有关单位：.*(?:市委社会工作部、金融办|市人大法制委、社会委)", every)


def test_the_cli_builds_the_corpus_end_to_end(cli_build, texts):
    dist, result = cli_build
    measures = sum(len(table_rows(t)) for t in texts.values())
    assert f"wrote {dist / 'reformkg.ttl'}" in result.stdout and f"wrote {dist / 'store'}" in result.stdout
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith(f"built 5 notice(s), {measures} measures, ") and summary.endswith("the graph conforms")
    assert re.search(r"[\d,]+ triples in [\d.]+s \([\d,]+ triples/s; .*validate [\d.]+s", summary)

    from reformkg.store import open_store

    store = open_store(dist / "reformkg.ttl")
    rows = query(store, "SELECT ?doc (COUNT(?m) AS ?n) WHERE { ?n0 rk:docNumber ?doc . ?m rk:listedIn ?n0 } "
                        "GROUP BY ?doc")
    expected = {re.search(r"^(\S+〔20\d\d〕\d+号)$", t, flags=re.M).group(1): len(table_rows(t))
                for t in texts.values()}
    assert {str(r["doc"]): int(r["n"]) for r in rows} == expected


def test_other_cities_agencies_are_provisional_and_kept_apart_from_xiamens(cli_build, texts):
    from reformkg.store import open_store

    store = open_store(cli_build[0] / "reformkg.ttl")
    involved = query(store, """SELECT DISTINCT ?file ?agency ?city ?provisional WHERE {
        ?m rk:listedIn ?n ; rk:involvesAgency ?agency . ?n rk:docNumber ?file . ?agency rk:city ?city .
        OPTIONAL { ?agency rk:provisional ?provisional } }""")
    assert involved
    for row in involved:
        in_xiamen = str(row["file"]).startswith("厦府办")
        assert (str(row["city"]) == ID + "city/xiamen") == in_xiamen, row
        assert (row["provisional"] == Literal(True)) == (not in_xiamen), row  # Xiamen's are all curated
    # a short name written in a Xiamen notice and in another city's notice names two agencies
    units = {n: {u for row in table_rows(t) for u in units_of(row[2])} for n, t in texts.items()}
    xiamen = set().union(*(u for n, u in units.items() if n.startswith("xm-")))
    shared = sorted(xiamen & set().union(*(u for n, u in units.items() if not n.startswith("xm-"))))
    assert shared, "the corpus should write some short name (市税务局, …) in two cities"
    for name in shared:
        owners = query(store, f'SELECT DISTINCT ?a ?city WHERE {{ ?a skos:prefLabel|skos:altLabel "{name}"@zh ; '
                              "rk:city ?city }")
        assert len({r["a"] for r in owners}) == len({r["city"] for r in owners}) >= 2, (name, owners)


def test_the_same_seed_builds_the_same_bytes(cli_build, corpus, tmp_path):
    from reformkg.build import build

    again = build(corpus, out_dir=tmp_path, validate=False, outputs=False)
    assert again.written[0].read_bytes() == (cli_build[0] / "reformkg.ttl").read_bytes()
    assert again.ntriples.count(b"\n") == len(again.store) and again.ntriples.endswith(b" .\n")
    lines = again.ntriples.splitlines()
    assert lines == sorted(lines)


def test_a_stale_store_is_noticed(cli_build, tmp_path):
    from reformkg.store import OxigraphStore, disk_store_is_fresh, open_store

    dist = tmp_path / "dist"
    shutil.copytree(cli_build[0], dist, ignore=shutil.ignore_patterns("*.html", "*.jsonld", "*.trig", "ontology"))
    ttl = dist / "reformkg.ttl"
    assert disk_store_is_fresh(ttl)
    fresh = open_store(ttl)
    assert isinstance(fresh, OxigraphStore) and _is_read_only(fresh)
    before = len(fresh)
    del fresh
    stamp = os.stat(ttl)
    os.utime(ttl, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))  # touched: same bytes, newer
    assert not disk_store_is_fresh(ttl)
    touched = open_store(ttl)
    assert not _is_read_only(touched) and len(touched) == before
    extra = f"<{ID}notice/extra> <{PREFIXES['rk']}docNumber> \"extra〔2099〕1号\" .\n"
    with ttl.open("a", encoding="utf-8") as f:  # replaced content: the store must not answer for it
        f.write(extra)
    replaced = open_store(ttl)
    assert len(replaced) == before + 1
    assert replaced.query('ASK { ?n rk:docNumber "extra〔2099〕1号" }').boolean is True


def _is_read_only(store) -> bool:
    """A store opened read-only from disk refuses writes; one loaded from the file accepts them."""
    import pyoxigraph as ox

    quad = ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.Literal("probe"))
    try:
        store.ox.add(quad)
    except (OSError, RuntimeError):  # "Transaction are only possible on read-write instances"
        return True
    store.ox.remove(quad)
    return False


def _normal(term):
    """Rows compared by value: Oxigraph writes 915.0 as 915, rdflib keeps the lexical form."""
    if isinstance(term, Literal) and term.datatype is not None:
        value = term.toPython()
        number = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
        return ("literal", str(term.datatype), Decimal(str(value)) if number else str(value))
    if isinstance(term, Literal):
        return ("literal", term.language, str(term))
    return ("term", str(term)) if isinstance(term, URIRef) else ("blank", None)


def test_every_shipped_query_gives_the_same_rows_on_every_backend(cli_build):
    from reformkg import queries
    from reformkg.store import OxigraphStore, RdflibStore, open_store

    ttl = cli_build[0] / "reformkg.ttl"
    stores = {"disk": open_store(ttl), "memory": OxigraphStore.from_file(ttl), "rdflib": RdflibStore.from_file(ttl)}
    named = [q for q in queries.all_queries() if not any(p.required for p in q.params)]
    assert named, "queries/ has no query to run"
    for q in named:
        answers = {}
        for name, store in stores.items():
            result = queries.run(q, store)
            if result.kind == "select":
                answers[name] = sorted((tuple(_normal(t) for t in row) for row in result.rows), key=repr)
            elif result.kind == "ask":
                answers[name] = result.boolean
            else:
                answers[name] = sorted((tuple(_normal(t) for t in triple) for triple in result.triples), key=repr)
        assert answers["disk"] == answers["memory"] == answers["rdflib"], q.name


def test_progress_bars_name_every_step(corpus):
    from rich.console import Console

    from reformkg.build import build
    from reformkg.commands.build import RichProgress

    buffer = io.StringIO()
    with RichProgress(Console(file=buffer, force_terminal=True, width=120)) as steps:
        result = build(corpus, out_dir=corpus / "out", outputs=False, progress=steps)
    shown = buffer.getvalue()
    for label in ("parse", "describe", "load into Oxigraph", "validate (SHACL as SPARQL)", "write Turtle",
                  "write on-disk store"):
        assert label in shown, label
    assert "5/5" in shown  # parse and describe count the notices
    assert set(result.timings) >= {"parse", "describe", "store", "validate", "sort", "write", "disk store"}
