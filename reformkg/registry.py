"""The curated registry: cities, districts and agencies, validated by pydantic on load.

The registry is the one place where names are reconciled: every name an agency is written under in
any notice is an alias here, and short names (市税务局) are scoped by the city whose notices use them.
Unknown keys, dangling references and an alias shared by two agencies of one city are errors that
name the file and the record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import RegistryError
from .text import compact

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"

AgencyKind = Literal[
    "government-department",
    "local-government",
    "court",
    "party-organ",
    "congress-committee",
    "zone-administration",
    "central-agency-branch",
    "state-owned-enterprise",
    "company",
    "mass-organisation",
    "public-institution",
]
AdminLevel = Literal["national-branch", "provincial", "municipal", "district"]


class _Record(BaseModel):
    """A curated record: unknown keys are rejected, strings are stripped."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class City(_Record):
    slug: str = Field(pattern=SLUG)
    name_zh: str
    name_en: str
    admin_code: str | None = Field(default=None, pattern=r"^[0-9]{6}$")
    aliases: tuple[str, ...] = ()


class District(_Record):
    code: str = Field(pattern=r"^[0-9]{6}$")
    city: str = Field(pattern=SLUG)
    slug: str = Field(pattern=SLUG)
    name_zh: str
    name_en: str
    aliases: tuple[str, ...] = ()


class Agency(_Record):
    slug: str = Field(pattern=SLUG)
    city: str = Field(pattern=SLUG)
    name_zh: str
    name_en: str
    kind: AgencyKind
    level: AdminLevel
    parent: str | None = Field(default=None, pattern=SLUG)
    district: str | None = Field(default=None, pattern=r"^[0-9]{6}$")
    aliases: tuple[str, ...] = ()

    @field_validator("aliases")
    @classmethod
    def _no_blank_alias(cls, aliases: tuple[str, ...]) -> tuple[str, ...]:
        if any(not a.strip() for a in aliases):
            raise ValueError("aliases must not be blank")
        return tuple(a.strip() for a in aliases)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the agency is written under: canonical first, then aliases."""
        return (self.name_zh, *(a for a in self.aliases if a != self.name_zh))


class Registry:
    """All curated records, cross-checked; lookups are scoped by city and indexed once."""

    def __init__(self, cities: tuple[City, ...], districts: tuple[District, ...], agencies: tuple[Agency, ...]):
        self.cities, self.districts, self.agencies = tuple(cities), tuple(districts), tuple(agencies)
        self._agencies = {(a.city, a.slug): a for a in self.agencies}
        self._names = {(a.city, compact(n)): a for a in self.agencies for n in a.names}
        self._districts = {d.code: d for d in self.districts}

    def city(self, slug: str) -> City | None:
        return next((c for c in self.cities if c.slug == slug), None)

    def city_by_name(self, name: str) -> City | None:
        """The city a notice belongs to, from a name such as 厦门市 or 厦门."""
        name = compact(name)
        return next((c for c in self.cities if name == c.name_zh or name in c.aliases), None)

    def agency(self, city: str, slug: str) -> Agency | None:
        return self._agencies.get((city, slug))

    def agency_by_name(self, city: str, name: str) -> Agency | None:
        """Exact lookup of a name (canonical or alias) among one city's agencies."""
        return self._names.get((city, compact(name)))

    def districts_of(self, city: str) -> tuple[District, ...]:
        return tuple(d for d in self.districts if d.city == city)

    def district(self, code: str) -> District | None:
        return self._districts.get(code)


REGISTRY_FILES = {"cities": ("cities.yaml", City), "districts": ("districts.yaml", District),
                  "agencies": ("agencies.yaml", Agency)}


