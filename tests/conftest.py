"""Shared fixtures: the real notice, an independent reading of its tables, one session-wide build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTICE = ROOT / "data" / "notices" / "xm-2025-38.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SECOND_NOTICE = FIXTURES / "notices" / "qz-2024-12.txt"


def read_rows(path: Path = NOTICE) -> list[dict]:
    """The table rows read straight from the text (not by the parser): split on tabs, skip headers.

    Rows before the line '## 附件 2' are city level, after it district level.
    """
    text = path.read_text(encoding="utf-8")
    rows, level = [], None
    for line in text.split("\n"):
        if re.match(r"^##\s*附件\s*1", line):
            level = "city"
        elif re.match(r"^##\s*附件\s*2", line):
            level = "district"
        elif level and "\t" in line and not line.startswith("序号"):
            rank, title, units, description = line.split("\t")
            rows.append({"level": level, "rank": int(rank), "title": title, "units": units,
                         "description": description})
    return rows


def split_units(cell: str) -> list[str]:
    return [u.strip() for u in re.split(r"[，,、]", cell) if u.strip()]


@pytest.fixture(scope="session")
def notice_rows() -> list[dict]:
    return read_rows()


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """One real build of data/ into a temporary dist (validated with SHACL)."""
    from reformkg.build import build

    out = tmp_path_factory.mktemp("dist")
    return build(ROOT / "data", out_dir=out)


@pytest.fixture(scope="session")
def graph(built):
    return built.graph
