"""Named SPARQL queries: ``queries/<name>.rq`` files with a comment header, found by globbing the folder.

A header is the comment block at the top of a file::

    # title: Measures of a district
    # description: Which measures belong to a district …?
    # param: district string 思明区

Parameters are turned into typed RDF terms here and handed to ``Store.query`` as bindings (a VALUES
block), so a value is never pasted into the query text. Only rdflib's term classes are imported: the
rdflib SPARQL engine stays unloaded unless the rdflib engine runs, which keeps ``reformkg query`` fast.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from . import paths
from .errors import ReformKGError
from .iris import DEFAULT_BASE

TYPES = ("string", "langstring", "iri", "integer", "decimal", "date")
REQUIRED = "-"
DEFAULT_LANG = "zh"
_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*?)\s*$")
_IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|^`\\]')
_LANG_SUFFIX = re.compile(r"^(.*)@([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)$", re.DOTALL)


class QueryFileError(ReformKGError):
    """A query file with a bad header, or a query text that does not parse."""


class UnknownQueryError(ReformKGError):
    """No query of that name in queries/."""


class ParameterError(ReformKGError):
    """A parameter that is missing, unknown, or not of its declared type."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None  # None: required

    @property
    def required(self) -> bool:
        return self.default is None

    def __str__(self) -> str:
        return f"{self.name} ({self.type}" + (", required)" if self.required else f", default {self.default})")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


# -- finding and reading query files ---------------------------------------------------------------

def query_files(folder: Path = paths.QUERIES_DIR) -> list[Path]:
    """Every ``*.rq`` in the folder, sorted by name: the library is whatever is there."""
    return sorted(Path(folder).glob("*.rq"))


def load(path: Path) -> NamedQuery:
    """Read one query file and its header; a malformed header line is an error naming the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryFileError("query file not found", path=path) from None
    except UnicodeDecodeError as exc:
        raise QueryFileError(f"not UTF-8 text ({exc.reason})", path=path) from None
    fields: dict[str, str] = {}
    params: list[Param] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break  # the header ends at the first line of SPARQL
        match = _HEADER.match(stripped)
        if not match:
            continue  # any other comment is the author's
        key, value = match.groups()
        if key == "param":
            params.append(_parse_param(value, path, number, params))
        else:
            fields[key] = value
    return NamedQuery(path.stem, fields.get("title", ""), fields.get("description", ""), tuple(params), text, path)


def _parse_param(spec: str, path: Path, line: int, seen: list[Param]) -> Param:
    parts = spec.split(None, 2)
    if len(parts) != 3:
        raise QueryFileError(f"expected '# param: name type default' (default '-' if required), got '{spec}'",
                             path=path, line=line)
    name, kind, default = parts
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise QueryFileError(f"parameter name '{name}' is not a SPARQL variable name", path=path, line=line)
    if kind not in TYPES:
        raise QueryFileError(f"parameter '{name}' has unknown type '{kind}' (expected one of {', '.join(TYPES)})",
                             path=path, line=line)
    if any(p.name == name for p in seen):
        raise QueryFileError(f"parameter '{name}' is declared twice", path=path, line=line)
    return Param(name, kind, None if default == REQUIRED else default)


def all_queries(folder: Path = paths.QUERIES_DIR) -> list[NamedQuery]:
    return [load(p) for p in query_files(folder)]


def find(name_or_path: str, folder: Path = paths.QUERIES_DIR) -> NamedQuery:
    """A named query, or any ``.rq`` file given by path; an unknown name suggests the closest ones."""
    if name_or_path.endswith(".rq") or "/" in name_or_path or "\\" in name_or_path:
        return load(Path(name_or_path))
    path = Path(folder) / f"{name_or_path}.rq"
    if path.is_file():
        return load(path)
    names = [p.stem for p in query_files(folder)]
    close = difflib.get_close_matches(name_or_path, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `reformkg queries` lists them"
    raise UnknownQueryError(f"no query named '{name_or_path}' in {folder}{hint}")


# -- parameters ------------------------------------------------------------------------------------

def to_term(param: Param, value: str, base: str = DEFAULT_BASE):
    """The typed RDF term for a string value, or a ParameterError saying what was expected."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    def bad(expected: str):
        return ParameterError(f"parameter '{param.name}' must be {expected}, got '{value}'")

    if param.type == "string":
        return Literal(value)
    if param.type == "langstring":
        match = _LANG_SUFFIX.match(value)
        return Literal(match.group(1), lang=match.group(2)) if match else Literal(value, lang=DEFAULT_LANG)
    if param.type == "integer":
        if not re.fullmatch(r"\s*[+-]?\d+\s*", value):
            raise bad("an integer (e.g. 2)")
        return Literal(str(int(value)), datatype=XSD.integer)
    if param.type == "decimal":
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise bad("a decimal number (e.g. 1000000 or 2.5)") from None
        if not number.is_finite():
            raise bad("a finite decimal number")
        return Literal(format(number, "f"), datatype=XSD.decimal)
    if param.type == "date":
        import datetime as dt

        try:
            return Literal(dt.date.fromisoformat(value.strip()).isoformat(), datatype=XSD.date)
        except ValueError:
            raise bad("a date YYYY-MM-DD") from None
    if param.type == "iri":
        return URIRef(_expand_iri(value.strip(), base, bad))
    raise ParameterError(f"parameter '{param.name}' has unknown type '{param.type}'")


