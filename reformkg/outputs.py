"""Everything ``reformkg build`` writes beside the graph, each by the module that owns the format.

Each entry is ``(name, "module:function")``; the function takes ``(result: BuildResult, out_dir: Path)``
and returns the paths it wrote (atomically). All of them read the built graph, never the notices.
"""

from __future__ import annotations

import importlib
from pathlib import Path

OUTPUTS: list[tuple[str, str]] = [
    ("views", "reformkg.views:write_views"),  # collaboration.html, measures.html, network.csv
    ("exports", "reformkg.export:write_exports"),  # reformkg.nt, reformkg.jsonld, reformkg.trig
    ("catalog", "reformkg.catalog:write_catalog"),  # catalog.ttl (DCAT-AP 3 + VoID; after the exports)
    ("ontology docs", "reformkg.ontodocs:write_docs"),  # ontology/index.html (pyLODE)
]


def write_outputs(result, out_dir: Path, on_step=None) -> list[Path]:
    written: list[Path] = []
    for name, target in OUTPUTS:
        if on_step:
            on_step(name)
        module, func = target.split(":")
        written += getattr(importlib.import_module(module), func)(result, Path(out_dir))
    return written
