"""Browser steps of the trainee flow, shared by the browser tests."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def sign_in(page: Page, url: str, pseudonym: str) -> str:
    """Open a case page without a code, pick a pseudonym, follow the link with the code."""
    page.goto(url)
    page.locator(".samsyn-pseudonym input").fill(pseudonym)
    page.locator(".samsyn-start-button").click()
    code = page.locator(".samsyn-personal-code").inner_text()
    page.locator(".samsyn-continue-link").click()
    expect(page.locator(".samsyn-form")).to_be_visible()
    return code


def labels_cut_off(page: Page) -> list[str]:
    """Text of every visible button whose label does not fit (ellipsis or clipped)."""
    return page.evaluate("""() => [...document.querySelectorAll('button')]
        .filter(b => b.offsetParent !== null && (b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1))
        .map(b => b.innerText)""")


def check(page: Page, cls: str) -> None:
    page.locator(f".{cls} input[type=checkbox]").check()


def next_step(page: Page, expected_step: int) -> None:
    page.locator(".samsyn-next").click()
    expect(page.locator(".samsyn-progress-text")).to_contain_text(str(expected_step))


def step_exposure(page: Page, home: list[str], guardian: list[str], child: list[str]) -> None:
    for group, options in (("home", home), ("guardian", guardian), ("child", child)):
        for option in options:
            check(page, f"samsyn-opt-exposure-{group}-{option}")


def step_factors(page: Page, risk: dict[str, tuple[int, int]], protective: dict[str, tuple[int, int]]) -> None:
    for fid, (severity, extent) in risk.items():
        check(page, f"samsyn-factor-risk-{fid}")
        page.locator(f".samsyn-weight-risk-{fid}-severity select").select_option(index=severity)
        page.locator(f".samsyn-weight-risk-{fid}-extent select").select_option(index=extent)
    for fid, (extent, function) in protective.items():
        check(page, f"samsyn-factor-protective-{fid}")
        page.locator(f".samsyn-weight-protective-{fid}-extent select").select_option(index=extent)
        page.locator(f".samsyn-weight-protective-{fid}-function select").select_option(index=function)


RISK_INDEX = {"ingen_lag": 0, "nagot_forhojd": 1, "hog": 2, "mycket_hog": 3, "inte_kant": 4}


def step_risk(page: Page, risk: str, safety: int) -> None:
    page.locator(".samsyn-risk input[type=radio]").nth(RISK_INDEX[risk]).check()
    page.locator(".samsyn-safety button").nth(safety).click()


def step_intervention(page: Page, interventions: list[str], focus: list[str]) -> None:
    for option in interventions:
        check(page, f"samsyn-opt-intervention-{option}")
    for area in focus:
        check(page, f"samsyn-opt-focus-{area}")


def step_goals(page: Page, goal: str, baseline: str = "") -> None:
    page.locator(".samsyn-goal-1-goal textarea").fill(goal)
    if baseline:
        page.locator(".samsyn-goal-1-baseline textarea").fill(baseline)


def step_motivation(page: Page, text: str) -> None:
    page.locator(".samsyn-motivation textarea").fill(text)


def complete_minimal(page: Page, risk: str, motivation: str) -> None:
    """Fill every step of the stepper with a short but valid answer and submit."""
    step_exposure(page, ["fysiskt_vald"], ["inga_svarigheter"], ["annat"])
    next_step(page, 2)
    first = page.locator(".samsyn-factors-risk .samsyn-factor").first.get_attribute("class")
    fid = next(c for c in first.split() if c.startswith("samsyn-factor-risk-"))[len("samsyn-factor-risk-"):]
    step_factors(page, {fid: (3, 2)}, {})
    next_step(page, 3)
    step_risk(page, risk, 5)
    next_step(page, 4)
    step_intervention(page, ["annan_oppenvard"], ["stimulans_och_vagledning"])
    next_step(page, 5)
    step_goals(page, "Inga slag hemma", "Slag ungefär en gång i månaden")
    next_step(page, 6)
    step_motivation(page, motivation)
    page.locator(".samsyn-submit").click()