def _expand_iri(value: str, base: str, bad) -> str:
    """A full IRI, a prefixed name (``id:…``, ``rk:…``) or a path relative to the base IRI."""
    from .namespaces import prefixes_with_base

    if not value or _IRI_FORBIDDEN.search(value):
        raise bad("an IRI (full, prefixed like id:measure/…, or relative to the base like measure/…)")
    prefix, _, local = value.partition(":")
    known = prefixes_with_base(base)
    if _IRI_SCHEME.match(value) and prefix in known and not local.startswith("//"):
        return known[prefix] + local
    if _IRI_SCHEME.match(value):
        return value
    return base + value.lstrip("/")


def bindings_for(query: NamedQuery, params: dict[str, str] | None, base: str = DEFAULT_BASE) -> dict:
    """Check names and types of the given parameters and fill in defaults."""
    params = dict(params or {})
    unknown = [n for n in params if query.param(n) is None]
    if unknown:
        declared = ", ".join(p.name for p in query.params) or "none"
        raise ParameterError(f"query '{query.name}' has no parameter '{unknown[0]}' (its parameters: {declared})")
    bindings = {}
    for p in query.params:
        if p.name in params:
            bindings[p.name] = to_term(p, params[p.name], base)
        elif p.required:
            raise ParameterError(f"query '{query.name}' needs parameter '{p.name}' ({p.type}):"
                                 f" add --param {p.name}=VALUE")
        else:
            bindings[p.name] = to_term(p, p.default, base)
    return bindings


# -- running ---------------------------------------------------------------------------------------

def run(query: NamedQuery, store, params: dict[str, str] | None = None, base: str = DEFAULT_BASE):
    """Run a named query on a store with typed parameters; returns the store's QueryResult."""
    from .store import QueryError

    bindings = bindings_for(query, params, base)
    try:
        return store.query(query.text, bindings)
    except QueryError as exc:
        error = syntax_error(query.text)
        if error is not None:
            raise QueryFileError(f"the query does not parse: {error[1]}", path=query.path, line=error[0]) from None
        raise QueryFileError(exc.message, path=query.path) from None
    except (TypeError, ValueError, KeyError, AttributeError) as exc:  # rdflib's evaluator can fail like this
        raise QueryFileError(f"{store.name} could not run the query: {exc}", path=query.path) from None


def syntax_error(text: str) -> tuple[int, str] | None:
    """(line, 'line L, column C: why') for text that does not parse, checked as written (no bindings).

    Oxigraph checks first (it parses without loading anything). Its PEG parser often reports the end of
    the input, so when rdflib's parser can place the error (it points at the token it could not take)
    that position is shown. Lines count from the top of the file, header comments included.
    """
    import pyoxigraph as ox

    from .namespaces import PREFIXES

    try:
        ox.Store().query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        ox_message = str(exc)
    except OSError:
        return None
    else:
        return None
    placed = _rdflib_position(text)
    if placed is not None:
        return placed
    match = re.match(r"error at (\d+):(\d+)(?:-\d+:\d+)?:\s*(.*)", ox_message, re.DOTALL)
    if not match:
        return None if not ox_message else (None, _short(ox_message))
    line, why = int(match.group(1)), match.group(3)
    if "Prefix not found" in why:
        why = "unknown prefix (declare it with PREFIX, or use one of `reformkg queries`' known prefixes)"
    return line, f"line {line}, column {match.group(2)}: {_short(why)}{_excerpt(text, line)}"


def _rdflib_position(text: str) -> tuple[int, str] | None:
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    from .namespaces import PREFIXES

    try:
        prepareQuery(text, initNs=PREFIXES)
    except ParseException as exc:
        found = re.search(r"found (.+?)\s+\(at char", str(exc))
        why = f"unexpected {found.group(1)}" if found else exc.msg
        return exc.lineno, f"line {exc.lineno}, column {exc.col}: {why}{_excerpt(text, exc.lineno)}"
    except Exception:  # noqa: BLE001 - rdflib cannot place it; Oxigraph's message is used
        return None
    return None


def _short(message: str, limit: int = 160) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _excerpt(text: str, line: int) -> str:
    lines = text.splitlines()
    if 1 <= line <= len(lines) and lines[line - 1].strip():
        return f" in `{_short(lines[line - 1].strip(), 80)}`"
    return ""


