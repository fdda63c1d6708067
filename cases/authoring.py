"""Writing a case: check a draft, place its errors, count its words, publish it.

What the authoring notebook (``widgets/authoring_page.py``) does with a draft,
without widgets:

* ``check_draft`` validates one draft file with the very function behind
  ``samsyn cases check`` (``cases.loader.check_paths``): the same checks and the
  same *file: field: problem* messages. It then finds each error's field in
  the YAML source (its line, and a few lines around it), counts the words and
  the reading time per language, and lists texts still left from the template.
* ``new_case`` writes a new draft from the template (``cases/template.yaml``,
  or the workspace's own ``templates/case.yaml``).
* ``publish`` copies a draft that passes the check into the library folder the
  server reads (``SAMSYN_CASES_DIR``), atomically, and reads the library back
  to make sure the server offers it. A draft with errors is never published.

Errors meant for the author carry a code (``AuthoringError.code``); the page
shows the message ``author.error.<code>`` from the catalogs.
"""

from __future__ import annotations

import importlib.resources
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cases.files import MAX_FILE_BYTES, CaseError, CaseFileError, SafeCaseLoader, read_yaml
from cases.loader import CASE_SUFFIXES, check_paths, load_case_file, load_library
from cases.schema import ID_PATTERN, SIDES, Case
from cases.variables import Variables

TEMPLATE_PATH = Path(str(importlib.resources.files("cases") / "template.yaml"))
#: A workspace may hold its own template here (``samsyn author`` puts a copy there).
WORKSPACE_TEMPLATE = Path("templates") / "case.yaml"
LANGS = ("sv", "en")
#: The shipped library's cases have 700–900 words per language (referral and investigation).
LIBRARY_WORDS = (700, 900)
#: "Far outside" the library's range: more than this share below its low end or above its high end.
FAR_OUTSIDE = 0.25
#: Careful reading of a case text, words per minute (for the reading time shown to the author).
WORDS_PER_MINUTE = 200
#: Lines of source shown above and below an error's line.
EXCERPT_CONTEXT = 2
MAX_EXCERPT_LINE = 200
LENGTH_VERDICTS = ("far_short", "short", "within", "long", "far_long")
ERROR_CODES = ("bad_id", "bad_name", "draft_exists", "not_valid", "template_text", "no_library", "in_library",
               "conflict", "changed", "not_writable", "not_served")
_WORD = re.compile(r"\w+")
_QUOTED = re.compile(r"'([^']{1,64})'")
_LINE_FIELD = re.compile(r"^line (\d+), column \d+$")


class AuthoringError(Exception):
    """Something the author must fix or decide; ``code`` names the message."""

    def __init__(self, code: str, **params: Any):
        assert code in ERROR_CODES, code
        self.code, self.params = code, params
        super().__init__(f"{code}: {params}")


# -- where a field is in the source ------------------------------------------------------
@dataclass(frozen=True)
class Place:
    line: int  # 1-based
    value: str | None = None  # a scalar list item's value (to find an id named in a message)


