"""The access report (Art. 15) as PDF, built from the same data as the JSON and HTML reports.

The text is in the person's language where the catalogue has it (the headings are the HTML report's own
strings, so one translation serves both).  A font with the whole Latin range is embedded, so Norwegian,
Danish, German and Hungarian names (``ø``, ``ß``, ``ő``) print as typed.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

FONT = "KundebaseSans"
FONT_BOLD = "KundebaseSans-Bold"
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_FONT_FILES = [(_DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf")]


def _register_fonts() -> tuple[str, str]:
    """DejaVu Sans where the system has it, else the Vera font that ships with reportlab (Latin-1 and more)."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT, FONT_BOLD
    bundled = Path(reportlab.__file__).parent / "fonts"
    for regular, bold in [*_FONT_FILES, (bundled / "Vera.ttf", bundled / "VeraBd.ttf")]:
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont(FONT, str(regular)))
            pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
            return FONT, FONT_BOLD
    return "Helvetica", "Helvetica-Bold"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):  # in the installation's time zone, as the report's language writes it
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value,
                                   "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _xml(value: Any) -> str:
    return _text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def sections(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(heading, column headings, rows) in the HTML report's order; call inside the report's language."""
    from kundebase.web import labels

    orders = [[o["order_number"], o["ordered_at"],
               "\n".join(f"{line['quantity']} × {line['description']} ({line['revenue']})" for line in o["lines"]),
               f"{o['revenue']} {o['currency']}"] for o in report["orders"]]
    return [
        (_("Profile"), [_("Field"), _("Value")], [[labels.field_label(k), v] for k, v in report["profile"].items()]),
        (_("Additional fields"), [_("Field"), _("Value"), _("Why we store it")],
         [[f["label"], f["value"], f"{f['purpose']} ({labels.choice_label(f['legal_basis'])})"]
          for f in report["custom_fields"]]),
        (_("Contact details"), [_("Type"), _("Value")], [[labels.field_label(c.get("kind")), c.get("value")]
                                                          for c in report["contact_points"]]),
        (_("Addresses"), [_("Type"), _("Value")],
         [[labels.address_kind_label(a.get("kind")),
           f"{a.get('street', '')}, {a.get('postcode', '')} {a.get('city', '')}, "
           f"{labels.country_name(a.get('country', ''))}"] for a in report["addresses"]]),
        (_("Roles at companies"), [_("Value")],
         [[f"{r.get('position', '')} {r.get('department', '')} — {r.get('company_name', '')}"]
          for r in report["roles"]]),
        (_("Contacts with us"), [_("When"), _("Type"), _("Subject"), _("Text")],
         [[i["occurred_at"], labels.contact_kind_label(i["kind"]), i["subject"], i["body"]]
          for i in report["interactions"]]),
        (_("Orders"), [_("Order"), _("Date"), _("Lines"), _("Amount")], orders),
        (_("Interests"), [_("Value"), _("Source")],
         [[i.get("product__name") or i.get("category__name"), i.get("source")] for i in report["product_interests"]]),
        *[(str(name), [_("Value")], [[row] for row in (rows if isinstance(rows, list) else [rows])])
          for name, rows in report["other"].items()],
        (_("Consents"), [_("Purpose"), _("Channel"), _("Status"), _("When"), _("Source")],
         [[c["purpose__key"], labels.channel_label(c["channel"]), labels.choice_label(c["status"]), c["captured_at"],
           c["source"]] for c in report["consents"]]),
        (_("Where the information came from"), [_("Field"), _("Value"), _("Source"), _("Received")],
         [[labels.field_label(o["field"]), o["value"], o["source"], o["received_at"]] for o in report["provenance"]]),
        (_("Who looked at or changed your information"), [_("When"), _("Who"), _("What"), _("Channel")],
         [[a["occurred_at"], a["actor"], f"{a['action']} {a['entity']}", a["channel"]]
          for a in report["audit_entries"]]),
        (_("Why we hold it"), [_("Record"), _("Purpose"), _("Legal basis")],
         [[p["record"], p["purpose"], labels.choice_label(p["legal_basis"])] for p in report["purposes"]]),
    ]


def to_pdf(report: dict[str, Any]) -> bytes:
    """The report as an A4 PDF: a heading and a table per section, ``None.`` where a section is empty."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = _register_fonts()
    base = getSampleStyleSheet()
    normal = ParagraphStyle("kb-normal", parent=base["Normal"], fontName=regular, fontSize=9, leading=11)
    cell = ParagraphStyle("kb-cell", parent=normal, fontSize=8, leading=10)
    head = ParagraphStyle("kb-head", parent=cell, fontName=bold)
    h1 = ParagraphStyle("kb-h1", parent=base["Title"], fontName=bold)
    h2 = ParagraphStyle("kb-h2", parent=base["Heading2"], fontName=bold)
    out = io.BytesIO()
    with translation.override(report["language"]):
        title = _("What we hold about you")
        doc = SimpleDocTemplate(out, pagesize=A4, title=title, leftMargin=15 * mm, rightMargin=15 * mm,
                                topMargin=15 * mm, bottomMargin=15 * mm, lang=report["language"])
        story: list[Any] = [Paragraph(_xml(title), h1), Paragraph(_xml(
            _("Report made %(when)s for customer %(id)s. It lists every piece of information we hold about you, "
              "why we hold it and where it came from.")
            % {"when": _text(report["generated_at"]), "id": report["customer_id"]}), normal)]
        width = doc.width
        for heading, columns, rows in sections(report):
            story += [Spacer(1, 4 * mm), Paragraph(_xml(heading), h2)]
            if not rows:
                story.append(Paragraph(_xml(_("None.")), normal))
                continue
            body = [[Paragraph(_xml(c), head) for c in columns]]
            body += [[Paragraph(_xml(v), cell) for v in row] for row in rows]
            table = Table(body, colWidths=[width / len(columns)] * len(columns), repeatRows=1)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story.append(table)
        story += [Spacer(1, 4 * mm), Paragraph(_xml(_(
            "You may ask us to correct or erase this information, to restrict its use, or object to marketing. "
            "You may also complain to the data protection authority.")), normal)]
        doc.build(story)
    return out.getvalue()
