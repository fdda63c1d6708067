"""Loading case files safely, with errors that name file, field and problem.

* Files are read as bytes with a size limit, decoded as strict UTF-8.
* YAML is parsed with a safe loader that refuses aliases and anchors (no
  "billion laughs") and custom tags.
* A case file must live inside the case folder (no symlink or ``..`` escape).
* The shape and every id are validated (``cases.schema``); case ids must be
  unique across the folder and match the file name.

``load_library`` is what the app uses: it keeps every valid case and leaves a
broken one out, logging why. ``check_paths`` is what ``samsyn cases check``
uses: it returns every problem.
"""

from __future__ import annotations

import importlib.resources
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError

from cases.files import MAX_FILE_BYTES, CaseError, CaseFileError, read_yaml, validation_errors
from cases.local_variables import apply_local_variables, local_variables_path_setting
from cases.panel import PanelSet, load_panels
from cases.schema import Case
from cases.variables import DEFAULT_VARIABLES_PATH, Variables

log = logging.getLogger(__name__)

# Package data: found where the package is installed (a wheel or a checkout).
LIBRARY_DIR = Path(str(importlib.resources.files("cases") / "library"))
DEFAULT_PANEL_PATH = Path(str(importlib.resources.files("cases") / "reference_panel.yaml"))
CASE_SUFFIXES = (".yaml", ".yml")


#: ``load_variables(local=FROM_SETTINGS)``: use the configured local variables file, if any.
FROM_SETTINGS = object()


def load_variables(path: Path = DEFAULT_VARIABLES_PATH, local: Path | None | object = FROM_SETTINGS) -> Variables:
    """The variables: the shipped file with a municipality's local changes applied
    (``cases/local_variables.py``; by default the file ``SAMSYN_VARIABLES_FILE`` names).
    Raises CaseFileError naming the file, field and problem."""
    data = read_yaml(path)
    if local is FROM_SETTINGS:
        local = local_variables_path_setting()
    display = str(path)
    if local is not None:
        local = Path(local)
        data = apply_local_variables(data, read_yaml(local), str(local))
        display = str(local)
    try:
        return Variables.model_validate(data)
    except ValidationError as exc:
        raise CaseFileError(validation_errors(display, exc)) from None


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), st.st_mtime_ns, st.st_size)


def load_case_file(path: Path, variables: Variables, root: Path | None = None) -> Case:
    """Load and validate one case file; raise CaseFileError with every problem."""
    path = Path(path)
    display = str(path)
    if root is not None:
        root_resolved = Path(root).resolve()
        resolved = path.resolve()
        if not resolved.is_relative_to(root_resolved):
            raise CaseFileError([CaseError(display, "(file)", f"lies outside the case folder {root_resolved}")])
        display = str(resolved.relative_to(root_resolved))
    if path.suffix not in CASE_SUFFIXES:
        raise CaseFileError([CaseError(display, "(file)", "a case file must end in .yaml or .yml")])
    data = read_yaml(path, display=display)
    if not isinstance(data, dict):
        raise CaseFileError([CaseError(display, "(root)", "a case file must be a mapping of fields")])
    try:
        case = Case.model_validate(data, context={"variables": variables})
    except ValidationError as exc:
        raise CaseFileError(validation_errors(display, exc)) from None
    if case.id != path.stem:
        raise CaseFileError([CaseError(display, "id", f"is {case.id!r} but the file is named {path.name!r}; they must match")])
    return case


