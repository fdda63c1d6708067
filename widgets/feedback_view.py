"""The feedback view, shown only after a trainee has submitted.

Renders a ``feedback.Feedback``: the group's and the national panel's risk
distributions with the trainee's answer marked, the key, what the group saw
that the trainee did not (and the other way round), the "same factors,
different weight" breakdown, the spread of interventions, the group's goals
side by side — and the reflection prompts chosen by what diverged, with a
field to write the reflection. Every piece of user text is escaped.
"""

from __future__ import annotations

from typing import Callable

import ipywidgets as w

from cases import Case, Variables
from feedback.model import SPECIFIC_PROMPTS, Feedback
from samsyn.i18n import Messages
from samsyn.numbers import dec, num, pct
from store.answer import MAX_TEXT
from widgets.common import esc, html_widget
from widgets.panel_view import panel_tables_html
from widgets.risk_anchors import anchors_html, level_definition_html


def _steps_text(m: Messages, steps: float | None, reference: str) -> str:
    if steps is None:
        return ""
    if abs(steps) < 0.25:
        return m("feedback.steps_same", reference=reference)
    if steps > 0:
        return m("feedback.steps_higher", steps=num(abs(steps), m.lang), reference=reference)
    return m("feedback.steps_lower", steps=num(abs(steps), m.lang), reference=reference)


