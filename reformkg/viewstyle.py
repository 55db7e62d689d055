"""The view style, viz/views.yaml: colours per agency kind and level, sizes, edge styles, texts, layout.

Validated by pydantic so a restyle can never break the page: unknown keys are errors naming the file,
and colours must be #rrggbb (a colour can never smuggle CSS or a URL into the page).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import paths
from .errors import ReformKGError

COLOR = r"^#[0-9a-fA-F]{6}$"   # nothing else: a colour can never smuggle CSS or a URL into the page


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Color = Annotated[str, Field(pattern=COLOR)]


class Page(_Strict):
    template: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    canvas_background: Color
    tooltip_max_items: int = Field(ge=1)
    hubs: int = Field(ge=0)
    measure_label_chars: int = Field(ge=2)
    agency_label: Literal["short", "full", "en"]


class Texts(_Strict):
    title: str
    subtitle: str


class Views(_Strict):
    collaboration: Texts
    measures: Texts


class Sizes(_Strict):
    agency_base: float = Field(gt=0)
    agency_per_measure: float = Field(ge=0)
    agency_max: float = Field(gt=0)
    measure: float = Field(gt=0)
    font: int = Field(gt=0)


class Lead(_Strict):
    border_width: float = Field(ge=0)
    border_color: Color


class Line(_Strict):
    color: Color
    width: float = Field(gt=0)
    dashes: bool = False


class Weighted(_Strict):
    color: Color
    width: float = Field(gt=0)
    per_shared: float = Field(ge=0)
    max_width: float = Field(gt=0)


class Edges(_Strict):
    collaboration: Weighted
    lead: Line
    cooperating: Line
    district: Line


class Layout(_Strict):
    physics_max_nodes: int = Field(ge=0)
    spacing: float = Field(gt=0)
    random_seed: int
    stabilization_iterations: int = Field(ge=0)


class Physics(_Strict):
    gravity: float
    central_gravity: float
    spring_length: float
    spring_strength: float
    damping: float
    overlap: float


class Style(_Strict):
    """viz/views.yaml: colours per agency kind and level, sizes, edge styles, texts, layout."""

    page: Page
    views: Views
    agency_kinds: dict[str, Color]
    unknown_kind: Color
    levels: dict[str, Color]
    district_color: Color
    communities: list[Color] = Field(min_length=1)
    sizes: Sizes
    lead: Lead
    node_border_color: Color
    edges: Edges
    layout: Layout
    physics: Physics

    def kind_color(self, kind: str | None) -> str:
        return self.agency_kinds.get(kind or "", self.unknown_kind)

    def level_color(self, level: str) -> str:
        return self.levels.get(level, self.unknown_kind)

    def community_color(self, community: int) -> str:
        return self.communities[(community - 1) % len(self.communities)]


def load_style(path: Path | None = None) -> Style:
    """Read and check viz/views.yaml; a wrong key or value is one error naming the file and the key."""
    import yaml

    path = Path(path) if path else paths.VIZ_DIR / "views.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ReformKGError(f"cannot read the view style: {exc}", path=path) from None
    try:
        return Style.model_validate(raw or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        value = f" (got {first['input']!r})" if not isinstance(first.get("input"), dict) else ""
        raise ReformKGError(f"{where}: {first['msg']}{value}; {exc.error_count()} problem(s) in all",
                            path=path) from None
