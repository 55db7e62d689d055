"""Errors that name the file, the line and what was expected, so the CLI can print one clear line."""

from __future__ import annotations

from pathlib import Path


class ReformKGError(Exception):
    """Bad input or a failed step the user can fix; the CLI prints it without a traceback."""

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}"
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        return f"{where}{self.message}"


class NoticeFormatError(ReformKGError):
    """A notice does not have the expected shape (missing table, column, date...)."""


class RegistryError(ReformKGError):
    """A curated YAML file is invalid (unknown key, duplicate alias, dangling reference...)."""


class ResolutionError(ReformKGError):
    """A name could not be resolved and --strict forbids provisional entities."""


class ValidationFailed(ReformKGError):
    """The graph does not conform to the SHACL shapes."""
