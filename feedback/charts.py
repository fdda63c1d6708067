"""Charts for feedback, built with Altair and rendered to SVG by vl-convert.

Rendering on the server keeps the page free of chart JavaScript and makes a
chart one accessible image: the SVG carries a title and a text description
for screen readers. Altair and vl-convert are imported only when a chart is
actually drawn, so the start and case pages stay light.
"""

from __future__ import annotations

OWN_COLOUR = "#d9822b"
OTHER_COLOUR = "#7a9cc6"


def distribution_svg(counts: list[tuple[str, int]], own_label: str | None, *, title: str, own_text: str,
                     count_title: str, description: str) -> str:
    """A bar chart of answer counts per level, the trainee's own level highlighted.

    ``counts`` is ``[(label, count), …]`` in scale order. Returns SVG markup.
    """
    import altair as alt

    from samsyn.chart_text import svg as chart_svg

    order = [label for label, _n in counts]
    rows = [{"level": label, "n": int(n), "own": label == own_label} for label, n in counts]
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("level:N", sort=order, title=None, axis=alt.Axis(labelLimit=320, labelFontSize=12)),
        x=alt.X("n:Q", title=count_title, axis=alt.Axis(tickMinStep=1)),
    )
    bars = base.mark_bar(height=20).encode(
        color=alt.condition(alt.datum.own, alt.value(OWN_COLOUR), alt.value(OTHER_COLOUR)),
    )
    marker = base.transform_filter(alt.datum.own).mark_text(align="left", dx=6, fontWeight="bold").encode(
        text=alt.value(own_text))
    chart = (bars + marker).properties(
        width=360, height=len(rows) * 28, title=title,
        description=description,
    ).configure_view(stroke=None)
    return chart_svg(chart.to_dict())


def distance_svg(points: list[tuple[int, float | None, float | None]], *, title: str, x_title: str, y_title: str,
                 key_label: str, group_label: str, description: str) -> str:
    """Signed distance in steps from the key and from the group, case by case (oldest first)."""
    import altair as alt

    from samsyn.chart_text import svg as chart_svg

    rows = []
    for n, vs_key, vs_group in points:
        if vs_key is not None:
            rows.append({"case": n, "steps": vs_key, "reference": key_label})
        if vs_group is not None:
            rows.append({"case": n, "steps": vs_group, "reference": group_label})
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("case:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("steps:Q", title=y_title, scale=alt.Scale(domain=[-3, 3]), axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("reference:N", title=None, scale=alt.Scale(range=[OWN_COLOUR, OTHER_COLOUR])),
    )
    zero = alt.Chart(alt.Data(values=[{"y": 0}])).mark_rule(color="#888").encode(y="y:Q")
    chart = (zero + base.mark_line(point=True)).properties(width=420, height=180, title=title,
                                                           description=description)
    return chart_svg(chart.to_dict())
