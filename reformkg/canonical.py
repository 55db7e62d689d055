"""Curated YAML in one canonical form: the text each file should have, and a fixer.

A test fails on drift and names the command that fixes it (``reformkg registry fmt``).
"""

from __future__ import annotations

from pathlib import Path

from . import paths


def canonical_texts(data_dir: Path = paths.DATA_DIR) -> dict[Path, str]:
    """Every curated file of ``data_dir`` → its canonical text."""
    from .enrichment import canonical_annotations, canonical_topics, load_topics
    from .registry import REGISTRY_FILES, SORT_KEYS, canonical_form

    data_dir = Path(data_dir)
    texts = {data_dir / name: canonical_form(data_dir / name, model, SORT_KEYS[kind])
             for kind, (name, model) in REGISTRY_FILES.items()}
    texts[data_dir / "topics.yaml"] = canonical_topics(data_dir)
    schemes = load_topics(data_dir)
    for path in sorted((data_dir / "measures").glob("*.yaml")):
        texts[path] = canonical_annotations(path, schemes)
    return texts


def drifted(data_dir: Path = paths.DATA_DIR) -> list[Path]:
    """Curated files whose text differs from the canonical form."""
    return [p for p, text in canonical_texts(data_dir).items() if p.read_text(encoding="utf-8") != text]


def fix(data_dir: Path = paths.DATA_DIR) -> list[Path]:
    """Rewrite drifted files in canonical form; returns the files changed."""
    from .atomic import write_text

    changed = drifted(data_dir)
    texts = canonical_texts(data_dir)
    for path in changed:
        write_text(path, texts[path])
    return changed
