"""The training certificate as a one-page PDF: name, date, scores by level, the profile trained on."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF

from guide.content import text
from guide.training import Difficulty


def _latin1(value: str) -> str:
    """The PDF's core font covers Latin-1; anything else is replaced, never dropped silently."""
    return value.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(name: str, on: date, levels: dict[Difficulty, tuple[float, int]], profile_name: str) -> bytes:
    """`levels` maps each difficulty to (score, scenarios tried)."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_draw_color(230, 46, 4)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font("Helvetica", "B", 30)
    pdf.set_y(35)
    pdf.cell(0, 14, _latin1(text("certificate", "title")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 24)
    pdf.ln(8)
    pdf.cell(0, 12, _latin1(name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.ln(4)
    pdf.multi_cell(0, 8, _latin1(text("certificate", "body", name=name)), align="C")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin1(text("certificate", "scores")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 13)
    for level in Difficulty:
        value, count = levels[level]
        line = text("certificate", "level_line", level=text("difficulty", level), value=value, count=count)
        pdf.cell(0, 8, _latin1(line), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(
        0, 7, _latin1(text("certificate", "profile", profile=profile_name)), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.cell(0, 7, _latin1(text("certificate", "date", date=on.isoformat())), align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
