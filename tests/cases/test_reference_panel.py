"""The Webbkollen reference panel, figure by figure, against the report.

The expected numbers are written out here on purpose (not read from the YAML)
so that a typo in ``cases/reference_panel.yaml`` fails a test. Source: SKL
(2018) *Webbkollen Barn och unga – ett utvecklingsprojekt om uppföljning inom
den sociala barn- och ungdomsvården*, the two agreement tests on pp. 14–20
(seed 004); each test names the page its figures are on.
"""

from __future__ import annotations

import pytest
import yaml

from cases import CaseFileError
from cases.loader import DEFAULT_PANEL_PATH
from cases.panel import load_panels

RISK_IDS = ("ingen_lag", "nagot_forhojd", "hog", "mycket_hog", "inte_kant")


@pytest.fixture(scope="module")
def panels(variables):
    return load_panels(DEFAULT_PANEL_PATH, variables)


def risk(panel, variables) -> dict[str, int]:
    return panel.risk_counts(variables)


def test_panel_has_the_four_cases_and_no_others(panels):
    assert [p.case for p in panels.panels] == ["assi", "max", "jamila", "tobias"]
    assert panels.for_case("mohammad") is None  # too few answers (4) to report (p. 16)


def test_source_names_the_report_and_its_pages(panels):
    title = "Webbkollen Barn och unga – ett utvecklingsprojekt om uppföljning inom den sociala barn- och ungdomsvården"
    assert title in panels.source.sv and title in panels.source.en
    assert "s. 14–20" in panels.source.sv and "pp. 14–20" in panels.source.en
    header = DEFAULT_PANEL_PATH.read_text(encoding="utf-8")
    assert title in header and "pp. 14–20" in header
    assert "erfarenheter av systematisk" not in header  # the title once cited here was not the report's


def test_assi(panels, variables):
    """p. 15: 12 registrations, mycket hög 10 (83 %), hög 2."""
    p = panels.for_case("assi")
    assert (p.test, p.year, p.n) == (1, 2016, 12)
    assert risk(p, variables) == {"ingen_lag": 0, "nagot_forhojd": 0, "hog": 2, "mycket_hog": 10, "inte_kant": 0}
    # test 1 recorded only the risk rating
    assert p.exposure is None and p.interventions is None and p.focus is None


def test_max(panels, variables):
    """p. 16: 7 registrations, något förhöjd 1, hög 2, mycket hög 4."""
    p = panels.for_case("max")
    assert (p.test, p.year, p.n) == (1, 2016, 7)
    assert risk(p, variables) == {"ingen_lag": 0, "nagot_forhojd": 1, "hog": 2, "mycket_hog": 4, "inte_kant": 0}
    assert p.exposure is None and p.interventions is None and p.focus is None


def test_jamila(panels, variables):
    """p. 17: exposure and risk; p. 18: intervention and focus."""
    p = panels.for_case("jamila")
    assert (p.test, p.year, p.n) == (2, 2017, 16)
    assert risk(p, variables) == {"ingen_lag": 2, "nagot_forhojd": 11, "hog": 2, "mycket_hog": 0, "inte_kant": 1}

    home = p.exposure.home
    assert home.counts == {
        "fysiskt_vald": 13, "brister_i_omsorg": 6, "psykiskt_vald": 1, "bevittnat_vald": 1,
        "annat": 2, "ingen_utsatthet": 1,
    }
    assert home.combined == [] and home.range == []
    assert p.exposure.guardian.counts == {"inga_svarigheter": 10, "annat": 3, "information_saknas": 3}
    assert p.exposure.child.counts == {"annat": 8, "skolrelaterad": 1, "ingen_svarighet": 7}

    assert p.interventions.groups == {"outpatient": 13}
    assert p.interventions.counts == {
        "annan_oppenvard": 11, "kontaktfamilj": 2, "strukturerat_program": 4,
        "kontaktperson": 1, "behovsprovat_stod": 1,
    }

    assert p.focus.counts == {"kanslor_och_beteende": 11, "stimulans_och_vagledning": 12}
    assert len(p.focus.range) == 1
    other = p.focus.range[0]
    assert (other.low, other.high) == (7, 9)
    # "other areas" are exactly every BBIC area except the two counted ones
    assert sorted(other.options) == sorted(set(variables.bbic_area_ids) - {"kanslor_och_beteende", "stimulans_och_vagledning"})


def test_tobias(panels, variables):
    """p. 19: exposure and risk; p. 20: intervention (focus is not counted)."""
    p = panels.for_case("tobias")
    assert (p.test, p.year, p.n) == (2, 2017, 15)
    assert risk(p, variables) == {"ingen_lag": 0, "nagot_forhojd": 2, "hog": 5, "mycket_hog": 8, "inte_kant": 0}

    home = p.exposure.home
    assert home.counts == {"tidigare_vald": 4, "psykiskt_vald": 1, "familjekonflikter": 1}
    assert [(sorted(c.options), c.count) for c in home.combined] == [(["annat", "brister_i_omsorg"], 12)]
    # 14 of 15 risk-/missbruk, "medan en angav annat skäl" (p. 19)
    assert p.exposure.guardian.counts == {"missbruk": 14, "annat": 1}
    assert p.exposure.child.counts == {
        "missbruk": 15, "skolrelaterad": 12, "psykisk_ohalsa": 8, "normbrytande": 5, "annat": 2,
    }

    # three out of home, fifteen outpatient (p. 20): some chose both, so 3 + 15 > n
    assert p.interventions.groups == {"outpatient": 15, "out_of_home": 3}
    assert p.interventions.counts == {
        "familjehem": 1, "hvb": 1, "sarskilt_ungdomshem": 1,
        "kontaktperson": 4, "kvalificerad_kontaktperson": 6, "strukturerat_program": 12,
        "behovsprovat_stod": 5, "annan_oppenvard": 3,
    }
    # the out-of-home group total is the sum of its three options
    out_of_home = variables.group("intervention", "out_of_home").option_ids
    assert sum(p.interventions.counts[o] for o in out_of_home) == p.interventions.groups["out_of_home"]
    assert p.focus is None


