"""dist/catalog.ttl: a DCAT-AP 3 description that conforms to the official shapes and matches the files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from conftest import FIXTURES
from reformkg.iris import DEFAULT_BASE
from reformkg.namespaces import PREFIXES, RK, VCARD, VOID

SPDX = Namespace("http://spdx.org/rdf/terms#")
IANA = "http://www.iana.org/assignments/media-types/"
DATASET = URIRef(DEFAULT_BASE + "dataset")
CATALOG = URIRef(DEFAULT_BASE + "catalog")
MEDIA = {"reformkg.ttl": "text/turtle", "reformkg.nt": "application/n-triples",
         "reformkg.jsonld": "application/ld+json", "reformkg.trig": "application/trig"}


@pytest.fixture(scope="module")
def out_dir(built) -> Path:
    return built.written[0].parent


@pytest.fixture(scope="module")
def catalog(out_dir) -> Graph:
    return Graph().parse(out_dir / "catalog.ttl", format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(FIXTURES / "dcat-ap-3.0.1-shacl.ttl", format="turtle")


def langs(graph, s, p) -> set[str]:
    return {o.language for o in graph.objects(s, p) if isinstance(o, Literal)}


def test_conforms_to_the_dcat_ap_3_shapes(catalog, shapes):
    conforms, _, text = validate(catalog, shacl_graph=shapes)
    assert conforms, text


def test_the_shapes_do_catch_a_dataset_without_title(catalog, shapes):
    broken = Graph()
    for t in catalog:
        if not (t[0] == DATASET and t[1] == DCTERMS.title):
            broken.add(t)
    conforms, _, text = validate(broken, shacl_graph=shapes)
    assert not conforms and "title" in text


def test_mandatory_and_recommended_properties(catalog):
    assert (CATALOG, RDF.type, DCAT.Catalog) in catalog and (CATALOG, DCAT.dataset, DATASET) in catalog
    assert (DATASET, RDF.type, DCAT.Dataset) in catalog
    for s in (CATALOG, DATASET):
        assert {"zh", "en"} <= langs(catalog, s, DCTERMS.title)
        assert {"zh", "en"} <= langs(catalog, s, DCTERMS.description)
        assert catalog.value(s, DCTERMS.license) == URIRef(
            "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0")
        # issued and modified: the notice's sign-off date, 2025 年 10 月 31 日
        assert catalog.value(s, DCTERMS.issued) == Literal("2025-10-31", datatype=XSD.date)
        assert catalog.value(s, DCTERMS.modified) == Literal("2025-10-31", datatype=XSD.date)
    publisher = catalog.value(DATASET, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in catalog and catalog.value(publisher, FOAF.name) is not None
    contact = catalog.value(DATASET, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in catalog and catalog.value(contact, VCARD.fn) is not None
    assert {"zh", "en"} <= langs(catalog, DATASET, DCAT.keyword)
    assert Literal("营商环境", lang="zh") in set(catalog.objects(DATASET, DCAT.keyword))
    themes = set(catalog.objects(DATASET, DCAT.theme))
    assert URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE") in themes
    assert URIRef(DEFAULT_BASE + "topic/bready/business-insolvency") in themes  # city-01 is about insolvency


def test_spatial_is_xiamen_and_temporal_is_read_from_the_notice(catalog, notice_rows):
    spatial = catalog.value(DATASET, DCTERMS.spatial)
    assert spatial == URIRef(DEFAULT_BASE + "city/xiamen")
    assert Literal("厦门市", lang="zh") in set(catalog.objects(spatial, SKOS.prefLabel))
    period = catalog.value(DATASET, DCTERMS.temporal)
    # the earliest period in the notice is "2025 年 1 月至 9 月底"; the notice is dated 2025-10-31
    assert catalog.value(period, DCAT.startDate) == Literal("2025-01-01", datatype=XSD.date)
    assert catalog.value(period, DCAT.endDate) == Literal("2025-10-31", datatype=XSD.date)
    description = str(next(o for o in catalog.objects(DATASET, DCTERMS.description) if o.language == "en"))
    assert "厦府办〔2025〕38号" in description and f"{len(notice_rows)} measures" in description


def test_one_distribution_per_export_with_matching_size_and_checksum(catalog, out_dir):
    distributions = set(catalog.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(MEDIA)
    seen = set()
    for dist in distributions:
        url = str(catalog.value(dist, DCAT.downloadURL))
        name = url.rsplit("/", 1)[1]
        seen.add(name)
        data = (out_dir / name).read_bytes()
        assert catalog.value(dist, DCAT.mediaType) == URIRef(IANA + MEDIA[name])
        assert int(catalog.value(dist, DCAT.byteSize)) == len(data)
        checksum = catalog.value(dist, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert catalog.value(dist, DCAT.accessURL) is not None
    assert seen == set(MEDIA)


def test_void_statistics_match_the_graph(catalog, graph, notice_rows):
    assert int(catalog.value(DATASET, VOID.triples)) == len(graph)
    assert int(catalog.value(DATASET, VOID.classes)) == len(set(graph.objects(None, RDF.type)))
    assert int(catalog.value(DATASET, VOID.entities)) > 20
    assert URIRef(str(RK)) in set(catalog.objects(DATASET, VOID.vocabulary))
    examples = set(catalog.objects(DATASET, VOID.exampleResource))
    assert URIRef(DEFAULT_BASE + "notice/xiamen-2025-38") in examples
    partitions = {catalog.value(p, VOID["class"]): int(catalog.value(p, VOID.entities))
                  for p in catalog.objects(DATASET, VOID.classPartition)}
    assert partitions[RK.Measure] == len(notice_rows) and partitions[RK.Notice] == 1
    assert len(set(catalog.objects(DATASET, VOID.dataDump))) == len(MEDIA)


def test_dataset_records_when_it_was_generated(built, monkeypatch):
    from rdflib.namespace import PROV

    from reformkg.catalog import catalog_graph, dataset_iri

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1762300800")  # 2025-11-05T00:00:00Z, the notice's print date
    g = catalog_graph(built.graph, {}, built.base)
    import datetime as dt

    moment = g.value(dataset_iri(built.base), PROV.generatedAtTime).toPython()
    assert moment == dt.datetime(2025, 11, 5, tzinfo=dt.timezone.utc)


def test_void_figures_are_the_graph_s_own(catalog, graph):
    """Every VoID figure against the same figure counted here on the rdflib graph (the build counts with SPARQL)."""
    subjects = set(graph.subjects())
    expected = {VOID.triples: len(graph), VOID.distinctSubjects: len(subjects),
                VOID.distinctObjects: len(set(graph.objects())), VOID.properties: len(set(graph.predicates())),
                VOID.entities: len({s for s in subjects if isinstance(s, URIRef) and s.startswith(DEFAULT_BASE)}),
                VOID.classes: len(set(graph.objects(None, RDF.type)))}
    assert {p: int(catalog.value(DATASET, p)) for p in expected} == expected
    partitions = {catalog.value(p, VOID["class"]): int(catalog.value(p, VOID.entities))
                  for p in catalog.objects(DATASET, VOID.classPartition)}
    assert partitions == {c: len(set(graph.subjects(RDF.type, c))) for c in set(graph.objects(None, RDF.type))}
    assert set(catalog.objects(DATASET, VOID.exampleResource)) == {
        min(graph.subjects(RDF.type, c), key=str) for c in (RK.Notice, RK.Measure, RK.Agency)}
    used = {str(t) for t in set(graph.predicates()) | set(graph.objects(None, RDF.type))}
    assert {str(v) for v in catalog.objects(DATASET, VOID.vocabulary)} == {
        ns for ns in PREFIXES.values() if any(t.startswith(ns) for t in used)}


def test_catalogue_is_written_from_the_store_alone(built, out_dir, tmp_path, monkeypatch):
    """The build's catalogue needs no rdflib graph of the corpus, and says what the rdflib graph says."""
    import shutil

    from rdflib.compare import isomorphic
    from rdflib.namespace import PROV

    from reformkg.catalog import catalog_graph, write_catalog
    from reformkg.export import EXPORTS

    class StoreOnly:
        store, base = built.store, built.base

        @property
        def graph(self):
            raise AssertionError("the catalogue asked for an rdflib graph of the corpus")

    for name in EXPORTS.values():
        shutil.copy(out_dir / name, tmp_path / name)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1762300800")
    (path,) = write_catalog(StoreOnly(), tmp_path)
    mine, theirs = Graph().parse(path, format="turtle"), Graph().parse(out_dir / "catalog.ttl", format="turtle")
    for g in (mine, theirs):
        g.remove((None, PROV.generatedAtTime, None))
    assert len(mine) > 300 and isomorphic(mine, theirs)
    files = {fmt: tmp_path / name for fmt, name in EXPORTS.items()}
    assert isomorphic(catalog_graph(built.store, files, built.base), catalog_graph(built.graph, files, built.base))
