"""The dataset description: a DCAT-AP 3 catalogue (``dist/catalog.ttl``) with VoID statistics.

Portals harvest DCAT; linked-data tools read VoID. Every figure (triples, entities, dates, places,
themes, notices) is read off the built graph, and every distribution's size and checksum off the
file just written, so the description cannot drift from the data. The figures are SPARQL on the
build's pyoxigraph store, never an rdflib graph of the corpus: eleven queries run two at a time beside
the checksums, about a second at a million triples (the rdflib graph took 16 s). Only
``prov:generatedAtTime`` reads the clock (``SOURCE_DATE_EPOCH`` pins it). The server adds its SPARQL
endpoint when it serves it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, SKOS, XSD

from .export import EXPORTS, MEDIA_TYPES, write_graph
from .namespaces import FOAF, PREFIXES, RK, VCARD, VOID, bind_prefixes

CATALOG_FILE = "catalog.ttl"
SPDX = Namespace("http://spdx.org/rdf/terms#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
ONTOLOGY_IRI = URIRef("https://w3id.org/reformkg/ns")
LICENCE = URIRef(EU + "licence/CC_BY_4_0")
FILE_TYPES = {"ttl": "RDF_TURTLE", "nt": "RDF_N_TRIPLES", "jsonld": "JSON_LD", "trig": "RDF_TRIG"}
FORMAT_NAMES = {"ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "trig": "TriG (one named graph per notice)"}
SPECS = {"ttl": "https://www.w3.org/TR/turtle/", "nt": "https://www.w3.org/TR/n-triples/",
         "jsonld": "https://www.w3.org/TR/json-ld11/", "trig": "https://www.w3.org/TR/trig/"}
THEMES = {"GOVE": ("Government and public sector", "政府和公共部门"),
          "ECON": ("Economy and finance", "经济和金融")}
TITLE = {"en": "Reform measures knowledge graph", "zh": "政府改革创新举措知识图谱"}
DESCRIPTION = {
    "en": "Reform measures recognised in official notices of Chinese city governments, as linked data: each "
          "measure with its lead and cooperating agencies, district, numbered action points, outcome figures and "
          "topics, and every agency with all the names it is written under. Notices: {notices}. "
          "{measures} measures, {agencies} agencies, {triples} triples.",
    "zh": "政府通报表扬的改革创新举措的关联数据：每项举措的牵头单位与配合单位、所属行政区、具体做法、成效指标和主题，"
          "以及各单位在通报中出现的全部名称。通报：{notices}。共{measures}项举措、{agencies}个单位、{triples}个三元组。",
}
KEYWORDS = {"en": ["business environment", "reform measures", "government agencies", "public administration",
                   "linked data"],
            "zh": ["营商环境", "改革创新举措", "政府部门", "优秀创新举措", "关联数据"]}
PUBLISHER = {"en": "The reformkg project", "zh": "改革举措知识图谱项目"}
HOMEPAGE = URIRef("https://w3id.org/reformkg/")


def dataset_iri(base: str) -> URIRef:
    return URIRef(base + "dataset")


def download_base(base: str) -> str:
    """Where the dumps are published: ``…/reformkg/dist/`` beside ``…/reformkg/id/`` (the server's /dist/)."""
    if base.endswith("/id/"):
        return base[: -len("id/")] + "dist/"
    return base[: base.rfind("/") + 1] + "dist/"  # …/kg/ → …/kg/dist/, …/data# → …/dist/


def write_catalog(result, out_dir: Path) -> list[Path]:
    """The build's output hook: describe the exports found in ``out_dir`` (written before this runs)."""
    out_dir = Path(out_dir)
    files = {fmt: out_dir / name for fmt, name in EXPORTS.items() if (out_dir / name).exists()}
    graph = catalog_graph(result.store, files, result.base)
    return [write_graph(graph, out_dir / CATALOG_FILE, "ttl", result.base)]


def catalog_graph(data, files: dict[str, Path], base: str) -> Graph:
    """The catalogue, dataset, distributions and VoID statistics of ``data`` and its export ``files``.

    ``data`` is the built graph as a store (``store.Store``; the build passes its Oxigraph store) or
    an rdflib Graph.
    """
    from concurrent.futures import ThreadPoolExecutor

    g = bind_prefixes(Graph(), base)
    g.bind("spdx", SPDX)
    with ThreadPoolExecutor(max_workers=2) as pool:  # Oxigraph and hashlib work outside the GIL: two cores
        checksums = {fmt: pool.submit(file_checksum, path) for fmt, path in files.items()}
        facts = _facts(_as_store(data), base, pool)
        _describe(g, facts, {fmt: (path, checksums[fmt].result()) for fmt, path in files.items()}, base)
    return g


def _describe(g: Graph, facts: dict, files: dict[str, tuple[Path, str]], base: str) -> None:
    """Catalogue, dataset, distributions and VoID from the facts (``files``: format → (path, sha256))."""
    catalog, dataset = URIRef(base + "catalog"), dataset_iri(base)
    publisher, contact = URIRef(base + "publisher"), URIRef(base + "contact")

    g.add((catalog, RDF.type, DCAT.Catalog))
    _texts(g, catalog, {k: f"{v} — catalogue" if k == "en" else f"{v}数据目录" for k, v in TITLE.items()},
           {"en": "The datasets of the reformkg project.", "zh": "改革举措知识图谱项目的数据集。"})
    for p, o in ((DCTERMS.publisher, publisher), (DCAT.dataset, dataset), (FOAF.homepage, HOMEPAGE),
                 (DCTERMS.license, LICENCE), (DCAT.themeTaxonomy, URIRef(EU + "data-theme"))):
        g.add((catalog, p, o))
    _dates(g, catalog, facts)

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    _texts(g, dataset, TITLE, {k: v.format(**facts["counts"]) for k, v in DESCRIPTION.items()})
    for lang, words in KEYWORDS.items():
        for word in words:
            g.add((dataset, DCAT.keyword, Literal(word, lang=lang)))
    for city in facts["cities"]:
        g.add((dataset, DCAT.keyword, _label(facts, city, "zh") or Literal(str(city))))
        g.add((dataset, DCAT.keyword, _label(facts, city, "en") or Literal(str(city))))
    for p, o in ((DCTERMS.publisher, publisher), (DCAT.contactPoint, contact), (DCTERMS.license, LICENCE),
                 (DCAT.landingPage, HOMEPAGE), (DCTERMS.conformsTo, ONTOLOGY_IRI),
                 (DCTERMS.accessRights, URIRef(EU + "access-right/PUBLIC")),
                 (DCTERMS.accrualPeriodicity, URIRef(EU + "frequency/IRREG")),
                 (DCTERMS.identifier, Literal("reformkg"))):
        g.add((dataset, p, o))
    for lang in ("ZHO", "ENG"):
        g.add((dataset, DCTERMS.language, URIRef(EU + "language/" + lang)))
        g.add((catalog, DCTERMS.language, URIRef(EU + "language/" + lang)))
        g.add((URIRef(EU + "language/" + lang), RDF.type, DCTERMS.LinguisticSystem))
    _dates(g, dataset, facts)
    _temporal(g, dataset, facts)
    _places(g, facts, (catalog, dataset))
    _themes(g, facts, dataset)
    for notice in facts["notices"]:
        g.add((dataset, PROV.wasDerivedFrom, notice))
    g.add((dataset, PROV.generatedAtTime, generated_at()))
    _agents(g, publisher, contact)
    _support(g)
    for fmt, (path, checksum) in sorted(files.items()):
        _distribution(g, dataset, fmt, path, checksum, base, facts)
    _void(g, facts, dataset, base, files)


def generated_at() -> Literal:
    """When this build ran (xsd:dateTime, UTC); SOURCE_DATE_EPOCH pins it for reproducible builds."""
    import datetime as dt
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return Literal(moment.replace(microsecond=0).isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)


def add_endpoint(catalog: Graph, base: str, endpoint: str) -> Graph:
    """What a running server adds: its SPARQL endpoint (VoID) as a DCAT-AP data service."""
    dataset, service = dataset_iri(base), URIRef(base + "sparql-service")
    catalog.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint)))
    catalog.add((service, RDF.type, DCAT.DataService))
    catalog.add((service, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    catalog.add((service, DCTERMS.title, Literal("SPARQL查询服务", lang="zh")))
    catalog.add((service, DCAT.endpointURL, URIRef(endpoint)))
    catalog.add((service, DCAT.servesDataset, dataset))
    catalog.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    catalog.add((URIRef("https://www.w3.org/TR/sparql11-protocol/"), RDF.type, DCTERMS.Standard))
    catalog.add((service, DCTERMS.license, LICENCE))
    catalog.add((URIRef(base + "catalog"), DCAT.service, service))
    return catalog


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- pieces ----------------------------------------------------------------------------------------

NOTICES = "SELECT ?n ?doc WHERE { ?n a rk:Notice OPTIONAL { ?n rk:docNumber ?doc } }"
ISSUED = "SELECT ?d WHERE { ?n a rk:Notice ; dcterms:issued ?d }"
DATES = "SELECT DISTINCT ?d WHERE { VALUES ?p { rk:periodStart rk:asOf rk:periodEnd } ?x ?p ?d }"
CITIES = "SELECT DISTINCT ?c ?label WHERE { ?n a rk:Notice ; rk:city ?c OPTIONAL { ?c skos:prefLabel ?label } }"
TOPICS = """SELECT DISTINCT ?t ?p ?o WHERE { { SELECT DISTINCT ?t WHERE { ?m rk:topic ?t } }
  OPTIONAL { VALUES ?p { skos:prefLabel skos:inScheme } ?t ?p ?o } }"""
SCHEMES = """SELECT DISTINCT ?scheme ?label WHERE { { SELECT DISTINCT ?t WHERE { ?m rk:topic ?t } }
  ?t skos:inScheme ?scheme . ?scheme skos:prefLabel ?label }"""
STATS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
  (COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"""
ENTITIES = """SELECT (COUNT(*) AS ?n) WHERE { { SELECT DISTINCT ?s WHERE { ?s ?p ?o } }
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?base)) }"""
CLASSES = "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"
PREDICATES = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
EXAMPLES = """SELECT ?class (MIN(STR(?s)) AS ?example) WHERE {
  VALUES ?class { rk:Notice rk:Measure rk:Agency } ?s a ?class FILTER(isIRI(?s)) } GROUP BY ?class"""


def _as_store(data):
    """A store to query: the build's own, or an rdflib Graph loaded into Oxigraph (small graphs, tests)."""
    from .store import OxigraphStore

    return OxigraphStore.from_triples(data) if isinstance(data, Graph) else data


def _facts(store, base: str, pool) -> dict:
    """What the description says about the data, read off the graph with SPARQL (the queries run in ``pool``)."""
    asked = {name: pool.submit(store.query, sparql, bindings) for name, sparql, bindings in (
        ("stats", STATS, None), ("entities", ENTITIES, {"base": Literal(base)}), ("predicates", PREDICATES, None),
        ("classes", CLASSES, None), ("examples", EXAMPLES, None), ("notices", NOTICES, None),
        ("issued", ISSUED, None), ("dates", DATES, None), ("cities", CITIES, None), ("topics", TOPICS, None),
        ("schemes", SCHEMES, None))}
    rows = {name: future.result().rows for name, future in asked.items()}
    docs: dict = {}
    for n, doc in rows["notices"]:
        docs.setdefault(n, set()).add(str(doc) if doc is not None else None)
    notices = sorted(docs)
    issued = sorted(str(d) for (d,) in rows["issued"])
    dates = issued + [str(d) for (d,) in rows["dates"]]
    labels: dict = {}
    for city, label in rows["cities"]:
        labels.setdefault(city, set()).update([label] if label is not None else [])
    topics: dict = {}
    for t, p, o in rows["topics"]:
        topics.setdefault(t, {SKOS.prefLabel: set(), SKOS.inScheme: set()})
        if p is not None:
            topics[t][p].add(o)
    schemes: dict = {}
    for scheme, label in rows["schemes"]:
        schemes.setdefault(scheme, set()).add(label)
    (triples, subjects, properties, objects), = rows["stats"]
    classes = {cls: int(n) for cls, n in rows["classes"]}
    numbers = sorted(min((d for d in docs[n] if d is not None), default="None") for n in notices)
    counts = {"notices": "、".join(numbers),
              "measures": classes.get(RK.Measure, 0), "agencies": classes.get(RK.Agency, 0), "triples": int(triples)}
    examples = {cls: URIRef(str(example)) for cls, example in rows["examples"]}
    void = {"triples": int(triples), "entities": int(rows["entities"][0][0]), "subjects": int(subjects),
            "objects": int(objects), "properties": int(properties), "predicates": {p for (p,) in rows["predicates"]},
            "classes": classes, "examples": [examples[c] for c in (RK.Notice, RK.Measure, RK.Agency) if c in examples]}
    return {"notices": notices, "issued": issued, "start": min(dates, default=None), "end": max(dates, default=None),
            "cities": sorted(labels), "labels": labels, "topics": topics, "schemes": schemes, "counts": counts,
            "void": void}


def _texts(g: Graph, subject, titles: dict, descriptions: dict) -> None:
    for lang, text in titles.items():
        g.add((subject, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in descriptions.items():
        g.add((subject, DCTERMS.description, Literal(text, lang=lang)))


def _dates(g: Graph, subject, facts: dict) -> None:
    """Issued = the first notice's date, modified = the latest notice's: when the content last changed."""
    if facts["issued"]:
        g.add((subject, DCTERMS.issued, Literal(facts["issued"][0], datatype=XSD.date)))
        g.add((subject, DCTERMS.modified, Literal(facts["issued"][-1], datatype=XSD.date)))


def _temporal(g: Graph, dataset, facts: dict) -> None:
    if facts["start"]:
        period = URIRef(str(dataset) + "/period")
        g.add((dataset, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, Literal(facts["start"], datatype=XSD.date)))
        g.add((period, DCAT.endDate, Literal(facts["end"], datatype=XSD.date)))


def _places(g: Graph, facts: dict, subjects) -> None:
    for city in facts["cities"]:
        for s in subjects:
            g.add((s, DCTERMS.spatial, city))
        g.add((city, RDF.type, DCTERMS.Location))
        for label in facts["labels"][city]:
            g.add((city, SKOS.prefLabel, label))


def _themes(g: Graph, facts: dict, dataset) -> None:
    scheme = URIRef(EU + "data-theme")
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, DCTERMS.title, Literal("Data theme", lang="en")))
    for code, (en, zh) in THEMES.items():
        theme = URIRef(f"{EU}data-theme/{code}")
        g.add((dataset, DCAT.theme, theme))
        g.add((theme, RDF.type, SKOS.Concept))
        g.add((theme, SKOS.inScheme, scheme))
        g.add((theme, SKOS.prefLabel, Literal(en, lang="en")))
        g.add((theme, SKOS.prefLabel, Literal(zh, lang="zh")))
    for topic, props in sorted(facts["topics"].items()):  # the curated topics the measures are filed under
        g.add((dataset, DCAT.theme, topic))
        g.add((topic, RDF.type, SKOS.Concept))
        for p, objects in props.items():
            for o in objects:
                g.add((topic, p, o))
                if p == SKOS.inScheme:
                    g.add((o, RDF.type, SKOS.ConceptScheme))
                    for label in facts["schemes"].get(o, ()):
                        g.add((o, DCTERMS.title, label))


def _agents(g: Graph, publisher, contact) -> None:
    g.add((publisher, RDF.type, FOAF.Agent))
    for lang, name in PUBLISHER.items():
        g.add((publisher, FOAF.name, Literal(name, lang=lang)))
    kind = URIRef("http://purl.org/adms/publishertype/NonProfitOrganisation")
    g.add((publisher, DCTERMS.type, kind))
    g.add((kind, RDF.type, SKOS.Concept))
    g.add((kind, SKOS.prefLabel, Literal("Non-Profit Organisation", lang="en")))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal("reformkg maintainers", lang="en")))
    g.add((contact, VCARD.hasURL, HOMEPAGE))


