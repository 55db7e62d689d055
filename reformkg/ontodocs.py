"""Ontology documentation: ``dist/ontology/index.html`` generated from ``ontology/reformkg.ttl`` by pyLODE.

pyLODE 3.3.4 is the last release that runs on Python 3.11 and it works offline (see design/facts.md).
It is an optional dependency (``pip install -e '.[docs]'``): without it the build says so and goes on.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from . import paths
from .atomic import write_text

DOCS_DIR = "ontology"


def ontology_html(ontology: Path = paths.ONTOLOGY) -> str:
    """The pyLODE page of the ontology (raises ImportError when pyLODE is not installed)."""
    from pylode import OntPub

    quiet = logging.getLogger().level
    logging.getLogger().setLevel(logging.WARNING)  # pyLODE logs every background ontology it loads
    try:
        return OntPub(ontology=str(ontology)).make_html()
    finally:
        logging.getLogger().setLevel(quiet)


def write_docs(result, out_dir: Path) -> list[Path]:
    """The build's output hook: ``OUT/ontology/index.html`` (pyLODE) and a copy of the ontology Turtle."""
    target = Path(out_dir) / DOCS_DIR
    try:
        html = ontology_html()
    except ImportError:
        print("note: pyLODE is not installed, so dist/ontology/index.html was not written "
              "(pip install -e '.[docs]')", file=sys.stderr)
        return []
    return [write_text(target / "index.html", html),
            write_text(target / "reformkg.ttl", paths.ONTOLOGY.read_text(encoding="utf-8"))]
