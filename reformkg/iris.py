"""Readable, stable instance IRIs: minted from slugs, codes and ranks, never from file order."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rdflib import URIRef

DEFAULT_BASE = "https://w3id.org/reformkg/id/"


def slugify(text: str, max_length: int = 60, sep: str = "-") -> str:
    """ASCII slug; Chinese is spelled in pinyin (思明区税务局 → si-ming-qu-shui-wu-ju)."""
    from pypinyin import lazy_pinyin  # imported lazily: only provisional names need it

    words = lazy_pinyin(unicodedata.normalize("NFKC", text), errors=lambda chars: [c for c in chars])
    slug = sep.join(w for w in (re.sub(r"[^a-z0-9]+", "-", w.lower()).strip("-") for w in words) if w)
    slug = re.sub(r"-{2,}", "-", slug)[:max_length].strip("-")
    return slug or "x"


@dataclass(frozen=True)
class Minter:
    """IRIs under one base; changing the base changes the prefix and nothing else."""

    base: str = DEFAULT_BASE

    def __post_init__(self):
        if not re.match(r"^https?://\S+[/#]$", self.base):
            raise ValueError(f"base IRI must be an http(s) IRI ending in '/' or '#', got '{self.base}'")

    def iri(self, *parts: object) -> URIRef:
        return URIRef(self.base + "/".join(str(p) for p in parts))

    def notice(self, notice_slug: str) -> URIRef:
        return self.iri("notice", notice_slug)

    def measure(self, notice_slug: str, level: str, rank: int) -> URIRef:
        return self.iri("measure", notice_slug, f"{level}-{rank:02d}")

    def agency(self, city: str, slug: str) -> URIRef:
        return self.iri("agency", city, slug)

    def city(self, slug: str) -> URIRef:
        return self.iri("city", slug)

    def district(self, code_or_slug: str, city: str | None = None) -> URIRef:
        """Curated districts by GB/T 2260 code; provisional ones by city and pinyin slug."""
        return self.iri("district", code_or_slug) if city is None else self.iri("district", city, code_or_slug)

    def topic(self, scheme: str, concept: str | None = None) -> URIRef:
        return self.iri("topic", scheme) if concept is None else self.iri("topic", scheme, concept)

    @staticmethod
    def child(parent: URIRef, kind: str, n: int) -> URIRef:
        """Parts of a measure: .../action/1, .../indicator/2, .../participation/3."""
        return URIRef(f"{parent}/{kind}/{n}")
