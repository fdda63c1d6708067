"""cases/authoring.py: checking a draft like `samsyn cases check`, placing its errors,
counting its words, making one from the template, and publishing it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from cases import check_paths, load_library, load_variables
from cases.authoring import (
    TEMPLATE_PATH,
    AuthoringError,
    check_draft,
    drafts,
    length_verdict,
    lengths,
    new_case,
    publish,
)
from cases.loader import LIBRARY_DIR, refreshed

AUTHORING = Path(__file__).resolve().parents[2] / "cases" / "AUTHORING.md"


def example() -> str:
    return re.search(r"^```yaml\n(.*?)^```", AUTHORING.read_text(encoding="utf-8"), re.S | re.M).group(1)


@pytest.fixture(scope="module")
def v():
    return load_variables()


@pytest.fixture
def workspace(tmp_path) -> Path:
    folder = tmp_path / "workspace"
    folder.mkdir()
    return folder


@pytest.fixture
def library(tmp_path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    for name in ("assi.yaml", "max.yaml"):
        shutil.copy(LIBRARY_DIR / name, folder)
    return folder


def draft(workspace: Path, text: str, name: str = "elin.yaml") -> Path:
    path = workspace / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, n: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[n - 1]


# -- the same check as `samsyn cases check`, placed at its field ------------------------------
def test_the_errors_are_exactly_those_of_cases_check(workspace, v, run_cli):
    path = draft(workspace, example().replace("age: 11", "age: elva").replace("child: [ingen_svarighet]", "child: [slag]"))
    check = check_draft(path, v, workspace)
    result = run_cli("cases", "check", str(workspace))
    printed = [line.removeprefix("ERROR ") for line in result.stdout.splitlines() if line.startswith("ERROR ")]
    assert [str(placed.error) for placed in check.errors] == printed
    assert len(printed) == 2
    assert check.case is None and not check.valid


@pytest.mark.parametrize("name, edit, field, problem, at", [
    ("missing translation",
     lambda t: t.replace('  en: "An eleven-year-old who runs the home when her father cannot cope."\n', ""),
     "summary.en", "Field required", "summary:"),
    ("unknown variable id",
     lambda t: t.replace("guardian: [psykisk_ohalsa]", "guardian: [psykisk_ohalsa, depression]"),
     "key.exposure.guardian", "unknown option(s) 'depression'", "guardian: [psykisk_ohalsa, depression]"),
    ("factor without a side",
     lambda t: t.replace("    - id: grandmother\n      side: familj_och_miljo\n", "    - id: grandmother\n"),
     "factors.protective[1].side", "Field required", "- id: grandmother"),
    ("key names an undefined factor",
     lambda t: t.replace("      grandmother: {extent: 1, function: 1}", "      grandmothr: {extent: 1, function: 1}"),
     "key.factors.protective", "'grandmothr' is not one of this case's protective factors", "grandmothr:"),
    ("unknown area in a list",
     lambda t: t.replace("focus: [grundlaggande_omsorg, familj_och_natverk]", "focus:\n    - grundlaggande_omsorg\n    - skolan"),
     "key.focus", "unknown BBIC area 'skolan'", "- skolan"),
    ("YAML error", lambda t: t.replace('title: {sv: "Elin, 11 år", en: "Elin, 11"}', 'title: {sv: "Elin, 11 år", en: "Elin, 11"'),
     "line", "YAML error", None),
])
def test_each_error_is_shown_at_the_line_of_its_field(workspace, v, name, edit, field, problem, at):
    text = edit(example())
    assert text != example(), name
    path = draft(workspace, text)
    check = check_draft(path, v, workspace)
    [placed] = check.errors
    assert placed.error.file == "elin.yaml"
    assert placed.error.field.startswith(field) and problem in placed.error.problem
    assert placed.line is not None
    if at is not None:
        assert at in line_of(path, placed.line), (name, line_of(path, placed.line))
    # the excerpt is the source around the line, with the line itself
    assert dict(placed.excerpt)[placed.line] == line_of(path, placed.line)
    assert len(placed.excerpt) <= 5


def test_an_error_without_a_field_in_the_file_has_no_line(workspace, v):
    path = draft(workspace, example(), name="nils.yaml")  # id elin in nils.yaml
    [placed] = check_draft(path, v, workspace).errors
    assert placed.error.field == "id" and "nils.yaml" in placed.error.problem
    assert "id: elin" in line_of(path, placed.line)
    path.write_bytes(b"\xff\xfe not utf-8")
    [placed] = check_draft(path, v, workspace).errors
    assert placed.error.field == "(file)" and placed.line is None and placed.excerpt == ()


def test_a_valid_draft(workspace, v):
    check = check_draft(draft(workspace, example()), v, workspace)
    assert check.valid and check.case.id == "elin" and check.leftovers == ()
    assert check.publishable


# -- length -----------------------------------------------------------------------------------
def test_word_counts_are_the_checks_and_the_library_sits_in_its_range(v):
    for case in load_library(use_cache=False).ordered():
        data = yaml.safe_load((LIBRARY_DIR / f"{case.id}.yaml").read_text(encoding="utf-8"))
        raw = lengths(None, data)  # what an invalid draft is counted by
        valid = lengths(case)
        assert [x.words for x in raw] == [x.words for x in valid] == [case.word_count("sv"), case.word_count("en")]
        assert all(x.verdict == "within" for x in valid), case.id
        assert all(x.minutes == -(-x.words // 200) for x in valid)


@pytest.mark.parametrize("words, verdict", [
    (0, "far_short"), (524, "far_short"), (525, "short"), (699, "short"), (700, "within"), (900, "within"),
    (901, "long"), (1125, "long"), (1126, "far_long"),
])
def test_length_verdicts(words, verdict):
    assert length_verdict(words) == verdict


def test_the_short_example_is_far_outside(workspace, v):
    check = check_draft(draft(workspace, example()), v, workspace)
    assert [x.verdict for x in check.lengths] == ["far_short", "far_short"]


# -- the template -----------------------------------------------------------------------------
def test_a_new_case_from_the_template_is_valid_but_not_publishable(workspace, v, library):
    path = new_case(workspace, "elin", 'Elin "Ellie": 11\når')
    assert path == workspace / "elin.yaml"
    check = check_draft(path, v, workspace)
    assert check.valid, check.errors
    assert check.case.name == 'Elin "Ellie": 11 år'  # written as a quoted YAML string, whatever it holds
    assert "title.sv" in check.leftovers and "referral.text.en" in check.leftovers
    with pytest.raises(AuthoringError) as exc:
        publish(path, library, v, folder=workspace)
    assert exc.value.code == "template_text"
    assert not (library / "elin.yaml").exists()


def test_the_template_itself_checks_and_every_text_is_bilingual(tmp_path, v):
    folder = tmp_path / "t"
    folder.mkdir()
    shutil.copy(TEMPLATE_PATH, folder / "new-case.yaml")
    good, errors = check_paths([folder], variables=v)
    assert errors == [] and len(good) == 1


def test_new_case_refuses_bad_ids_names_and_existing_files(workspace):
    with pytest.raises(AuthoringError) as exc:
        new_case(workspace, "Elin Berg", "Elin")
    assert exc.value.code == "bad_id"
    for name in ("  ", "x" * 41, "Elin\x00"):
        with pytest.raises(AuthoringError) as exc:
            new_case(workspace, "elin", name)
        assert exc.value.code == "bad_name"
    draft(workspace, "my own text", name="elin.yml")
    with pytest.raises(AuthoringError) as exc:
        new_case(workspace, "elin", "Elin")
    assert exc.value.code == "draft_exists"
    assert (workspace / "elin.yml").read_text() == "my own text"


def test_a_workspace_template_is_used_when_it_has_one(workspace):
    (workspace / "templates").mkdir()
    (workspace / "templates" / "case.yaml").write_text(
        TEMPLATE_PATH.read_text(encoding="utf-8").replace("Konstruerat för Samsyn av …", "Konstruerat i Exempelstad"),
        encoding="utf-8")
    text = new_case(workspace, "elin", "Elin").read_text(encoding="utf-8")
    assert "Konstruerat i Exempelstad" in text
    assert [p.name for p in drafts(workspace)] == ["elin.yaml"]  # the template is not a draft


# -- publishing -------------------------------------------------------------------------------
def test_publish_puts_a_checked_case_in_the_library_and_the_server_sees_it(workspace, library, v):
    before = load_library(library)
    assert "elin" not in before.cases
    done = publish(draft(workspace, example()), library, v, folder=workspace)
    assert done.target == library / "elin.yaml" and not done.replaced
    assert (library / "elin.yaml").read_bytes() == (workspace / "elin.yaml").read_bytes()
    assert sorted(p.name for p in library.iterdir()) == ["assi.yaml", "elin.yaml", "max.yaml"]  # no staging left
    # a page whose kernel loaded the library before publishing refreshes it after the request
    after = refreshed(before)
    assert "elin" in after.cases and after is not before
    assert refreshed(after) is after  # nothing changed since: no re-read


def test_a_failing_case_is_never_published_and_the_library_keeps_serving(workspace, library, v):
    path = draft(workspace, example().replace("      grandmother: {extent: 1, function: 1}", "      grandmothr: {extent: 1, function: 1}"))
    with pytest.raises(AuthoringError) as exc:
        publish(path, library, v, folder=workspace)
    assert exc.value.code == "not_valid" and exc.value.params == {"count": 1}
    assert sorted(p.name for p in library.iterdir()) == ["assi.yaml", "max.yaml"]
    assert set(load_library(library, use_cache=False).cases) == {"assi", "max"}


def test_publishing_over_a_library_case_needs_replace_and_keeps_the_old_one(workspace, library, v):
    text = (LIBRARY_DIR / "max.yaml").read_text(encoding="utf-8")
    path = draft(workspace, text.replace('title: {sv: "Max, 4 år"', 'title: {sv: "Max, fyra år"'), name="max.yaml")
    assert path.read_text(encoding="utf-8") != text
    with pytest.raises(AuthoringError) as exc:
        publish(path, library, v, folder=workspace)
    assert exc.value.code == "in_library"
    assert (library / "max.yaml").read_text(encoding="utf-8") == text
    done = publish(path, library, v, folder=workspace, replace=True)
    assert done.replaced and done.backup == library / ".max.yaml.previous"
    assert done.backup.read_text(encoding="utf-8") == text
    assert load_library(library).get("max").title.sv == "Max, fyra år"
    assert publish(path, library, v, folder=workspace).unchanged  # the same bytes again: nothing to do


def test_publish_refuses_an_id_held_by_another_file_and_a_missing_library(workspace, library, v, tmp_path):
    (library / "elin.yml").write_text(example(), encoding="utf-8")
    with pytest.raises(AuthoringError) as exc:
        publish(draft(workspace, example()), library, v, folder=workspace)
    assert exc.value.code == "conflict" and exc.value.params == {"file": "elin.yml"}
    with pytest.raises(AuthoringError) as exc:
        publish(workspace / "elin.yaml", tmp_path / "no-such-folder", v, folder=workspace)
    assert exc.value.code == "no_library"


def test_publish_undoes_a_case_the_library_would_not_serve(workspace, library, v, monkeypatch, tmp_path):
    """The author's variables allow an option the server's do not: the library would leave the case out."""
    local = tmp_path / "local.yaml"
    local.write_text("schema_version: 1\nintervention:\n  outpatient:\n    add:\n"
                     "      - {id: familjebehandling, sv: Familjebehandling, en: Family therapy}\n", encoding="utf-8")
    authors = load_variables(local=local)
    path = draft(workspace, example().replace("interventions: [annan_oppenvard]", "interventions: [familjebehandling]"))
    with pytest.raises(AuthoringError) as exc:
        publish(path, library, authors, folder=workspace)
    assert exc.value.code == "not_served" and "familjebehandling" in exc.value.params["problems"]
    assert sorted(p.name for p in library.iterdir()) == ["assi.yaml", "max.yaml"]


def test_a_case_name_any_author_may_write_survives_the_workshop_export(workspace, v):
    """Everything from a case file is data wherever it is exported: a name with characters a
    spreadsheet's sheet title may not hold, or that starts like a formula."""
    import io

    from openpyxl import load_workbook

    from cases import Library
    from feedback.report import render_excel

    data = yaml.safe_load(example())
    data["name"] = "=Elin/[Ella]*?"
    path = draft(workspace, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    case = check_draft(path, v, workspace).case
    assert case is not None and case.name == "=Elin/[Ella]*?"
    rows = [{"pseudonym": "=cmd|' /C calc'!A0", "round": 1, "risk": "hog"}]
    book = load_workbook(io.BytesIO(render_excel({"elin": rows}, Library(variables=v, cases={"elin": case}), "sv")))
    assert book.sheetnames == ["=Elin--Ella---"]
    assert book.active["A2"].value == "'=cmd|' /C calc'!A0"  # a formula stays text