class FeedbackView:
    def __init__(self, fb: Feedback, case: Case, variables: Variables, lang: str,
                 on_reflect: Callable[[str, str], None] | None = None, saved_reflections: dict[str, str] | None = None,
                 mapping=None, worked_examples: dict[str, list[Case]] | None = None):
        self.fb, self.case, self.variables, self.lang = fb, case, variables, lang
        self.mapping = mapping  # feedback.mapping.MappingFeedback, or None
        self.worked_examples = worked_examples
        self.m = m = Messages(lang)
        self.on_reflect = on_reflect
        parts: list[w.Widget] = [html_widget(f"<h2>{esc(m('feedback.heading'))}</h2>", "samsyn-feedback-title")]
        parts.append(self._risk_section())
        parts.append(self._exposure_section())
        parts.append(self._panel_section())
        parts.append(self._factor_section())
        parts.append(self._intervention_section())
        parts.append(self._goals_section())
        if mapping is not None:
            from feedback.mapping_report import feedback_html

            parts.append(html_widget(feedback_html(mapping, case, variables, lang), "samsyn-feedback-mapping"))
        parts.append(self._reflection_section(saved_reflections or {}))
        self.widget = w.VBox(parts)
        self.widget.add_class("samsyn-feedback")

    # -- helpers ---------------------------------------------------------------------
    def _risk_label(self, risk_id: str) -> str:
        return self.variables.risk_label(risk_id, self.lang)

    def _option_label(self, variable: str, option: str) -> str:
        """Out of its group's context: "Annat skäl" names its group."""
        return self.variables.qualified_option_label(variable, option, self.lang)

    def _factor_label(self, factor_id: str) -> str:
        factor = self.case.factor(factor_id)
        return factor.label.get(self.lang) if factor else factor_id

    def _chart(self, counts: dict[str, int], title: str, cls: str) -> w.Widget:
        from samsyn import charts

        m = self.m
        order = [*self.variables.risk_answer_ids]
        pairs = [(self._risk_label(rid), int(counts.get(rid, 0))) for rid in order]
        own = self._risk_label(self.fb.own.risk)
        description = m("feedback.chart_description", title=title,
                        counts="; ".join(f"{label}: {n}" for label, n in pairs), own=own)
        spec = charts.distribution(pairs, own, title=title, description=description, count_title=m("feedback.count_axis"),
                                   level_title=m("chart.level"), own_text=m("feedback.you"))
        return charts.chart_widget(spec, description, cls, lang=m.lang)

    # -- sections ------------------------------------------------------------------------
    def _risk_section(self) -> w.Widget:
        fb, m = self.fb, self.m
        own = self._risk_label(fb.own.risk)
        parts: list[w.Widget] = [html_widget(
            f"<h3>{esc(m('feedback.risk_heading'))}</h3>"
            f'<p class="samsyn-own-risk">{esc(m("feedback.your_rating", rating=own))}</p>')]
        if fb.group_shown:
            parts.append(self._chart(fb.group_risk_counts | {self.variables.risk.not_assessable.id: fb.group_not_known},
                                     m("feedback.group_chart", n=fb.group_n), "samsyn-group-chart"))
            lines = [_steps_text(m, fb.steps_from_group, m("feedback.ref_group"))]
            if fb.group_consensus is not None:
                lines.append(m("feedback.consensus", value=dec(fb.group_consensus, self.lang)))
            parts.append(html_widget("".join(f"<p>{esc(x)}</p>" for x in lines if x), "samsyn-group-distance"))
        else:
            text = (m("feedback.first_to_answer") if fb.first_to_answer
                    else m("feedback.group_too_small", n=fb.group_n, min=fb.min_group))
            parts.append(html_widget(f'<p class="samsyn-notice">{esc(text)}</p>', "samsyn-group-hidden"))
        if fb.panel is not None and fb.panel_risk_counts is not None:
            parts.append(self._chart(fb.panel_risk_counts, m("feedback.panel_chart", n=num(fb.panel.n, self.lang), year=fb.panel.year),
                                     "samsyn-panel-chart"))
            parts.append(html_widget(f"<p>{esc(_steps_text(m, fb.steps_from_panel, m('feedback.ref_panel')))}</p>",
                                     "samsyn-panel-distance"))
        if fb.key is not None:
            rationale = self.case.key.rationale.risk.get(self.lang) if self.case.key else ""
            parts.append(html_widget(
                f'<div class="samsyn-key"><p><strong>{esc(m("feedback.key", rating=self._risk_label(fb.key.risk)))}</strong></p>'
                f"<p>{esc(rationale)}</p><p>{esc(_steps_text(m, fb.steps_from_key, m('feedback.ref_key')))}</p>"
                f"{level_definition_html(self.variables, fb.key.risk, self.lang)}</div>",
                "samsyn-key-box"))
        parts.append(html_widget(self._anchors(), "samsyn-feedback-anchors"))
        box = w.VBox(parts)
        box.add_class("samsyn-feedback-risk")
        return box

    def _anchors(self) -> str:
        """All levels' definitions beside the reference assessment: its level and the trainee's marked."""
        m, fb = self.m, self.fb
        marks: dict[str, list[str]] = {}
        if fb.key is not None:
            marks.setdefault(fb.key.risk, []).append(m("anchors.mark_key"))
        marks.setdefault(fb.own.risk, []).append(m("anchors.mark_own"))
        return anchors_html(self.variables, self.lang, self.worked_examples, current_case=self.case.id, marks=marks)

    def _panel_section(self) -> w.Widget:
        fb = self.fb
        html = panel_tables_html(fb.panel, self.variables, self.lang, fb.panel_shares) if fb.panel is not None else ""
        return html_widget(html, "samsyn-feedback-panel")

    def _diff_list(self, diffs: dict, label_for) -> str:
        m = self.m
        out = []
        for variable, diff in diffs.items():
            for option in diff.missed:
                out.append(f'<li class="samsyn-missed">{esc(m("feedback.you_missed", item=label_for(variable, option)))}</li>')
            for option in diff.extra:
                out.append(f'<li class="samsyn-extra">{esc(m("feedback.only_you", item=label_for(variable, option)))}</li>')
        return "".join(out)

    def _exposure_section(self) -> w.Widget:
        fb, m = self.fb, self.m
        html = [f"<h3>{esc(m('feedback.exposure_heading'))}</h3>"]
        for ref, diffs in ((m("feedback.ref_group"), fb.exposure_vs_group), (m("feedback.ref_key"), fb.exposure_vs_key)):
            if not diffs:
                continue
            items = self._diff_list(diffs, self._option_label)
            html.append(f"<p><strong>{esc(m('feedback.compared_with', reference=ref))}</strong></p>")
            html.append(f"<ul>{items}</ul>" if items else f"<p>{esc(m('feedback.same_exposure'))}</p>")
        return html_widget("".join(html), "samsyn-feedback-exposure")

    def _factor_section(self) -> w.Widget:
        fb, m = self.fb, self.m
        html = [f"<h3>{esc(m('feedback.factors_heading'))}</h3>", f"<p>{esc(m('feedback.factors_intro'))}</p>"]
        for ref, summary in ((m("feedback.ref_group"), fb.factors_vs_group), (m("feedback.ref_key"), fb.factors_vs_key)):
            if summary is None:
                continue
            verdict = summary["verdict"]
            html.append(f'<div class="samsyn-factor-compare" data-verdict="{esc(verdict)}">')
            html.append(f"<p><strong>{esc(m('feedback.compared_with', reference=ref))}</strong> "
                        f"{esc(m(f'feedback.verdict.{verdict}'))}</p>")
            bias_lines = []
            for name, value in summary["bias"].items():
                if value is None or abs(value) < 0.25:
                    continue
                kind, dim = name.split(".")
                values = {"dimension": getattr(self.variables.factor_scales, dim).label.get(self.lang),
                          "kind": (m("form.risk_factors") if kind == "risk" else m("form.protective_factors")).lower(),
                          "steps": dec(abs(value), self.lang, 1), "reference": ref}
                bias_lines.append(m("feedback.bias_higher", **values) if value > 0 else m("feedback.bias_lower", **values))
            if bias_lines:
                html.append("".join(f'<p class="samsyn-weight-bias">{esc(line)}</p>' for line in bias_lines))
            items = []
            for kind in ("risk", "protective"):
                for fid in summary["missed"][kind]:
                    items.append(f'<li class="samsyn-missed-factor">{esc(m("feedback.you_missed", item=self._factor_label(fid)))}</li>')
                for fid in summary["extra"][kind]:
                    items.append(f'<li class="samsyn-extra">{esc(m("feedback.only_you", item=self._factor_label(fid)))}</li>')
            details = []
            for d in summary["differences"]:
                dim = getattr(self.variables.factor_scales, d["dimension"]).label.get(self.lang)
                values = {"factor": self._factor_label(d["factor"]), "dimension": dim.lower(), "steps": num(abs(d["diff"]), self.lang)}
                text = m("feedback.weighed_higher", **values) if d["diff"] > 0 else m("feedback.weighed_lower", **values)
                details.append(f'<li class="samsyn-weight-diff">{esc(text)}</li>')
            if items:
                html.append(f"<ul>{''.join(items)}</ul>")
            if details:
                html.append(f'<details class="samsyn-weight-details"><summary>{esc(m("feedback.factor_by_factor", n=len(details)))}</summary>'
                            f"<ul>{''.join(details)}</ul></details>")
            html.append("</div>")
        return html_widget("".join(html), "samsyn-feedback-factors")

    def _intervention_section(self) -> w.Widget:
        fb, m = self.fb, self.m
        html = [f"<h3>{esc(m('feedback.interventions_heading'))}</h3>"]
        if fb.intervention_shares:
            mine = fb.own.chosen("intervention")
            rows = "".join(
                f"<tr><td>{esc(self._option_label('intervention', o))}{' ✓' if o in mine else ''}</td>"
                f"<td>{esc(pct(share, self.lang))}</td></tr>"
                for o, share in sorted(fb.intervention_shares.items(), key=lambda kv: -kv[1]))
            html.append(f'<table class="samsyn-table"><thead><tr><th scope="col">{esc(m("feedback.intervention"))}</th>'
                        f'<th scope="col">{esc(m("feedback.share_of_group"))}</th></tr></thead><tbody>{rows}</tbody></table>'
                        f"<p class=\"samsyn-case-meta\">{esc(m('feedback.your_choice_marked'))}</p>")
        if fb.key is not None and self.case.key and self.case.key.rationale.interventions:
            options = fb.key.chosen("intervention")
            # a key with no intervention (an investigation closed without one) says so
            head = (m("feedback.key_interventions", options=", ".join(self._option_label("intervention", o) for o in options))
                    if options else m("feedback.key_no_intervention"))
            html.append(f"<p><strong>{esc(head)}</strong> "
                        f"{esc(self.case.key.rationale.interventions.get(self.lang))}</p>")
        if fb.intervention_vs_key is not None:
            items = self._diff_list({"intervention": fb.intervention_vs_key}, self._option_label)
            html.append(f'<p><strong>{esc(m("feedback.compared_with", reference=m("feedback.ref_key")))}</strong></p>'
                        + (f'<ul class="samsyn-intervention-vs-key">{items}</ul>' if items
                           else f'<p class="samsyn-intervention-vs-key">{esc(m("feedback.same_interventions"))}</p>'))
        return html_widget("".join(html), "samsyn-feedback-interventions")

    def _goals_section(self) -> w.Widget:
        fb, m = self.fb, self.m
        html = [f"<h3>{esc(m('feedback.goals_heading'))}</h3>"]
        def goal_card(goal: dict[str, str], cls: str) -> str:
            baseline = goal.get("baseline", "").strip()
            return (f'<li class="{cls}"><p>{esc(goal.get("goal", ""))}</p>'
                    f'<p class="samsyn-case-meta">{esc(m("form.baseline"))}: '
                    f'{esc(baseline) if baseline else "<em>" + esc(m("feedback.no_baseline")) + "</em>"}'
                    f' · {esc(m("form.change"))}: {esc(goal.get("change", "")) or "–"}'
                    f' · {esc(m("form.timeframe"))}: {esc(goal.get("timeframe", "")) or "–"}</p></li>')
        mine = "".join(goal_card(g, "samsyn-own-goal") for g in fb.own.goals)
        html.append(f"<p><strong>{esc(m('feedback.your_goals'))}</strong></p><ul>{mine}</ul>")
        if fb.group_goals:
            others = "".join(goal_card(g, "samsyn-group-goal") for g in fb.group_goals)
            html.append(f"<p><strong>{esc(m('feedback.group_goals'))}</strong></p><ul class=\"samsyn-goal-list\">{others}</ul>")
        return html_widget("".join(html), "samsyn-feedback-goals")

    def _reflection_section(self, saved: dict[str, str]) -> w.Widget:
        m = self.m
        parts: list[w.Widget] = [html_widget(f"<h3>{esc(m('feedback.reflect_heading'))}</h3>")]
        self.reflections: dict[str, w.Textarea] = {}
        for prompt in [*self.fb.prompts, *(self.mapping.prompts if self.mapping is not None else ())]:
            params = dict(prompt.params)
            if prompt.id == "mapping_scale_risk":
                params["risk"] = self._risk_label(params["risk"])
            if "factors" in params:
                params["factors"] = ", ".join(self._factor_label(f) for f in params["factors"])
            if prompt.id in SPECIFIC_PROMPTS and "protective" in params:
                params["protective"] = self._factor_label(params["protective"])
                params["risk"] = self._factor_label(params["risk"])
                text = m(f"prompt.{prompt.id}.specific", **params)
            else:
                text = m(f"prompt.{prompt.id}", **params)
            area = w.Textarea(value=saved.get(prompt.id, ""), placeholder=m("feedback.reflection_placeholder"),
                              description=m("feedback.your_reflection"), layout=w.Layout(width="100%", height="6em"),
                              style={"description_width": "initial"})
            area.add_class(f"samsyn-reflection-{prompt.id}")
            self.reflections[prompt.id] = area
            box = w.VBox([html_widget(f'<p class="samsyn-prompt" data-prompt="{esc(prompt.id)}">{esc(text)}</p>'), area])
            box.add_class("samsyn-prompt-box")
            parts.append(box)
        self.reflect_status = html_widget("", "samsyn-reflection-status")
        save = w.Button(description=m("feedback.save_reflection"), button_style="primary")
        save.add_class("samsyn-save-reflection")
        save.on_click(lambda _b: self.save())
        parts += [save, self.reflect_status]
        box = w.VBox(parts)
        box.add_class("samsyn-reflection")
        return box

    def save(self) -> None:
        m = self.m
        written = {pid: area.value.strip() for pid, area in self.reflections.items() if area.value.strip()}
        if not written:
            self.reflect_status.value = f'<p class="samsyn-notice" role="alert">{esc(m("feedback.reflection_empty"))}</p>'
            return
        if any(len(t) > MAX_TEXT for t in written.values()):
            self.reflect_status.value = f'<p class="samsyn-notice" role="alert">{esc(m("form.error.too_long", field=m("feedback.your_reflection"), max=MAX_TEXT))}</p>'
            return
        if self.on_reflect:
            for pid, text in written.items():
                self.on_reflect(pid, text)
        self.reflect_status.value = f'<p role="status">{esc(m("feedback.reflection_saved"))}</p>'
