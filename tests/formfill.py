"""Test helpers: complete the answer stepper in Python, and read a widget tree's HTML."""

from __future__ import annotations

from widgets.answer_form import STEPS


def fill_mapping(form, *, safety: int = 4, danger: str = "Mormor är rädd att barnet blir ensamt på kvällen.",
                 goal: str = "Mormor behöver se att barnet har en vuxen hemma varje kväll.",
                 steps: str = "Socialsekreteraren ringer mormor på måndag.") -> None:
    """The mapping step: one worry of one's own, the first factor placed, the statements and the scaling."""
    mp = form.mapping
    mp.parts["harm"].value = "Barnet har varit ensamt hemma."
    mp.parts["steps"].value = steps
    next(iter(mp.factors.values())).value = "complicating"
    mp.danger.value = danger
    mp.goal.value = goal
    form.safety.value = str(safety)
    mp.why_not_lower.value = "Mormor finns nära."
    mp.one_step_up.value = "Ett nätverksmöte har hållits."


def complete(loop, risk: str, motivation: str = "Skolan och missbruket väger tyngst.", *, goal: str | None = None,
             child: str = "missbruk", missing_info: str = "Uppgifter om barnets skolgång saknas.") -> None:
    """Fill every step with a short valid answer and submit (the first risk factor, weighted 3/2;
    ``missing_info`` is written when the risk is "inte känt"; the mapping by ``fill_mapping``)."""
    f = loop.form
    f.exposure["home"]["brister_i_omsorg"].value = True
    f.exposure["guardian"]["inga_svarigheter"].value = True
    f.exposure["child"][child].value = True
    row = next(r for r in f.factor_rows if r.kind == "risk" and not r.own)
    row.on.value = True
    row.weights["severity"].value = 3
    row.weights["extent"].value = 2
    f.risk.value = risk
    if risk == loop.library.variables.risk.not_assessable.id:
        f.missing_info.value = missing_info
    fill_mapping(f)
    f.interventions["strukturerat_program"].value = True
    f.focus["kanslor_och_beteende"].value = True
    f.goals[0]["goal"].value = goal if goal is not None else f"Mål för {loop.case.id}"
    f.motivation.value = motivation
    f.go(len(STEPS) - 1)
    f.submit()


def html_of(widget) -> str:
    """Every string value in a widget tree (what the HTML widgets will show)."""
    out, stack = [], [widget]
    while stack:
        w = stack.pop()
        value = getattr(w, "value", "")
        out.append(value if isinstance(value, str) else "")
        stack.extend(getattr(w, "children", ()))
    return "\n".join(out)
