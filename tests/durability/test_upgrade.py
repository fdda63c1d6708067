"""An upgrade migrates an existing database without loss.

A database is created at the first schema (``0001_initial``) with rows in every
table, then upgraded one revision at a time through every revision in
``store/migrations/versions`` to the head. After each step every original row
must still be there with the same values in every column that existed at the
first schema. When a new revision lands, this test runs it on real data; if a
revision drops or renames a column on purpose, list it in ``DROPPED_ON_PURPOSE``
with the reason.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, select

from store import Store
from store.db import alembic_config, current_revision, dispose_all, engine_for
from store.migrations import HEAD
from store.repository import hash_secret

FIRST = "0001_initial"
#: (table, column) -> why a later revision removes it. Empty: nothing may be lost.
DROPPED_ON_PURPOSE: dict[tuple[str, str], str] = {}
_counter = itertools.count()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"samsyn_upgrade_{next(_counter)}")
    yield url
    dispose_all()


def revisions_in_order() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    ordered = [rev.revision for rev in script.walk_revisions(base="base", head="heads")]
    return list(reversed(ordered))


def upgrade(url: str, revision: str) -> None:
    engine = engine_for(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


WHEN = datetime(2026, 3, 14, 9, 30, tzinfo=timezone.utc)
ROWS = {
    "workshops": [dict(id=1, name="Kalibrering <b>vår</b> 'Nord'", join_code="K7XQ2M", facilitator_secret_hash=hash_secret("hemligt"),
                       language="sv", min_group_size=5, current_round=2, created_at=WHEN)],
    "workshop_cases": [dict(workshop_id=1, case_id="assi", position=0, revealed_round=1),
                       dict(workshop_id=1, case_id="max", position=1, revealed_round=0)],
    "participants": [
        dict(id=1, pseudonym="Björk", workshop_id=1, personal_code=None, hub_user=None, team="Team Nord",
             experience="0-2", language="sv", created_at=WHEN),
        dict(id=2, pseudonym="Självgående", workshop_id=None, personal_code="ABCD-EFGH", hub_user=None, team=None,
             experience=None, language="en", created_at=WHEN),
        dict(id=3, pseudonym="anna", workshop_id=None, personal_code=None, hub_user="anna", team=None,
             experience=None, language="sv", created_at=WHEN),
    ],
    "answers": [
        dict(id=1, participant_id=1, case_id="assi", round=1, workshop_id=1, risk="mycket_hog", risk_missing_info=None,
             safety_scale=2, motivation="Omfattande eget riskbeteende.", language="sv", submitted_at=WHEN),
        dict(id=2, participant_id=2, case_id="max", round=1, workshop_id=None, risk="inte_kant",
             risk_missing_info="Hur ofta Max får mat", safety_scale=None, motivation="Vet för lite.", language="en",
             submitted_at=WHEN),
    ],
    "answer_selections": [
        dict(answer_id=1, variable="exposure.child", option_id="missbruk"),
        dict(answer_id=1, variable="intervention", option_id="strukturerat_program"),
        dict(answer_id=2, variable="focus", option_id="grundlaggande_omsorg"),
    ],
    "answer_factors": [
        dict(id=1, answer_id=1, position=0, kind="risk", factor_id="substance-use", own_text=None, severity=4, extent=3,
             function=None),
        dict(id=2, answer_id=1, position=1, kind="protective", factor_id="own:1", own_text="Kärleksfulla föräldrar",
             severity=None, extent=3, function=1),
    ],
    "answer_goals": [dict(id=1, answer_id=1, position=0, goal="Assi går i skolan", baseline="38 % närvaro",
                          change="80 % närvaro", timeframe="3 månader")],
    "drafts": [dict(participant_id=2, case_id="assi", round=1, payload={"step": 2, "risk": "hog", "motivation": "halv"},
                    updated_at=WHEN)],
    "reflections": [dict(id=1, answer_id=1, prompt_id="relative_assessment", text="Jag vägde skolan för lätt.",
                         created_at=WHEN)],
}


def snapshot(url: str) -> dict[str, dict[tuple, dict]]:
    engine = engine_for(url)
    meta = MetaData()
    meta.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for name in ROWS:
            table = meta.tables[name]
            pk = [c.name for c in table.primary_key.columns]
            out[name] = {tuple(row[c] for c in pk): dict(row) for row in conn.execute(select(table)).mappings()}
    return out


def test_every_revision_upgrades_the_first_schema_without_loss(empty_url):
    revisions = revisions_in_order()
    assert revisions[0] == FIRST and revisions[-1] == HEAD

    upgrade(empty_url, FIRST)
    engine = engine_for(empty_url)
    meta = MetaData()
    meta.reflect(engine)
    assert set(ROWS) == set(meta.tables) - {"alembic_version"}, "a table of the first schema has no test rows"
    with engine.begin() as conn:
        for name, rows in ROWS.items():  # parents first: the dict is in dependency order
            conn.execute(meta.tables[name].insert(), rows)
    before = snapshot(empty_url)
    assert all(before[name] for name in ROWS)

    for revision in revisions[1:]:
        upgrade(empty_url, revision)
        assert current_revision(engine_for(empty_url)) == revision
        after = snapshot(empty_url)
        columns = {name: {c["name"] for c in inspect(engine_for(empty_url)).get_columns(name)} for name in ROWS}
        for name, rows in before.items():
            for key, old in rows.items():
                assert key in after[name], f"{revision}: row {key} of {name} is gone"
                new = after[name][key]
                for column, value in old.items():
                    if (name, column) in DROPPED_ON_PURPOSE:
                        continue
                    assert column in columns[name], f"{revision}: column {name}.{column} is gone"
                    assert new[column] == value, f"{revision}: {name}.{column} of {key} changed"

    # At the head, the app reads the old data through its own operations.
    dispose_all()
    store = Store(empty_url)
    assert current_revision(engine_for(empty_url)) == HEAD
    returning = store.participant_by_code("abcd efgh")
    assert returning is not None and returning.pseudonym == "Självgående"
    assert store.participant_by_hub_user("anna").id == 3
    assert store.load_draft(2, "assi") == {"step": 2, "risk": "hog", "motivation": "halv"}
    assi = store.answer_for(1, "assi")
    assert {(s.variable, s.option_id) for s in assi.selections} == {
        ("exposure.child", "missbruk"), ("intervention", "strukturerat_program")}
    assert [f.own_text for f in assi.factors] == [None, "Kärleksfulla föräldrar"]
    assert [r.text for r in assi.reflections] == ["Jag vägde skolan för lätt."]
    assert store.answer_for(2, "max").risk_missing_info == "Hur ofta Max får mat"
    assert store.facilitator_allowed(1, "hemligt") and not store.facilitator_allowed(1, "fel")
    assert store.count_answers() == 2


def test_upgrading_a_current_database_changes_nothing(empty_url):
    store = Store(empty_url)
    p = store.create_participant("Ek", self_paced=True)
    store.save_draft(p.id, "assi", {"step": 1})
    before = snapshot(empty_url)
    upgrade(empty_url, "head")
    assert snapshot(empty_url) == before
