"""PDF documents: one way to start a page, find a font with Swedish letters and write text.

The workshop record (``feedback.report``), the manager's report (``insight.report``) and the
programme's certificate and tertial checklist (``programmes.records``) assemble their sections
and write them through :class:`PdfDocument`; HTML escaping and spreadsheet cells are
``samsyn.escape``'s, charts ``samsyn.charts``'.

>>> doc = PdfDocument(title="Åsa – 0,68")
>>> doc.para("Överenskommelse: 0,68 ≥ 0,67 – bra", 12)
>>> doc.output()[:5]
b'%PDF-'
"""

from __future__ import annotations

from pathlib import Path

#: Debian's DejaVu Sans first (``make test`` and the Docker image have it), then fpdf2's own fonts.
FONT_CANDIDATES = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),)


def unicode_font() -> tuple[str | None, str | None]:
    """A TrueType font with Swedish letters and dashes, and its bold face if there is one."""
    candidates = list(FONT_CANDIDATES)
    try:
        import fpdf

        candidates += sorted(Path(fpdf.__file__).parent.glob("**/*.ttf"))
    except ImportError:  # pragma: no cover
        pass
    for path in candidates:
        if path.exists():
            bold = path.with_name(path.stem + "-Bold" + path.suffix)
            return str(path), (str(bold) if bold.exists() else None)
    return None, None


#: Without a Unicode font, the core font's Latin-1 gets these stand-ins.
_LATIN1 = {"–": "-", "−": "-", "…": "...", "≥": ">=", "≤": "<=", "\u00a0": " ", "\u202f": " ", "±": "+/-"}


class PdfDocument:
    """An A4 document (fpdf2) with its first page open; ``pdf`` is the fpdf2 object for tables and images."""

    def __init__(self, *, landscape: bool = False, margin: float = 15, title: str | None = None):
        from fpdf import FPDF

        self.pdf = FPDF(format="A4", orientation="landscape" if landscape else "portrait")
        self.pdf.set_auto_page_break(True, margin=margin)
        regular, bold = unicode_font()
        self.unicode = regular is not None
        self.family = "Helvetica"
        self.has_bold = True
        if regular:
            self.pdf.add_font("Body", "", regular)
            self.family = "Body"
            self.has_bold = bold is not None
            if bold:
                self.pdf.add_font("Body", "B", bold)
        if title:
            self.pdf.set_title(self.clean(title))
        self.pdf.add_page()

    def clean(self, text: str) -> str:
        """Text the font can draw (unchanged with the Unicode font)."""
        if self.unicode:
            return text
        for char, stand_in in _LATIN1.items():
            text = text.replace(char, stand_in)
        return text.encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, bold: bool = False) -> None:
        self.pdf.set_font(self.family, style="B" if bold and self.has_bold else "", size=size)

    def para(self, text: str, size: float = 10, gap: float = 2, bold: bool = False) -> None:
        """A paragraph, wrapped to the page width, and ``gap`` millimetres after it."""
        self.font(size, bold)
        self.pdf.multi_cell(0, size * 0.5, self.clean(text))
        self.pdf.ln(gap)

    def add_page(self) -> None:
        self.pdf.add_page()

    def output(self) -> bytes:
        return bytes(self.pdf.output())
