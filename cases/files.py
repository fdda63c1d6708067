"""Reading case folders' files safely, and errors that name file, field and problem.

Every loader of the ``cases`` package (cases, variables, the local variables file,
the reference panel) reads YAML through :func:`read_yaml` and reports problems as
:class:`CaseError` (file, field, problem); :func:`validation_errors` turns a
pydantic error into those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

MAX_FILE_BYTES = 256 * 1024


@dataclass(frozen=True)
class CaseError:
    """One problem in one file: which file, which field, what is wrong."""

    file: str
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.problem}"


class CaseFileError(Exception):
    def __init__(self, errors: list[CaseError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


#: Deepest nesting of mappings and lists a file may have (case files need ~6).
MAX_DEPTH = 32


class SafeCaseLoader(yaml.SafeLoader):
    """A safe loader that refuses anchors and aliases, deep nesting and duplicate keys."""

    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases (&, *) are not allowed in case files", event.start_mark
            )
        if self._depth >= MAX_DEPTH:
            raise yaml.constructor.ConstructorError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: set = set()
        for key_node, _value in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (the first one would be silently lost)", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path, *, display: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Read one YAML file; raise CaseFileError naming the file on any problem."""
    name = display or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CaseFileError([CaseError(name, "(file)", f"cannot be read: {exc.strerror or exc}")]) from None
    if size > max_bytes:
        raise CaseFileError([CaseError(name, "(file)", f"is {size} bytes; the limit is {max_bytes} bytes")])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CaseFileError([CaseError(name, "(file)", f"cannot be read: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaseFileError([CaseError(name, "(file)", f"is not valid UTF-8 (byte {exc.start}, line {line})")]) from None
    try:
        return yaml.load(text, Loader=SafeCaseLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(yaml)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise CaseFileError([CaseError(name, where, f"YAML error: {problem}")]) from None


def _field(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(root)"


#: A cross-field check names the field it complains about as a prefix of its
#: message ("key.factors.risk: 'x' is not ..."); that prefix belongs in the field.
_FIELD_PREFIX = re.compile(r"^([a-z_][a-z0-9_]*(?:\[\d+\])*(?:\.[a-z_][a-z0-9_]*(?:\[\d+\])*)*): (.+)$", re.S)


def validation_errors(name: str, exc: ValidationError) -> list[CaseError]:
    errors = []
    for err in exc.errors(include_url=False):
        message = err["msg"].removeprefix("Value error, ")
        where = _field(err["loc"])
        match = _FIELD_PREFIX.match(message)
        if match:
            inner, message = match.groups()
            where = inner if where == "(root)" else f"{where}.{inner}"
        errors.append(CaseError(name, where, message))
    return errors
