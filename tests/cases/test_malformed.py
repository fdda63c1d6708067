"""Malformed case files: each variant is a valid case (assi.yaml) with one thing
broken. Each must be refused with an error that names the file, the field and
the reason — both by ``cases.check_paths`` and by ``samsyn cases check`` — and
a broken file must never take the valid cases down with it.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from cases import LIBRARY_DIR, check_paths, load_library
from cases.loader import MAX_FILE_BYTES
from cases.schema import MAX_MAPPING_ENTRIES, MAX_MAPPING_ENTRY, MAX_PROSE, MAX_STATEMENT


def dump_case(data: dict) -> str:
    import yaml

    class NoAliases(yaml.SafeDumper):  # case files may not use anchors
        def ignore_aliases(self, data):
            return True

    return yaml.dump(data, Dumper=NoAliases, allow_unicode=True, sort_keys=False, width=1000)

REPO = Path(__file__).resolve().parents[2]
ASSI = LIBRARY_DIR / "assi.yaml"

AT_LINE = re.compile(r"^line \d+, column \d+$")


@dataclass(frozen=True)
class Variant:
    """One way to break a case file.

    ``make(folder, data)`` writes the broken file(s) into ``folder`` given a
    fresh copy of assi.yaml as data, and returns the name of the file the error
    must name. ``field`` is the exact field (or a regex for YAML parse errors,
    which can only point at a line); ``reason`` must occur in the problem text.
    """

    id: str
    make: Callable[[Path, dict], str]
    field: str | re.Pattern
    reason: str


def _assi_text() -> str:
    return ASSI.read_text(encoding="utf-8")


def mutate(change: Callable[[dict], None], name: str = "assi.yaml") -> Callable[[Path, dict], str]:
    def make(folder: Path, data: dict) -> str:
        change(data)
        (folder / name).write_text(dump_case(data), encoding="utf-8")
        return name

    return make


def raw(content: Callable[[], str | bytes], name: str = "assi.yaml") -> Callable[[Path, dict], str]:
    def make(folder: Path, data: dict) -> str:
        body = content()
        path = folder / name
        path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
        return name

    return make


def _set(path: str, value) -> Callable[[dict], None]:
    """Set a dotted path (``a.b[0].c``) in the data."""
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]

    def change(data: dict) -> None:
        target = data
        for part in parts[:-1]:
            target = target[part]
        target[parts[-1]] = value

    return change


def _delete(path: str) -> Callable[[dict], None]:
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]

    def change(data: dict) -> None:
        target = data
        for part in parts[:-1]:
            target = target[part]
        del target[parts[-1]]

    return change


def _duplicate_id(folder: Path, data: dict) -> str:
    # Same id, and a name that matches it: the only way two files can both
    # claim "assi" legitimately on their own — so the folder check must catch it.
    text = dump_case(data)
    (folder / "assi.yaml").write_text(text, encoding="utf-8")
    (folder / "assi.yml").write_text(text, encoding="utf-8")
    return "assi.yml"


def _symlink_outside(folder: Path, data: dict) -> str:
    outside = folder.parent / "elsewhere"
    outside.mkdir()
    (outside / "secret.yaml").write_text(dump_case(data), encoding="utf-8")
    (folder / "assi.yaml").symlink_to(outside / "secret.yaml")
    return "assi.yaml"


def _directory_named_yaml(folder: Path, data: dict) -> str:
    (folder / "assi.yaml").mkdir()
    return "assi.yaml"


def _second_factor_with_same_id(data: dict) -> None:
    data["factors"]["protective"].append(dict(data["factors"]["risk"][0]))


def _append(path: str, value) -> Callable[[dict], None]:
    """Append to the list at a dotted path."""
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]

    def change(data: dict) -> None:
        target = data
        for part in parts:
            target = target[part]
        target.append(value)

    return change


def _text_entry(i: int) -> dict:
    return {"sv": f"Något som fungerar, nummer {i}.", "en": f"Something that works, number {i}."}


BILLION_LAUGHS = """
lol1: &lol1 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]
lol2: &lol2 [*lol1,*lol1,*lol1,*lol1,*lol1,*lol1,*lol1,*lol1,*lol1,*lol1]
lol3: &lol3 [*lol2,*lol2,*lol2,*lol2,*lol2,*lol2,*lol2,*lol2,*lol2,*lol2]
lol4: &lol4 [*lol3,*lol3,*lol3,*lol3,*lol3,*lol3,*lol3,*lol3,*lol3,*lol3]
lol5: &lol5 [*lol4,*lol4,*lol4,*lol4,*lol4,*lol4,*lol4,*lol4,*lol4,*lol4]
lol6: &lol6 [*lol5,*lol5,*lol5,*lol5,*lol5,*lol5,*lol5,*lol5,*lol5,*lol5]
lol7: &lol7 [*lol6,*lol6,*lol6,*lol6,*lol6,*lol6,*lol6,*lol6,*lol6,*lol6]
lol8: &lol8 [*lol7,*lol7,*lol7,*lol7,*lol7,*lol7,*lol7,*lol7,*lol7,*lol7]
lol9: &lol9 [*lol8,*lol8,*lol8,*lol8,*lol8,*lol8,*lol8,*lol8,*lol8,*lol8]
summary: *lol9
"""

#: A tag that would run a command under an unsafe loader; the marker file
#: proves it did not.
MARKER = "samsyn-tag-was-executed"

VARIANTS = [
    # -- shape and types ------------------------------------------------------
    Variant("missing-required-field", mutate(_delete("sex")), "sex", "Field required"),
    Variant("wrong-type-age-text", mutate(_set("age", "fifteen")), "age", "valid integer"),
    Variant("wrong-type-age-bool", mutate(_set("age", True)), "age", "valid integer"),
    Variant("age-too-high", mutate(_set("age", 18)), "age", "less than or equal to 17"),
    Variant("age-negative", mutate(_set("age", -1)), "age", "greater than or equal to 0"),
    Variant("unknown-top-level-field", mutate(_set("colour", "blue")), "colour", "Extra inputs are not permitted"),
    Variant("unknown-referral-source", mutate(_set("referral.from", "neighbour")), "referral.from", "Input should be"),
    Variant("not-a-mapping", raw(lambda: "- just\n- a list\n"), "(root)", "must be a mapping"),
    # -- languages and lengths --------------------------------------------------
    Variant("missing-english", mutate(_delete("referral.text.en")), "referral.text.en", "Field required"),
    Variant("empty-swedish", mutate(_set("vignette.barnets_utveckling[0].text.sv", "   ")),
            "vignette.barnets_utveckling[0].text.sv", "at least 1 character"),
    Variant("oversize-text", mutate(_set("vignette.familj_och_miljo[1].text.en", "word " * (MAX_PROSE // 5 + 1))),
            "vignette.familj_och_miljo[1].text.en", f"at most {MAX_PROSE} characters"),
    # -- ids that refer to variables.yaml ----------------------------------------
    Variant("unknown-exposure-option", mutate(_set("key.exposure.home", ["slag_i_hemmet"])),
            "key.exposure.home", "unknown option(s) 'slag_i_hemmet'"),
    Variant("exclusive-option-combined", mutate(_set("key.exposure.home", ["ingen_utsatthet", "fysiskt_vald"])),
            "key.exposure.home", "'ingen_utsatthet' cannot be combined"),
    Variant("unknown-risk-answer", mutate(_set("key.risk", "extrem")), "key.risk", "unknown risk answer 'extrem'"),
    Variant("unknown-intervention", mutate(_set("key.interventions", ["akutplacering"])),
            "key.interventions", "unknown intervention 'akutplacering'"),
    Variant("unknown-bbic-area", mutate(_set("vignette.barnets_utveckling[0].area", "fritid")),
            "vignette.barnets_utveckling[0].area", "unknown area 'fritid'"),
    Variant("area-under-wrong-side", mutate(_set("vignette.barnets_utveckling[1].area", "sakerhet")),
            "vignette.barnets_utveckling[1].area", "belongs under foraldrarnas_formaga"),
    # -- factors and the key ----------------------------------------------------
    Variant("key-factor-not-a-case-factor", mutate(_set("key.factors.risk.gang-violence", {"severity": 3, "extent": 2})),
            "key.factors.risk", "'gang-violence' is not one of this case's risk factors"),
    Variant("key-weight-out-of-range", mutate(_set("key.factors.risk.substance-use", {"severity": 5, "extent": 3})),
            "key.factors.risk.substance-use.severity", "less than or equal to 4"),
    Variant("duplicate-factor-id", mutate(_second_factor_with_same_id), "factors", "duplicate factor id 'substance-use'"),
    # -- the reference mapping (issue 16) ----------------------------------------
    Variant("mapping-unknown-factor", mutate(_set("mapping.worries.harm[0]", {"factor": "gang-violence"})),
            "mapping.worries.harm[0].factor", "'gang-violence' is not one of this case's factors"),
    Variant("mapping-risk-factor-under-working-well",
            mutate(_set("mapping.working_well.strengths[0]", {"factor": "economic-stress"})),
            "mapping.working_well.strengths[0].factor",
            "'economic-stress' is a risk factor; risk factors belong under mapping.worries"),
    Variant("mapping-protective-factor-under-worries",
            mutate(_set("mapping.worries.complicating[0]", {"factor": "loving-parents"})),
            "mapping.worries.complicating[0].factor",
            "'loving-parents' is a protective factor; protective factors belong under mapping.working_well"),
    Variant("mapping-factor-under-next-steps", mutate(_set("mapping.next_steps.steps[0]", {"factor": "maternal-aunt"})),
            "mapping.next_steps.steps[0].factor", "protective factors belong under mapping.working_well"),
    Variant("mapping-factor-twice", mutate(_append("mapping.worries.complicating", {"factor": "substance-use"})),
            "mapping.worries.complicating[7].factor",
            "'substance-use' is already placed at mapping.worries.harm[0]; a factor appears at most once"),
    Variant("mapping-entry-too-long", mutate(_set("mapping.worries.harm[3].sv", "ord " * (MAX_MAPPING_ENTRY // 4 + 1))),
            "mapping.worries.harm[3].sv", f"at most {MAX_MAPPING_ENTRY} characters"),
    Variant("mapping-statement-too-long",
            mutate(_set("mapping.danger_statement.en", "worry " * (MAX_STATEMENT // 6 + 1))),
            "mapping.danger_statement.en", f"at most {MAX_STATEMENT} characters"),
    Variant("mapping-statement-too-many-sentences", mutate(_set(
        "mapping.danger_statement.sv", "Mamma är orolig. Pappa är orolig. Assi är ledsen. Ingen vet var han är.")),
            "mapping.danger_statement.sv", "has 4 sentences; at most 3"),
    Variant("mapping-statement-jargon", mutate(_set(
        "mapping.safety_goal.sv", "Vårdnadshavarna har tillräcklig föräldraförmåga och Assi har inga riskfaktorer.")),
            "mapping.safety_goal.sv", "uses professional words ('riskfaktorer', 'Vårdnadshavarna', 'föräldraförmåga')"),
    Variant("mapping-entry-missing-language", mutate(_delete("mapping.next_steps.goals[0].en")),
            "mapping.next_steps.goals[0].en", "Field required"),
    Variant("mapping-statement-missing-language", mutate(_delete("mapping.safety_goal.en")),
            "mapping.safety_goal.en", "Field required"),
    Variant("mapping-scaling-reason-missing", mutate(_delete("mapping.scaling_reasons.one_step_up")),
            "mapping.scaling_reasons.one_step_up", "Field required"),
    Variant("mapping-empty-required-list", mutate(_set("mapping.next_steps.steps", [])),
            "mapping.next_steps.steps", "at least 1 item"),
    Variant("mapping-too-many-entries",
            mutate(_set("mapping.working_well.safety", [_text_entry(i) for i in range(MAX_MAPPING_ENTRIES + 1)])),
            "mapping.working_well.safety", f"at most {MAX_MAPPING_ENTRIES} items"),
    Variant("mapping-entry-factor-and-text",
            mutate(_set("mapping.worries.harm[0]", {"factor": "substance-use", "sv": "Droger.", "en": "Drugs."})),
            "mapping.worries.harm[0]", "either a factor of the case (factor: <id>) or the author's own words"),
    Variant("mapping-entry-empty", mutate(_set("mapping.worries.harm[0]", {})),
            "mapping.worries.harm[0]", "needs either factor: <id>"),
    Variant("mapping-unknown-part", mutate(_set("mapping.worries.past_harm", [{"factor": "criminality"}])),
            "mapping.worries.past_harm", "Extra inputs are not permitted"),
    Variant("mapping-without-key-safety-scale", mutate(_delete("key.safety_scale")),
            "key.safety_scale", "a case with a mapping needs the key's safety_scale"),
    Variant("mapping-without-key", mutate(_delete("key")), "key", "a case with a mapping needs a key with a safety_scale"),
    # -- ids and files -------------------------------------------------------------
    Variant("id-does-not-match-file-name", mutate(_set("id", "assi-2")), "id", "must match"),
    Variant("duplicate-id-across-files", _duplicate_id, "id", "duplicate case id 'assi'"),
    Variant("symlink-outside-folder", _symlink_outside, "(file)", "lies outside the case folder"),
    Variant("directory-named-like-a-case", _directory_named_yaml, "(file)", "cannot be read"),
    Variant("file-too-large", raw(lambda: _assi_text() + "# padding\n" * (MAX_FILE_BYTES // 10 + 1)),
            "(file)", f"the limit is {MAX_FILE_BYTES} bytes"),
    Variant("not-utf8", raw(lambda: _assi_text().encode("utf-8").replace("Föräldrarna".encode(), "Föräldrarna".encode("latin-1"), 1)),
            "(file)", "is not valid UTF-8"),
    # -- YAML ----------------------------------------------------------------------
    Variant("invalid-yaml-syntax", raw(lambda: _assi_text().replace("name: Assi", "name: [Assi", 1)),
            AT_LINE, "YAML error"),
    Variant("billion-laughs", raw(lambda: _assi_text().replace("summary:", "old_summary:", 1) + BILLION_LAUGHS),
            AT_LINE, "anchors and aliases (&, *) are not allowed"),
    Variant("python-object-tag", raw(lambda: _assi_text().replace(
        "name: Assi", f'name: !!python/object/apply:os.system ["touch {MARKER}"]', 1)),
            AT_LINE, "could not determine a constructor"),
    Variant("custom-tag", raw(lambda: _assi_text().replace("name: Assi", "name: !person Assi", 1)),
            AT_LINE, "could not determine a constructor for the tag '!person'"),
    Variant("duplicate-key", raw(lambda: _assi_text().replace("age: 15", "age: 15\nage: 9", 1)),
            AT_LINE, "duplicate key 'age'"),
    Variant("deep-nesting", raw(lambda: _assi_text() + "extra: " + "[" * 5000 + "]" * 5000 + "\n"),
            AT_LINE, "nested more than"),
]


def _matches(value: str, expected: str | re.Pattern) -> bool:
    return bool(expected.match(value)) if isinstance(expected, re.Pattern) else value == expected


@pytest.fixture
def folder(tmp_path) -> Path:
    # Not "cases": ``python -m`` puts the working folder first on sys.path, and a
    # folder named like one of our packages would shadow it there.
    path = tmp_path / "library"
    path.mkdir()
    return path


def test_variants_are_many_and_distinct():
    assert len(VARIANTS) >= 15
    assert len({v.id for v in VARIANTS}) == len(VARIANTS)


def test_unmodified_copy_is_valid(folder, case_data):
    """The control: every variant below starts from a case that passes."""
    (folder / "assi.yaml").write_text(dump_case(case_data), encoding="utf-8")
    good, errors = check_paths([folder])
    assert errors == []
    assert [c.id for c in good] == ["assi"]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.id)
def test_check_paths_names_file_field_and_reason(variant, folder, case_data, monkeypatch):
    monkeypatch.chdir(folder.parent)  # where a !!python tag would drop its marker
    bad_file = variant.make(folder, case_data)
    started = time.monotonic()
    good, errors = check_paths([folder])
    assert time.monotonic() - started < 5, "checking one small file must be quick"
    assert errors, f"{variant.id}: no error reported"
    for error in errors:  # every reported problem is about the broken file
        assert Path(error.file).name == bad_file, str(error)
    match = [e for e in errors if _matches(e.field, variant.field) and variant.reason in e.problem]
    assert match, f"{variant.id}: expected field {variant.field!r} and reason {variant.reason!r}; got:\n" + "\n".join(
        str(e) for e in errors
    )
    assert "assi" not in {c.id for c in good if bad_file == "assi.yaml"}
    assert not (folder.parent / MARKER).exists()


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory, assi_data, run_cli):
    """``samsyn cases check FOLDER`` on every variant, run a few at a time.

    One process per variant, as a user would run it; in parallel only to keep
    the suite fast.
    """
    import copy
    from concurrent.futures import ThreadPoolExecutor

    prepared = {}
    for variant in VARIANTS:
        folder = tmp_path_factory.mktemp(f"cli-{variant.id}") / "library"
        folder.mkdir()
        prepared[variant.id] = (folder, variant.make(folder, copy.deepcopy(assi_data)))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {vid: pool.submit(run_cli, "cases", "check", str(folder), cwd=folder.parent)
                   for vid, (folder, _name) in prepared.items()}
        return {vid: (*prepared[vid], future.result()) for vid, future in futures.items()}


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.id)
def test_cli_exits_1_and_names_file_and_field(variant, cli_runs):
    folder, bad_file, result = cli_runs[variant.id]
    expected = [e for e in check_paths([folder])[1] if _matches(e.field, variant.field)]
    assert expected
    assert result.returncode == 1, result.stdout
    error_lines = [line for line in result.stdout.splitlines() if line.startswith("ERROR ")]
    assert any(bad_file in line and f": {expected[0].field}: " in line and variant.reason in line for line in error_lines), (
        result.stdout
    )
    assert re.search(r"\b[1-9]\d* file\(s\) with problems", result.stdout), result.stdout
    assert "Traceback" not in result.stdout
    assert not (folder.parent / MARKER).exists()


def test_cli_checks_a_single_file(folder, case_data, run_cli):
    case_data["age"] = "fifteen"
    path = folder / "assi.yaml"
    path.write_text(dump_case(case_data), encoding="utf-8")
    result = run_cli("cases", "check", str(path))
    assert result.returncode == 1
    assert f"ERROR {path}: age: Input should be a valid integer" in result.stdout


def test_cli_reports_a_missing_path(tmp_path, run_cli):
    result = run_cli("cases", "check", str(tmp_path / "nowhere.yaml"))
    assert result.returncode == 1
    assert "nowhere.yaml: (file): does not exist" in result.stdout


def test_every_error_is_reported_not_just_the_first(folder, case_data):
    case_data["age"] = 30
    case_data["sex"] = "unknown"
    del case_data["title"]["en"]
    (folder / "assi.yaml").write_text(dump_case(case_data), encoding="utf-8")
    _good, errors = check_paths([folder])
    assert {e.field for e in errors} >= {"age", "sex", "title.en"}


def test_symlink_inside_the_folder_is_fine(folder, case_data):
    (folder / "real").mkdir()
    (folder / "real" / "assi.yaml").write_text(dump_case(case_data), encoding="utf-8")
    (folder / "assi.yaml").symlink_to(folder / "real" / "assi.yaml")
    good, errors = check_paths([folder])
    assert errors == [] and [c.id for c in good] == ["assi"]


# -- the app keeps serving valid cases ------------------------------------------
@pytest.fixture
def half_broken(folder, case_data) -> Path:
    """A folder with one valid case (assi) and one broken file (nils.yaml)."""
    shutil.copy(ASSI, folder / "assi.yaml")
    case_data.update(id="nils", name="Nils", age="fifteen")
    (folder / "nils.yaml").write_text(dump_case(case_data), encoding="utf-8")
    return folder


def test_load_library_keeps_the_good_case(half_broken):
    library = load_library(half_broken, use_cache=False)
    assert list(library.cases) == ["assi"]
    assert [(e.file, e.field) for e in library.errors] == [("nils.yaml", "age")]
    assert library.panels is not None and library.panels.for_case("assi") is not None


def _html(widget) -> str:
    """All HTML in a widget tree, depth first."""
    out = [getattr(widget, "value", "") if isinstance(getattr(widget, "value", None), str) else ""]
    for child in getattr(widget, "children", ()):
        out.append(_html(child))
    return "\n".join(out)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_start_page_shows_good_case_and_broken_notice(half_broken, lang, monkeypatch):
    import html

    from samsyn.i18n import Messages
    from widgets.common import page_context
    from widgets.start_page import build

    monkeypatch.setenv("SAMSYN_CASES_DIR", str(half_broken))
    for var in ("VOILA_KERNEL_ID", "VOILA_PREHEAT"):
        monkeypatch.delenv(var, raising=False)
    ctx = page_context(f"lang={lang}")
    assert ctx.lang == lang
    library = load_library(half_broken, use_cache=False)
    markup = _html(build(ctx, library))
    title = "Assi, 15 år" if lang == "sv" else "Assi, 15"
    assert html.escape(title) in markup
    assert 'data-case="assi"' in markup and 'data-case="nils"' not in markup
    assert html.escape(Messages(lang)("start.broken_cases", count=1), quote=True) in markup
    assert "samsyn-notice" in markup
    # built from the settings (SAMSYN_CASES_DIR) when no library is passed
    assert 'data-case="assi"' in _html(build(ctx))


def test_start_page_without_broken_files_has_no_notice(folder, monkeypatch):
    from samsyn.i18n import Messages
    from widgets.common import page_context
    from widgets.start_page import build

    shutil.copy(ASSI, folder / "assi.yaml")
    markup = _html(build(page_context("lang=sv"), load_library(folder, use_cache=False)))
    assert 'data-case="assi"' in markup
    assert Messages("sv")("start.broken_cases", count=1) not in markup


# -- the shipped library ---------------------------------------------------------
def test_cli_on_the_shipped_library_exits_0(run_cli):
    result = run_cli("cases", "check", str(LIBRARY_DIR))
    assert result.returncode == 0, result.stdout
    assert "ERROR" not in result.stdout
    assert ", 0 file(s) with problems" in result.stdout


def test_cli_default_is_the_shipped_library(tmp_path):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "SAMSYN_CASES_DIR"}
    result = subprocess.run([sys.executable, "-m", "samsyn.cli", "cases", "check"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert result.returncode == 0, result.stdout
    assert "ok    assi:" in result.stdout
