"""The assessment stepper: what a trainee records for one case.

Seven steps, each validated before the next opens:

1. identified exposure (three groups of options),
2. the factor grid — risk factors with severity and extent, protective factors
   with extent and function, from the case or in the trainee's own words,
3. the risk rating (four levels, or "not known" with what is missing) and the
   Signs of Safety 0–10 scale,
4. the Signs of Safety mapping (``widgets/mapping_step.py``): three columns, the
   danger statement and safety goal, and the scaling (the same 0–10 value as in
   step 3, shown again) with its two questions,
5. intervention type(s) and focus,
6. goals, with fields that invite a baseline, an observable change and a time frame,
7. the motivation, then submit.

The form is plain data in, plain data out: ``payload()`` is what a draft
stores, ``load(payload)`` restores it, ``answer()`` builds the ``AnswerIn``
that the store validates again on the server. ``on_change`` is called after
every change so the page can save the draft.

Each step is one object (a ``Step``: ``ExposureStep`` … ``MotivationStep``,
in ``STEP_TYPES``) holding its widgets and its part of the form's data:
``clean(draft)``, ``load(data)``, ``payload()`` and ``problems(data)``. The
form only walks the steps: it never asks which step it has.

A step's widgets are built when the trainee first reaches it (or when code
asks for them, e.g. ``form.risk``): a case page used to send all ~510 widget
models of the six steps at once; now it sends the first step's. Until a step
is built, its part of the answer lives in the form's data (``payload()``), so
a restored draft, validation and submit see every step all the same. Widgets
that look alike share one ``Layout`` and one style model.
"""

from __future__ import annotations

import copy
from typing import Any, Callable, TypeVar

import ipywidgets as w
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import TextStyle
from pydantic import ValidationError

from cases import Case, Variables
from cases.variables import EXPOSURE_GROUPS, FACTOR_DIMENSIONS, FACTOR_KINDS, OWN_PREFIX
from samsyn.i18n import Messages
from store.answer import MAX_SHORT, MAX_TEXT, AnswerIn
from store.shapes import GOAL_FIELDS, PAYLOAD_INTERVENTIONS, selections_from_payload
from widgets import mapping_step
from widgets.common import esc, html_widget
from widgets.risk_anchors import risk_anchors_widget

N_GOALS = 3
N_OWN = 2
BLANK = "—"
#: Below this many characters a motivation is not a motivation.
MIN_MOTIVATION = 20


class _Shared:
    """Layout and style models that many widgets of one form use (one model each instead of one per widget)."""

    def __init__(self) -> None:
        self.auto = w.Layout(width="auto")
        self.checkbox = CheckboxStyle()
        self.initial = DescriptionStyle(description_width="initial")
        self.text_initial = TextStyle(description_width="initial")
        self.text_wide = TextStyle(description_width="10em")
        self.row = w.Layout(flex_flow="row wrap", align_items="center")
        self.full = w.Layout(width="100%")
        self.goal_area = w.Layout(width="100%", height="3.5em")
        self.own_text = w.Layout(width="22rem")
        self.box = w.Layout()


def _checkbox(label: str, shared: _Shared, *classes: str) -> w.Checkbox:
    box = w.Checkbox(value=False, description=label, indent=False, layout=shared.auto, style=shared.checkbox)
    for cls in classes:
        box.add_class(cls)
    return box


def _scale(levels, label: str, cls: str, shared: _Shared) -> w.Dropdown:
    options = [(BLANK, 0)] + [(f"{lvl.id} – {lvl.label_text}", lvl.id) for lvl in levels]
    dd = w.Dropdown(options=options, value=0, description=label, layout=shared.auto, style=shared.initial)
    dd.add_class(cls)
    return dd


class _Level:
    def __init__(self, level, lang: str):
        self.id = level.id
        self.label_text = level.label(lang)


