"""Conversion between rdflib terms (the API people know) and pyoxigraph terms (the fast engine)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term is None:
        return None
    raise TypeError(f"not an RDF term: {term!r}")


def ox_triples(triples: Iterable) -> list[ox.Triple]:
    """rdflib triples as pyoxigraph triples, sorted so every serialisation is byte-identical."""
    out = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]
    out.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return out
