"""The certificate as a one-page PDF: organisation, name, class, scenarios covered, scores by level, the issue
date, and the id with the link that verifies it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

from guide.certificates import CertificateRecord, verify_link
from guide.content import text
from guide.content.formats import day

# DejaVu Sans (Debian's fonts-dejavu-core) covers Latin, Greek and Cyrillic; without it, the PDF's core font
# covers Latin-1 only. Either way a character the font lacks is printed as "?", never dropped silently.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
CORE_FONT = "Helvetica"
EMBEDDED_FONT = "DejaVu"
TITLE_LINES = 7  # the scenarios covered take at most this many lines, so the page never overflows
PAGE_WIDTH = 277.0  # A4 landscape inside 10 mm margins
TITLES_WIDTH, TITLE_HEIGHT = 250.0, 5.5  # mm
ORANGE = (230, 46, 4)
GREY = (90, 90, 90)


class CertificatePdf(FPDF):
    """FPDF with the one font chosen for the page and text checked against it."""

    def __init__(self, font_dir: Path | None) -> None:
        super().__init__(orientation="landscape", format="A4")
        self.face = CORE_FONT
        if font_dir is not None and all((font_dir / name).is_file() for name in FONT_FILES.values()):
            for style, name in FONT_FILES.items():
                self.add_font(EMBEDDED_FONT, style, str(font_dir / name))
            self.face = EMBEDDED_FONT

    def printable(self, value: str) -> str:
        if self.face == CORE_FONT:
            return value.encode("latin-1", "replace").decode("latin-1")
        cmap = getattr(self.current_font, "cmap", {})
        return "".join(ch if ord(ch) in cmap or ch in " \n" else "?" for ch in value)

    def use(self, size: float, bold: bool = False, colour: tuple[int, int, int] = (0, 0, 0)) -> None:
        self.set_font(self.face, "B" if bold else "", size)
        self.set_text_color(*colour)

    def line_of(self, height: float, value: str, link: str = "") -> None:
        self.cell(0, height, self.printable(value), align="C", new_x="LMARGIN", new_y="NEXT", link=link)

    def fitted(self, items: Sequence[str], lines: int) -> str:
        """As many items as fit on `lines` lines, then "and N more" for the rest."""
        separator = "  ·  "
        for shown in range(len(items), 0, -1):
            rest = len(items) - shown
            joined = separator.join(items[:shown]) + (
                separator + text("certificate", "more", count=rest) if rest else ""
            )
            wrapped = self.multi_cell(TITLES_WIDTH, TITLE_HEIGHT, self.printable(joined), dry_run=True, output="LINES")
            if isinstance(wrapped, list) and len(wrapped) <= lines:
                return joined
        return text("certificate", "more", count=len(items))


def certificate_pdf(record: CertificateRecord, font_dir: Path | None = FONT_DIR) -> bytes:
    """The record as a PDF (`font_dir` None: the core font, as on a machine without DejaVu)."""
    pdf = CertificatePdf(font_dir)
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_draw_color(*ORANGE)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, PAGE_WIDTH, 190)
    pdf.set_y(20)
    pdf.use(14, bold=True, colour=GREY)
    pdf.line_of(8, record.organisation)
    pdf.use(28, bold=True)
    pdf.ln(3)
    pdf.line_of(14, text("certificate", "title"))
    pdf.use(24, bold=True, colour=ORANGE)
    pdf.ln(3)
    pdf.line_of(12, record.trainee_name)
    pdf.use(12)
    pdf.ln(2)
    pdf.multi_cell(
        0, 7, pdf.printable(text("certificate", "body", name=record.trainee_name)), align="C", new_x="LMARGIN"
    )
    if record.class_name:
        pdf.line_of(7, text("certificate", "class", name=record.class_name))
    _scores(pdf, record)
    _scenarios(pdf, record)
    _footer(pdf, record)
    return bytes(pdf.output())


def _scores(pdf: CertificatePdf, record: CertificateRecord) -> None:
    pdf.ln(5)
    pdf.use(13, bold=True)
    pdf.line_of(8, text("certificate", "scores"))
    pdf.use(12)
    pdf.line_of(7, "     ".join(record.level_lines))


def _scenarios(pdf: CertificatePdf, record: CertificateRecord) -> None:
    pdf.ln(4)
    pdf.use(11, bold=True)
    pdf.line_of(7, text("certificate", "scenarios", count=len(record.scenario_ids)))
    pdf.use(10, colour=GREY)
    pdf.set_x((PAGE_WIDTH + 20 - TITLES_WIDTH) / 2)
    titles = pdf.printable(pdf.fitted(record.scenario_titles, TITLE_LINES))
    pdf.multi_cell(TITLES_WIDTH, TITLE_HEIGHT, titles, align="C", new_x="LMARGIN")


def _footer(pdf: CertificatePdf, record: CertificateRecord) -> None:
    link = verify_link(record.id)
    pdf.set_y(168)
    pdf.use(11)
    pdf.line_of(6, text("certificate", "date", date=day(record.issued_at)))
    pdf.line_of(6, text("certificate", "id", id=record.id))
    pdf.use(10, colour=GREY)
    pdf.line_of(6, text("certificate", "verify", link=link), link=link)
