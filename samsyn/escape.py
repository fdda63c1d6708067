"""Escaping user and author text for every place it is shown or exported.

One home for the rules, used by the pages (``widgets``), the records and reports
(``feedback``, ``insight``) and the command-line export (``samsyn.export``):

>>> esc('<img src=x onerror="alert(1)">')
'&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
>>> paragraphs("Första stycket.\\n\\nAndra <b>stycket</b>.")
'<p>Första stycket.</p><p>Andra &lt;b&gt;stycket&lt;/b&gt;.</p>'
>>> spreadsheet_cell("=HYPERLINK(\\"http://x\\")"), spreadsheet_cell("-2"), spreadsheet_cell(3)
('\\'=HYPERLINK("http://x")', "'-2", 3)
"""

from __future__ import annotations

import html

#: A spreadsheet evaluates a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def esc(value: object) -> str:
    """Escape any text for HTML (an ipywidgets ``HTML`` sets innerHTML); quotes too, for attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def paragraphs(text: str) -> str:
    """Escaped text as HTML paragraphs, split on blank lines."""
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{esc(' '.join(p.split()))}</p>" for p in parts if p)


def spreadsheet_cell(value):
    """A value for an Excel or CSV cell: formula-like text is neutralised (CSV/Excel injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
