"""The assessment stepper: what a trainee records for one case.

Six steps, each validated before the next opens:

1. identified exposure (three groups of options),
2. the factor grid — risk factors with severity and extent, protective factors
   with extent and function, from the case or in the trainee's own words,
3. the risk rating (four levels, or "not known" with what is missing) — with the
   anchored levels behind a closed disclosure (``widgets.risk_anchors``; the
   ``worked_examples`` never include the case being rated) — and the Signs of
   Safety 0–10 scale,
4. intervention type(s) and focus ("ingen insats" stands alone and has no focus),
5. goals, with fields that invite a baseline, an observable change and a time frame,
6. the motivation, then submit.

The form is plain data in, plain data out: ``payload()`` is what a draft
stores, ``load(payload)`` restores it, ``answer()`` builds the ``AnswerIn``
that the store validates again on the server. ``on_change`` is called after
every change so the page can save the draft.
"""

from __future__ import annotations

from typing import Any, Callable

import ipywidgets as w
from pydantic import ValidationError

from cases import Case, Variables
from samsyn.i18n import Messages
from store.answer import MAX_SHORT, MAX_TEXT, AnswerIn
from widgets.common import esc, html_widget
from widgets.risk_anchors import risk_anchors_widget

STEPS = ("exposure", "factors", "risk", "intervention", "goals", "motivation")
EXPOSURE_GROUPS = ("home", "guardian", "child")
N_GOALS = 3
N_OWN = 2
BLANK = "—"
#: Below this many characters a motivation is not a motivation.
MIN_MOTIVATION = 20


def _checkbox(label: str, *classes: str) -> w.Checkbox:
    box = w.Checkbox(value=False, description=label, indent=False, layout=w.Layout(width="auto"))
    for cls in classes:
        box.add_class(cls)
    return box


def _scale(levels, label: str, cls: str) -> w.Dropdown:
    options = [(BLANK, 0)] + [(f"{lvl.id} – {lvl.label_text}", lvl.id) for lvl in levels]
    dd = w.Dropdown(options=options, value=0, description=label, layout=w.Layout(width="auto"),
                    style={"description_width": "initial"})
    dd.add_class(cls)
    return dd


class _Level:
    def __init__(self, level, lang: str):
        self.id = level.id
        self.label_text = level.label(lang)


class FactorRow:
    """One factor: identified or not, and its two weights."""

    def __init__(self, kind: str, factor_id: str, label: str, variables: Variables, m: Messages, lang: str,
                 own: bool = False):
        self.kind, self.factor_id, self.own = kind, factor_id, own
        scales = variables.factor_scales
        dims = ("severity", "extent") if kind == "risk" else ("extent", "function")
        self.dims = dims
        slug = factor_id.replace(":", "-")
        if own:
            self.text = w.Text(value="", placeholder=m("form.own_factor_placeholder"), description=label,
                               layout=w.Layout(width="22rem"), style={"description_width": "initial"})
            self.text.add_class(f"samsyn-own-{kind}-{slug}")
            self.on = None
            head: w.Widget = self.text
        else:
            self.text = None
            self.on = _checkbox(label, "samsyn-factor", f"samsyn-factor-{kind}-{slug}")
            head = self.on
        self.weights = {
            dim: _scale([_Level(lv, lang) for lv in getattr(scales, dim).levels],
                        getattr(scales, dim).label.get(lang), f"samsyn-weight-{kind}-{slug}-{dim}")
            for dim in dims
        }
        self.box = w.HBox([head, *self.weights.values()], layout=w.Layout(flex_flow="row wrap", align_items="center"))
        self.box.add_class("samsyn-factor-row")

    @property
    def chosen(self) -> bool:
        if self.own:
            return bool(self.text.value.strip())
        return bool(self.on.value)

    def widgets(self) -> list[w.Widget]:
        return [x for x in (self.on, self.text) if x is not None] + list(self.weights.values())

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {dim: (dd.value or None) for dim, dd in self.weights.items()}
        if self.own:
            out["text"] = self.text.value
        else:
            out["on"] = bool(self.on.value)
        return out

    def load(self, data: dict[str, Any]) -> None:
        if self.own:
            self.text.value = _text(data.get("text"), MAX_SHORT)
        else:
            self.on.value = data.get("on") is True
        for dim, dd in self.weights.items():
            value = data.get(dim)
            valid = {v for _label, v in dd.options}
            dd.value = value if isinstance(value, int) and value in valid else 0


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    """A draft's text, or "" when it is not text; never longer than ``limit``."""
    return value[:limit] if isinstance(value, str) else ""