def field_places(text: str) -> dict[str, Place]:
    """Every field path of a YAML text (``key.factors.risk``, ``vignette.familj_och_miljo[0].area``)
    with the line it starts on. Empty when the text is not YAML the loader accepts."""
    try:
        root = yaml.compose(text, Loader=SafeCaseLoader)  # noqa: S506 - the loader's own safe subclass
    except yaml.YAMLError:
        return {}
    places: dict[str, Place] = {}

    def walk(node: yaml.Node, path: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    continue
                child = f"{path}.{key.value}" if path else str(key.value)
                places[child] = Place(key.start_mark.line + 1)
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                child = f"{path}[{i}]"
                scalar = item.value if isinstance(item, yaml.ScalarNode) else None
                places[child] = Place(item.start_mark.line + 1, scalar)
                walk(item, child)

    if root is not None:
        walk(root, "")
    return places


def _parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path.rsplit(".", 1)[0] if "." in path else ""


def locate(error: CaseError, places: dict[str, Place]) -> int | None:
    """The source line of the field an error names: the field itself, the item
    or key its message quotes (``'grandmothr' is not one of …``), or the nearest
    enclosing field that exists (a missing ``en`` is shown at its text)."""
    match = _LINE_FIELD.match(error.field)
    if match:
        return int(match.group(1))
    path = error.field
    if path.startswith("("):
        return None
    while path and path not in places:
        path = _parent(path)
    if not path:
        return None
    named = _QUOTED.search(error.problem)
    if named:
        name = named.group(1)
        if f"{path}.{name}" in places:
            return places[f"{path}.{name}"].line
        for key, place in places.items():
            if place.value == name and _parent(key) == path:
                return place.line
    return places[path].line


@dataclass(frozen=True)
class PlacedError:
    """A check error with where it is in the draft: its line and the lines around it."""

    error: CaseError
    line: int | None
    excerpt: tuple[tuple[int, str], ...] = ()


def _excerpt(lines: list[str], line: int | None) -> tuple[tuple[int, str], ...]:
    if line is None or not lines:
        return ()
    first, last = max(1, line - EXCERPT_CONTEXT), min(len(lines), line + EXCERPT_CONTEXT)
    return tuple((n, lines[n - 1][:MAX_EXCERPT_LINE]) for n in range(first, last + 1))


# -- length ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Length:
    lang: str
    words: int
    minutes: int
    verdict: str  # one of LENGTH_VERDICTS


def length_verdict(words: int) -> str:
    low, high = LIBRARY_WORDS
    if words < low * (1 - FAR_OUTSIDE):
        return "far_short"
    if words < low:
        return "short"
    if words <= high:
        return "within"
    if words <= high * (1 + FAR_OUTSIDE):
        return "long"
    return "far_long"


def _raw_words(data: Any, lang: str) -> int:
    """Words of the referral and the investigation in a draft that may not be valid
    (the count ``Case.word_count`` gives for a valid one)."""
    def text(value: Any) -> str:
        return value.get(lang, "") if isinstance(value, dict) and isinstance(value.get(lang), str) else ""

    if not isinstance(data, dict):
        return 0
    referral = data.get("referral")
    words = len(_WORD.findall(text(referral.get("text")))) if isinstance(referral, dict) else 0
    vignette = data.get("vignette")
    if isinstance(vignette, dict):
        for side in SIDES:
            sections = vignette.get(side)
            for section in sections if isinstance(sections, list) else []:
                if isinstance(section, dict):
                    words += len(_WORD.findall(text(section.get("text"))))
    return words


def lengths(case: Case | None, data: Any = None) -> tuple[Length, ...]:
    out = []
    for lang in LANGS:
        words = case.word_count(lang) if case is not None else _raw_words(data, lang)
        out.append(Length(lang, words, max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0, length_verdict(words)))
    return tuple(out)


# -- the template -------------------------------------------------------------------------
def template_for(folder: Path | None) -> Path:
    """The workspace's own template if it has one, else the shipped one."""
    if folder is not None and (Path(folder) / WORKSPACE_TEMPLATE).is_file():
        return Path(folder) / WORKSPACE_TEMPLATE
    return TEMPLATE_PATH


def _texts(data: Any, path: str = "") -> dict[str, str]:
    """Every language text (a ``sv``/``en`` value) of YAML data, by field path."""
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            child = f"{path}.{key}" if path else str(key)
            if key in LANGS and isinstance(value, str):
                out[child] = value
            else:
                out.update(_texts(value, child))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            out.update(_texts(item, f"{path}[{i}]"))
    return out


def template_leftovers(data: Any, templates: list[Path]) -> tuple[str, ...]:
    """The fields of a draft whose text is still a template's own text."""
    left: set[str] = set()
    for template in templates:
        try:
            left.update(" ".join(t.split()) for t in _texts(read_yaml(template)).values())
        except CaseFileError:
            continue
    return tuple(path for path, value in _texts(data).items() if " ".join(value.split()) in left)


def new_case(folder: Path, case_id: str, name: str) -> Path:
    """Write ``<folder>/<case_id>.yaml`` from the template, with its id and the child's name."""
    folder = Path(folder)
    case_id = case_id.strip()
    name = " ".join(name.split())
    if not re.match(ID_PATTERN, case_id):
        raise AuthoringError("bad_id", id=case_id)
    if not name or len(name) > 40 or not name.isprintable():
        raise AuthoringError("bad_name")
    for suffix in CASE_SUFFIXES:
        if (folder / f"{case_id}{suffix}").exists():
            raise AuthoringError("draft_exists", file=f"{case_id}{suffix}")
    text = template_for(folder).read_text(encoding="utf-8")
    # JSON strings are YAML double-quoted scalars: any name is written safely
    import json

    text = re.sub(r"(?m)^id: .*$", f"id: {case_id}", text, count=1)
    text = re.sub(r"(?m)^name: .*$", lambda _m: f"name: {json.dumps(name, ensure_ascii=False)}", text, count=1)
    target = folder / f"{case_id}.yaml"
    with open(target, "x", encoding="utf-8") as fh:  # never overwrite a draft
        fh.write(text)
    return target


# -- checking a draft ---------------------------------------------------------------------
@dataclass(frozen=True)
class DraftCheck:
    path: Path
    case: Case | None
    errors: tuple[PlacedError, ...]
    lengths: tuple[Length, ...]
    leftovers: tuple[str, ...] = ()
    stamp: tuple = field(default=(), compare=False)

    @property
    def valid(self) -> bool:
        return self.case is not None and not self.errors

    @property
    def publishable(self) -> bool:
        return self.valid and not self.leftovers


def file_stamp(path: Path) -> tuple:
    """What changes when a file is saved (also by an editor that replaces the file)."""
    try:
        st = Path(path).stat()
    except OSError:
        return ()
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def check_draft(path: Path, variables: Variables, folder: Path | None = None) -> DraftCheck:
    """Check one draft as ``samsyn cases check`` does, and place every error in its source."""
    path = Path(path)
    folder = Path(folder) if folder is not None else path.parent
    stamp = file_stamp(path)
    good, errors = check_paths([path], root=folder, variables=variables)
    case = good[0] if good and not errors else None
    text = ""
    try:
        if path.stat().st_size <= MAX_FILE_BYTES:
            text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        pass
    places = field_places(text) if text else {}
    lines = text.splitlines()
    placed = []
    for error in errors:
        line = locate(error, places)
        placed.append(PlacedError(error, line, _excerpt(lines, line)))
    data: Any = None
    if case is None and text:
        try:
            data = read_yaml(path)
        except CaseFileError:
            data = None
    leftovers: tuple[str, ...] = ()
    if text:
        try:
            raw = data if data is not None else read_yaml(path)
            leftovers = template_leftovers(raw, sorted({TEMPLATE_PATH, template_for(folder)}))
        except CaseFileError:
            pass
    return DraftCheck(path=path, case=case, errors=tuple(placed), lengths=lengths(case, data), leftovers=leftovers,
                      stamp=stamp)


def drafts(folder: Path) -> list[Path]:
    """The case files of a workspace folder (what the notebook offers to pick)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in CASE_SUFFIXES and not p.name.startswith(".") and p.is_file())


# -- publishing ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Published:
    case_id: str
    target: Path
    replaced: bool
    unchanged: bool = False
    backup: Path | None = None


def publish(path: Path, cases_dir: Path, variables: Variables, *, folder: Path | None = None,
            replace: bool = False) -> Published:
    """Copy a checked draft into the library folder; raise AuthoringError when it
    cannot be (errors in the draft, template text left, a case of that id already
    in the library without ``replace``, a folder that cannot be written).

    The bytes that are checked are the bytes that are written, via a hidden
    staging file in the library folder and an atomic rename: the server never
    reads a half-written case. A replaced case is kept as ``.<file>.previous``."""
    path = Path(path)
    check = check_draft(path, variables, folder)
    if not check.valid:
        raise AuthoringError("not_valid", count=len(check.errors))
    if check.leftovers:
        raise AuthoringError("template_text", fields=", ".join(check.leftovers))
    case = check.case
    cases_dir = Path(cases_dir)
    if not cases_dir.is_dir():
        raise AuthoringError("no_library", folder=str(cases_dir))
    target = cases_dir / f"{case.id}{path.suffix}"  # a draft's suffix is .yaml or .yml (the check says so)
    others = [cases_dir / f"{case.id}{s}" for s in CASE_SUFFIXES if (cases_dir / f"{case.id}{s}") != target]
    clash = [p for p in others if p.exists()]
    if clash:
        raise AuthoringError("conflict", file=clash[0].name)
    data = path.read_bytes()
    replaced = target.exists()
    if replaced:
        if target.read_bytes() == data:
            return Published(case.id, target, replaced=False, unchanged=True)
        if not replace:
            raise AuthoringError("in_library", file=target.name)
    try:
        staging = Path(tempfile.mkdtemp(prefix=".publish-", dir=cases_dir))
    except OSError as exc:
        raise AuthoringError("not_writable", folder=str(cases_dir), reason=exc.strerror or str(exc)) from None
    backup = None
    try:
        staged = staging / target.name
        staged.write_bytes(data)
        with open(staged, "rb") as fh:
            os.fsync(fh.fileno())
        try:  # exactly the bytes that will be served pass the check
            load_case_file(staged, variables, root=staging)
        except CaseFileError:
            raise AuthoringError("changed") from None
        if replaced:
            backup = cases_dir / f".{target.name}.previous"
            shutil.copy2(target, backup)
        os.replace(staged, target)
    except OSError as exc:
        raise AuthoringError("not_writable", folder=str(cases_dir), reason=exc.strerror or str(exc)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    library = load_library(cases_dir)
    if case.id not in library.cases:  # e.g. the server's variables differ: undo, and say why
        problems = "; ".join(f"{e.field}: {e.problem}" for e in library.errors if Path(e.file).name == target.name)
        if backup is not None:
            os.replace(backup, target)
        else:
            target.unlink(missing_ok=True)
        load_library(cases_dir)
        raise AuthoringError("not_served", problems=problems)
    return Published(case.id, target, replaced=replaced, backup=backup)
