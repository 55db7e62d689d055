"""Curated enrichment: topic schemes and per-measure annotations, validated by pydantic on load.

``data/topics.yaml`` holds the SKOS concept schemes measures are classified by (World Bank B-READY,
the Fujian business-environment indicator system). ``data/measures/*.yaml`` hold, one file per notice,
the curated English title, summary, action glosses and topics of each measure, keyed by level and rank.
Unknown keys, bad values, duplicate measures and topic references that are not in ``topics.yaml`` are
errors naming the file, the line and the key.

``find_mentions`` finds which known agency names a description mentions (longest name first).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Literal, NoReturn

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from .errors import RegistryError
from .text import compact

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
TOPIC_REF = r"^[a-z0-9]+(-[a-z0-9]+)*/[a-z0-9]+(-[a-z0-9]+)*$"
TOPICS_FILE = "topics.yaml"
MEASURES_DIR = "measures"
LEVELS = ("city", "district")


class _Record(BaseModel):
    """A curated record: unknown keys are rejected, strings are stripped, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TopicConcept(_Record):
    id: str = Field(pattern=SLUG)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)


class TopicScheme(_Record):
    id: str = Field(pattern=SLUG)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    description_en: str | None = None
    concepts: tuple[TopicConcept, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_concepts(self) -> TopicScheme:
        seen: set[str] = set()
        for c in self.concepts:
            if c.id in seen:
                raise ValueError(f"concept id '{c.id}' used twice")
            seen.add(c.id)
        return self

    def concept(self, concept_id: str) -> TopicConcept | None:
        return next((c for c in self.concepts if c.id == concept_id), None)


class MeasureAnnotation(_Record):
    level: Literal["city", "district"]
    rank: int = Field(ge=1)
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    summary_en: str = Field(min_length=1)
    topics: tuple[str, ...] = Field(min_length=1)
    actions_en: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check_lists(self) -> MeasureAnnotation:
        for topic in self.topics:
            if not re.match(TOPIC_REF, topic):
                raise ValueError(f"topic '{topic}' is not of the form scheme-id/concept-id")
        if len(set(self.topics)) != len(self.topics):
            raise ValueError("a topic is listed twice")
        if any(not a.strip() for a in self.actions_en):
            raise ValueError("actions_en must not contain blank glosses")
        return self

    @property
    def key(self) -> tuple[str, int]:
        return (self.level, self.rank)


class NoticeAnnotations(_Record):
    notice: str = Field(min_length=1)
    measures: tuple[MeasureAnnotation, ...] = ()
    _path: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _unique_measures(self) -> NoticeAnnotations:
        seen: set[tuple[str, int]] = set()
        for m in self.measures:
            if m.key in seen:
                raise ValueError(f"measure {m.level}-{m.rank} annotated twice")
            seen.add(m.key)
        return self

    @property
    def path(self) -> Path | None:
        """The YAML file the annotations were read from (None when built in code)."""
        return self._path

    def measure(self, level: str, rank: int, title: str | None = None,
                notice_path: str | Path | None = None) -> MeasureAnnotation | None:
        """The annotation of one measure, or None; with ``title``, it must equal the annotated title_zh."""
        found = next((m for m in self.measures if m.level == level and m.rank == rank), None)
        if found is not None and title is not None and found.title_zh != title:
            where = f" (printed in {notice_path})" if notice_path is not None else ""
            raise RegistryError(
                f"measure {level}-{rank}: title_zh '{found.title_zh}' differs from the printed title "
                f"'{title}'{where}", path=self._path, line=_measure_line(self._path, level, rank))
        return found


# -- loading ---------------------------------------------------------------------------------------

def _read_yaml(path: Path) -> tuple[Any, str]:
    if not path.exists():
        raise RegistryError("missing curated file", path=path)
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text), text
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RegistryError(f"not valid YAML: {exc}", path=path,
                            line=None if mark is None else mark.line + 1) from exc


