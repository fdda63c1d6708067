"""Every chart of Samsyn, in one place: defined with Altair, drawn by the browser or into a file.

**Defined with Altair.** Each chart below is an Altair chart whose data is a
named dataset and whose texts (titles, labels, the description) and a few
numbers (axis domains, cut-offs) are placeholders: a string ``"$name"``.
:func:`spec` fills a chart's *template* — the Vega-Lite JSON that Altair made
of it — with the rows and texts of one use, so a page never needs Altair:
importing Altair costs a kernel ~45 MB and vl-convert ~13 MB more, and every
page has its own kernel. ``samsyn serve`` has the templates written once per
version (:func:`prepare_templates`, by a child process, into the user cache
folder, ``SAMSYN_CACHE_DIR``), where the kernels find them by the same name;
until the file is there (tests, the command line) Altair builds them on first use.

**Drawn by the browser.** :func:`chart_widget` puts a spec in an ipywidgets
``Output`` as a ``application/vnd.vegalite.v5+json`` display: Voila's own
frontend bundle carries JupyterLab's Vega renderer (Vega 5.30, Vega-Lite
5.21, vega-embed — no CDN), which draws it as SVG with tooltips. The embed
options ask for the AST expression interpreter (``ast: true``), so drawing a
chart needs no ``eval``/``new Function`` (a Content-Security-Policy without
``'unsafe-eval'`` holds), and no actions menu (it links to an external editor).
The spec's ``description`` becomes the chart's ``aria-label``; every chart also
has a caption with its numbers in words.

**Drawn into a file.** :func:`svg` and :func:`png` render the same spec with
vl-convert, only where a file is made (the printable HTML reports and the PDFs
of mentors and managers).

Specs declare Vega-Lite 5 (``$schema``), the version the page renderer has;
the charts use nothing newer.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

MIME = "application/vnd.vegalite.v5+json"
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
#: vega-embed options for the page renderer (see the module docstring).
EMBED_OPTIONS = {"actions": False, "renderer": "svg", "ast": True}

OWN, OTHER = "#d9822b", "#7a9cc6"
BLUE, ORANGE, GREY, RED = "#0b5394", "#d9822b", "#8a949c", "#b03a2e"
LEVEL_COLOURS = ["#c6dbef", "#6baed6", "#2171b5", "#08306b"]

_PLACEHOLDER = re.compile(r"^\$[a-z][a-z0-9_]*$")
#: In a list, "$*name" is replaced by the items of the list ``name`` (Altair checks that a domain is a list).
_SPLICE = re.compile(r"^\$\*([a-z][a-z0-9_]*)$")


# -- the charts (Altair) ----------------------------------------------------------------
# Each function gets the ``altair`` module and returns a chart whose data is ``alt.NamedData("rows")``.
# Placeholders: "$name" strings; filled by spec(name, rows, name=value, ...).

def _sorted_by(field: str, alt):
    return alt.EncodingSortField(field=field, op="min")


def _distribution(alt):
    """Answers per risk level, one bar each; the trainee's own level highlighted and marked.

    rows: level (label), order (scale position), n, own (bool).
    texts: title, description, count_title, level_title, own_text."""
    base = alt.Chart(alt.NamedData("rows")).encode(
        y=alt.Y("level:N", sort=_sorted_by("order", alt), title=None, axis=alt.Axis(labelLimit=320, labelFontSize=12)),
        x=alt.X("n:Q", title="$count_title", axis=alt.Axis(tickMinStep=1)),
        tooltip=[alt.Tooltip("level:N", title="$level_title"), alt.Tooltip("n:Q", title="$count_title")],
    )
    bars = base.mark_bar(height=20).encode(
        color=alt.condition(alt.datum.own, alt.value(OWN), alt.value(OTHER)))
    marker = base.transform_filter(alt.datum.own).mark_text(align="left", dx=6, fontWeight="bold").encode(
        text=alt.value("$own_text"))
    return (bars + marker).properties(width=360, height=alt.Step(28), title="$title",
                                      description="$description").configure_view(stroke=None)


def _distance(alt):
    """Signed distance in steps from the key and from the group, case by case (oldest first).

    rows: case (1, 2, …), steps, reference (label). texts: title, description, x_title, y_title, reference_title."""
    base = alt.Chart(alt.NamedData("rows")).encode(
        x=alt.X("case:O", title="$x_title", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("steps:Q", title="$y_title", scale=alt.Scale(domain=[-3, 3]), axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("reference:N", title=None, scale=alt.Scale(range=[OWN, OTHER])),
        tooltip=[alt.Tooltip("case:O", title="$x_title"), alt.Tooltip("reference:N", title="$reference_title"),
                 alt.Tooltip("steps:Q", title="$y_title")],
    )
    zero = alt.Chart(alt.Data(values=[{"y": 0}])).mark_rule(color="#888").encode(y="y:Q")
    return (zero + base.mark_line(point=True)).properties(width=420, height=180, title="$title",
                                                          description="$description")


def _alpha(alt):
    """Ordinal alpha per tertial with its 95 % interval. rows: tertial, alpha, low, high, n."""
    base = alt.Chart(alt.NamedData("rows")).encode(
        x=alt.X("tertial:O", title=None, axis=alt.Axis(labelAngle=0)),
        tooltip=[alt.Tooltip("tertial:O", title="$tertial_title"), alt.Tooltip("alpha:Q", title="$y_title", format=".2f"),
                 alt.Tooltip("low:Q", title="$low_title", format=".2f"), alt.Tooltip("high:Q", title="$high_title", format=".2f"),
                 alt.Tooltip("n:Q", title="$n_title")],
    )
    rule = base.mark_rule(color=BLUE).encode(y=alt.Y("low:Q", title="$y_title", scale=alt.Scale(domain=[-0.2, 1])),
                                              y2="high:Q")
    point = base.mark_point(filled=True, size=60, color=BLUE).encode(y="alpha:Q")
    return (rule + point).properties(width=520, height=200, title="$title", description="$description")


def _within(alt):
    """Share of answers within one step of the key / the panel, per tertial. rows: tertial, share, reference."""
    return alt.Chart(alt.NamedData("rows")).mark_line(point=True).encode(
        x=alt.X("tertial:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", title="$y_title", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("reference:N", title=None, scale=alt.Scale(range=[BLUE, ORANGE])),
        tooltip=[alt.Tooltip("tertial:O", title="$tertial_title"), alt.Tooltip("reference:N", title="$reference_title"),
                 alt.Tooltip("share:Q", title="$y_title", format=".0%")],
    ).properties(width=520, height=180, title="$title", description="$description")


def _team_bias(alt):
    """Each team's mean distance from the key with its interval; flagged teams in red.

    rows: team, order, d_key, d_key_low, d_key_high, flag (label). texts: flagged, other, lo, hi (numbers)."""
    base = alt.Chart(alt.NamedData("rows")).encode(
        y=alt.Y("team:N", sort=_sorted_by("order", alt), title=None, axis=alt.Axis(labelLimit=200)),
        color=alt.Color("flag:N", title=None, scale=alt.Scale(domain=["$flagged", "$other"], range=[RED, BLUE])),
        tooltip=[alt.Tooltip("team:N", title="$team_title"), alt.Tooltip("d_key:Q", title="$x_title", format="+.2f"),
                 alt.Tooltip("d_key_low:Q", title="$low_title", format="+.2f"),
                 alt.Tooltip("d_key_high:Q", title="$high_title", format="+.2f")],
    )
    ci = base.mark_rule().encode(x=alt.X("d_key_low:Q", title="$x_title", scale=alt.Scale(domain=["$lo", "$hi"])),
                                 x2="d_key_high:Q")
    point = base.mark_point(filled=True, size=50).encode(x="d_key:Q")
    zero = alt.Chart(alt.Data(values=[{"x": 0}])).mark_rule(color=GREY).encode(x="x:Q")
    return (zero + ci + point).properties(width=440, height=alt.Step(20), title="$title", description="$description")


def _team_shares(alt):
    """One case: each group's (the panel's, each team's) share of answers per level, stacked.

    rows: group, group_order, level (label), order, share. texts: levels (the level labels, a list: "$*levels")."""
    return alt.Chart(alt.NamedData("rows")).mark_bar().encode(
        y=alt.Y("group:N", sort=_sorted_by("group_order", alt), title=None, axis=alt.Axis(labelLimit=200)),
        x=alt.X("share:Q", title="$x_title", stack="normalize", axis=alt.Axis(format="%")),
        color=alt.Color("level:N", title=None, sort=["$*levels"], scale=alt.Scale(domain=["$*levels"], range=LEVEL_COLOURS),
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=240)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("group:N", title="$group_title"), alt.Tooltip("level:N", title="$level_title"),
                 alt.Tooltip("share:Q", title="$x_title", format=".0%")],
    ).properties(width=440, height=alt.Step(18), title="$title", description="$description")


def _drift(alt):
    """Each team's mean distance from the key per tertial. rows: team, tertial, d_key. texts: lo, hi."""
    chart = alt.Chart(alt.NamedData("rows")).mark_line(point=True, strokeWidth=1.5).encode(
        x=alt.X("tertial:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("d_key:Q", title="$y_title", scale=alt.Scale(domain=["$lo", "$hi"])),
        color=alt.Color("team:N", title=None, legend=alt.Legend(columns=2, symbolLimit=40)),
        tooltip=[alt.Tooltip("team:N", title="$team_title"), alt.Tooltip("tertial:O", title="$tertial_title"),
                 alt.Tooltip("d_key:Q", title="$y_title", format="+.2f")],
    )
    zero = alt.Chart(alt.Data(values=[{"y": 0}])).mark_rule(color=GREY).encode(y="y:Q")
    return (zero + chart).properties(width=440, height=220, title="$title", description="$description")


def _quality(alt):
    """Cases by consensus and share of "not known", ambiguous ones in red, with the two cut-offs.

    rows: name, consensus, not_known_share, flag. texts: flagged, other, consensus_cut, not_known_cut."""
    base = alt.Chart(alt.NamedData("rows")).encode(
        x=alt.X("consensus:Q", title="$x_title", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("not_known_share:Q", title="$y_title", axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("name:N", title="$case_title"), alt.Tooltip("consensus:Q", title="$x_title", format=".2f"),
                 alt.Tooltip("not_known_share:Q", title="$y_title", format=".0%")],
    )
    points = base.mark_point(filled=True, size=70).encode(
        color=alt.Color("flag:N", title=None, scale=alt.Scale(domain=["$flagged", "$other"], range=[RED, BLUE])))
    labels = base.mark_text(align="left", dx=7, fontSize=11).encode(text="name:N")
    vrule = alt.Chart(alt.Data(values=[{"x": "$consensus_cut"}])).mark_rule(color=GREY, strokeDash=[4, 3]).encode(x="x:Q")
    hrule = alt.Chart(alt.Data(values=[{"y": "$not_known_cut"}])).mark_rule(color=GREY, strokeDash=[4, 3]).encode(y="y:Q")
    return (vrule + hrule + points + labels).properties(width=440, height=240, title="$title", description="$description")


def _exposures(alt):
    """Mean risk level by number of identified exposures. rows: label, order, mean_level, n."""
    return alt.Chart(alt.NamedData("rows")).mark_bar(color=BLUE).encode(
        x=alt.X("label:O", sort=_sorted_by("order", alt), title="$x_title", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("mean_level:Q", title="$y_title", scale=alt.Scale(domain=[0, 3])),
        tooltip=[alt.Tooltip("label:O", title="$x_title"), alt.Tooltip("mean_level:Q", title="$y_title", format=".2f"),
                 alt.Tooltip("n:Q", title="$n_title")],
    ).properties(width=360, height=200, title="$title", description="$description")


CHARTS: dict[str, Callable] = {
    "distribution": _distribution, "distance": _distance, "alpha": _alpha, "within": _within,
    "team_bias": _team_bias, "team_shares": _team_shares, "drift": _drift, "quality": _quality,
    "exposures": _exposures,
}


# -- templates ----------------------------------------------------------------------------
def build_templates() -> dict[str, dict]:
    """Every chart's template, made by Altair (imports Altair)."""
    import altair as alt

    out = {}
    for name, chart in CHARTS.items():
        template = chart(alt).to_dict(validate=False)
        template["$schema"] = SCHEMA
        out[name] = template
    return out


def write_templates(path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(build_templates(), ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path


def templates_path(folder: Path) -> Path:
    """Where the templates of this version of the charts and of Altair go in ``folder``."""
    import hashlib
    from importlib.metadata import version

    key = hashlib.sha256(Path(__file__).read_bytes() + version("altair").encode()).hexdigest()[:16]
    return Path(folder) / f"samsyn-charts-{key}.json"


def prepare_templates(folder: Path) -> Path:
    """The templates' file for the kernels: reused when this version wrote it before, else written now
    by a child process in the background (the server never imports Altair, and does not wait: a chart
    is drawn only after a trainee submits; until the file is there a kernel would build its own)."""
    path = templates_path(folder)
    if not path.is_file():
        subprocess.Popen([sys.executable, "-m", "samsyn.charts", str(path)], stdin=subprocess.DEVNULL)
    return path


@lru_cache(maxsize=None)
def _templates() -> dict[str, dict]:
    from samsyn.config import Settings

    path = templates_path(Settings.from_env().cache_dir)
    if path.is_file():
        return json.loads(Path(path).read_text(encoding="utf-8"))
    return build_templates()


def template(name: str) -> dict:
    return _templates()[name]


# -- filling -------------------------------------------------------------------------------
def _fill(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, str) and _PLACEHOLDER.match(node):
        key = node[1:]
        if key not in values:
            raise KeyError(f"chart placeholder {node!r} has no value")
        return values[key]
    if isinstance(node, dict):
        return {k: _fill(v, values) for k, v in node.items()}
    if isinstance(node, list):
        out = []
        for item in node:
            splice = _SPLICE.match(item) if isinstance(item, str) else None
            if splice:
                out.extend(values[splice.group(1)])
            else:
                out.append(_fill(item, values))
        return out
    return node


def _json_safe(value: Any) -> Any:
    """Plain JSON numbers: numpy scalars become Python ones, NaN becomes None."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def spec(name: str, rows: list[dict], **values: Any) -> dict:
    """Chart ``name`` with ``rows`` as its data and ``values`` in its placeholders: a Vega-Lite spec."""
    out = _fill(copy.deepcopy(template(name)), values)
    out["data"] = {"name": "rows"}
    out.setdefault("datasets", {})["rows"] = [{k: _json_safe(v) for k, v in row.items()} for row in rows]
    return out


def distribution(counts: list[tuple[str, int]], own_label: str | None, *, title: str, description: str,
                 count_title: str, level_title: str, own_text: str = "") -> dict:
    """Answers per level (``[(label, count), …]`` in scale order), ``own_label``'s bar highlighted."""
    rows = [{"level": label, "order": i, "n": int(n), "own": label == own_label} for i, (label, n) in enumerate(counts)]
    return spec("distribution", rows, title=title, description=description, count_title=count_title,
                level_title=level_title, own_text=own_text)


def distance(points: list[tuple[int, float | None, float | None]], *, title: str, description: str, x_title: str,
             y_title: str, key_label: str, group_label: str, reference_title: str) -> dict:
    """Signed distance from the key and from the group per case: ``[(case number, vs key, vs group), …]``."""
    rows = []
    for n, vs_key, vs_group in points:
        if vs_key is not None:
            rows.append({"case": n, "steps": vs_key, "reference": key_label})
        if vs_group is not None:
            rows.append({"case": n, "steps": vs_group, "reference": group_label})
    return spec("distance", rows, title=title, description=description, x_title=x_title, y_title=y_title,
                reference_title=reference_title)


# -- drawing ---------------------------------------------------------------------------------
def embed_options(lang: str | None = None) -> dict:
    """vega-embed's options for a page in ``lang``: :data:`EMBED_OPTIONS` and the language's number
    format (``samsyn.chart_text.FORMAT_LOCALES``: 0,25 on a Swedish page).

    >>> embed_options("sv")["formatLocale"]["decimal"]
    ','
    >>> "formatLocale" in embed_options(None)
    False
    """
    from samsyn.chart_text import FORMAT_LOCALES

    options = dict(EMBED_OPTIONS)
    if lang in FORMAT_LOCALES:
        options["formatLocale"] = copy.deepcopy(FORMAT_LOCALES[lang])
    return options


def chart_widget(chart: dict, caption: str, *classes: str, numbers: tuple[str, str] | None = None,
                 lang: str | None = None):
    """A chart for a page: the browser draws it (Vega; numbers in ``lang``'s format), a caption
    carries its numbers in words — or, with ``numbers`` (an element id, a text), links to the table
    beside it that has them."""
    import html

    import ipywidgets as w

    out = w.Output()
    out.add_class("samsyn-chart-canvas")
    out.outputs = ({"output_type": "display_data",
                    "data": {MIME: chart, "text/plain": caption},
                    "metadata": {MIME: {"embed_options": embed_options(lang)}}},)
    link = (f' <a class="samsyn-chart-numbers" href="#{html.escape(numbers[0], quote=True)}">'
            f"{html.escape(numbers[1], quote=True)}</a>" if numbers else "")
    text = w.HTML(f'<p class="samsyn-case-meta samsyn-chart-caption">{html.escape(caption, quote=True)}{link}</p>')
    box = w.VBox([out, text])
    box.add_class("samsyn-chart")
    for cls in classes:
        box.add_class(cls)
    return box


def specs_in(widget) -> list[dict]:
    """The chart specs inside a widget tree (what the browser will draw), in page order."""
    found, stack = [], [widget]
    while stack:
        node = stack.pop()
        for output in getattr(node, "outputs", ()) or ():
            data = output.get("data", {}) if isinstance(output, dict) else {}
            if MIME in data:
                found.append(data[MIME])
        stack.extend(reversed(getattr(node, "children", ())))
    return found


def svg(chart: dict, lang: str | None = None) -> str:
    """The chart as SVG markup, for a file (vl-convert): labels never clipped, axis numbers
    in ``lang``'s format when given (``samsyn.chart_text``)."""
    from samsyn import chart_text

    return chart_text.svg(copy.deepcopy(chart), lang)


def png(chart: dict, scale: float = 2.0, lang: str | None = None) -> bytes:
    """The chart as PNG, for a PDF (vl-convert)."""
    from samsyn import chart_text

    return chart_text.png(copy.deepcopy(chart), scale=scale, lang=lang)


if __name__ == "__main__":  # python -m samsyn.charts PATH: write the templates (samsyn serve does this)
    write_templates(Path(sys.argv[1]))
