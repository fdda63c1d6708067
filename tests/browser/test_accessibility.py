"""WCAG 2.1 AA in the browser: axe-core on every page and state a trainee and a mentor reach,
and keyboard-only walks of the trainee flow and of a mentor's reveal.

The manager view's states are checked in test_manager.py (it has the demo database).
``a11y.assert_accessible`` fails with every violation axe finds (rule, impact, nodes).
"""

from __future__ import annotations

import re

import a11y  # tests/browser/a11y.py
import flow  # tests/browser/flow.py
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

JAMILA = dict(home=["fysiskt_vald"], guardian=["inga_svarigheter"], child=["annat"])
MOTIVATION = {"sv": "Upprepat fysiskt våld väger tyngre än föräldrarnas vilja till stöd.",
              "en": "Repeated physical violence outweighs the parents' wish for support."}


def assert_page(page: Page, label: str, lang: str) -> None:
    """axe finds nothing; the document says its language and has a title of its own."""
    a11y.assert_accessible(page, label)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    title = page.title()
    assert "Samsyn" in title and not re.fullmatch(r"(start|case|mentor|manager)", title), (label, title)


def seed_answers(database_url: str, case_id: str, n: int, risks: list[str], *, workshop_code: str | None = None,
                 round: int = 1, participants: list | None = None) -> list:
    """Other trainees' answers, stored as the page would store them (a group to compare with)."""
    from cases import load_library
    from store import Store, validate_answer
    from store.db import dispose_all

    library = load_library()
    store = Store(database_url)
    out = participants or []
    for i in range(n):
        if participants is None:
            p = (store.join_workshop(workshop_code, f"Kollega {i + 1}") if workshop_code
                 else store.create_participant(f"Kollega {case_id} {i + 1}", self_paced=True))
            out.append(p)
        p = out[i]
        answer = validate_answer({"case_id": case_id, "risk": risks[i % len(risks)], "round": round,
                                  "motivation": "Upprepat våld och föräldrar som tar emot stöd.",
                                  "selections": {"exposure.home": ["fysiskt_vald"]},
                                  "goals": [{"goal": "Inget våld hemma", "baseline": "Slag varje månad"}]},
                                 library.get(case_id), library.variables)
        store.submit_answer(p.id, answer, workshop_id=p.workshop_id)
    dispose_all()
    return out


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_trainee_state_is_accessible(voila, page, lang):
    if lang == "en":  # a group large enough to be shown in the feedback: the group chart too
        seed_answers(voila.database_url, "jamila", 5, ["nagot_forhojd", "hog", "nagot_forhojd"])
    page.goto(voila.page("start.ipynb", lang=lang))
    expect(page.locator(".samsyn-case-card").first).to_be_visible()
    assert_page(page, "start page, signed out", lang)
    page.locator(".samsyn-start-button").click()  # no pseudonym: an alert
    expect(page.locator(".samsyn-identity-status [role=alert]")).to_be_visible()
    assert_page(page, "start page, sign-in error", lang)
    page.locator(".samsyn-pseudonym input").fill(f"Tillgänglig {lang}")
    page.locator(".samsyn-start-button").click()
    expect(page.locator(".samsyn-personal-code")).to_be_visible()
    assert_page(page, "start page, code shown", lang)
    page.locator(".samsyn-continue-link").click()
    expect(page.locator(".samsyn-signed-in")).to_be_visible()
    assert_page(page, "start page, signed in", lang)

    page.locator('.samsyn-case-card[data-case="jamila"] a').click()
    expect(page.locator(".samsyn-form")).to_be_visible()
    assert_page(page, "case page, step 1", lang)
    page.locator(".samsyn-next").click()  # nothing chosen: the step's problems
    expect(page.locator(".samsyn-step-error [role=alert]")).to_be_visible()
    assert_page(page, "case page, step 1 with errors", lang)
    flow.step_exposure(page, **JAMILA)
    flow.next_step(page, 2)
    assert_page(page, "case page, step 2 (factor grid)", lang)
    # what ipywidgets cannot say, the page's script does: named groups, each weight named with its factor
    legend = page.locator(".samsyn-factors-risk .samsyn-legend").inner_text()
    expect(page.get_by_role("group", name=legend, exact=True)).to_be_visible()
    row = page.locator(".samsyn-factors-risk .samsyn-factor-row").first
    factor = row.locator(".samsyn-factor").inner_text().strip()
    scale = row.locator(".widget-dropdown label").first.inner_text().strip()
    expect(page.get_by_role("combobox", name=f"{scale} {factor}", exact=True)).to_have_count(1)
    fid = next(c for c in page.locator(".samsyn-factors-risk .samsyn-factor").first.get_attribute("class").split()
               if c.startswith("samsyn-factor-risk-"))[len("samsyn-factor-risk-"):]
    flow.step_factors(page, {fid: (3, 2)}, {})
    flow.next_step(page, 3)
    page.locator(".samsyn-risk input[type=radio]").nth(flow.RISK_INDEX["inte_kant"]).check()
    expect(page.locator(".samsyn-missing-info textarea")).to_be_visible()
    assert_page(page, "case page, step 3 with 'not known'", lang)
    flow.step_risk(page, "hog", 4)
    expect(page.locator(".samsyn-draft-saved")).to_be_visible()
    expect(page.locator('.samsyn-safety button[value="4"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator('.samsyn-safety button[value="5"]')).to_have_attribute("aria-pressed", "false")
    assert_page(page, "case page, step 3 (rating, draft saved)", lang)
    flow.next_step(page, 4)
    assert_page(page, "case page, step 4 (mapping)", lang)
    flow.step_mapping(page, steps="Socialsekreteraren ringer mormor på måndag.")
    assert_page(page, "case page, step 4 (mapping filled)", lang)
    flow.next_step(page, 5)
    assert_page(page, "case page, step 5", lang)
    flow.step_intervention(page, ["annan_oppenvard"], ["stimulans_och_vagledning"])
    flow.next_step(page, 6)
    assert_page(page, "case page, step 6", lang)
    flow.step_goals(page, "Inga slag hemma", "Slag ungefär en gång i månaden")
    flow.next_step(page, 7)
    expect(page.locator(".samsyn-submit")).to_be_visible()
    assert_page(page, "case page, step 7", lang)
    flow.step_motivation(page, MOTIVATION[lang])
    page.locator(".samsyn-submit").click()
    expect(page.locator(".samsyn-feedback")).to_be_visible()
    if lang == "en":
        expect(page.locator(".samsyn-group-chart svg")).to_be_visible()
    assert_page(page, "feedback", lang)
    page.locator(".samsyn-save-reflection").click()  # nothing written: an alert
    expect(page.locator(".samsyn-reflection-status [role=alert]")).to_be_visible()
    page.locator(".samsyn-prompt-box textarea").first.fill("Jag vägde våldet rätt.")
    page.locator(".samsyn-save-reflection").click()
    expect(page.locator(".samsyn-reflection-status [role=status]")).to_be_visible()
    assert_page(page, "feedback, reflection saved", lang)

    code = re.search(r"code=([A-Z0-9-]+)", page.url).group(1)
    page.goto(voila.page("start.ipynb", lang=lang, code=code))
    expect(page.locator(".samsyn-progress-view")).to_be_visible()
    assert_page(page, "start page, my progress", lang)
    assert page.js_errors == []


def test_case_page_without_a_case_and_the_guard_pages(voila, page):
    page.goto(voila.page("case.ipynb", case="nobody", lang="en"))
    expect(page.locator(".samsyn-case-missing")).to_be_visible()
    assert_page(page, "case page, unknown case", "en")
    # a static page of the server (no kernel): too many query parameters
    page.goto(voila.page("start.ipynb", **{f"p{i}": "x" for i in range(25)}))
    expect(page.locator("h1")).to_be_visible()
    violations = a11y.run_axe(page)
    assert not violations, a11y.format_violations(violations, "guard page: too many parameters")


def test_every_mentor_state_is_accessible(voila, browser, tmp_path):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    mentor = ctx.new_page()
    mentor.set_default_timeout(120_000)
    mentor.goto(voila.page("mentor.ipynb", lang="sv"))
    expect(mentor.locator(".samsyn-create-workshop")).to_be_visible()
    assert_page(mentor, "mentor, create", "sv")
    mentor.locator(".samsyn-create-workshop").click()  # no name, no case: the problems
    expect(mentor.locator(".samsyn-create-status [role=alert]")).to_be_visible()
    assert_page(mentor, "mentor, create with errors", "sv")
    mentor.locator(".samsyn-workshop-name input").fill("Tillgänglighet")
    mentor.locator(".samsyn-workshop-case-jamila input").check()
    mentor.locator(".samsyn-create-workshop").click()
    join_code = mentor.locator(".samsyn-join-code").inner_text()
    assert_page(mentor, "mentor, created", "sv")
    mentor.goto(mentor.locator(".samsyn-facilitator-link").evaluate("a => a.href"))
    expect(mentor.locator(".samsyn-facilitator h1")).to_have_text("Tillgänglighet")
    assert_page(mentor, "facilitator, nobody yet", "sv")

    people = seed_answers(voila.database_url, "jamila", 5, ["nagot_forhojd", "hog"], workshop_code=join_code)
    expect(mentor.locator('.samsyn-answer-count[data-case="jamila"]')).to_have_attribute("data-n", "5")
    assert_page(mentor, "facilitator, live counts", "sv")

    # a participant waits, blind
    trainee = ctx.new_page()
    trainee.set_default_timeout(120_000)
    trainee.goto(voila.page("case.ipynb", case="jamila", lang="sv", code=people[0].personal_code))
    expect(trainee.locator(".samsyn-waiting")).to_be_visible()
    assert_page(trainee, "participant, waiting for the reveal", "sv")

    mentor.locator(".samsyn-workshop-case-jamila .samsyn-guide-details summary").click()
    expect(mentor.locator(".samsyn-guide")).to_be_visible()
    mentor.locator(".samsyn-reveal-jamila").click()
    expect(mentor.locator(".samsyn-reveal-panel-jamila .samsyn-reveal-chart svg")).to_be_visible()
    assert_page(mentor, "facilitator, revealed, guide open", "sv")

    trainee.locator(".samsyn-check-reveal").click()
    expect(trainee.locator(".samsyn-group-chart svg")).to_be_visible()
    assert_page(trainee, "participant, the group's result", "sv")

    mentor.locator(".samsyn-next-round").click()
    expect(mentor.locator(".samsyn-current-round")).to_contain_text("2")
    seed_answers(voila.database_url, "jamila", 5, ["nagot_forhojd"], round=2, participants=people)
    expect(mentor.locator('.samsyn-convergence-row[data-case="jamila"]')).to_be_visible()
    assert_page(mentor, "facilitator, second round and convergence", "sv")
    mentor.locator(".samsyn-prepare-record").click()
    expect(mentor.locator(".samsyn-download-html")).to_be_visible()
    assert_page(mentor, "facilitator, record ready", "sv")
    with mentor.expect_download() as download:
        mentor.locator(".samsyn-download-html").click()
    record = tmp_path / "record.html"
    download.value.save_as(record)
    mentor.goto(record.as_uri())
    expect(mentor.locator("h1")).to_be_visible()
    violations = a11y.run_axe(mentor)
    assert not violations, a11y.format_violations(violations, "workshop record (HTML)")
    expect(mentor.locator("html")).to_have_attribute("lang", "sv")

    mentor.goto(voila.page("mentor.ipynb", workshop="1", secret="not-the-secret", lang="en"))
    expect(mentor.locator(".samsyn-refused")).to_be_visible()
    assert_page(mentor, "facilitator, refused", "en")
    ctx.close()


# -- keyboard only ------------------------------------------------------------------------------
def in_(cls: str) -> str:
    """A predicate for a11y.tab_to: the focused element is (inside) an element with class ``cls``."""
    return f"el => !!el.closest('.{cls}')"


def press(page: Page, key: str) -> None:
    page.keyboard.press(key)
    a11y.assert_focus_visible(page, f"after {key}")


def test_keyboard_only_trainee_flow(voila, page):
    """Sign in, answer every step, submit, read the feedback, save a reflection: Tab, Space, Enter,
    arrows and typing only. Every element the focus passes shows a focus ring, the order follows
    the page, and the focus never sticks."""
    page.goto(voila.page("start.ipynb", lang="sv"))
    expect(page.locator(".samsyn-case-card").first).to_be_visible()
    a11y.tab_to(page, in_("samsyn-pseudonym"))
    page.keyboard.type("Tangentbord")
    a11y.tab_to(page, in_("samsyn-start-button"))
    press(page, "Enter")
    expect(page.locator(".samsyn-personal-code")).to_be_visible()
    a11y.tab_to(page, in_("samsyn-continue-link"))
    page.keyboard.press("Enter")
    expect(page.locator(".samsyn-signed-in")).to_be_visible()
    a11y.tab_to(page, "el => el.matches('a.samsyn-case-link[data-case=jamila]')")
    page.keyboard.press("Enter")
    expect(page.locator(".samsyn-form")).to_be_visible()

    # 1. exposure: Space ticks a box
    for group, options in JAMILA.items():
        for option in options:
            a11y.tab_to(page, in_(f"samsyn-opt-exposure-{group}-{option}"))
            press(page, "Space")
            expect(page.locator(f".samsyn-opt-exposure-{group}-{option} input")).to_be_checked()
    a11y.tab_to(page, in_("samsyn-next"))
    press(page, "Enter")
    expect(page.locator(".samsyn-progress-text")).to_contain_text("2")
    # 2. a factor and its two weights: arrows choose in a closed list
    cls = page.locator(".samsyn-factors-risk .samsyn-factor").first.get_attribute("class")
    fid = next(c for c in cls.split() if c.startswith("samsyn-factor-risk-"))[len("samsyn-factor-risk-"):]
    a11y.tab_to(page, in_(f"samsyn-factor-risk-{fid}"))
    press(page, "Space")
    for dim, steps in (("severity", 3), ("extent", 2)):
        a11y.tab_to(page, in_(f"samsyn-weight-risk-{fid}-{dim}"))
        for _ in range(steps):
            press(page, "ArrowDown")
        expect(page.locator(f".samsyn-weight-risk-{fid}-{dim} select")).not_to_have_value("—")
    a11y.tab_to(page, in_("samsyn-next"))
    press(page, "Enter")
    expect(page.locator(".samsyn-progress-text")).to_contain_text("3")
    # 3. the rating (radio group: arrows) and the safety scale (a button: Enter)
    a11y.tab_to(page, in_("samsyn-risk"))
    press(page, "Space")  # the first level
    for _ in range(2):
        press(page, "ArrowDown")  # … down to "hög risk"
    expect(page.locator(".samsyn-risk input[type=radio]").nth(flow.RISK_INDEX["hog"])).to_be_checked()
    a11y.tab_to(page, "el => el.matches('.samsyn-safety button[value=\"4\"]')")
    press(page, "Enter")
    expect(page.locator('.samsyn-safety button[value="4"]')).to_have_attribute("aria-pressed", "true")
    a11y.tab_to(page, in_("samsyn-next"))
    press(page, "Enter")
    expect(page.locator(".samsyn-progress-text")).to_contain_text("4")
    # 4. the mapping: own words in a column, the two statements, the two scaling questions
    for cls, text in (("samsyn-mapping-harm", "Slag hemma"),
                      ("samsyn-mapping-steps", "Socialsekreteraren ringer mormor på måndag."),
                      ("samsyn-mapping-danger", "Mormor är rädd att barnet blir slaget hemma på kvällen."),
                      ("samsyn-mapping-goal", "Mormor behöver se att ingen slår barnet hemma på kvällen, i ett halvår."),
                      ("samsyn-mapping-why-not-lower", "Mormor finns nära."),
                      ("samsyn-mapping-one-step-up", "Ett möte med nätverket.")):
        a11y.tab_to(page, in_(cls))
        page.keyboard.type(text)
    a11y.tab_to(page, in_("samsyn-next"))
    press(page, "Enter")
    expect(page.locator(".samsyn-progress-text")).to_contain_text("5")
    # 5. intervention and focus
    for cls in ("samsyn-opt-intervention-annan_oppenvard", "samsyn-opt-focus-stimulans_och_vagledning"):
        a11y.tab_to(page, in_(cls))
        press(page, "Space")
    a11y.tab_to(page, in_("samsyn-next"))
    press(page, "Enter")
    expect(page.locator(".samsyn-progress-text")).to_contain_text("6")
    # 6. a goal with its baseline
    a11y.tab_to(page, in_("samsyn-goal-1-goal"))
    page.keyboard.type("Inga slag hemma")
    a11y.tab_to(page, in_("samsyn-goal-1-baseline"))
    page.keyboard.type("Slag en gång i månaden")
    a11y.tab_to(page, in_("samsyn-next"))
    page.keyboard.press("Enter")
    expect(page.locator(".samsyn-progress-text")).to_contain_text("7")
    # 7. Next is gone on the last step: the focus has moved on to the motivation; then submit
    expect(page.locator(".samsyn-motivation textarea")).to_be_focused()
    a11y.assert_focus_visible(page, "in the motivation")
    page.keyboard.type(MOTIVATION["sv"])
    a11y.tab_to(page, in_("samsyn-submit"))
    press(page, "Enter")
    expect(page.locator(".samsyn-feedback")).to_be_visible()
    expect(page.locator(".samsyn-panel-chart svg")).to_be_visible()
    # the feedback: a reflection is written and saved
    if page.locator(".samsyn-weight-details summary").count():  # factors weighed unlike the key: a disclosure
        a11y.tab_to(page, "el => el.matches('.samsyn-weight-details summary')")
        press(page, "Enter")
        expect(page.locator(".samsyn-weight-details").first).to_have_attribute("open", "")
    a11y.tab_to(page, "el => !!el.closest('.samsyn-prompt-box') && el.tagName === 'TEXTAREA'")
    page.keyboard.type("Jag vägde våldet rätt.")
    a11y.tab_to(page, in_("samsyn-save-reflection"))
    press(page, "Enter")
    expect(page.locator(".samsyn-reflection-status")).to_contain_text("sparad")
    # no trap: the focus goes on past the last control and comes round to the top again
    a11y.tab_to(page, in_("samsyn-back-link"))
    assert page.js_errors == []


def test_keyboard_only_mentor_reveal(voila, page):
    """A mentor reveals a case, opens its guide and prepares the record with the keyboard."""
    from store import Store
    from store.db import dispose_all

    store = Store(voila.database_url)
    workshop, secret = store.create_workshop("Tangentbordet", ["jamila"], language="sv", min_group_size=5)
    dispose_all()
    seed_answers(voila.database_url, "jamila", 5, ["nagot_forhojd", "hog"], workshop_code=workshop.join_code)
    page.goto(voila.page("mentor.ipynb", workshop=str(workshop.id), secret=secret, lang="sv"))
    expect(page.locator('.samsyn-answer-count[data-case="jamila"]')).to_have_attribute("data-n", "5")
    a11y.tab_to(page, in_("samsyn-reveal-jamila"))
    press(page, "Enter")
    panel = page.locator(".samsyn-reveal-panel-jamila")
    expect(panel.locator(".samsyn-reveal-chart svg")).to_be_visible()
    expect(panel.locator('.samsyn-motivation-group[data-risk="hog"]')).to_be_visible()
    # the guide under the result: its header takes the focus, Enter opens it
    a11y.tab_to(page, "el => el.matches('.samsyn-workshop-case-jamila .samsyn-guide-details summary')")
    press(page, "Enter")
    expect(page.locator(".samsyn-guide")).to_be_visible()
    # on to the record: reachable, no trap on the way
    a11y.tab_to(page, in_("samsyn-prepare-record"))
    press(page, "Enter")
    expect(page.locator(".samsyn-download-html")).to_be_visible()
    a11y.tab_to(page, in_("samsyn-download-html"))
    assert page.js_errors == []