class FactorRow:
    """One factor: identified or not, and its two weights."""

    def __init__(self, kind: str, factor_id: str, label: str, variables: Variables, m: Messages, lang: str,
                 own: bool = False, shared: _Shared | None = None):
        shared = shared or _Shared()
        self.kind, self.factor_id, self.own = kind, factor_id, own
        scales = variables.factor_scales
        dims = FACTOR_DIMENSIONS[kind]
        self.dims = dims
        slug = factor_id.replace(":", "-")
        if own:
            self.text = w.Text(value="", placeholder=m("form.own_factor_placeholder"), description=label,
                               layout=shared.own_text, style=shared.text_initial)
            self.text.add_class(f"samsyn-own-{kind}-{slug}")
            self.on = None
            head: w.Widget = self.text
        else:
            self.text = None
            self.on = _checkbox(label, shared, "samsyn-factor", f"samsyn-factor-{kind}-{slug}")
            head = self.on
        self.weights = {
            dim: _scale([_Level(lv, lang) for lv in getattr(scales, dim).levels],
                        getattr(scales, dim).label.get(lang), f"samsyn-weight-{kind}-{slug}-{dim}", shared)
            for dim in dims
        }
        self.box = w.HBox([head, *self.weights.values()], layout=shared.row)
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


class _FactorSpec:
    """A factor row before its widgets exist: what it is and what it is called."""

    def __init__(self, kind: str, factor_id: str, label: str, own: bool):
        self.kind, self.factor_id, self.label, self.own = kind, factor_id, label, own
        self.dims = FACTOR_DIMENSIONS[kind]


def _safety_buttons(variables: Variables) -> w.ToggleButtons:
    scale = variables.safety_scale
    safety = w.ToggleButtons(options=[str(i) for i in range(scale.min, scale.max + 1)], value=None,
                             description="", style={"button_width": "2.6em"})
    safety.add_class("samsyn-safety")
    return safety


def _safety_help(variables: Variables, m: Messages, lang: str) -> str:
    anchors = variables.safety_scale.anchors
    return m("form.safety_help", low=anchors[0].get(lang), high=anchors[10].get(lang))


def _scale_value(safety: w.ToggleButtons) -> int | None:
    return int(safety.value) if safety.value is not None else None


def _scale_shown(value: int | None) -> str | None:
    return str(value) if value is not None else None


def _too_long(m: Messages, texts: list[tuple[str, str, int]]) -> list[str]:
    """A message for each (label, text, limit) whose text is longer than its limit."""
    return [m("form.error.too_long", field=field, max=limit) for field, value, limit in texts if len(value) > limit]


