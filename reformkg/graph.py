"""Turn parsed notices, the registry and curated annotations into RDF triples, one named graph each.

Triples are collected per part ("ontology", "registry", one per notice) so the same build gives the
union graph (Turtle, N-Triples, JSON-LD) and the dataset (TriG). Alignment terms (ORG, CPSV-AP, ELI,
Data Cube, PROV) are materialised here, so portal users can query in their own terms.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from . import paths
from .iris import Minter
from .namespaces import CUR, CV, ELI, ORG, QB, RK, SCHEMA, SDMX_ATTRIBUTE, SDMX_DIMENSION, SDMX_MEASURE, UNIT
from .notice import MeasureRow, Notice
from .resolve import AgencyRef, CityRef, DistrictRef, Resolver

Triple = tuple[URIRef | BNode, URIRef, URIRef | BNode | Literal]
ONTOLOGY_PART, REGISTRY_PART = "ontology", "registry"
PUBLIC_KINDS_EXCLUDED = {"state-owned-enterprise", "company"}
UNIT_IRIS = {"%": UNIT.PERCENT, "元": CUR.CNY, "千瓦时": UNIT["KiloW-HR"], "吨": UNIT.TONNE, "天": UNIT.DAY,
             "分钟": UNIT.MIN, "小时": UNIT.HR}
COUNT_UNITS = {"件", "家", "户", "人次", "家次", "笔", "名", "个", "项", "类", "条", "份", "处", "种", "人", "次",
               "轮", "批", "场", "宗", "单", "张", "套", "台", "辆", "所", "座", "批次"}


@dataclass
class Parts:
    """Triples by named graph; ``order`` keeps parts in build order."""

    triples: dict[str, list[Triple]] = field(default_factory=dict)

    def add(self, part: str, s, p, o) -> None:
        self.triples.setdefault(part, []).append((s, p, o))

    def union(self) -> Iterable[Triple]:
        seen: set[Triple] = set()
        for part in self.triples.values():
            for t in part:
                if t not in seen:
                    seen.add(t)
                    yield t

    def __len__(self) -> int:
        return sum(1 for _ in self.union())


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def date(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def decimal(value: Decimal) -> Literal:
    """A canonical xsd:decimal lexical form (no exponent), so every store reads the same value."""
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


@functools.lru_cache(maxsize=2)
def ontology_graph(path: Path = paths.ONTOLOGY) -> Graph:
    """The ontology with canonical blank-node labels, so outputs are byte-identical across runs."""
    from rdflib.compare import to_canonical_graph

    graph = Graph()
    graph.parse(path, format="turtle")
    return to_canonical_graph(graph)


@functools.lru_cache(maxsize=2)
def concepts(path: Path = paths.ONTOLOGY) -> dict[tuple[URIRef, str], URIRef]:
    """(scheme, notation) → concept IRI, read from the ontology: YAML and code speak in notations."""
    graph = ontology_graph(path)
    return {(scheme, str(notation)): concept
            for concept, notation in graph.subject_objects(SKOS.notation)
            for scheme in graph.objects(concept, SKOS.inScheme)}


def concept(scheme: str, notation: str) -> URIRef:
    try:
        return concepts()[(RK[scheme], notation)]
    except KeyError:
        raise KeyError(f"the ontology has no concept '{notation}' in rk:{scheme}") from None


class GraphBuilder:
    """Collects the triples of one build."""

    def __init__(self, resolver: Resolver, minter: Minter, annotations=None, topics=()):
        self.resolver = resolver
        self.minter = minter
        self.annotations = annotations or {}
        self.topics = topics
        self.parts = Parts()
        self.unannotated: list[str] = []

    # -- parts ------------------------------------------------------------------------------
    def add_ontology(self) -> None:
        for s, p, o in ontology_graph():
            self.parts.add(ONTOLOGY_PART, s, p, o)

    def add_registry(self) -> None:
        """Curated cities, districts, agencies and topic schemes, whether or not a notice names them."""
        registry = self.resolver.registry
        for city in registry.cities:
            self._city(REGISTRY_PART, CityRef(city.slug, city.name_zh, city.name_en, city.admin_code, False),
                       city.aliases)
        for d in registry.districts:
            self._district(REGISTRY_PART, DistrictRef(d.code, d.city, d.name_zh, d.name_en, False), d.aliases)
        for agency in registry.agencies:
            self._agency(REGISTRY_PART, self.resolver.ensure_curated(agency))
        for scheme in self.topics:
            self._topic_scheme(scheme)

    def add_notice(self, notice: Notice, notice_slug: str) -> URIRef:
        part = notice_slug
        city = self.resolver.city(notice)
        n = self.minter.notice(notice_slug)
        add = functools.partial(self.parts.add, part)
        for t in (RK.Notice, ELI.LegalResource):
            add(n, RDF.type, t)
        doc = Literal(notice.doc_number)
        add(n, RK.docNumber, doc)
        add(n, ELI.id_local, doc)
        add(n, SKOS.prefLabel, zh(notice.doc_number))
        add(n, DCTERMS.title, zh(notice.title))
        add(n, ELI.title, zh(notice.title))
        add(n, DCTERMS.issued, date(notice.issued))
        add(n, ELI.date_document, date(notice.issued))
        if notice.printed:
            add(n, RK.printedOn, date(notice.printed))
        add(n, RK.city, self.minter.city(city.slug))
        if city.provisional:
            self._city(part, city, ())
        issuer = self._use(part, self.resolver.agency(notice.issuer, city, notice, 1))
        add(n, DCTERMS.publisher, issuer)
        add(n, ELI.passed_by, issuer)
        for name in notice.commended:
            add(n, RK.commends, self._use(part, self.resolver.agency(name, city, notice)))
        for name in self.resolver.expand_distribution(notice.distributed, city):
            add(n, RK.distributedTo, self._use(part, self.resolver.agency(name, city, notice)))
        annotation = self.annotations.get(notice.doc_number)
        if annotation:
            add(n, RK.curated, Literal(True))
        for row in notice.measures:
            self._measure(part, n, notice_slug, notice, city, row, annotation)
        return n

    # -- entities ---------------------------------------------------------------------------
    def _measure(self, part: str, notice_iri: URIRef, notice_slug: str, notice: Notice, city: CityRef,
                 row: MeasureRow, annotation) -> None:
        from .indicators import extract_figures

        m = self.minter.measure(notice_slug, row.level, row.rank)
        add = functools.partial(self.parts.add, part)
        add(m, RDF.type, RK.Measure)
        add(m, RK.listedIn, notice_iri)
        add(m, PROV.wasDerivedFrom, notice_iri)
        add(m, RK.level, concept("MeasureLevels", row.level))
        add(m, RK.rank, integer(row.rank))
        add(m, RK.title, zh(row.title))
        add(m, SKOS.prefLabel, zh(row.title))
        add(m, RK.description, zh(row.description))
        curated = annotation.measure(row.level, row.rank, row.title, notice.path) if annotation else None
        if curated:
            add(m, SKOS.prefLabel, en(curated.title_en))
            add(m, RK.summary, en(curated.summary_en))
        else:
            self.unannotated.append(f"{notice.doc_number} {row.level}-{row.rank:02d} {row.title}")
        agencies = [self.resolver.agency(u, city, notice, row.line) for u in row.units]
        for i, ref in enumerate(agencies):
            a = self._use(part, ref)
            role = "lead" if i == 0 else "cooperating"
            add(m, RK.leadAgency if i == 0 else RK.cooperatingAgency, a)
            add(m, RK.involvesAgency, a)
            p = Minter.child(m, "participation", i + 1)
            add(m, CV.hasParticipation, p)
            add(p, RDF.type, CV.Participation)
            add(p, CV.role, concept("ParticipationRoles", role))
            add(p, CV.hasParticipant, a)
            if i == 0:
                add(m, CV.hasCompetentAuthority, a)
        if row.level == "district":
            d = self.resolver.district(row, city, notice)
            if d.provisional:
                self._district(part, d, ())
            add(m, RK.district, self._district_iri(d))
        glosses = curated.actions_en if curated else ()
        for action in row.actions:
            a = Minter.child(m, "action", action.order)
            add(m, RK.hasAction, a)
            add(a, RDF.type, RK.Action)
            add(a, RK.order, integer(action.order))
            add(a, RK.text, zh(action.text))
            if action.order <= len(glosses):
                add(a, RK.text, en(glosses[action.order - 1]))
        for i, figure in enumerate(extract_figures(row.description_html), 1):
            self._indicator(part, m, i, figure)
        for topic in (curated.topics if curated else ()):
            scheme, concept_id = topic.split("/", 1)
            t = self.minter.topic(scheme, concept_id)
            add(m, RK.topic, t)
            add(m, CV.thematicArea, t)
        for ref in self._mentions(row, city, notice, {a.slug for a in agencies}):
            add(m, RK.mentions, self._use(part, ref))

    def _mentions(self, row: MeasureRow, city: CityRef, notice: Notice, units: set[str]) -> list[AgencyRef]:
        """Registry agencies of the notice's city named in the description but not among its units."""
        from .enrichment import find_mentions

        names = {n: a.slug for a in self.resolver.registry.agencies if a.city == city.slug for n in a.names}
        slugs = [s for s in find_mentions(row.description, names) if s not in units]
        return [self.resolver.ensure_curated(self.resolver.registry.agency(city.slug, s)) for s in slugs]

    def _indicator(self, part: str, measure: URIRef, n: int, figure) -> None:
        i = Minter.child(measure, "indicator", n)
        add = functools.partial(self.parts.add, part)
        add(measure, RK.hasIndicator, i)
        for t in (RK.Indicator, QB.Observation):
            add(i, RDF.type, t)
        value = decimal(figure.value)
        add(i, RK.value, value)
        add(i, SDMX_MEASURE.obsValue, value)
        add(i, RK.unit, Literal(figure.unit))
        unit_iri = UNIT_IRIS.get(figure.unit) or (UNIT.NUM if figure.unit in COUNT_UNITS else None)
        if unit_iri is not None:
            add(i, SDMX_ATTRIBUTE.unitMeasure, unit_iri)
        if figure.qualifier:
            add(i, RK.qualifier, concept("Qualifiers", figure.qualifier))
        if figure.change:
            add(i, RK.change, concept("Changes", figure.change))
        if figure.as_of:
            add(i, RK.asOf, date(figure.as_of))
            add(i, SDMX_DIMENSION.refPeriod, date(figure.as_of))
        if figure.period_start:
            add(i, RK.periodStart, date(figure.period_start))
        if figure.period_end:
            add(i, RK.periodEnd, date(figure.period_end))
            if not figure.as_of:
                add(i, SDMX_DIMENSION.refPeriod, date(figure.period_end))
        add(i, RK.sourceText, zh(figure.source_text))

    def _use(self, part: str, ref: AgencyRef) -> URIRef:
        """An agency IRI; provisional agencies are described in the part that first names them."""
        if ref.provisional:
            self._agency(part, ref)
        elif ref.names - set(self.resolver.registry.agency(ref.city, ref.slug).names):
            self._agency(part, ref)  # a curated agency written under a new variant: record the label
        return self.minter.agency(ref.city, ref.slug)

    def _agency(self, part: str, ref: AgencyRef) -> None:
        a = self.minter.agency(ref.city, ref.slug)
        add = functools.partial(self.parts.add, part)
        add(a, RDF.type, RK.Agency)
        add(a, RDF.type, ORG.Organization)
        if ref.kind not in PUBLIC_KINDS_EXCLUDED:
            add(a, RDF.type, CV.PublicOrganisation)
            add(a, RDF.type, SCHEMA.GovernmentOrganization)
        add(a, SKOS.prefLabel, zh(ref.name_zh))
        if ref.name_en:
            add(a, SKOS.prefLabel, en(ref.name_en))
        for name in sorted(ref.names - {ref.name_zh}):
            add(a, SKOS.altLabel, zh(name))
        add(a, RK.city, self.minter.city(ref.city))
        spatial = self.minter.district(ref.district) if ref.district else self.minter.city(ref.city)
        add(a, DCTERMS.spatial, spatial)
        if ref.kind:
            kind = concept("AgencyTypes", ref.kind)
            add(a, RK.agencyType, kind)
            add(a, ORG.classification, kind)
        if ref.level:
            add(a, RK.adminLevel, concept("AdminLevels", ref.level))
        if ref.parent:
            add(a, ORG.subOrganizationOf, self.minter.agency(ref.city, ref.parent))
        if ref.provisional:
            add(a, RK.provisional, Literal(True))

    def _city(self, part: str, city: CityRef, aliases) -> None:
        c = self.minter.city(city.slug)
        add = functools.partial(self.parts.add, part)
        add(c, RDF.type, RK.City)
        add(c, RDF.type, DCTERMS.Location)
        add(c, SKOS.prefLabel, zh(city.name_zh))
        if city.name_en:
            add(c, SKOS.prefLabel, en(city.name_en))
        for alias in aliases:
            add(c, SKOS.altLabel, zh(alias))
        if city.admin_code:
            add(c, RK.adminCode, Literal(city.admin_code))
        if city.provisional:
            add(c, RK.provisional, Literal(True))

    def _district_iri(self, d: DistrictRef) -> URIRef:
        return self.minter.district(d.key, None if not d.provisional else d.city)

    def _district(self, part: str, d: DistrictRef, aliases) -> None:
        i = self._district_iri(d)
        add = functools.partial(self.parts.add, part)
        add(i, RDF.type, RK.District)
        add(i, RDF.type, DCTERMS.Location)
        add(i, SKOS.prefLabel, zh(d.name_zh))
        if d.name_en:
            add(i, SKOS.prefLabel, en(d.name_en))
        for alias in aliases:
            add(i, SKOS.altLabel, zh(alias))
        add(i, RK.city, self.minter.city(d.city))
        if d.provisional:
            add(i, RK.provisional, Literal(True))
        else:
            add(i, RK.adminCode, Literal(d.key))

    def _topic_scheme(self, scheme) -> None:
        s = self.minter.topic(scheme.id)
        add = functools.partial(self.parts.add, REGISTRY_PART)
        add(s, RDF.type, SKOS.ConceptScheme)
        add(s, SKOS.prefLabel, zh(scheme.name_zh))
        add(s, SKOS.prefLabel, en(scheme.name_en))
        if getattr(scheme, "description_en", None):
            add(s, DCTERMS.description, en(scheme.description_en))
        for c in scheme.concepts:
            t = self.minter.topic(scheme.id, c.id)
            add(t, RDF.type, SKOS.Concept)
            add(t, SKOS.inScheme, s)
            add(t, SKOS.topConceptOf, s)
            add(s, SKOS.hasTopConcept, t)
            add(t, SKOS.notation, Literal(f"{scheme.id}/{c.id}"))
            add(t, SKOS.prefLabel, zh(c.name_zh))
            add(t, SKOS.prefLabel, en(c.name_en))


def to_graph(triples: Iterable[Triple], base: str | None = None) -> Graph:
    """An rdflib graph of the triples, with every prefix bound."""
    from .namespaces import bind_prefixes

    graph = Graph()
    bind_prefixes(graph, base)
    for t in triples:
        graph.add(t)
    return graph

