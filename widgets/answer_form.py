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

A step's widgets are built when the trainee first reaches it (or when code
asks for them, e.g. ``form.risk``): a case page used to send all ~510 widget
models of the six steps at once; now it sends the first step's. Until a step
is built, its part of the answer lives in the form's data (``payload()``), so
a restored draft, validation and submit see every step all the same. Widgets
that look alike share one ``Layout`` and one style model.
"""

from __future__ import annotations

from typing import Any, Callable

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

STEPS = ("exposure", "factors", "risk", "mapping", "intervention", "goals", "motivation")
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
        self._factor_specs: list[_FactorSpec] = []
        for kind in FACTOR_KINDS:
            self._factor_specs += [_FactorSpec(kind, f.id, f.label.get(lang), False) for f in getattr(case.factors, kind)]
            self._factor_specs += [_FactorSpec(kind, f"{OWN_PREFIX}{kind[0]}{i + 1}", m("form.own_factor", n=i + 1), True)
                                   for i in range(N_OWN)]
        self._data: dict[str, Any] = self._clean({})
        self.step_boxes: list[w.VBox | None] = [None] * len(STEPS)
        self._step_widgets: dict[str, dict[str, Any]] = {}

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

    # -- the steps' widgets, built on first use ---------------------------------------
    def _built(self, name: str) -> dict[str, Any]:
        if name not in self._step_widgets:
            self._build(name)
        return self._step_widgets[name]

    @property
    def exposure(self) -> dict[str, dict[str, w.Checkbox]]:
        return self._built("exposure")["exposure"]

    @property
    def factor_rows(self) -> list[FactorRow]:
        return self._built("factors")["rows"]

    @property
    def risk(self) -> w.RadioButtons:
        return self._built("risk")["risk"]

    @property
    def missing_info(self) -> w.Textarea:
        return self._built("risk")["missing_info"]

    @property
    def missing_box(self) -> w.VBox:
        return self._built("risk")["missing_box"]

    @property
    def safety(self) -> w.ToggleButtons:
        return self._built("risk")["safety"]

    @property
    def mapping(self) -> mapping_step.MappingStep:
        return self._built("mapping")["mapping"]

    @property
    def interventions(self) -> dict[str, w.Checkbox]:
        return self._built("intervention")["interventions"]

    @property
    def focus(self) -> dict[str, w.Checkbox]:
        return self._built("intervention")["focus"]

    @property
    def goals(self) -> list[dict[str, w.Textarea | w.Text]]:
        return self._built("goals")["goals"]

    @property
    def motivation(self) -> w.Textarea:
        return self._built("motivation")["motivation"]

    def _build(self, name: str) -> None:
        m, lang, variables, shared = self.m, self.lang, self.variables, self._shared
        parts: dict[str, Any] = {}
        if name == "exposure":
            parts["exposure"] = {}
            children: list[w.Widget] = [html_widget(f"<p>{esc(m('form.exposure_help'))}</p>")]
            for group_id in EXPOSURE_GROUPS:
                group = variables.group("exposure", group_id)
                boxes = {o.id: _checkbox(o.label(lang), shared, f"samsyn-opt-exposure-{group_id}-{o.id}")
                         for o in group.options if not o.retired}
                parts["exposure"][group_id] = boxes
                children.append(self._fieldset(group.label.get(lang), list(boxes.values()), f"samsyn-group-{group_id}"))
        elif name == "factors":
            rows = [FactorRow(s.kind, s.factor_id, s.label, variables, m, lang, own=s.own, shared=shared)
                    for s in self._factor_specs]
            parts["rows"] = rows
            children = [html_widget(f"<p>{esc(m('form.factors_help'))}</p>")]
            for kind, heading in (("risk", m("form.risk_factors")), ("protective", m("form.protective_factors"))):
                children.append(self._fieldset(heading, [r.box for r in rows if r.kind == kind], f"samsyn-factors-{kind}"))
        elif name == "risk":
            risk_options = [(lvl.label(lang), lvl.id) for lvl in variables.risk.levels]
            risk_options.append((variables.risk.not_assessable.label(lang), variables.risk.not_assessable.id))
            risk = w.RadioButtons(options=risk_options, value=None, description="", layout=shared.auto)
            risk.add_class("samsyn-risk")
            missing_info = w.Textarea(value="", placeholder=m("form.missing_info_placeholder"),
                                      description=m("form.missing_info"), layout=w.Layout(width="100%", height="5em"),
                                      style=shared.text_initial)
            missing_info.add_class("samsyn-missing-info")
            missing_box = w.VBox([missing_info], layout=w.Layout(display="none"))
            anchors = variables.safety_scale.anchors
            scale = variables.safety_scale
            safety = w.ToggleButtons(options=[str(i) for i in range(scale.min, scale.max + 1)], value=None,
                                     description="", style={"button_width": "2.6em"})
            safety.add_class("samsyn-safety")
            safety_help = m("form.safety_help", low=anchors[0].get(lang), high=anchors[10].get(lang))
            parts.update(risk=risk, missing_info=missing_info, missing_box=missing_box, safety=safety)
            children = [
                self._fieldset(variables.risk.label.get(lang), [risk, missing_box, risk_anchors_widget(
                    variables, lang, self.worked_examples, exclude_case=self.case.id)], "samsyn-risk-group"),
                self._fieldset(scale.label.get(lang), [html_widget(f"<p>{esc(safety_help)}</p>"), safety],
                               "samsyn-safety-group"),
            ]
        elif name == "mapping":
            scale = variables.safety_scale
            anchors = scale.anchors
            safety = w.ToggleButtons(options=[str(i) for i in range(scale.min, scale.max + 1)], value=None,
                                     description="", style={"button_width": "2.6em"})
            safety.add_class("samsyn-safety")
            step = mapping_step.MappingStep(self.case, lang, m, safety,
                                            m("form.safety_help", low=anchors[0].get(lang), high=anchors[10].get(lang)))
            parts.update(mapping=step, safety=safety)
            children = step.children
        elif name == "intervention":
            parts["interventions"], parts["focus"] = {}, {}
            intervention_parts, focus_parts = [], []
            for group in variables.intervention.groups:
                boxes = {o.id: _checkbox(o.label(lang), shared, f"samsyn-opt-intervention-{o.id}")
                         for o in group.options if not o.retired}
                parts["interventions"].update(boxes)
                intervention_parts.append(self._fieldset(group.label.get(lang), list(boxes.values()), f"samsyn-group-{group.id}"))
            for side in variables.bbic.sides:
                boxes = {a.id: _checkbox(a.label(lang), shared, f"samsyn-opt-focus-{a.id}") for a in side.areas if not a.retired}
                parts["focus"].update(boxes)
                focus_parts.append(self._fieldset(side.label.get(lang), list(boxes.values()), f"samsyn-side-{side.id}"))
            children = [
                html_widget(f"<h3>{esc(variables.intervention.label.get(lang))}</h3>"), *intervention_parts,
                html_widget(f"<h3>{esc(variables.bbic.label.get(lang))}</h3><p>{esc(m('form.focus_help'))}</p>"),
                *focus_parts,
            ]
        elif name == "goals":
            goal_fields = (  # name, widget, label, placeholder
                ("goal", w.Textarea, m("form.goal"), m("form.goal_placeholder")),
                ("baseline", w.Textarea, m("form.baseline"), m("form.baseline_placeholder")),
                ("change", w.Textarea, m("form.change"), m("form.change_placeholder")),
                ("timeframe", w.Text, m("form.timeframe"), m("form.timeframe_placeholder")),
            )
            parts["goals"] = []
            children = [html_widget(f"<p>{esc(m('form.goals_help'))}</p>")]
            for i in range(N_GOALS):
                fields = {
                    fname: cls(description=label, placeholder=placeholder, style=shared.text_wide,
                               layout=shared.goal_area if cls is w.Textarea else shared.full)
                    for fname, cls, label, placeholder in goal_fields
                }
                for fname, widget in fields.items():
                    widget.add_class(f"samsyn-goal-{i + 1}-{fname}")
                parts["goals"].append(fields)
                children.append(self._fieldset(m("form.goal_n", n=i + 1), list(fields.values()), f"samsyn-goal-{i + 1}"))
        else:  # motivation
            motivation = w.Textarea(value="", placeholder=m("form.motivation_placeholder"),
                                    description=m("form.motivation"), layout=w.Layout(width="100%", height="9em"),
                                    style=shared.text_initial)
            motivation.add_class("samsyn-motivation")
            parts["motivation"] = motivation
            children = [html_widget(f"<p>{esc(m('form.motivation_help'))}</p>"), motivation]
        self._step_widgets[name] = parts
        i = STEPS.index(name)
        box = w.VBox([html_widget(f"<h2>{esc(m(f'form.step.{name}'))}</h2>", "samsyn-step-title"), *children],
                     layout=shared.box)
        box.add_class("samsyn-step")
        box.add_class(f"samsyn-step-{name}")
        self.step_boxes[i] = box
        self._loading = True
        try:
            self._to_widgets(name)
        finally:
            self._loading = False
        for widget in self._inputs(name):
            widget.observe(lambda change, n=name: self._changed(change, n), names="value")

    # -- building blocks ------------------------------------------------------------
    def _fieldset(self, legend: str, children: list[w.Widget], cls: str) -> w.VBox:
        box = w.VBox([html_widget(f'<p class="samsyn-legend"><strong>{esc(legend)}</strong></p>'), *children],
                     layout=self._shared.box)
        box.add_class("samsyn-fieldset")
        box.add_class(cls)
        return box

    def _inputs(self, name: str) -> list[w.Widget]:
        parts = self._step_widgets.get(name)
        if parts is None:
            return []
        if name == "exposure":
            return [box for boxes in parts["exposure"].values() for box in boxes.values()]
        if name == "factors":
            return [x for row in parts["rows"] for x in row.widgets()]
        if name == "risk":
            return [parts["risk"], parts["missing_info"], parts["safety"]]
        if name == "mapping":
            return [parts["safety"], *parts["mapping"].inputs()]
        if name == "intervention":
            return [*parts["interventions"].values(), *parts["focus"].values()]
        if name == "goals":
            return [f for goal in parts["goals"] for f in goal.values()]
        return [parts["motivation"]]

    # -- data <-> widgets -------------------------------------------------------------
    def _clean(self, data: Any) -> dict[str, Any]:
        """A draft as the form's data: unknown or stale ids dropped, wrong types emptied, texts clipped."""
        data = _mapping(data)
        variables = self.variables
        exposure = _mapping(data.get("exposure"))
        out: dict[str, Any] = {"exposure": {}}
        for group_id in EXPOSURE_GROUPS:
            chosen = _ids(exposure.get(group_id))
            out["exposure"][group_id] = [o.id for o in variables.group("exposure", group_id).options
                                         if not o.retired and o.id in chosen]
        factors = _mapping(data.get("factors"))
        scales = variables.factor_scales
        out["factors"] = {}
        for spec in self._factor_specs:
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
            out["factors"][spec.factor_id] = entry
        risk_ids = {lvl.id for lvl in variables.risk.levels} | {variables.risk.not_assessable.id}
        risk = data.get("risk")
        out["risk"] = risk if isinstance(risk, str) and risk in risk_ids else None
        out["risk_missing_info"] = _text(data.get("risk_missing_info"))
        scale = data.get("safety_scale")
        lo, hi = variables.safety_scale.min, variables.safety_scale.max
        out["safety_scale"] = scale if isinstance(scale, int) and not isinstance(scale, bool) and lo <= scale <= hi else None
        chosen = _ids(data.get(PAYLOAD_INTERVENTIONS))
        out[PAYLOAD_INTERVENTIONS] = [o for o in variables.intervention_ids if o in chosen]
        chosen = _ids(data.get("focus"))
        out["focus"] = [a for a in variables.bbic_area_ids if a in chosen]
        goals = data.get("goals") if isinstance(data.get("goals"), list) else []
        out["goals"] = []
        for i in range(N_GOALS):
            saved = goals[i] if i < len(goals) and isinstance(goals[i], dict) else {}
            out["goals"].append({name: _text(saved.get(name), MAX_SHORT if name == "timeframe" else MAX_TEXT)
                                 for name in GOAL_FIELDS})
        out["motivation"] = _text(data.get("motivation"))
        out["mapping"] = mapping_step.clean(data.get("mapping"), self.case)
        step = data.get("step")
        out["step"] = step if isinstance(step, int) and not isinstance(step, bool) and 0 <= step < len(STEPS) else 0
        return out

    def _to_widgets(self, name: str) -> None:
        """Show the form's data in a built step's widgets."""
        parts, d = self._step_widgets[name], self._data
        if name == "exposure":
            for group_id, boxes in parts["exposure"].items():
                for option, box in boxes.items():
                    box.value = option in d["exposure"][group_id]
        elif name == "factors":
            for row in parts["rows"]:
                row.load(d["factors"].get(row.factor_id, {}))
        elif name == "risk":
            parts["risk"].value = d["risk"]
            parts["missing_info"].value = d["risk_missing_info"]
            parts["safety"].value = str(d["safety_scale"]) if d["safety_scale"] is not None else None
            parts["missing_box"].layout.display = None if d["risk"] == self.variables.risk.not_assessable.id else "none"
        elif name == "mapping":
            parts["mapping"].load(d["mapping"])
            parts["safety"].value = str(d["safety_scale"]) if d["safety_scale"] is not None else None
        elif name == "intervention":
            for option, box in parts["interventions"].items():
                box.value = option in d["interventions"]
            for area, box in parts["focus"].items():
                box.value = area in d["focus"]
        elif name == "goals":
            for goal, saved in zip(parts["goals"], d["goals"]):
                for fname, field in goal.items():
                    field.value = saved.get(fname, "")
        else:
            parts["motivation"].value = d["motivation"]

    def _from_widgets(self, name: str) -> None:
        """Take a built step's widget values into the form's data (as typed: validation comes later)."""
        parts, d = self._step_widgets[name], self._data
        if name == "exposure":
            d["exposure"] = {g: [o for o, box in boxes.items() if box.value] for g, boxes in parts["exposure"].items()}
        elif name == "factors":
            d["factors"] = {row.factor_id: row.payload() for row in parts["rows"]}
        elif name == "risk":
            d["risk"] = parts["risk"].value
            d["risk_missing_info"] = parts["missing_info"].value
            d["safety_scale"] = int(parts["safety"].value) if parts["safety"].value is not None else None
        elif name == "mapping":
            typed = parts["mapping"].payload()  # as typed (validation comes later); factors only in known places
            d["mapping"] = {**mapping_step.clean(typed, self.case), "parts": typed["parts"],
                            **{k: typed[k] for k in mapping_step.TEXT_FIELDS}}
            d["safety_scale"] = int(parts["safety"].value) if parts["safety"].value is not None else None
        elif name == "intervention":
            d["interventions"] = [o for o, box in parts["interventions"].items() if box.value]
            d["focus"] = [a for a, box in parts["focus"].items() if box.value]
        elif name == "goals":
            d["goals"] = [{k: f.value for k, f in goal.items()} for goal in parts["goals"]]
        else:
            d["motivation"] = parts["motivation"].value

    # -- data -----------------------------------------------------------------------
    def payload(self) -> dict[str, Any]:
        d = self._data
        return {
            "step": self.step,
            "exposure": {g: list(v) for g, v in d["exposure"].items()},
            "factors": {fid: dict(v) for fid, v in d["factors"].items()},
            "risk": d["risk"],
            "risk_missing_info": d["risk_missing_info"],
            "safety_scale": d["safety_scale"],
            PAYLOAD_INTERVENTIONS: list(d[PAYLOAD_INTERVENTIONS]),
            "focus": list(d["focus"]),
            "goals": [dict(g) for g in d["goals"]],
            "motivation": d["motivation"],
            "mapping": {"parts": dict(d["mapping"]["parts"]), "factors": dict(d["mapping"]["factors"]),
                        **{k: d["mapping"][k] for k in mapping_step.TEXT_FIELDS}},
        }

    def load(self, data: dict[str, Any] | None) -> None:
        """Restore a draft (unknown or stale ids are ignored, never trusted)."""
        if not data or not isinstance(data, dict):
            return
        self._data = self._clean(data)
        self._loading = True
        try:
            for name in self._step_widgets:
                self._to_widgets(name)
        finally:
            self._loading = False
        self.step = self._data["step"]
        self._render()

    def _label(self, spec: _FactorSpec) -> str:
        return self._data["factors"][spec.factor_id].get("text", "").strip() if spec.own else spec.label

    def _chosen_factors(self) -> list[_FactorSpec]:
        out = []
        for spec in self._factor_specs:
            entry = self._data["factors"][spec.factor_id]
            if (spec.own and str(entry.get("text") or "").strip()) or (not spec.own and entry.get("on")):
                out.append(spec)
        return out

    def answer(self) -> AnswerIn:
        d = self._data
        selections = selections_from_payload(d)
        factors = []
        for spec in self._chosen_factors():
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
            selections=selections,
            factors=factors,
            goals=goals,
            motivation=d["motivation"].strip(),
            language=self.lang,
            mapping=mapping_step.mapping_in(d["mapping"]),
        )

    # -- validation -------------------------------------------------------------------
    def problems(self, step: int) -> list[str]:
        m, d = self.m, self._data
        name = STEPS[step]
        out: list[str] = []
        if name == "exposure":
            for group_id in EXPOSURE_GROUPS:
                chosen = d["exposure"][group_id]
                label = self.variables.group("exposure", group_id).label.get(self.lang)
                if not chosen:
                    out.append(m("form.error.exposure_group", group=label))
                if self.variables.check_selection("exposure", group_id, list(chosen)):
                    out.append(m("form.error.exclusive", group=label))
        elif name == "factors":
            chosen = self._chosen_factors()
            if not any(s.kind == "risk" for s in chosen):
                out.append(m("form.error.no_risk_factor"))
            for spec in chosen:
                entry = d["factors"][spec.factor_id]
                if any(not entry.get(dim) for dim in spec.dims):
                    out.append(m("form.error.factor_weights", factor=self._label(spec)))
                if spec.own and len(entry.get("text") or "") > MAX_SHORT:
                    out.append(m("form.error.too_long", field=spec.label, max=MAX_SHORT))
        elif name == "risk":
            if d["risk"] is None:
                out.append(m("form.error.no_risk"))
            elif d["risk"] == self.variables.risk.not_assessable.id and not d["risk_missing_info"].strip():
                out.append(m("form.error.missing_info"))
        elif name == "mapping":
            out += mapping_step.problems(d["mapping"], d["safety_scale"], m)
        elif name == "intervention":
            chosen = list(d["interventions"])
            none = [o for o in chosen if o in self.variables.no_intervention_ids]
            if not chosen:
                out.append(m("form.error.no_intervention"))
            elif none and len(chosen) > 1:
                out.append(m("form.error.no_intervention_combined",
                             option=self.variables.option_label("intervention", none[0], self.lang)))
            if none and d["focus"]:
                out.append(m("form.error.focus_without_intervention"))
            elif not none and not d["focus"]:
                out.append(m("form.error.no_focus"))
        elif name == "goals":
            if not any(str(g.get("goal", "")).strip() for g in d["goals"]):
                out.append(m("form.error.no_goal"))
            for i, goal in enumerate(d["goals"]):
                if not str(goal.get("goal", "")).strip() and any(str(v).strip() for v in goal.values()):
                    out.append(m("form.error.goal_text", n=i + 1))
        elif name == "motivation":
            if len(d["motivation"].strip()) < MIN_MOTIVATION:
                out.append(m("form.error.motivation", min=MIN_MOTIVATION))
        goal_labels = {"goal": m("form.goal"), "baseline": m("form.baseline"), "change": m("form.change"),
                       "timeframe": m("form.timeframe")}
        texts = {"risk": [(m("form.missing_info"), d["risk_missing_info"], MAX_TEXT)],
                 "goals": [(goal_labels.get(k, k), str(v), MAX_SHORT if k == "timeframe" else MAX_TEXT)
                           for g in d["goals"] for k, v in g.items()],
                 "motivation": [(m("form.motivation"), d["motivation"], MAX_TEXT)]}.get(name, [])
        for field, value, limit in texts:
            if len(value) > limit:
                out.append(m("form.error.too_long", field=field, max=limit))
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
            self._notify()

    def next(self) -> bool:
        problems = self.problems(self.step)
        self._show_problems(problems)
        if problems:
            return False
        self.go(self.step + 1)
        if self.step == len(STEPS) - 1:  # the Next button is gone: the keyboard focus goes on to the step's field
            self.motivation.focus()
        return True

    def previous(self) -> None:
        self.go(self.step - 1)
        if self.step == 0:  # the Previous button is disabled: the keyboard focus goes on to Next
            self.next_button.focus()

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
        self._built(STEPS[self.step])
        self.stage.children = [self.step_boxes[self.step]]
        self.prev_button.disabled = self.step == 0
        last = self.step == len(STEPS) - 1
        self.next_button.layout.display = "none" if last else None
        self.submit_button.layout.display = None if last else "none"

    def _changed(self, change, name: str) -> None:
        if self._loading:
            return
        self._from_widgets(name)
        other = {"risk": "mapping", "mapping": "risk"}.get(name)
        if other in self._step_widgets:  # one safety scale, shown in both steps: keep the other in step
            shown = str(self._data["safety_scale"]) if self._data["safety_scale"] is not None else None
            if self._step_widgets[other]["safety"].value != shown:
                self._loading = True
                try:
                    self._step_widgets[other]["safety"].value = shown
                finally:
                    self._loading = False
        if name == "risk":
            parts = self._step_widgets["risk"]
            not_known = parts["risk"].value == self.variables.risk.not_assessable.id
            parts["missing_box"].layout.display = None if not_known else "none"
        self._notify()

    def _notify(self) -> None:
        if self._loading or self.on_change is None:
            return
        self.on_change(self.payload())