def _ids(value: Any) -> set[str]:
    """A draft's list of ids; anything that is not a list of strings counts as empty."""
    if not isinstance(value, list):
        return set()
    return {v for v in value if isinstance(v, str)}


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def bounded(payload: Any, limit: int = MAX_TEXT, depth: int = 0) -> Any:
    """A copy of a draft payload with every string clipped and containers capped,
    whatever the browser sent (drafts are saved before any validation)."""
    if depth > 6:
        return None
    if isinstance(payload, str):
        return payload[:limit]
    if isinstance(payload, dict):
        return {str(k)[:64]: bounded(v, limit, depth + 1) for k, v in list(payload.items())[:200]}
    if isinstance(payload, (list, tuple)):
        return [bounded(v, limit, depth + 1) for v in list(payload)[:200]]
    if payload is None or isinstance(payload, (bool, int, float)):
        return payload
    return None


class AnswerForm:
    def __init__(self, case: Case, variables: Variables, lang: str, *, round: int = 1,
                 on_change: Callable[[dict[str, Any]], None] | None = None,
                 on_submit: Callable[[AnswerIn], None] | None = None,
                 worked_examples: dict[str, list[Case]] | None = None):
        self.case, self.variables, self.lang, self.round = case, variables, lang, round
        self.m = Messages(lang)
        self.on_change = on_change
        self.on_submit = on_submit
        self.step = 0
        self._loading = False
        m = self.m

        # 1. exposure ------------------------------------------------------------
        self.exposure: dict[str, dict[str, w.Checkbox]] = {}
        exposure_boxes = []
        for group_id in EXPOSURE_GROUPS:
            group = variables.group("exposure", group_id)
            boxes = {o.id: _checkbox(o.label(lang), f"samsyn-opt-exposure-{group_id}-{o.id}")
                     for o in group.options if not o.retired}
            self.exposure[group_id] = boxes
            exposure_boxes.append(self._fieldset(group.label.get(lang), list(boxes.values()), f"samsyn-group-{group_id}"))
        step_exposure = [html_widget(f"<p>{esc(m('form.exposure_help'))}</p>"), *exposure_boxes]

        # 2. factors -------------------------------------------------------------
        self.factor_rows: list[FactorRow] = []
        factor_parts: list[w.Widget] = [html_widget(f"<p>{esc(m('form.factors_help'))}</p>")]
        for kind, factors, heading in (("risk", case.factors.risk, m("form.risk_factors")),
                                       ("protective", case.factors.protective, m("form.protective_factors"))):
            rows = [FactorRow(kind, f.id, f.label.get(lang), variables, m, lang) for f in factors]
            rows += [FactorRow(kind, f"own:{kind[0]}{i + 1}", m("form.own_factor", n=i + 1), variables, m, lang, own=True)
                     for i in range(N_OWN)]
            self.factor_rows += rows
            factor_parts.append(self._fieldset(heading, [r.box for r in rows], f"samsyn-factors-{kind}"))

        # 3. risk ----------------------------------------------------------------
        risk_options = [(lvl.label(lang), lvl.id) for lvl in variables.risk.levels]
        risk_options.append((variables.risk.not_assessable.label(lang), variables.risk.not_assessable.id))
        self.risk = w.RadioButtons(options=risk_options, value=None, description="", layout=w.Layout(width="auto"))
        self.risk.add_class("samsyn-risk")
        self.missing_info = w.Textarea(value="", placeholder=m("form.missing_info_placeholder"),
                                       description=m("form.missing_info"), layout=w.Layout(width="100%", height="5em"),
                                       style={"description_width": "initial"})
        self.missing_info.add_class("samsyn-missing-info")
        self.missing_box = w.VBox([self.missing_info], layout=w.Layout(display="none"))
        anchors = variables.safety_scale.anchors
        self.safety = w.ToggleButtons(options=[str(i) for i in range(variables.safety_scale.min, variables.safety_scale.max + 1)],
                                      value=None, description="", style={"button_width": "2.6em"})
        self.safety.add_class("samsyn-safety")
        safety_help = m("form.safety_help", low=anchors[0].get(lang), high=anchors[10].get(lang))
        step_risk = [
            self._fieldset(variables.risk.label.get(lang), [self.risk, self.missing_box, risk_anchors_widget(
                variables, lang, worked_examples, exclude_case=case.id)], "samsyn-risk-group"),
            self._fieldset(variables.safety_scale.label.get(lang),
                           [html_widget(f"<p>{esc(safety_help)}</p>"), self.safety], "samsyn-safety-group"),
        ]

        # 4. intervention and focus ------------------------------------------------
        self.interventions: dict[str, w.Checkbox] = {}
        intervention_parts = []
        for group in variables.intervention.groups:
            boxes = {o.id: _checkbox(o.label(lang), f"samsyn-opt-intervention-{o.id}") for o in group.options if not o.retired}
            self.interventions.update(boxes)
            intervention_parts.append(self._fieldset(group.label.get(lang), list(boxes.values()), f"samsyn-group-{group.id}"))
        self.focus: dict[str, w.Checkbox] = {}
        focus_parts = []
        for side in variables.bbic.sides:
            boxes = {a.id: _checkbox(a.label(lang), f"samsyn-opt-focus-{a.id}") for a in side.areas if not a.retired}
            self.focus.update(boxes)
            focus_parts.append(self._fieldset(side.label.get(lang), list(boxes.values()), f"samsyn-side-{side.id}"))
        step_intervention = [
            html_widget(f"<h3>{esc(variables.intervention.label.get(lang))}</h3>"), *intervention_parts,
            html_widget(f"<h3>{esc(variables.bbic.label.get(lang))}</h3><p>{esc(m('form.focus_help'))}</p>"), *focus_parts,
        ]

        # 5. goals -----------------------------------------------------------------
        self.goals: list[dict[str, w.Textarea | w.Text]] = []
        goal_parts: list[w.Widget] = [html_widget(f"<p>{esc(m('form.goals_help'))}</p>")]
        goal_fields = (  # name, widget, label, placeholder
            ("goal", w.Textarea, m("form.goal"), m("form.goal_placeholder")),
            ("baseline", w.Textarea, m("form.baseline"), m("form.baseline_placeholder")),
            ("change", w.Textarea, m("form.change"), m("form.change_placeholder")),
            ("timeframe", w.Text, m("form.timeframe"), m("form.timeframe_placeholder")),
        )
        for i in range(N_GOALS):
            fields = {
                name: cls(description=label, placeholder=placeholder, style={"description_width": "10em"},
                          layout=w.Layout(width="100%", height="3.5em") if cls is w.Textarea else w.Layout(width="100%"))
                for name, cls, label, placeholder in goal_fields
            }
            for name, widget in fields.items():
                widget.add_class(f"samsyn-goal-{i + 1}-{name}")
            self.goals.append(fields)
            goal_parts.append(self._fieldset(m("form.goal_n", n=i + 1), list(fields.values()), f"samsyn-goal-{i + 1}"))

        # 6. motivation ----------------------------------------------------------------
        self.motivation = w.Textarea(value="", placeholder=m("form.motivation_placeholder"),
                                     description=m("form.motivation"), layout=w.Layout(width="100%", height="9em"),
                                     style={"description_width": "initial"})
        self.motivation.add_class("samsyn-motivation")
        step_motivation = [html_widget(f"<p>{esc(m('form.motivation_help'))}</p>"), self.motivation]

        self.step_boxes = []
        for i, children in enumerate((step_exposure, factor_parts, step_risk, step_intervention, goal_parts, step_motivation)):
            box = w.VBox([html_widget(f"<h2>{esc(m(f'form.step.{STEPS[i]}'))}</h2>", "samsyn-step-title"), *children])
            box.add_class("samsyn-step")
            box.add_class(f"samsyn-step-{STEPS[i]}")
            self.step_boxes.append(box)

        # navigation --------------------------------------------------------------------
        self.progress = html_widget("", "samsyn-progress")
        self.error = html_widget("", "samsyn-step-error")
        self.saved = html_widget("", "samsyn-saved")
        self.prev_button = w.Button(description=m("form.previous"), icon="arrow-left")
        self.prev_button.add_class("samsyn-prev")
        self.next_button = w.Button(description=m("form.next"), button_style="primary")
        self.next_button.add_class("samsyn-next")
        self.submit_button = w.Button(description=m("form.submit"), button_style="success")
        self.submit_button.add_class("samsyn-submit")
        self.prev_button.on_click(lambda _b: self.go(self.step - 1))
        self.next_button.on_click(lambda _b: self.next())
        self.submit_button.on_click(lambda _b: self.submit())
        nav = w.HBox([self.prev_button, self.next_button, self.submit_button, self.saved],
                     layout=w.Layout(align_items="center", flex_flow="row wrap"))
        nav.add_class("samsyn-nav")
        self.stage = w.VBox([self.step_boxes[0]])
        self.widget = w.VBox([self.progress, self.stage, self.error, nav])
        self.widget.add_class("samsyn-form")

        for widget in self._inputs():
            widget.observe(self._changed, names="value")
        self._render()

    # -- building blocks ------------------------------------------------------------
    @staticmethod
    def _fieldset(legend: str, children: list[w.Widget], cls: str) -> w.VBox:
        box = w.VBox([html_widget(f'<p class="samsyn-legend"><strong>{esc(legend)}</strong></p>'), *children])
        box.add_class("samsyn-fieldset")
        box.add_class(cls)
        return box

    def _inputs(self) -> list[w.Widget]:
        out: list[w.Widget] = []
        for boxes in self.exposure.values():
            out += boxes.values()
        for row in self.factor_rows:
            out += row.widgets()
        out += [self.risk, self.missing_info, self.safety, *self.interventions.values(), *self.focus.values()]
        for goal in self.goals:
            out += goal.values()
        out.append(self.motivation)
        return out

    # -- data -----------------------------------------------------------------------
    def payload(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "exposure": {g: [o for o, box in boxes.items() if box.value] for g, boxes in self.exposure.items()},
            "factors": {row.factor_id: row.payload() for row in self.factor_rows},
            "risk": self.risk.value,
            "risk_missing_info": self.missing_info.value,
            "safety_scale": int(self.safety.value) if self.safety.value is not None else None,
            "interventions": [o for o, box in self.interventions.items() if box.value],
            "focus": [a for a, box in self.focus.items() if box.value],
            "goals": [{k: f.value for k, f in goal.items()} for goal in self.goals],
            "motivation": self.motivation.value,
        }

    def load(self, data: dict[str, Any] | None) -> None:
        """Restore a draft (unknown or stale ids are ignored, never trusted)."""
        if not data or not isinstance(data, dict):
            return
        self._loading = True
        try:
            exposure = _mapping(data.get("exposure"))
            for group_id, boxes in self.exposure.items():
                chosen = _ids(exposure.get(group_id))
                for option, box in boxes.items():
                    box.value = option in chosen
            factors = _mapping(data.get("factors"))
            for row in self.factor_rows:
                if isinstance(factors.get(row.factor_id), dict):
                    row.load(factors[row.factor_id])
            risk_ids = {v for _l, v in self.risk.options}
            risk = data.get("risk")
            self.risk.value = risk if isinstance(risk, str) and risk in risk_ids else None
            self.missing_info.value = _text(data.get("risk_missing_info"))
            scale = data.get("safety_scale")
            self.safety.value = str(scale) if isinstance(scale, int) and str(scale) in self.safety.options else None
            chosen = _ids(data.get("interventions"))
            for option, box in self.interventions.items():
                box.value = option in chosen
            chosen = _ids(data.get("focus"))
            for area, box in self.focus.items():
                box.value = area in chosen
            goals = data.get("goals") if isinstance(data.get("goals"), list) else []
            for goal, saved in zip(self.goals, goals):
                if isinstance(saved, dict):
                    for name, field in goal.items():
                        field.value = _text(saved.get(name), MAX_SHORT if isinstance(field, w.Text) else MAX_TEXT)
            self.motivation.value = _text(data.get("motivation"))
            step = data.get("step")
            self.step = step if isinstance(step, int) and not isinstance(step, bool) and 0 <= step < len(STEPS) else 0
        finally:
            self._loading = False
        self._render()

    def answer(self) -> AnswerIn:
        selections = {f"exposure.{g}": [o for o, box in boxes.items() if box.value] for g, boxes in self.exposure.items()}
        selections["intervention"] = [o for o, box in self.interventions.items() if box.value]
        selections["focus"] = [a for a, box in self.focus.items() if box.value]
        factors = []
        for row in self.factor_rows:
            if not row.chosen:
                continue
            weights = {dim: (dd.value or None) for dim, dd in row.weights.items()}
            factors.append({"kind": row.kind, "factor_id": row.factor_id,
                            "own_text": row.text.value.strip() if row.own else None, **weights})
        goals = [{k: f.value.strip() for k, f in goal.items()} for goal in self.goals if goal["goal"].value.strip()]
        not_known = self.risk.value == self.variables.risk.not_assessable.id
        return AnswerIn(
            case_id=self.case.id,
            round=self.round,
            risk=self.risk.value or "",
            risk_missing_info=self.missing_info.value.strip() if not_known else None,
            safety_scale=int(self.safety.value) if self.safety.value is not None else None,
            selections=selections,
            factors=factors,
            goals=goals,
            motivation=self.motivation.value.strip(),
            language=self.lang,
        )

    # -- validation -------------------------------------------------------------------
    def problems(self, step: int) -> list[str]:
        m = self.m
        name = STEPS[step]
        out: list[str] = []
        if name == "exposure":
            for group_id, boxes in self.exposure.items():
                if not any(b.value for b in boxes.values()):
                    out.append(m("form.error.exposure_group", group=self.variables.group("exposure", group_id).label.get(self.lang)))
                problem = self.variables.check_selection("exposure", group_id, [o for o, b in boxes.items() if b.value])
                if problem:
                    out.append(m("form.error.exclusive", group=self.variables.group("exposure", group_id).label.get(self.lang)))
        elif name == "factors":
            chosen = [r for r in self.factor_rows if r.chosen]
            if not any(r.kind == "risk" for r in chosen):
                out.append(m("form.error.no_risk_factor"))
            for row in chosen:
                if any(not dd.value for dd in row.weights.values()):
                    label = row.text.value.strip() if row.own else row.on.description
                    out.append(m("form.error.factor_weights", factor=label))
                if row.own and len(row.text.value) > MAX_SHORT:
                    out.append(m("form.error.too_long", field=row.text.description, max=MAX_SHORT))
        elif name == "risk":
            if self.risk.value is None:
                out.append(m("form.error.no_risk"))
            elif self.risk.value == self.variables.risk.not_assessable.id and not self.missing_info.value.strip():
                out.append(m("form.error.missing_info"))
        elif name == "intervention":
            chosen = [o for o, b in self.interventions.items() if b.value]
            none = [o for o in chosen if o in self.variables.no_intervention_ids]
            focus = any(b.value for b in self.focus.values())
            if not chosen:
                out.append(m("form.error.no_intervention"))
            elif none and len(chosen) > 1:
                out.append(m("form.error.no_intervention_combined", option=self.variables.option_label("intervention", none[0], self.lang)))
            if none and focus:
                out.append(m("form.error.focus_without_intervention"))
            elif not none and not focus:
                out.append(m("form.error.no_focus"))
        elif name == "goals":
            if not any(g["goal"].value.strip() for g in self.goals):
                out.append(m("form.error.no_goal"))
            for i, goal in enumerate(self.goals):
                if not goal["goal"].value.strip() and any(f.value.strip() for f in goal.values()):
                    out.append(m("form.error.goal_text", n=i + 1))
        elif name == "motivation":
            if len(self.motivation.value.strip()) < MIN_MOTIVATION:
                out.append(m("form.error.motivation", min=MIN_MOTIVATION))
        texts = {"risk": [self.missing_info], "goals": [f for g in self.goals for f in g.values()],
                 "motivation": [self.motivation]}.get(name, [])
        for field in texts:
            limit = MAX_SHORT if isinstance(field, w.Text) else MAX_TEXT
            if len(field.value) > limit:
                out.append(m("form.error.too_long", field=field.description, max=limit))
        return out

    def _show_problems(self, problems: list[str]) -> None:
        if problems:
            items = "".join(f"<li>{esc(p)}</li>" for p in problems)
            self.error.value = f'<div class="samsyn-notice" role="alert"><ul>{items}</ul></div>'
        else:
            self.error.value = ""

    # -- navigation -------------------------------------------------------------------
    def go(self, step: int) -> None:
        if 0 <= step < len(STEPS):
            self.step = step
            self._show_problems([])
            self._render()
            self._changed(None)

    def next(self) -> bool:
        problems = self.problems(self.step)
        self._show_problems(problems)
        if problems:
            return False
        self.go(self.step + 1)
        return True

    def submit(self) -> None:
        if self.submit_button.disabled:
            return
        self.submit_button.disabled = True  # a double-click submits once
        for step in range(len(STEPS)):
            problems = self.problems(step)
            if problems:
                self.step = step
                self._render()
                self._show_problems(problems)
                self.submit_button.disabled = False
                return
        try:
            answer = self.answer()
        except ValidationError as exc:  # what the browser sent does not fit the answer: say so, keep the form
            items = "".join(f"<li>{esc('.'.join(str(p) for p in e['loc']))}: {esc(e['msg'])}</li>" for e in exc.errors())
            self.error.value = f'<div class="samsyn-notice" role="alert"><p>{esc(self.m("form.error.server"))}</p><ul>{items}</ul></div>'
            self.submit_button.disabled = False
            return
        try:
            if self.on_submit:
                self.on_submit(answer)
        except Exception:
            self.submit_button.disabled = False
            raise

    def _render(self) -> None:
        m = self.m
        items = []
        for i, name in enumerate(STEPS):
            current = ' aria-current="step" class="samsyn-progress-current"' if i == self.step else ""
            done = " ✓" if i < self.step else ""
            items.append(f"<li{current}>{esc(m(f'form.step.{name}'))}{done}</li>")
        self.progress.value = (
            f'<p class="samsyn-progress-text">{esc(m("form.progress", n=self.step + 1, total=len(STEPS)))}</p>'
            f'<ol class="samsyn-progress-steps">{"".join(items)}</ol>'
        )
        self.stage.children = [self.step_boxes[self.step]]
        self.prev_button.disabled = self.step == 0
        last = self.step == len(STEPS) - 1
        self.next_button.layout.display = "none" if last else None
        self.submit_button.layout.display = None if last else "none"
        self.missing_box.layout.display = None if self.risk.value == self.variables.risk.not_assessable.id else "none"

    def _changed(self, change) -> None:
        if change is not None and change.get("owner") is self.risk:
            self.missing_box.layout.display = None if self.risk.value == self.variables.risk.not_assessable.id else "none"
        if self._loading or self.on_change is None:
            return
        self.on_change(self.payload())