def _read_records(path: Path, model: type[_Record]) -> tuple[_Record, ...]:
    """Read one YAML list of records; errors name the file, the record and the key."""
    if not path.exists():
        raise RegistryError(f"missing registry file (expected a YAML list of {model.__name__} records)", path=path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise RegistryError(f"not valid YAML: {exc}", path=path, line=None if line is None else line + 1) from exc
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RegistryError(f"expected a YAML list of {model.__name__} records, found {type(raw).__name__}", path=path)
    lines = _record_lines(path)
    records = []
    for i, item in enumerate(raw):
        line = lines[i] if i < len(lines) else None
        if not isinstance(item, dict):
            raise RegistryError(f"record {i + 1}: expected a mapping of keys", path=path, line=line)
        try:
            records.append(model.model_validate(item))
        except ValidationError as exc:
            raise RegistryError(_describe(exc, item, i), path=path, line=line) from exc
    return tuple(records)


def _record_lines(path: Path) -> list[int]:
    """1-based line numbers where each top-level list item starts, for error messages."""
    return [n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("- ")]


def _describe(exc: ValidationError, item: dict, index: int) -> str:
    label = item.get("slug") or item.get("code") or f"#{index + 1}"
    problems = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            problems.append(f"unknown key '{key}'")
        elif err["type"] == "missing":
            problems.append(f"missing key '{key}'")
        else:
            problems.append(f"key '{key}': {err['msg']}")
    return f"record {label}: " + "; ".join(problems)


def _cross_check(registry: Registry, data_dir: Path) -> None:
    """References resolve and no name is shared by two agencies of one city."""
    agencies_path = data_dir / REGISTRY_FILES["agencies"][0]
    city_slugs = {c.slug for c in registry.cities}
    district_codes = {d.code for d in registry.districts}
    if len(city_slugs) != len(registry.cities):
        raise RegistryError("two cities share a slug", path=data_dir / "cities.yaml")
    district_names: dict[tuple[str, str], str] = {}
    for d in registry.districts:
        if d.city not in city_slugs:
            raise RegistryError(f"district {d.code}: unknown city '{d.city}'", path=data_dir / "districts.yaml")
        for name in (d.name_zh, *d.aliases):
            other = district_names.setdefault((d.city, compact(name)), d.code)
            if other != d.code:
                raise RegistryError(f"districts {other} and {d.code} share the name '{name}'",
                                    path=data_dir / "districts.yaml")
    if len({d.code for d in registry.districts}) != len(registry.districts):
        raise RegistryError("two districts share a code", path=data_dir / "districts.yaml")
    seen_slugs: set[tuple[str, str]] = set()
    owner: dict[tuple[str, str], str] = {}
    for a in registry.agencies:
        if a.city not in city_slugs:
            raise RegistryError(f"agency {a.slug}: unknown city '{a.city}'", path=agencies_path)
        if (a.city, a.slug) in seen_slugs:
            raise RegistryError(f"agency {a.slug}: slug used twice in city '{a.city}'", path=agencies_path)
        seen_slugs.add((a.city, a.slug))
        if a.district is not None and (a.district not in district_codes
                                       or registry.district(a.district).city != a.city):
            raise RegistryError(f"agency {a.slug}: unknown district '{a.district}' in city '{a.city}'",
                                path=agencies_path)
        if a.parent == a.slug:
            raise RegistryError(f"agency {a.slug}: an agency cannot be its own parent", path=agencies_path)
        for name in a.names:
            key = (a.city, compact(name))
            if key in owner and owner[key] != a.slug:
                raise RegistryError(
                    f"agencies {owner[key]} and {a.slug} share the name '{name}' in city '{a.city}'"
                    " (an alias must belong to one agency)", path=agencies_path)
            owner[key] = a.slug
    for a in registry.agencies:
        if a.parent is not None and (a.city, a.parent) not in seen_slugs:
            raise RegistryError(f"agency {a.slug}: unknown parent '{a.parent}'", path=agencies_path)


def load_registry(data_dir: Path) -> Registry:
    """Read and cross-check every registry file in ``data_dir``."""
    data_dir = Path(data_dir)
    parts = {key: _read_records(data_dir / name, model) for key, (name, model) in REGISTRY_FILES.items()}
    registry = Registry(**parts)
    _cross_check(registry, data_dir)
    return registry


def canonical_yaml(records: list[dict]) -> str:
    """The one canonical text of a curated list: records in order given, keys in model order, UTF-8."""
    return yaml.safe_dump(records, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)


def canonical_form(path: Path, model: type[_Record], sort_key) -> str:
    """Re-render a registry file canonically: sorted records, model key order, defaults dropped."""
    records = sorted(_read_records(path, model), key=sort_key)
    return canonical_yaml([r.model_dump(mode="json", exclude_defaults=True) for r in records])


SORT_KEYS = {
    "cities": lambda c: c.slug,
    "districts": lambda d: d.code,
    "agencies": lambda a: (a.city, a.slug),
}
