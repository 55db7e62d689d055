"""One writer per export format; all of them serialise through pyoxigraph with the shared prefixes.

Triples are sorted before writing, so the same graph always gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .atomic import atomic_path
from .namespaces import prefixes_with_base

FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES"}


def write_graph(triples: Iterable, path: Path, fmt: str, base: str) -> Path:
    """Serialise rdflib triples to ``path`` in ``fmt`` (atomic write)."""
    import pyoxigraph as ox

    from .terms import ox_triples

    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}' (expected one of {', '.join(FORMATS)})")
    rdf_format = getattr(ox.RdfFormat, FORMATS[fmt])
    prefixes = prefixes_with_base(base) if fmt == "ttl" else None
    with atomic_path(Path(path)) as tmp:
        ox.serialize(ox_triples(triples), str(tmp), rdf_format, prefixes=prefixes)
    return Path(path)