def test_every_intervention_group_total_is_published(panels, variables):
    """Both tests of 2017 report how many chose outpatient care; none may be left out again."""
    for case_id in ("jamila", "tobias"):
        p = panels.for_case(case_id)
        chosen_groups = {g.id for g in variables.intervention.groups
                         if any(p.interventions.counts.get(o, 0) for o in g.option_ids)}
        assert chosen_groups <= set(p.interventions.groups), case_id


def test_risk_counts_sum_to_n(panels):
    for p in panels.panels:
        assert set(p.risk) <= set(RISK_IDS)
        assert sum(p.risk.values()) == p.n, p.case


def test_library_exposes_the_panel():
    from cases import load_library

    library = load_library()
    assert library.panels is not None
    assert library.panels.for_case("tobias").n == 15


# -- the validator ------------------------------------------------------------
@pytest.fixture
def panel_data() -> dict:
    return yaml.safe_load(DEFAULT_PANEL_PATH.read_text(encoding="utf-8"))


def write_panel(tmp_path, data):
    path = tmp_path / "reference_panel.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def index_of(data, case_id):
    return next(i for i, p in enumerate(data["panels"]) if p["case"] == case_id)


def test_unmodified_copy_loads(tmp_path, panel_data, variables):
    assert len(load_panels(write_panel(tmp_path, panel_data), variables).panels) == 4


def test_rejects_risk_counts_that_do_not_sum_to_n(tmp_path, panel_data, variables):
    i = index_of(panel_data, "max")
    panel_data["panels"][i]["risk"]["hog"] = 3  # 1 + 3 + 4 = 8, n = 7
    path = write_panel(tmp_path, panel_data)
    with pytest.raises(CaseFileError) as info:
        load_panels(path, variables)
    [error] = info.value.errors
    assert error.file == str(path)
    assert error.field == f"panels[{i}]"
    assert "sum to 8" in error.problem and "n=7" in error.problem


def test_rejects_an_unknown_option_id(tmp_path, panel_data, variables):
    i = index_of(panel_data, "jamila")
    counts = panel_data["panels"][i]["exposure"]["home"]["counts"]
    counts["slag_i_hemmet"] = counts.pop("fysiskt_vald")
    path = write_panel(tmp_path, panel_data)
    with pytest.raises(CaseFileError) as info:
        load_panels(path, variables)
    [error] = info.value.errors
    assert error.field == f"panels[{i}].exposure.home"
    assert "slag_i_hemmet" in error.problem


def test_rejects_an_unknown_risk_answer(tmp_path, panel_data, variables):
    i = index_of(panel_data, "assi")
    panel_data["panels"][i]["risk"] = {"mycket_hog": 10, "high": 2}
    with pytest.raises(CaseFileError) as info:
        load_panels(write_panel(tmp_path, panel_data), variables)
    assert "'high'" in str(info.value)


def test_rejects_a_group_total_below_one_of_its_options(tmp_path, panel_data, variables):
    i = index_of(panel_data, "tobias")
    panel_data["panels"][i]["interventions"]["groups"]["outpatient"] = 10  # strukturerat_program alone is 12
    path = write_panel(tmp_path, panel_data)
    with pytest.raises(CaseFileError) as info:
        load_panels(path, variables)
    [error] = info.value.errors
    assert error.file == str(path)
    assert error.field == f"panels[{i}].interventions.groups.outpatient"
    assert "fewer than the 12" in error.problem and "strukturerat_program" in error.problem


def test_rejects_a_group_total_above_its_options_together(tmp_path, panel_data, variables):
    i = index_of(panel_data, "tobias")
    panel_data["panels"][i]["interventions"]["groups"]["out_of_home"] = 4  # 1 + 1 + 1 = 3
    with pytest.raises(CaseFileError) as info:
        load_panels(write_panel(tmp_path, panel_data), variables)
    [error] = info.value.errors
    assert error.field == f"panels[{i}].interventions.groups.out_of_home"
    assert "more than the 3" in error.problem


def test_rejects_a_count_larger_than_n(tmp_path, panel_data, variables):
    i = index_of(panel_data, "tobias")
    panel_data["panels"][i]["interventions"]["counts"]["hvb"] = 16
    with pytest.raises(CaseFileError) as info:
        load_panels(write_panel(tmp_path, panel_data), variables)
    [error] = info.value.errors
    assert error.field == f"panels[{i}].interventions.hvb"
    assert "outside 0..15" in error.problem
