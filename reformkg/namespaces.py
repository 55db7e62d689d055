"""The one place that names vocabularies and binds prefixes, for every reader and writer."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

RK = Namespace("https://w3id.org/reformkg/ns#")
ORG = Namespace("http://www.w3.org/ns/org#")
CV = Namespace("http://data.europa.eu/m8g/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SCHEMA = Namespace("https://schema.org/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
CUR = Namespace("http://qudt.org/vocab/currency/")
VOID = Namespace("http://rdfs.org/ns/void#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES: dict[str, str] = {
    "rk": str(RK),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "prov": str(PROV),
    "org": str(ORG),
    "cv": str(CV),
    "eli": str(ELI),
    "qb": str(QB),
    "sdmx-measure": str(SDMX_MEASURE),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "sdmx-dimension": str(SDMX_DIMENSION),
    "schema": str(SCHEMA),
    "unit": str(UNIT),
    "cur": str(CUR),
    "void": str(VOID),
    "vcard": str(VCARD),
    "foaf": str(FOAF),
}


def prefixes_with_base(base: str) -> dict[str, str]:
    """All vocabulary prefixes plus ``id:`` for the instance base IRI."""
    return {**PREFIXES, "id": base}


def bind_prefixes(graph, base: str | None = None):
    """Bind every prefix on an rdflib graph (and ``id:`` when a base is given); returns the graph."""
    for prefix, ns in (prefixes_with_base(base) if base else PREFIXES).items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph
