"""Resolve the names a notice uses to curated entities, scoped by the notice's city.

Short names are relative to the issuing city: 市税务局 in a Xiamen notice is Xiamen's tax bureau, in
another city's notice another agency. A name the registry lacks becomes a *provisional* entity with a
pinyin IRI, and is reported (``--strict`` turns the report into an error).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .errors import ResolutionError
from .iris import slugify
from .notice import MeasureRow, Notice
from .registry import Agency, Registry
from .text import compact


@dataclass(frozen=True)
class CityRef:
    slug: str
    name_zh: str
    name_en: str | None
    admin_code: str | None
    provisional: bool


@dataclass(frozen=True)
class DistrictRef:
    key: str  # GB/T 2260 code, or a pinyin slug for a provisional district
    city: str
    name_zh: str
    name_en: str | None
    provisional: bool


@dataclass
class AgencyRef:
    """An agency as the graph needs it; ``names`` collects every name it is written under."""

    city: str
    slug: str
    name_zh: str
    name_en: str | None = None
    kind: str | None = None
    level: str | None = None
    parent: str | None = None
    district: str | None = None
    provisional: bool = False
    names: set[str] = field(default_factory=set)

    @classmethod
    def curated(cls, agency: Agency) -> AgencyRef:
        return cls(agency.city, agency.slug, agency.name_zh, agency.name_en, agency.kind, agency.level,
                   agency.parent, agency.district, False, set(agency.names))


@dataclass(frozen=True)
class Provisional:
    """A name minted as a provisional entity: where it was read, for the build report."""

    name: str
    notice: str
    line: int | None
    what: str = "agency"

    def __str__(self) -> str:
        where = f"{self.notice}" + (f":{self.line}" if self.line else "")
        return f"{where}: provisional {self.what} '{self.name}' (not in the curated registry)"


class Resolver:
    """Resolves names for one build; the same name in the same city always gives the same entity."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.agencies: dict[tuple[str, str], AgencyRef] = {}
        self.districts: dict[tuple[str, str], DistrictRef] = {}
        self.cities: dict[str, CityRef] = {}
        self.provisional: list[Provisional] = []
        self._lookups: dict[tuple[str, str], Agency | None] = {}  # (city, name) → curated agency or None

    # -- cities -----------------------------------------------------------------------------
    def city(self, notice: Notice) -> CityRef:
        curated = self.registry.city_by_name(notice.city_name)
        if curated:
            ref = CityRef(curated.slug, curated.name_zh, curated.name_en, curated.admin_code, False)
        else:
            ref = CityRef(_slug(notice.city_name.removesuffix("市"), sep=""), notice.city_name, None, None, True)
            self._report(notice.city_name, notice, 1, "city")  # named in the heading
        self.cities.setdefault(ref.slug, ref)
        return ref

    # -- agencies ---------------------------------------------------------------------------
    def agency(self, name: str, city: CityRef, notice: Notice, line: int | None = None) -> AgencyRef:
        name = compact(name)
        curated = self._lookup(name, city)
        if curated is not None:
            ref = self.agencies.setdefault((city.slug, curated.slug), AgencyRef.curated(curated))
        else:
            slug = _slug(name)
            ref = self.agencies.get((city.slug, slug))
            if ref is None:
                ref = AgencyRef(city.slug, slug, name, provisional=True)
                self.agencies[(city.slug, slug)] = ref
                self._report(name, notice, line, "agency")
        ref.names.add(name)
        return ref

    def _lookup(self, name: str, city: CityRef) -> Agency | None:
        """Exact name, then the same name with the city written out or shortened (厦门市X ↔ 市X).

        Remembered per city and name: a corpus writes the same few hundred names tens of thousands of times.
        """
        key = (city.slug, name)
        if key not in self._lookups:
            self._lookups[key] = next((found for candidate in _city_variants(name, city, self.registry)
                                       if (found := self.registry.agency_by_name(city.slug, candidate)) is not None),
                                      None)
        return self._lookups[key]

    def ensure_curated(self, agency: Agency) -> AgencyRef:
        """Registry agencies appear in the graph even when no notice names them."""
        return self.agencies.setdefault((agency.city, agency.slug), AgencyRef.curated(agency))

    def expand_distribution(self, names: tuple[str, ...], city: CityRef) -> list[str]:
        """Expand elliptical coordination: 市委社会工作部、金融办 → 市委社会工作部, 市委金融办.

        A name that resolves as written is kept. Otherwise the prefix of the name before it is tried:
        its organ (市委, 市人大, 市政协 …), else, for a bare department name (工信局, 财政委), its place
        or level (市发改委、工信局 → 市工信局; 思明区发改局、财政局 → 思明区财政局). The prefixed name is
        kept when it resolves or the bare name does not look complete on its own.
        """
        out: list[str] = []
        for name in names:
            previous = out[-1] if out else ""
            prefix = _organ_prefix(previous) or (_place_prefix(previous) if _DEPARTMENT.search(name) else None)
            if prefix and not name.startswith(prefix) and self._lookup(name, city) is None:
                if self._lookup(prefix + name, city) is not None or not _looks_complete(name):
                    name = prefix + name
            out.append(name)
        return out

    # -- districts --------------------------------------------------------------------------
    def district(self, measure: MeasureRow, city: CityRef, notice: Notice) -> DistrictRef:
        """The district of a district-level measure: the district named in its lead (or first) unit."""
        for unit in measure.units:
            curated = self._lookup(compact(unit), city)
            code = curated.district if curated else None
            if code is None:
                code = next((d.code for d in self.registry.districts_of(city.slug)
                             if any(compact(unit).startswith(n) for n in (d.name_zh, *d.aliases))), None)
            if code is not None:
                d = self.registry.district(code)
                return self.districts.setdefault((city.slug, code), DistrictRef(code, city.slug, d.name_zh,
                                                                               d.name_en, False))
        for unit in measure.units:
            match = re.match(r"^(?:%s)?(.{1,6}?[区县])" % re.escape(city.name_zh), compact(unit))
            if match and not match.group(1).endswith(("市区", "园区", "片区", "新区管")):
                name = match.group(1)
                key = _slug(name)
                if (city.slug, key) not in self.districts:
                    self.districts[(city.slug, key)] = DistrictRef(key, city.slug, name, None, True)
                    self._report(name, notice, measure.line, "district")
                return self.districts[(city.slug, key)]
        raise ResolutionError(f"district-level measure {measure.rank} names no district in its units "
                              f"({'、'.join(measure.units)}): expected a unit like 思明区政府",
                              path=notice.path, line=measure.line)

    def _report(self, name: str, notice: Notice, line: int | None, what: str) -> None:
        self.provisional.append(Provisional(name, str(notice.path), line, what))


@functools.lru_cache(maxsize=None)
def _slug(name: str, sep: str = "-") -> str:
    """``slugify`` remembered: pinyin conversion is the slowest step of resolving a name."""
    return slugify(name, sep=sep)


def _city_variants(name: str, city: CityRef, registry: Registry) -> list[str]:
    variants = [name]
    short = [city.name_zh]
    curated = registry.city(city.slug)
    if curated:
        short += list(curated.aliases)
    for prefix in short:
        if name.startswith(prefix) and len(name) > len(prefix):
            rest = name[len(prefix):]
            variants += ["市" + rest.removeprefix("市"), rest]
    if name.startswith("市"):
        variants.append(city.name_zh + name[1:])
    return variants


def _organ_prefix(name: str) -> str | None:
    match = re.match(r"^((?:[^、，]{0,4}?[市省区县])(?:委|人大|政协|政府|纪委))", name)
    return match.group(1) if match else None


_DEPARTMENT = re.compile(r"(?:局|委|办|厅|院|部|室|处|署)$")


def _place_prefix(name: str) -> str | None:
    """The place or level a department name starts with: 市发改委 → 市, 思明区发改局 → 思明区."""
    match = re.match(r"^([^、，]{0,4}?[市省区县])", name)
    return match.group(1) if match and _DEPARTMENT.search(name) else None


def _looks_complete(name: str) -> bool:
    """A name that starts with its own level or place (市…, 厦门…, 国网…) is not elliptical."""
    return bool(re.match(r"^(?:市|省|区|县|国|中|人民|[^、，]{2,3}[市省区县])", name))
