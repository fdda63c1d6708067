"""Demo data written to a real database and read back with the dashboard's one query,
on SQLite and on PostgreSQL."""

import itertools
from datetime import date

import pytest

from cases import load_library
from insight import load_answers, load_export_rows, prepare
from insight.demo import write
from store import Store, validate_answer
from store.db import dispose_all

_counter = itertools.count()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'insight.sqlite3'}"
    else:
        yield request.getfixturevalue("postgres").create_database(f"samsyn_insight_{next(_counter)}")
    dispose_all()


def test_demo_written_and_read_back_with_one_query(url):
    library = load_library()
    data = write(url, library, answers=1500, teams=6, seed=3, end=date(2026, 11, 23))
    raw = load_answers(url)
    assert len(raw) == 1500
    assert sorted(raw["answer_id"]) == sorted(data.answers["id"])
    teams = data.participants.set_index("id")["team"]
    assert (raw["team"] == raw["participant_id"].map(teams)).all()
    exposures = data.selections[data.selections["option_id"] != "ingen_utsatthet"].groupby("answer_id").size()
    assert (raw["n_exposures"] == raw["answer_id"].map(exposures).fillna(0).astype(int)).all()
    df = prepare(raw, library)
    assert df["tertial"].str.fullmatch(r"20\d\d T[123]").all()
    rows = load_export_rows(url)
    assert len(rows) == 1500 and rows["participant"].str.fullmatch(r"P\d{5}").all()
    assert "pseudonym" not in rows.columns and "motivation" not in rows.columns
    first = rows.iloc[0]
    assert first["exposures"] is None or all(part.startswith("exposure.") for part in first["exposures"].split(";"))
    # a second run adds to what is there
    write(url, library, answers=100, teams=2, seed=4, end=date(2026, 11, 23))
    assert len(load_answers(url)) == 1600


def test_answers_given_in_the_app_are_counted_too(url):
    library = load_library()
    store = Store(url)
    p = store.create_participant("Falk", self_paced=True, team="Enhet Norr", experience="<1 år")
    case = library.get("jamila")
    answer = validate_answer({"case_id": "jamila", "risk": "hog",
                              "selections": {"exposure.home": ["fysiskt_vald", "brister_i_omsorg"],
                                             "exposure.guardian": ["inga_svarigheter"],
                                             "exposure.child": ["annat"]}}, case, library.variables)
    store.submit_answer(p.id, answer)
    raw = load_answers(url)
    assert raw.loc[0, "team"] == "Enhet Norr" and raw.loc[0, "experience"] == "<1 år"
    assert raw.loc[0, "n_exposures"] == 3  # "inga svårigheter" is not an exposure
