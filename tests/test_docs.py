"""The README stays true: the two quick-start commands, every CLI command, the picture of the view."""

from __future__ import annotations

import re

from click.testing import CliRunner

from conftest import ROOT
from reformkg.cli import COMMANDS, main

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_the_two_make_commands():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^make \w+", quick, flags=re.M) == ["make build", "make test"]


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_command_is_documented_and_has_help():
    runner = CliRunner()
    listed = runner.invoke(main, ["--help"]).output
    for name in COMMANDS:
        assert f"reformkg {name}" in README, f"README does not document `reformkg {name}`"
        assert re.search(rf"^\s+{name}\s", listed, flags=re.M), f"`reformkg --help` does not list {name}"
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, name


def test_the_readme_picture_exists():
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (ROOT / image).is_file(), image
