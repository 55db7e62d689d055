"""Curated data: every record valid, every file canonical, the CLI checks and fixes drift."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from conftest import ROOT
from reformkg.canonical import drifted
from reformkg.cli import main
from reformkg.registry import load_registry


def test_every_curated_file_is_canonical():
    bad = drifted(ROOT / "data")
    assert bad == [], f"not in canonical form: {bad}; fix with: reformkg registry fmt"


def test_registry_scopes_names_by_city():
    registry = load_registry(ROOT / "data")
    assert registry.agency_by_name("xiamen", "市税务局").slug == "tax-bureau"
    assert registry.agency_by_name("quanzhou", "市税务局") is None
    assert registry.agency_by_name("xiamen", "集美 区政府").slug == registry.agency_by_name("xiamen", "集美区政府").slug


def test_registry_check_and_fmt(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    runner = CliRunner()
    assert runner.invoke(main, ["registry", "check", "--data", str(data)]).exit_code == 0
    path = data / "districts.yaml"
    text = path.read_text(encoding="utf-8")
    records = text.split("- code: ")
    path.write_text("- code: ".join([records[0], *reversed(records[1:])]).replace("\n\n", "\n"), encoding="utf-8")
    result = runner.invoke(main, ["registry", "check", "--data", str(data)])
    assert result.exit_code == 1 and "districts.yaml: not in canonical form" in result.output
    fixed = runner.invoke(main, ["registry", "fmt", "--data", str(data)])
    assert "rewrote" in fixed.output and path.read_text(encoding="utf-8") == text