def _support(g: Graph) -> None:
    """Types of the referenced authority resources, as DCAT-AP expects them."""
    g.add((LICENCE, RDF.type, DCTERMS.LicenseDocument))
    g.add((LICENCE, SKOS.prefLabel, Literal("Creative Commons Attribution 4.0 International", lang="en")))
    g.add((URIRef(EU + "access-right/PUBLIC"), RDF.type, DCTERMS.RightsStatement))
    g.add((URIRef(EU + "frequency/IRREG"), RDF.type, DCTERMS.Frequency))
    g.add((ONTOLOGY_IRI, RDF.type, DCTERMS.Standard))
    g.add((HOMEPAGE, RDF.type, FOAF.Document))
    g.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))


def _distribution(g: Graph, dataset, fmt: str, path: Path, sha256: str, base: str, facts: dict) -> None:
    dist, url = URIRef(f"{dataset}/{fmt}"), URIRef(download_base(base) + EXPORTS[fmt])
    checksum = URIRef(f"{dist}/checksum")
    media, file_type = URIRef(IANA + MEDIA_TYPES[fmt]), URIRef(EU + "file-type/" + FILE_TYPES[fmt])
    g.add((dataset, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(f"{TITLE['en']} — {FORMAT_NAMES[fmt]}", lang="en")))
    g.add((dist, DCTERMS.title, Literal(f"{TITLE['zh']}（{FORMAT_NAMES[fmt]}）", lang="zh")))
    for p, o in ((DCAT.accessURL, url), (DCAT.downloadURL, url), (DCAT.mediaType, media),
                 (DCTERMS["format"], file_type), (DCTERMS.license, LICENCE), (DCTERMS.conformsTo, URIRef(SPECS[fmt])),
                 (DCAT.byteSize, Literal(str(path.stat().st_size), datatype=XSD.nonNegativeInteger)),
                 (SPDX.checksum, checksum)):
        g.add((dist, p, o))
    _dates(g, dist, facts)
    g.add((media, RDF.type, DCTERMS.MediaType))
    g.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
    g.add((URIRef(SPECS[fmt]), RDF.type, DCTERMS.Standard))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))


