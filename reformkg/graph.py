"""Turn parsed notices, the registry and curated annotations into RDF triples, one named graph each.

Triples are collected per part ("ontology", "registry", one per notice) so the same build gives the
union graph (Turtle, N-Triples, JSON-LD) and the dataset (TriG). Alignment terms (ORG, CPSV-AP, ELI,
Data Cube, PROV) are materialised here, so portal users can query in their own terms.

The builder writes pyoxigraph terms: at a million triples an rdflib ``Literal`` (2–6 µs to make, a
Python-level hash) costs more than everything else, a pyoxigraph one 0.3 µs. ``Parts.triples`` and
``Parts.union()`` still give rdflib triples, converted once on demand, for code that wants rdflib.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib import namespace as rdflib_ns

from . import namespaces, paths
from .iris import Minter
from .notice import MeasureRow, Notice
from .resolve import AgencyRef, CityRef, DistrictRef, Resolver

Triple = tuple  # (subject, predicate, object) as pyoxigraph terms
ONTOLOGY_PART, REGISTRY_PART = "ontology", "registry"
PUBLIC_KINDS_EXCLUDED = {"state-owned-enterprise", "company"}


class Vocabulary:
    """The IRIs of one namespace as pyoxigraph terms, made once each: ``RK.Measure``, ``UNIT["KiloW-HR"]``."""

    def __init__(self, namespace: str):
        self._namespace = str(namespace)

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        node = ox.NamedNode(self._namespace + name)
        setattr(self, name, node)
        return node

    __getitem__ = __getattr__


RK, ORG, CV, ELI, QB, SCHEMA, UNIT, CUR = (Vocabulary(n) for n in (
    namespaces.RK, namespaces.ORG, namespaces.CV, namespaces.ELI, namespaces.QB, namespaces.SCHEMA, namespaces.UNIT,
    namespaces.CUR))
SDMX_MEASURE, SDMX_ATTRIBUTE, SDMX_DIMENSION = (Vocabulary(n) for n in (
    namespaces.SDMX_MEASURE, namespaces.SDMX_ATTRIBUTE, namespaces.SDMX_DIMENSION))
RDF, SKOS, DCTERMS, PROV, XSD = (Vocabulary(n) for n in (
    rdflib_ns.RDF, rdflib_ns.SKOS, rdflib_ns.DCTERMS, rdflib_ns.PROV, rdflib_ns.XSD))

UNIT_IRIS = {"%": UNIT.PERCENT, "元": CUR.CNY, "千瓦时": UNIT["KiloW-HR"], "吨": UNIT.TONNE, "天": UNIT.DAY,
             "分钟": UNIT.MIN, "小时": UNIT.HR}
COUNT_UNITS = {"件", "家", "户", "人次", "家次", "笔", "名", "个", "项", "类", "条", "份", "处", "种", "人", "次",
               "轮", "批", "场", "宗", "单", "张", "套", "台", "辆", "所", "座", "批次"}
TRUE = ox.Literal(True)


@dataclass
class Parts:
    """Triples by named graph, in build order, as pyoxigraph terms (``ox``); rdflib views on demand."""

    ox: dict[str, list[Triple]] = field(default_factory=dict)

    def add(self, part: str, s, p, o) -> None:
        self.ox.setdefault(part, []).append((s, p, o))

    def adder(self, part: str):
        """A fast ``add(s, p, o)`` for one part."""
        append = self.ox.setdefault(part, []).append
        return lambda s, p, o: append((s, p, o))

    def ox_union(self) -> list[Triple]:
        """Every triple once (parts may share agency descriptions), in first-seen order."""
        return list(dict.fromkeys(t for part in self.ox.values() for t in part))

    def quads(self) -> list[ox.Quad]:
        """The union as pyoxigraph quads in the default graph: what stores load and writers write."""
        return [ox.Quad(s, p, o) for s, p, o in self.ox_union()]

    @functools.cached_property
    def triples(self) -> dict[str, list]:
        """The parts as rdflib triples (converted once; each distinct term is made once)."""
        convert = _RdflibTerms()
        return {part: [(convert(s), convert(p), convert(o)) for s, p, o in triples]
                for part, triples in self.ox.items()}

    def union(self) -> Iterable:
        """The union graph as rdflib triples, each once."""
        return dict.fromkeys(t for part in self.triples.values() for t in part)

    def __len__(self) -> int:
        return len(self.ox_union())


class _RdflibTerms(dict):
    """pyoxigraph term → rdflib term, memoised: agencies, classes and concepts recur thousands of times."""

    def __call__(self, term):
        found = self.get(term)
        if found is None:
            from .terms import from_ox

            found = self[term] = from_ox(term)
        return found


def iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(str(value))


def zh(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh")


def en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def string(text: str) -> ox.Literal:
    return ox.Literal(text)


@functools.lru_cache(maxsize=4096)
def date(value: dt.date) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=XSD.date)


@functools.lru_cache(maxsize=1024)
def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD.integer)


def decimal(value: Decimal) -> ox.Literal:
    """A canonical xsd:decimal lexical form (no exponent), so every store reads the same value."""
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return ox.Literal(text, datatype=XSD.decimal)


def child(parent: ox.NamedNode, kind: str, n: int) -> ox.NamedNode:
    """Parts of a measure: .../action/1, .../indicator/2, .../participation/3 (as ``Minter.child``)."""
    return ox.NamedNode(f"{parent.value}/{kind}/{n}")


@functools.lru_cache(maxsize=2)
def ontology_graph(path: Path = paths.ONTOLOGY) -> Graph:
    """The ontology with canonical blank-node labels, so outputs are byte-identical across runs."""
    from rdflib.compare import to_canonical_graph

    graph = Graph()
    graph.parse(path, format="turtle")
    return to_canonical_graph(graph)


@functools.lru_cache(maxsize=2)
def ontology_triples(path: Path = paths.ONTOLOGY) -> tuple[Triple, ...]:
    from .terms import to_ox

    return tuple((to_ox(s), to_ox(p), to_ox(o)) for s, p, o in ontology_graph(path))


@functools.lru_cache(maxsize=2)
def concepts(path: Path = paths.ONTOLOGY) -> dict[tuple[str, str], ox.NamedNode]:
    """(scheme IRI, notation) → concept IRI, read from the ontology: YAML and code speak in notations."""
    graph = ontology_graph(path)
    skos = rdflib_ns.SKOS
    return {(str(scheme), str(notation)): iri(concept)
            for concept, notation in graph.subject_objects(skos.notation)
            for scheme in graph.objects(concept, skos.inScheme)}


@functools.lru_cache(maxsize=256)
def concept(scheme: str, notation: str) -> ox.NamedNode:
    try:
        return concepts()[(str(namespaces.RK) + scheme, notation)]
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
        self._described: dict[tuple[str, object], int] = {}  # (part, entity) → names it was described with
        self._mention_names: dict[str, list] = {}  # city → [(name without spaces, name, agency slug)]

    # -- IRIs (the Minter's, as pyoxigraph terms) ---------------------------------------------
    @functools.lru_cache(maxsize=None)  # noqa: B019 - one builder per build; agencies recur thousands of times
    def _agency_iri(self, city: str, slug: str) -> ox.NamedNode:
        return iri(self.minter.agency(city, slug))

    @functools.lru_cache(maxsize=None)  # noqa: B019
    def _city_iri(self, slug: str) -> ox.NamedNode:
        return iri(self.minter.city(slug))

    @functools.lru_cache(maxsize=None)  # noqa: B019
    def _district_iri(self, d: DistrictRef) -> ox.NamedNode:
        return iri(self.minter.district(d.key, None if not d.provisional else d.city))

    # -- parts ------------------------------------------------------------------------------
    def add_ontology(self) -> None:
        add = self.parts.adder(ONTOLOGY_PART)
        for s, p, o in ontology_triples():
            add(s, p, o)

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

    def add_notice(self, notice: Notice, notice_slug: str) -> ox.NamedNode:
        part = notice_slug
        city = self.resolver.city(notice)
        n = iri(self.minter.notice(notice_slug))
        add = self.parts.adder(part)
        for t in (RK.Notice, ELI.LegalResource):
            add(n, RDF.type, t)
        doc = string(notice.doc_number)
        add(n, RK.docNumber, doc)
        add(n, ELI.id_local, doc)
        add(n, SKOS.prefLabel, zh(notice.doc_number))
        add(n, DCTERMS.title, zh(notice.title))
        add(n, ELI.title, zh(notice.title))
        add(n, DCTERMS.issued, date(notice.issued))
        add(n, ELI.date_document, date(notice.issued))
        if notice.printed:
            add(n, RK.printedOn, date(notice.printed))
        add(n, RK.city, self._city_iri(city.slug))
        if city.provisional:
            self._city(part, city, ())
        issuer = self._use(part, self.resolver.agency(notice.issuer, city, notice, 1))
        add(n, DCTERMS.publisher, issuer)
        add(n, ELI.passed_by, issuer)
        for name in notice.commended:
            add(n, RK.commends, self._use(part, self.resolver.agency(name, city, notice, notice.commended_line)))
        for name in self.resolver.expand_distribution(notice.distributed, city):
            add(n, RK.distributedTo, self._use(part, self.resolver.agency(name, city, notice,
                                                                          notice.distributed_line)))
        annotation = self.annotations.get(notice.doc_number)
        if annotation:
            add(n, RK.curated, TRUE)
        for row in notice.measures:
            self._measure(part, n, notice_slug, notice, city, row, annotation)
        return n

    # -- entities ---------------------------------------------------------------------------
    def _measure(self, part: str, notice_iri: ox.NamedNode, notice_slug: str, notice: Notice, city: CityRef,
                 row: MeasureRow, annotation) -> None:
        from .indicators import extract_figures

        m = iri(self.minter.measure(notice_slug, row.level, row.rank))
        add = self.parts.adder(part)
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
            p = child(m, "participation", i + 1)
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
            a = child(m, "action", action.order)
            add(m, RK.hasAction, a)
            add(a, RDF.type, RK.Action)
            add(a, RK.order, integer(action.order))
            add(a, RK.text, zh(action.text))
            if action.order <= len(glosses):
                add(a, RK.text, en(glosses[action.order - 1]))
        for i, figure in enumerate(extract_figures(row.description_html), 1):
            self._indicator(add, m, i, figure)
        for topic in (curated.topics if curated else ()):
            scheme, concept_id = topic.split("/", 1)
            t = iri(self.minter.topic(scheme, concept_id))
            add(m, RK.topic, t)
            add(m, CV.thematicArea, t)
        for ref in self._mentions(row, city, {a.slug for a in agencies}):
            add(m, RK.mentions, self._use(part, ref))

    def _mentions(self, row: MeasureRow, city: CityRef, units: set[str]) -> list[AgencyRef]:
        """Registry agencies of the notice's city named in the description but not among its units."""
        from .enrichment import find_mentions

        from .text import compact

        names = self._mention_names.get(city.slug)
        if names is None:
            names = self._mention_names[city.slug] = [
                (compact(n), n, a.slug) for a in self.resolver.registry.agencies if a.city == city.slug
                for n in a.names]
        text = compact(row.description)
        present = {n: slug for short, n, slug in names if short and short in text}  # the few worth a closer look
        if not present:
            return []
        slugs = [s for s in find_mentions(row.description, present) if s not in units]
        return [self.resolver.ensure_curated(self.resolver.registry.agency(city.slug, s)) for s in slugs]

    def _indicator(self, add, measure: ox.NamedNode, n: int, figure) -> None:
        i = child(measure, "indicator", n)
        add(measure, RK.hasIndicator, i)
        for t in (RK.Indicator, QB.Observation):
            add(i, RDF.type, t)
        value = decimal(figure.value)
        add(i, RK.value, value)
        add(i, SDMX_MEASURE.obsValue, value)
        add(i, RK.unit, string(figure.unit))
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

    def _use(self, part: str, ref: AgencyRef) -> ox.NamedNode:
        """An agency IRI; provisional agencies are described in the part that first names them."""
        if ref.provisional:
            self._agency(part, ref)
        elif ref.names - set(self.resolver.registry.agency(ref.city, ref.slug).names):
            self._agency(part, ref)  # a curated agency written under a new variant: record the label
        return self._agency_iri(ref.city, ref.slug)

    def _first_time(self, part: str, key, names: int = 0) -> bool:
        """Whether ``key`` is not yet described in ``part`` (with as many names): saves re-adding its triples."""
        if self._described.get((part, key), -1) >= names:
            return False
        self._described[(part, key)] = names
        return True

    def _agency(self, part: str, ref: AgencyRef) -> None:
        if not self._first_time(part, ("agency", ref.city, ref.slug), len(ref.names)):
            return
        a = self._agency_iri(ref.city, ref.slug)
        add = self.parts.adder(part)
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
        add(a, RK.city, self._city_iri(ref.city))
        spatial = iri(self.minter.district(ref.district)) if ref.district else self._city_iri(ref.city)
        add(a, DCTERMS.spatial, spatial)
        if ref.kind:
            kind = concept("AgencyTypes", ref.kind)
            add(a, RK.agencyType, kind)
            add(a, ORG.classification, kind)
        if ref.level:
            add(a, RK.adminLevel, concept("AdminLevels", ref.level))
        if ref.parent:
            add(a, ORG.subOrganizationOf, self._agency_iri(ref.city, ref.parent))
        if ref.provisional:
            add(a, RK.provisional, TRUE)

    def _city(self, part: str, city: CityRef, aliases) -> None:
        if self._first_time(part, ("city", city)):
            self._place(part, self._city_iri(city.slug), RK.City, city.name_zh, city.name_en, aliases,
                        city.admin_code, city.provisional)

    def _district(self, part: str, d: DistrictRef, aliases) -> None:
        if self._first_time(part, ("district", d)):
            i = self._district_iri(d)
            self._place(part, i, RK.District, d.name_zh, d.name_en, aliases, None if d.provisional else d.key,
                        d.provisional)
            self.parts.adder(part)(i, RK.city, self._city_iri(d.city))

    def _place(self, part: str, i, cls, name_zh: str, name_en: str | None, aliases, code: str | None,
               provisional: bool) -> None:
        """A city or district: a dcterms:Location with zh/en names, aliases and its GB/T 2260 code."""
        add = self.parts.adder(part)
        add(i, RDF.type, cls)
        add(i, RDF.type, DCTERMS.Location)
        add(i, SKOS.prefLabel, zh(name_zh))
        if name_en:
            add(i, SKOS.prefLabel, en(name_en))
        for alias in aliases:
            add(i, SKOS.altLabel, zh(alias))
        if code:
            add(i, RK.adminCode, string(code))
        if provisional:
            add(i, RK.provisional, TRUE)

    def _topic_scheme(self, scheme) -> None:
        s = iri(self.minter.topic(scheme.id))
        add = self.parts.adder(REGISTRY_PART)
        add(s, RDF.type, SKOS.ConceptScheme)
        add(s, SKOS.prefLabel, zh(scheme.name_zh))
        add(s, SKOS.prefLabel, en(scheme.name_en))
        if getattr(scheme, "description_en", None):
            add(s, DCTERMS.description, en(scheme.description_en))
        for c in scheme.concepts:
            t = iri(self.minter.topic(scheme.id, c.id))
            add(t, RDF.type, SKOS.Concept)
            add(t, SKOS.inScheme, s)
            add(t, SKOS.topConceptOf, s)
            add(s, SKOS.hasTopConcept, t)
            add(t, SKOS.notation, string(f"{scheme.id}/{c.id}"))
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