def _line_of(text: str, loc: tuple) -> int | None:
    """1-based line of the YAML node at ``loc`` (keys and list indices), or of its nearest parent."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None if node is None else node.start_mark.line + 1
    for step in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            match = next(((k, v) for k, v in node.value if k.value == step), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _raise_invalid(exc: ValidationError, raw: Any, text: str, path: Path, prefix: tuple = ()) -> NoReturn:
    """Turn the first pydantic error into a RegistryError naming the record, the key and the line."""
    err = exc.errors()[0]
    loc = prefix + tuple(err["loc"])
    where = _describe_loc(raw, loc)
    key = next((str(p) for p in reversed(loc) if isinstance(p, str)), None)
    if err["type"] == "extra_forbidden":
        problem = f"unknown key '{key}'"
    elif err["type"] == "missing":
        problem = f"missing key '{key}'"
    elif key is not None:
        problem = f"key '{key}': {err['msg']}"
    else:
        problem = err["msg"]
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    raise RegistryError(f"{where}{problem}{suffix}", path=path, line=_line_of(text, loc)) from exc


def _describe_loc(raw: Any, loc: tuple) -> str:
    """'scheme bready, concept #3: ' or 'measure city-1: ' from a pydantic location."""
    parts = []
    node = raw
    for i, step in enumerate(loc):
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            item = node[step]
            container = loc[i - 1] if i > 0 else None
            if isinstance(item, dict) and container == "measures":
                parts.append(f"measure {item.get('level', '?')}-{item.get('rank', f'#{step + 1}')}")
            elif isinstance(item, dict) and container == "concepts":
                parts.append(f"concept {item.get('id') or f'#{step + 1}'}")
            elif isinstance(item, dict) and container is None:
                parts.append(f"scheme {item.get('id') or f'#{step + 1}'}")
            node = item
        elif isinstance(step, str) and isinstance(node, dict):
            node = node.get(step)
        else:
            break
    return ", ".join(parts) + ": " if parts else ""


@functools.lru_cache(maxsize=8)
def load_topics(data_dir: Path) -> tuple[TopicScheme, ...]:
    """The topic schemes of ``data_dir/topics.yaml`` (cached per directory)."""
    path = Path(data_dir) / TOPICS_FILE
    raw, text = _read_yaml(path)
    if not isinstance(raw, list):
        raise RegistryError(f"expected a YAML list of topic schemes, found {type(raw).__name__}", path=path)
    schemes = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise RegistryError(f"scheme #{i + 1}: expected a mapping of keys", path=path,
                                line=_line_of(text, (i,)))
        try:
            schemes.append(TopicScheme.model_validate(item))
        except ValidationError as exc:
            _raise_invalid(exc, raw, text, path, prefix=(i,))
    ids = [s.id for s in schemes]
    for i, scheme_id in enumerate(ids):
        if scheme_id in ids[:i]:
            raise RegistryError(f"scheme id '{scheme_id}' used twice", path=path, line=_line_of(text, (i, "id")))
    return tuple(schemes)


def topic_refs(schemes: tuple[TopicScheme, ...]) -> frozenset[str]:
    """Every valid topic reference, 'scheme-id/concept-id'."""
    return frozenset(f"{s.id}/{c.id}" for s in schemes for c in s.concepts)


def read_notice_annotations(path: Path, schemes: tuple[TopicScheme, ...]) -> NoticeAnnotations:
    """One annotations file, validated, its topics checked against ``schemes``."""
    path = Path(path)
    raw, text = _read_yaml(path)
    if not isinstance(raw, dict):
        raise RegistryError(f"expected a mapping with keys 'notice' and 'measures', found {type(raw).__name__}",
                            path=path)
    try:
        annotations = NoticeAnnotations.model_validate(raw)
    except ValidationError as exc:
        _raise_invalid(exc, raw, text, path)
    annotations._path = path
    known = topic_refs(schemes)
    for i, m in enumerate(annotations.measures):
        for j, topic in enumerate(m.topics):
            if topic not in known:
                scheme_id = topic.split("/", 1)[0]
                hint = ("" if any(s.id == scheme_id for s in schemes)
                        else f" (no scheme '{scheme_id}'; schemes: {', '.join(s.id for s in schemes)})")
                raise RegistryError(f"measure {m.level}-{m.rank}: key 'topics': unknown topic '{topic}' "
                                    f"(not in {TOPICS_FILE}){hint}", path=path,
                                    line=_line_of(text, ("measures", i, "topics", j)))
    return annotations


@functools.lru_cache(maxsize=8)
def load_annotations(data_dir: Path) -> dict[str, NoticeAnnotations]:
    """Every ``data_dir/measures/*.yaml``, keyed by the notice's 文号 (cached per directory).

    The returned dict is shared by every caller: treat it as read-only.
    """
    data_dir = Path(data_dir)
    schemes = load_topics(data_dir)
    result: dict[str, NoticeAnnotations] = {}
    for path in sorted((data_dir / MEASURES_DIR).glob("*.yaml")):
        annotations = read_notice_annotations(path, schemes)
        if annotations.notice in result:
            raise RegistryError(f"key 'notice': {annotations.notice} is also annotated in "
                                f"{result[annotations.notice].path}", path=path, line=_line_of(
                                    path.read_text(encoding="utf-8"), ("notice",)))
        result[annotations.notice] = annotations
    return result


def _measure_line(path: Path | None, level: str, rank: int) -> int | None:
    if path is None or not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    measures = (raw.get("measures") or []) if isinstance(raw, dict) else []
    for i, m in enumerate(measures):
        if isinstance(m, dict) and m.get("level") == level and m.get("rank") == rank:
            return _line_of(text, ("measures", i))
    return None


# -- canonical form --------------------------------------------------------------------------------

def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)


def canonical_topics(data_dir: Path) -> str:
    """The canonical text of topics.yaml: schemes and concepts in the order given, keys in model order."""
    return _dump([s.model_dump(mode="json", exclude_none=True) for s in load_topics.__wrapped__(Path(data_dir))])


def canonical_annotations(path: Path, schemes: tuple[TopicScheme, ...]) -> str:
    """The canonical text of one annotations file: measures sorted by (level, rank), keys in model order."""
    notice = read_notice_annotations(path, schemes)
    measures = sorted(notice.measures, key=lambda m: (LEVELS.index(m.level), m.rank))
    return _dump({"notice": notice.notice, "measures": [m.model_dump(mode="json") for m in measures]})


# -- mentions --------------------------------------------------------------------------------------

# A name glued to the end of another organisation (中国证监会|厦门监管局) or continued into a longer
# one (厦门市政府|采购中心) is part of that other name, not a mention of ours.
_ORG_END = "会局委办院部厅署所站司团行处室"
_CONTINUED = re.compile(r"^[\u4e00-\u9fff]{0,4}?(?:中心|公司|集团|银行|办公室|办公厅|委员会|管理局|管委会|研究院|交易所)")


def _inside_longer_name(text: str, start: int, end: int) -> bool:
    """True when the match at text[start:end] is a piece of a longer organisation name."""
    if start > 0 and text[start - 1] in _ORG_END:
        return True
    return _CONTINUED.match(text[end:end + 7]) is not None


def find_mentions(text: str, names: dict[str, str]) -> list[str]:
    """Keys of the names that occur in ``text``: longest name first, matches never overlap.

    ``names`` maps every name or alias to its key. A name inside a longer matched name does not count
    (厦门市中级法院 matched hides 中级法院 in it). Keys come once each, in order of first occurrence.
    White space is ignored in the text and the names.
    """
    haystack = compact(text)
    if not haystack:
        return []
    by_name: dict[str, str] = {}
    for name, key in names.items():
        name = compact(name)
        if name and name not in by_name and name in haystack:
            by_name[name] = key
    taken = bytearray(len(haystack))  # 1 where a longer (or earlier, equally long) match already sits
    found: list[tuple[int, str]] = []
    lengths = sorted({len(n) for n in by_name}, reverse=True)
    for length in lengths:
        candidates = []
        for name in (n for n in by_name if len(n) == length):
            start = haystack.find(name)
            while start != -1:
                candidates.append((start, name))
                start = haystack.find(name, start + length)
        candidates.sort()
        for start, name in candidates:
            if _inside_longer_name(haystack, start, start + length):
                continue
            if not any(taken[start:start + length]):
                taken[start:start + length] = b"\x01" * length
                found.append((start, by_name[name]))
    keys: list[str] = []
    for _, key in sorted(found):
        if key not in keys:
            keys.append(key)
    return keys


__all__ = [
    "TopicConcept", "TopicScheme", "MeasureAnnotation", "NoticeAnnotations", "load_topics", "load_annotations",
    "read_notice_annotations", "topic_refs", "canonical_topics", "canonical_annotations", "find_mentions",
]
