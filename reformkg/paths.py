"""Where the project's folders are: the package sits beside ontology/, data/, queries/ and viz/."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
ONTOLOGY = ROOT / "ontology" / "reformkg.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
QUERIES_DIR = ROOT / "queries"
VIZ_DIR = ROOT / "viz"
DIST_DIR = ROOT / "dist"
