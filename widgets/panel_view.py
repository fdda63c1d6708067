"""Tables of the reference panel (the Webbkollen agreement test) on every
variable it has, beside the trainee's choices (feedback) or the group's
(mentor reveal): text and numbers, a table per variable with a caption.
Rows come from ``feedback.panel_shares``; every number goes through
``samsyn.numbers`` (decimal comma in Swedish); everything is escaped.
"""

from __future__ import annotations

from cases import Variables
from cases.panel import Panel
from feedback.panel_shares import PanelCell, ShareRow
from samsyn.i18n import Messages
from samsyn.numbers import num, pct, pct_range
from widgets.common import esc


PANEL_STYLE = ("<style>.samsyn-panel-table{width:100%;max-width:48rem}.samsyn-panel-table caption{text-align:left;"
               "font-weight:600;padding:.6em 0 .2em}.samsyn-panel-table td{white-space:nowrap}"
               ".samsyn-panel-table th[scope=row]{font-weight:400}</style>")


def row_label(row: ShareRow, variables: Variables, variable: str, lang: str) -> str:
    m = Messages(lang)
    if row.kind == "group" and row.group:
        return m("panel.group_total", group=variables.group("intervention", row.group).label.get(lang))
    labels = [variables.option_label(variable, o, lang) for o in row.options]
    if row.kind == "combined":
        return m("panel.combined", options=" / ".join(labels))
    if row.kind == "range":
        return m("panel.range", options=", ".join(labels))
    return labels[0]


def cell_text(cell: PanelCell | None, lang: str) -> str:
    m = Messages(lang)
    if cell is None:
        return "–"
    if cell.exact:
        return m("panel.cell", count=num(cell.low, lang), n=num(cell.n, lang), share=pct(cell.share_low, lang))
    return m("panel.cell_range", low=num(cell.low, lang), high=num(cell.high, lang), n=num(cell.n, lang),
             share=pct_range(cell.share_low, cell.share_high, lang))


def panel_source(panel: Panel, lang: str) -> str:
    """What the panel is: the Webbkollen agreement test, its year and the case's respondents."""
    return Messages(lang)("panel.source", year=panel.year, n=num(panel.n, lang))


def panel_tables_html(panel: Panel, variables: Variables, lang: str,
                      comparison: dict[str, tuple[tuple[ShareRow, float | None], ...]], *,
                      group_n: int | None = None) -> str:
    """One table per variable the panel has. ``group_n`` None: the second column is the
    trainee's own choice; otherwise the share of the group's ``group_n`` answers."""
    if not comparison:
        return ""
    m = Messages(lang)
    own = group_n is None
    who = m("panel.col_you") if own else m("panel.col_group", n=num(group_n, lang))
    out = [PANEL_STYLE, f"<h3>{esc(m('panel.heading'))}</h3>",
           f"<p>{esc(m('panel.intro', source=panel_source(panel, lang)))}</p>"]
    for variable, rows in comparison.items():
        body = []
        for row, share in rows:
            label = row_label(row, variables, variable, lang)
            if own:
                mine = f'<td class="samsyn-panel-mine">{esc(m("panel.you_chose"))}</td>' if share else "<td></td>"
            else:
                mine = f"<td>{esc(pct(share, lang))}</td>"
            cls = "samsyn-panel-row samsyn-panel-row-" + row.kind
            body.append(f'<tr class="{cls}" data-options="{esc(" ".join(row.options))}"><th scope="row">{esc(label)}</th>'
                        f"{mine}<td>{esc(cell_text(row.panel, lang))}</td></tr>")
        out.append(f'<table class="samsyn-table samsyn-panel-table" data-variable="{esc(variable)}">'
                   f"<caption>{esc(variables.selection_label(variable, lang))}</caption>"
                   f'<thead><tr><th scope="col">{esc(m("panel.col_option"))}</th><th scope="col">{esc(who)}</th>'
                   f'<th scope="col">{esc(m("panel.col_panel", n=num(panel.n, lang)))}</th></tr></thead>'
                   f"<tbody>{''.join(body)}</tbody></table>")
    out.append(f'<p class="samsyn-case-meta">{esc(m("panel.note"))}</p>')
    return "".join(out)