@dataclass
class Library:
    """The valid cases of a folder, in a stable order, and what was left out."""

    variables: Variables
    cases: dict[str, Case] = field(default_factory=dict)
    errors: list[CaseError] = field(default_factory=list)
    panels: PanelSet | None = None
    #: The folder it was read from (None for a library built in code): what ``refreshed`` re-reads.
    root: Path | None = None

    def ordered(self) -> list[Case]:
        return sorted(self.cases.values(), key=lambda c: (c.age, c.name))

    def get(self, case_id: str | None) -> Case | None:
        return self.cases.get(case_id or "")

    def worked_examples(self, risk_id: str) -> list[Case]:
        """The cases whose key sits at ``risk_id`` (a level or "inte känt"), in
        the library's order: the worked examples for that level's anchor.
        Cases without a key are never examples. KeyError for an unknown id."""
        if risk_id not in self.variables.risk_answer_ids:
            raise KeyError(risk_id)
        return [c for c in self.ordered() if c.key is not None and c.key.risk == risk_id]

    def worked_examples_by_level(self) -> dict[str, list[Case]]:
        """Every risk answer id in scale order (levels, then "inte känt") with its worked examples."""
        return {rid: self.worked_examples(rid) for rid in self.variables.risk_answer_ids}


def _case_files(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.suffix in CASE_SUFFIXES and not p.name.startswith("."))


def check_paths(paths: Iterable[Path], root: Path | None = None, variables: Variables | None = None) -> tuple[list[Case], list[CaseError]]:
    """Validate files (or every case file in folders); return good cases and all errors."""
    variables = variables or load_variables()
    files: list[tuple[Path, Path | None]] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend((f, p) for f in _case_files(p))
        else:
            files.append((p, root))
    cases: list[Case] = []
    errors: list[CaseError] = []
    seen: dict[str, str] = {}
    for path, base in files:
        try:
            case = load_case_file(path, variables, root=base)
        except CaseFileError as exc:
            errors.extend(exc.errors)
            continue
        if case.id in seen:
            errors.append(CaseError(str(path), "id", f"duplicate case id {case.id!r} (also in {seen[case.id]})"))
            continue
        seen[case.id] = str(path)
        cases.append(case)
    return cases, errors


_CACHE: dict[tuple, Library] = {}


def load_library(root: Path | None = None, *, use_cache: bool = True, variables_path: Path | None = None) -> Library:
    """Every valid case in ``root``; broken files are left out and logged.

    The result is cached by the folder's listing and every file's modification
    time and size (the case files, ``variables.yaml`` and the local variables
    file): a call after a case was added, changed or removed reads the folder
    again, a call when nothing changed costs a directory listing.
    A broken local variables file does not take the library down: its errors
    are listed with the cases' and the shipped variables are used.
    ``variables_path`` reads another ``variables.yaml`` than the shipped one (default)."""
    root = Path(root) if root else LIBRARY_DIR
    variables_path = Path(variables_path) if variables_path else DEFAULT_VARIABLES_PATH
    files = _case_files(root) if root.is_dir() else []
    local = local_variables_path_setting()
    stamp = (str(root.resolve()), tuple(_stamp(f) for f in files), _stamp(variables_path),
             _stamp(local) if local else None)
    if use_cache and stamp in _CACHE:
        return _CACHE[stamp]
    errors: list[CaseError] = []
    try:
        variables = load_variables(variables_path, local=local)
    except CaseFileError as exc:
        if local is None:
            raise
        for error in exc.errors:
            log.warning("local variables left out: %s", error)
        errors.extend(exc.errors)
        variables = load_variables(variables_path, local=None)
    cases, case_errors = check_paths([root], variables=variables) if root.is_dir() else ([], [])
    errors = case_errors + errors
    for error in errors:
        log.warning("case left out: %s", error)
    try:
        panels = load_panels(DEFAULT_PANEL_PATH, variables)
    except CaseFileError as exc:
        errors.extend(exc.errors)
        panels = None
    library = Library(variables=variables, cases={c.id: c for c in cases}, errors=errors, panels=panels, root=root)
    _CACHE.clear()
    _CACHE[stamp] = library
    return library


def refreshed(library: Library) -> Library:
    """``library`` as its folder is now: the same object when nothing changed.

    Pages call it after the request arrives, because a preheated kernel loaded
    its library before (minutes or hours ago, before a case was published)."""
    if library.root is None:
        return library
    return load_library(library.root)