def _void(g: Graph, facts: dict, dataset, base: str, files: dict) -> None:
    """VoID statistics: triples, entities (IRIs under the base that are described), classes, vocabularies."""
    void = facts["void"]
    classes = sorted(void["classes"])
    stats = {VOID.triples: void["triples"], VOID.entities: void["entities"], VOID.distinctSubjects: void["subjects"],
             VOID.distinctObjects: void["objects"], VOID.properties: void["properties"], VOID.classes: len(classes)}
    for p, n in stats.items():
        g.add((dataset, p, Literal(str(n), datatype=XSD.integer)))
    g.add((dataset, VOID.uriSpace, Literal(base)))
    used = {str(t) for t in void["predicates"] | set(classes)}
    for ns in sorted(set(PREFIXES.values())):
        if any(t.startswith(ns) for t in used):
            g.add((dataset, VOID.vocabulary, URIRef(ns)))
    for example in void["examples"]:  # the first notice, measure and agency IRI in code-point order
        g.add((dataset, VOID.exampleResource, example))
    for cls in classes:
        partition = URIRef(f"{dataset}/class/{_compact(cls)}")
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], cls))
        g.add((partition, VOID.entities, Literal(str(void["classes"][cls]), datatype=XSD.integer)))
    for fmt in sorted(files):
        g.add((dataset, VOID.dataDump, URIRef(download_base(base) + EXPORTS[fmt])))


def _compact(iri) -> str:
    """``rk-Measure`` for rk:Measure: a readable, stable IRI segment for a class partition."""
    import re

    prefix, ns = max(((p, ns) for p, ns in PREFIXES.items() if str(iri).startswith(ns)), default=("", ""),
                     key=lambda item: len(item[1]))
    return re.sub(r"[^A-Za-z0-9_-]+", "-", f"{prefix}-{str(iri)[len(ns):]}" if prefix else str(iri)).strip("-")


def _label(facts: dict, subject, lang: str):
    """The city's prefLabel in ``lang`` (the first in code-point order, should it have several)."""
    return min((o for o in facts["labels"].get(subject, ()) if getattr(o, "language", None) == lang), default=None,
               key=str)