class Step:
    """One step of the form: its widgets (made when the trainee first reaches it), its part of the
    form's data, and what it still needs.

    * ``clean(draft)`` — this step's keys of the form's data from a draft (anything stale or of the
      wrong type dropped); works before the widgets exist;
    * ``load(data)`` — show the form's data in the widgets (only once built);
    * ``payload()`` — this step's keys from its widgets, as typed (validation comes later);
    * ``problems(data)`` — what the step still needs, from the form's data (built or not);
    * ``sync(data)`` — show a value another step shares (the safety scale) after that step changed it.
    """

    name = ""

    def __init__(self, form: "AnswerForm"):
        self.form = form
        self.m, self.lang, self.variables, self.shared = form.m, form.lang, form.variables, form._shared
        self.box: w.VBox | None = None

    @property
    def built(self) -> bool:
        return self.box is not None

    def build(self) -> None:
        children = self.widgets()
        box = w.VBox([html_widget(f"<h2>{esc(self.m(f'form.step.{self.name}'))}</h2>", "samsyn-step-title"), *children],
                     layout=self.shared.box)
        box.add_class("samsyn-step")
        box.add_class(f"samsyn-step-{self.name}")
        self.box = box

    def fieldset(self, legend: str, children: list[w.Widget], cls: str) -> w.VBox:
        box = w.VBox([html_widget(f'<p class="samsyn-legend"><strong>{esc(legend)}</strong></p>'), *children],
                     layout=self.shared.box)
        box.add_class("samsyn-fieldset")
        box.add_class(cls)
        return box

    # -- what each step defines -----------------------------------------------------
    def widgets(self) -> list[w.Widget]:
        raise NotImplementedError

    def inputs(self) -> list[w.Widget]:
        raise NotImplementedError

    def clean(self, draft: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def load(self, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        raise NotImplementedError

    def problems(self, data: dict[str, Any]) -> list[str]:
        raise NotImplementedError

    def sync(self, data: dict[str, Any]) -> None:
        """Nothing shared with another step (the default)."""

    def changed(self) -> None:
        """After one of the step's own widgets changed (the default: nothing more to show)."""


class ExposureStep(Step):
    name = "exposure"

    def widgets(self) -> list[w.Widget]:
        self.boxes: dict[str, dict[str, w.Checkbox]] = {}
        children: list[w.Widget] = [html_widget(f"<p>{esc(self.m('form.exposure_help'))}</p>")]
        for group_id in EXPOSURE_GROUPS:
            group = self.variables.group("exposure", group_id)
            boxes = {o.id: _checkbox(o.label(self.lang), self.shared, f"samsyn-opt-exposure-{group_id}-{o.id}")
                     for o in group.options if not o.retired}
            self.boxes[group_id] = boxes
            children.append(self.fieldset(group.label.get(self.lang), list(boxes.values()), f"samsyn-group-{group_id}"))
        return children

    def inputs(self) -> list[w.Widget]:
        return [box for boxes in self.boxes.values() for box in boxes.values()]

    def clean(self, draft: dict[str, Any]) -> dict[str, Any]:
        exposure = _mapping(draft.get("exposure"))
        out = {}
        for group_id in EXPOSURE_GROUPS:
            chosen = _ids(exposure.get(group_id))
            out[group_id] = [o.id for o in self.variables.group("exposure", group_id).options
                             if not o.retired and o.id in chosen]
        return {"exposure": out}

    def load(self, data: dict[str, Any]) -> None:
        for group_id, boxes in self.boxes.items():
            for option, box in boxes.items():
                box.value = option in data["exposure"][group_id]

    def payload(self) -> dict[str, Any]:
        return {"exposure": {g: [o for o, box in boxes.items() if box.value] for g, boxes in self.boxes.items()}}

    def problems(self, data: dict[str, Any]) -> list[str]:
        out = []
        for group_id in EXPOSURE_GROUPS:
            chosen = data["exposure"][group_id]
            label = self.variables.group("exposure", group_id).label.get(self.lang)
            if not chosen:
                out.append(self.m("form.error.exposure_group", group=label))
            if self.variables.check_selection("exposure", group_id, list(chosen)):
                out.append(self.m("form.error.exclusive", group=label))
        return out


class FactorsStep(Step):
    name = "factors"

    def __init__(self, form: "AnswerForm"):
        super().__init__(form)
        self.specs: list[_FactorSpec] = []
        for kind in FACTOR_KINDS:
            self.specs += [_FactorSpec(kind, f.id, f.label.get(self.lang), False) for f in getattr(form.case.factors, kind)]
            self.specs += [_FactorSpec(kind, f"{OWN_PREFIX}{kind[0]}{i + 1}", self.m("form.own_factor", n=i + 1), True)
                           for i in range(N_OWN)]

    def widgets(self) -> list[w.Widget]:
        self.rows = [FactorRow(s.kind, s.factor_id, s.label, self.variables, self.m, self.lang, own=s.own, shared=self.shared)
                     for s in self.specs]
        children = [html_widget(f"<p>{esc(self.m('form.factors_help'))}</p>")]
        for kind, heading in (("risk", self.m("form.risk_factors")), ("protective", self.m("form.protective_factors"))):
            children.append(self.fieldset(heading, [r.box for r in self.rows if r.kind == kind], f"samsyn-factors-{kind}"))
        return children

    def inputs(self) -> list[w.Widget]:
        return [x for row in self.rows for x in row.widgets()]

    def clean(self, draft: dict[str, Any]) -> dict[str, Any]:
        factors = _mapping(draft.get("factors"))
        scales = self.variables.factor_scales
        out = {}
        for spec in self.specs:
            saved = _mapping(factors.get(spec.factor_id))
            entry: dict[str, Any] = {}
            for dim in spec.dims:
                value = saved.get(dim)
                valid = {lv.id for lv in getattr(scales, dim).levels}
                entry[dim] = value if isinstance(value, int) and not isinstance(value, bool) and value in valid else None
            if spec.own:
                entry["text"] = _text(saved.get("text"), MAX_SHORT)
            else:
                entry["on"] = saved.get("on") is True
            out[spec.factor_id] = entry
        return {"factors": out}

    def load(self, data: dict[str, Any]) -> None:
        for row in self.rows:
            row.load(data["factors"].get(row.factor_id, {}))

    def payload(self) -> dict[str, Any]:
        return {"factors": {row.factor_id: row.payload() for row in self.rows}}

    def chosen(self, data: dict[str, Any]) -> list[_FactorSpec]:
        """The factors the trainee named: a case's ticked, an own one with words."""
        out = []
        for spec in self.specs:
            entry = data["factors"][spec.factor_id]
            if (spec.own and str(entry.get("text") or "").strip()) or (not spec.own and entry.get("on")):
                out.append(spec)
        return out

    def problems(self, data: dict[str, Any]) -> list[str]:
        m = self.m
        out = []
        chosen = self.chosen(data)
        if not any(s.kind == "risk" for s in chosen):
            out.append(m("form.error.no_risk_factor"))
        for spec in chosen:
            entry = data["factors"][spec.factor_id]
            label = entry.get("text", "").strip() if spec.own else spec.label
            if any(not entry.get(dim) for dim in spec.dims):
                out.append(m("form.error.factor_weights", factor=label))
            if spec.own and len(entry.get("text") or "") > MAX_SHORT:
                out.append(m("form.error.too_long", field=spec.label, max=MAX_SHORT))
        return out


class RiskStep(Step):
    name = "risk"

    def widgets(self) -> list[w.Widget]:
        m, lang, variables, shared = self.m, self.lang, self.variables, self.shared
        risk_options = [(lvl.label(lang), lvl.id) for lvl in variables.risk.levels]
        risk_options.append((variables.risk.not_assessable.label(lang), variables.risk.not_assessable.id))
        self.risk = w.RadioButtons(options=risk_options, value=None, description="", layout=shared.auto)
        self.risk.add_class("samsyn-risk")
        self.missing_info = w.Textarea(value="", placeholder=m("form.missing_info_placeholder"),
                                       description=m("form.missing_info"), layout=w.Layout(width="100%", height="5em"),
                                       style=shared.text_initial)
        self.missing_info.add_class("samsyn-missing-info")
        self.missing_box = w.VBox([self.missing_info], layout=w.Layout(display="none"))
        self.safety = _safety_buttons(variables)
        scale = variables.safety_scale
        return [
            self.fieldset(variables.risk.label.get(lang), [self.risk, self.missing_box, risk_anchors_widget(
                variables, lang, self.form.worked_examples, exclude_case=self.form.case.id)], "samsyn-risk-group"),
            self.fieldset(scale.label.get(lang), [html_widget(f"<p>{esc(_safety_help(variables, m, lang))}</p>"), self.safety],
                          "samsyn-safety-group"),
        ]

    def inputs(self) -> list[w.Widget]:
        return [self.risk, self.missing_info, self.safety]

    def clean(self, draft: dict[str, Any]) -> dict[str, Any]:
        variables = self.variables
        risk_ids = {lvl.id for lvl in variables.risk.levels} | {variables.risk.not_assessable.id}
        risk = draft.get("risk")
        scale = draft.get("safety_scale")
        lo, hi = variables.safety_scale.min, variables.safety_scale.max
        return {"risk": risk if isinstance(risk, str) and risk in risk_ids else None,
                "risk_missing_info": _text(draft.get("risk_missing_info")),
                "safety_scale": scale if isinstance(scale, int) and not isinstance(scale, bool) and lo <= scale <= hi else None}

    def _not_known(self, risk: str | None) -> bool:
        return risk == self.variables.risk.not_assessable.id

    def load(self, data: dict[str, Any]) -> None:
        self.risk.value = data["risk"]
        self.missing_info.value = data["risk_missing_info"]
        self.sync(data)
        self.changed()

    def payload(self) -> dict[str, Any]:
        return {"risk": self.risk.value, "risk_missing_info": self.missing_info.value,
                "safety_scale": _scale_value(self.safety)}

    def problems(self, data: dict[str, Any]) -> list[str]:
        out = []
        if data["risk"] is None:
            out.append(self.m("form.error.no_risk"))
        elif self._not_known(data["risk"]) and not data["risk_missing_info"].strip():
            out.append(self.m("form.error.missing_info"))
        return out + _too_long(self.m, [(self.m("form.missing_info"), data["risk_missing_info"], MAX_TEXT)])

    def sync(self, data: dict[str, Any]) -> None:
        self.safety.value = _scale_shown(data["safety_scale"])

    def changed(self) -> None:
        self.missing_box.layout.display = None if self._not_known(self.risk.value) else "none"


class MappingStep(Step):
    """The Signs of Safety mapping (``widgets.mapping_step``), with the safety scale shown again."""

    name = "mapping"

    def widgets(self) -> list[w.Widget]:
        self.safety = _safety_buttons(self.variables)
        self.mapping = mapping_step.MappingStep(self.form.case, self.lang, self.m, self.safety,
                                                _safety_help(self.variables, self.m, self.lang))
        return self.mapping.children

    def inputs(self) -> list[w.Widget]:
        return [self.safety, *self.mapping.inputs()]

    def clean(self, draft: dict[str, Any]) -> dict[str, Any]:
        return {"mapping": mapping_step.clean(draft.get("mapping"), self.form.case)}

    def load(self, data: dict[str, Any]) -> None:
        self.mapping.load(data["mapping"])
        self.sync(data)

    def payload(self) -> dict[str, Any]:
        typed = self.mapping.payload()  # as typed (validation comes later); factors only in known places
        return {"mapping": {**mapping_step.clean(typed, self.form.case), "parts": typed["parts"],
                            **{k: typed[k] for k in mapping_step.TEXT_FIELDS}},
                "safety_scale": _scale_value(self.safety)}

    def problems(self, data: dict[str, Any]) -> list[str]:
        return mapping_step.problems(data["mapping"], data["safety_scale"], self.m)

    def sync(self, data: dict[str, Any]) -> None:
        self.safety.value = _scale_shown(data["safety_scale"])


class InterventionStep(Step):
    name = "intervention"

    def widgets(self) -> list[w.Widget]:
        m, lang, variables, shared = self.m, self.lang, self.variables, self.shared
        self.interventions: dict[str, w.Checkbox] = {}
        self.focus: dict[str, w.Checkbox] = {}
        intervention_parts, focus_parts = [], []
        for group in variables.intervention.groups:
            boxes = {o.id: _checkbox(o.label(lang), shared, f"samsyn-opt-intervention-{o.id}")
                     for o in group.options if not o.retired}
            self.interventions.update(boxes)
            intervention_parts.append(self.fieldset(group.label.get(lang), list(boxes.values()), f"samsyn-group-{group.id}"))
        for side in variables.bbic.sides:
            boxes = {a.id: _checkbox(a.label(lang), shared, f"samsyn-opt-focus-{a.id}") for a in side.areas if not a.retired}
            self.focus.update(boxes)
            focus_parts.append(self.fieldset(side.label.get(lang), list(boxes.values()), f"samsyn-side-{side.id}"))
        return [
            html_widget(f"<h3>{esc(variables.intervention.label.get(lang))}</h3>"), *intervention_parts,
            html_widget(f"<h3>{esc(variables.bbic.label.get(lang))}</h3><p>{esc(m('form.focus_help'))}</p>"),
            *focus_parts,
        ]

    def inputs(self) -> list[w.Widget]:
        return [*self.interventions.values(), *self.focus.values()]

    def clean(self, draft: dict[str, Any]) -> dict[str, Any]:
        chosen, areas = _ids(draft.get(PAYLOAD_INTERVENTIONS)), _ids(draft.get("focus"))
        return {PAYLOAD_INTERVENTIONS: [o for o in self.variables.intervention_ids if o in chosen],
                "focus": [a for a in self.variables.bbic_area_ids if a in areas]}

    def load(self, data: dict[str, Any]) -> None:
        for option, box in self.interventions.items():
            box.value = option in data[PAYLOAD_INTERVENTIONS]
        for area, box in self.focus.items():
            box.value = area in data["focus"]

    def payload(self) -> dict[str, Any]:
        return {PAYLOAD_INTERVENTIONS: [o for o, box in self.interventions.items() if box.value],
                "focus": [a for a, box in self.focus.items() if box.value]}

    def problems(self, data: dict[str, Any]) -> list[str]:
        m, variables = self.m, self.variables
        out = []
        chosen = list(data[PAYLOAD_INTERVENTIONS])
        none = [o for o in chosen if o in variables.no_intervention_ids]
        if not chosen:
            out.append(m("form.error.no_intervention"))
        elif none and len(chosen) > 1:
            out.append(m("form.error.no_intervention_combined",
                         option=variables.option_label("intervention", none[0], self.lang)))
        if none and data["focus"]:
            out.append(m("form.error.focus_without_intervention"))
        elif not none and not data["focus"]:
            out.append(m("form.error.no_focus"))
        return out


class GoalsStep(Step):
    name = "goals"

    def _limit(self, field: str) -> int:
        return MAX_SHORT if field == "timeframe" else MAX_TEXT

    def widgets(self) -> list[w.Widget]:
        m, shared = self.m, self.shared
        goal_fields = (  # name, widget, label, placeholder
            ("goal", w.Textarea, m("form.goal"), m("form.goal_placeholder")),
            ("baseline", w.Textarea, m("form.baseline"), m("form.baseline_placeholder")),
            ("change", w.Textarea, m("form.change"), m("form.change_placeholder")),
            ("timeframe", w.Text, m("form.timeframe"), m("form.timeframe_placeholder")),
        )
        self.goals: list[dict[str, w.Textarea | w.Text]] = []
        children = [html_widget(f"<p>{esc(m('form.goals_help'))}</p>")]
        for i in range(N_GOALS):
            fields = {
                fname: cls(description=label, placeholder=placeholder, style=shared.text_wide,
                           layout=shared.goal_area if cls is w.Textarea else shared.full)
                for fname, cls, label, placeholder in goal_fields
            }
            for fname, widget in fields.items():
                widget.add_class(f"samsyn-goal-{i + 1}-{fname}")
            self.goals.append(fields)
            children.append(self.fieldset(m("form.goal_n", n=i + 1), list(fields.values()), f"samsyn-goal-{i + 1}"))
        return children

    def inputs(self) -> list[w.Widget]:
        return [f for goal in self.goals for f in goal.values()]

    def clean(self, draft: dict[str, Any]) -> dict[str, Any]:
        goals = draft.get("goals") if isinstance(draft.get("goals"), list) else []
        out = []
        for i in range(N_GOALS):
            saved = goals[i] if i < len(goals) and isinstance(goals[i], dict) else {}
            out.append({name: _text(saved.get(name), self._limit(name)) for name in GOAL_FIELDS})
        return {"goals": out}

    def load(self, data: dict[str, Any]) -> None:
        for goal, saved in zip(self.goals, data["goals"]):
            for fname, field in goal.items():
                field.value = saved.get(fname, "")

    def payload(self) -> dict[str, Any]:
        return {"goals": [{k: f.value for k, f in goal.items()} for goal in self.goals]}

    def problems(self, data: dict[str, Any]) -> list[str]:
        m = self.m
        out = []
        if not any(str(g.get("goal", "")).strip() for g in data["goals"]):
            out.append(m("form.error.no_goal"))
        for i, goal in enumerate(data["goals"]):
            if not str(goal.get("goal", "")).strip() and any(str(v).strip() for v in goal.values()):
                out.append(m("form.error.goal_text", n=i + 1))
        labels = {"goal": m("form.goal"), "baseline": m("form.baseline"), "change": m("form.change"),
                  "timeframe": m("form.timeframe")}
        return out + _too_long(m, [(labels.get(k, k), str(v), self._limit(k)) for g in data["goals"] for k, v in g.items()])


class MotivationStep(Step):
    name = "motivation"

    def widgets(self) -> list[w.Widget]:
        m = self.m
        self.motivation = w.Textarea(value="", placeholder=m("form.motivation_placeholder"),
                                     description=m("form.motivation"), layout=w.Layout(width="100%", height="9em"),
                                     style=self.shared.text_initial)
        self.motivation.add_class("samsyn-motivation")
        return [html_widget(f"<p>{esc(m('form.motivation_help'))}</p>"), self.motivation]

    def inputs(self) -> list[w.Widget]:
        return [self.motivation]

    def clean(self, draft: dict[str, Any]) -> dict[str, Any]:
        return {"motivation": _text(draft.get("motivation"))}

    def load(self, data: dict[str, Any]) -> None:
        self.motivation.value = data["motivation"]

    def payload(self) -> dict[str, Any]:
        return {"motivation": self.motivation.value}

    def problems(self, data: dict[str, Any]) -> list[str]:
        out = []
        if len(data["motivation"].strip()) < MIN_MOTIVATION:
            out.append(self.m("form.error.motivation", min=MIN_MOTIVATION))
        return out + _too_long(self.m, [(self.m("form.motivation"), data["motivation"], MAX_TEXT)])


#: The steps in the order the trainee takes them.
STEP_TYPES: tuple[type[Step], ...] = (ExposureStep, FactorsStep, RiskStep, MappingStep, InterventionStep, GoalsStep,
                                      MotivationStep)
STEPS = tuple(s.name for s in STEP_TYPES)
StepT = TypeVar("StepT", bound=Step)


class AnswerForm:
    def __init__(self, case: Case, variables: Variables, lang: str, *, round: int = 1,
                 on_change: Callable[[dict[str, Any]], None] | None = None,
                 on_submit: Callable[[AnswerIn], None] | None = None,
                 worked_examples: dict[str, list[Case]] | None = None):
        self.case, self.variables, self.lang, self.round = case, variables, lang, round
        #: The cases per risk level shown as worked examples where the trainee rates (never this case).
        self.worked_examples = worked_examples
        self.m = m = Messages(lang)
        self.on_change = on_change
        self.on_submit = on_submit
        self.step = 0
        self._loading = False
        self._shared = _Shared()
        #: The steps, in order; each builds its widgets when first reached.
        self.steps: list[Step] = [cls(self) for cls in STEP_TYPES]
        self._data: dict[str, Any] = self._clean({})

        self.progress = html_widget("", "samsyn-progress")
        self.error = html_widget("", "samsyn-step-error")
        self.saved = html_widget("", "samsyn-saved")
        self.prev_button = w.Button(description=m("form.previous"), icon="arrow-left")
        self.prev_button.add_class("samsyn-prev")
        self.next_button = w.Button(description=m("form.next"), button_style="primary")
        self.next_button.add_class("samsyn-next")
        self.submit_button = w.Button(description=m("form.submit"), button_style="success")
        self.submit_button.add_class("samsyn-submit")
        self.prev_button.on_click(lambda _b: self.previous())
        self.next_button.on_click(lambda _b: self.next())
        self.submit_button.on_click(lambda _b: self.submit())
        nav = w.HBox([self.prev_button, self.next_button, self.submit_button, self.saved],
                     layout=w.Layout(align_items="center", flex_flow="row wrap"))
        nav.add_class("samsyn-nav")
        self.stage = w.VBox([])
        self.widget = w.VBox([self.progress, self.stage, self.error, nav])
        self.widget.add_class("samsyn-form")
        self._render()

    # -- the steps, their widgets built on first use --------------------------------------
    def _built(self, index: int) -> Step:
        step = self.steps[index]
        if not step.built:
            step.build()
            self._loading = True
            try:
                step.load(self._data)
            finally:
                self._loading = False
            for widget in step.inputs():
                widget.observe(lambda change, s=step: self._changed(s), names="value")
        return step

    def _step(self, cls: type[StepT]) -> StepT:
        return self._built(STEP_TYPES.index(cls))  # type: ignore[return-value]

    @property
    def exposure(self) -> dict[str, dict[str, w.Checkbox]]:
        return self._step(ExposureStep).boxes

    @property
    def factor_rows(self) -> list[FactorRow]:
        return self._step(FactorsStep).rows

    @property
    def risk(self) -> w.RadioButtons:
        return self._step(RiskStep).risk

    @property
    def missing_info(self) -> w.Textarea:
        return self._step(RiskStep).missing_info

    @property
    def missing_box(self) -> w.VBox:
        return self._step(RiskStep).missing_box

    @property
    def safety(self) -> w.ToggleButtons:
        return self._step(RiskStep).safety

    @property
    def mapping(self) -> mapping_step.MappingStep:
        return self._step(MappingStep).mapping

    @property
    def interventions(self) -> dict[str, w.Checkbox]:
        return self._step(InterventionStep).interventions

    @property
    def focus(self) -> dict[str, w.Checkbox]:
        return self._step(InterventionStep).focus

    @property
    def goals(self) -> list[dict[str, w.Textarea | w.Text]]:
        return self._step(GoalsStep).goals

    @property
    def motivation(self) -> w.Textarea:
        return self._step(MotivationStep).motivation

    # -- data -----------------------------------------------------------------------
    def _clean(self, data: Any) -> dict[str, Any]:
        """A draft as the form's data: unknown or stale ids dropped, wrong types emptied, texts clipped."""
        data = _mapping(data)
        out: dict[str, Any] = {}
        for step in self.steps:
            out.update(step.clean(data))
        index = data.get("step")
        out["step"] = index if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(self.steps) else 0
        return out

    def payload(self) -> dict[str, Any]:
        data = copy.deepcopy({k: v for k, v in self._data.items() if k != "step"})
        return {"step": self.step, **data}

    def load(self, data: dict[str, Any] | None) -> None:
        """Restore a draft (unknown or stale ids are ignored, never trusted)."""
        if not data or not isinstance(data, dict):
            return
        self._data = self._clean(data)
        self._loading = True
        try:
            for step in self.steps:
                if step.built:
                    step.load(self._data)
        finally:
            self._loading = False
        self.step = self._data["step"]
        self._render()

    def answer(self) -> AnswerIn:
        d = self._data
        factors = []
        for spec in self.steps[STEP_TYPES.index(FactorsStep)].chosen(d):
            entry = d["factors"][spec.factor_id]
            weights = {dim: (entry.get(dim) or None) for dim in spec.dims}
            factors.append({"kind": spec.kind, "factor_id": spec.factor_id,
                            "own_text": entry["text"].strip() if spec.own else None, **weights})
        goals = [{k: str(v).strip() for k, v in goal.items()} for goal in d["goals"] if str(goal.get("goal", "")).strip()]
        not_known = d["risk"] == self.variables.risk.not_assessable.id
        return AnswerIn(
            case_id=self.case.id,
            round=self.round,
            risk=d["risk"] or "",
            risk_missing_info=d["risk_missing_info"].strip() if not_known else None,
            safety_scale=d["safety_scale"],
            selections=selections_from_payload(d),
            factors=factors,
            goals=goals,
            motivation=d["motivation"].strip(),
            language=self.lang,
            mapping=mapping_step.mapping_in(d["mapping"]),
        )

    # -- validation -------------------------------------------------------------------
    def problems(self, step: int) -> list[str]:
        """What step ``step`` still needs, from the form's data (the step need not be built)."""
        return self.steps[step].problems(self._data)

    def _show_problems(self, problems: list[str]) -> None:
        if problems:
            items = "".join(f"<li>{esc(p)}</li>" for p in problems)
            self.error.value = f'<div class="samsyn-notice" role="alert"><ul>{items}</ul></div>'
        else:
            self.error.value = ""

    # -- navigation -------------------------------------------------------------------
    def go(self, step: int) -> None:
        if 0 <= step < len(self.steps):
            self.step = step
            self._show_problems([])
            self._render()
            self._notify()

    def next(self) -> bool:
        problems = self.problems(self.step)
        self._show_problems(problems)
        if problems:
            return False
        self.go(self.step + 1)
        if self.step == len(self.steps) - 1:  # the Next button is gone: the keyboard focus goes on to the step's field
            self._built(self.step).inputs()[0].focus()
        return True

    def previous(self) -> None:
        self.go(self.step - 1)
        if self.step == 0:  # the Previous button is disabled: the keyboard focus goes on to Next
            self.next_button.focus()

    def submit(self) -> None:
        if self.submit_button.disabled:
            return
        self.submit_button.disabled = True  # a double-click submits once
        for step in range(len(self.steps)):
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
        for i, step in enumerate(self.steps):
            current = ' aria-current="step" class="samsyn-progress-current"' if i == self.step else ""
            done = " ✓" if i < self.step else ""
            items.append(f"<li{current}>{esc(m(f'form.step.{step.name}'))}{done}</li>")
        self.progress.value = (
            f'<p class="samsyn-progress-text">{esc(m("form.progress", n=self.step + 1, total=len(self.steps)))}</p>'
            f'<ol class="samsyn-progress-steps">{"".join(items)}</ol>'
        )
        self.stage.children = [self._built(self.step).box]
        self.prev_button.disabled = self.step == 0
        last = self.step == len(self.steps) - 1
        self.next_button.layout.display = "none" if last else None
        self.submit_button.layout.display = None if last else "none"

    def _changed(self, step: Step) -> None:
        if self._loading:
            return
        self._data.update(step.payload())
        self._loading = True
        try:  # a value two steps show (the safety scale): keep the other in step
            for other in self.steps:
                if other is not step and other.built:
                    other.sync(self._data)
        finally:
            self._loading = False
        step.changed()
        self._notify()

    def _notify(self) -> None:
        if self._loading or self.on_change is None:
            return
        self.on_change(self.payload())
