"""The sections of NACE Rev. 2, the European classification of economic activities, for naming industry codes.

Only the 21 top-level sections (A–U) are named here: neither the repository nor a maintained package carries
the 615 classes with translations, and a section ("Construction", "Information and communication") is what a
reader needs beside a code such as ``43.21``.  Divisions (the two leading digits) map to their section.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SECTIONS: dict[str, tuple[range, Any]] = {
    "A": (range(1, 4), _("Agriculture, forestry and fishing")),
    "B": (range(5, 10), _("Mining and quarrying")),
    "C": (range(10, 34), _("Manufacturing")),
    "D": (range(35, 36), _("Electricity, gas, steam and air conditioning supply")),
    "E": (range(36, 40), _("Water supply, sewerage and waste management")),
    "F": (range(41, 44), _("Construction")),
    "G": (range(45, 48), _("Wholesale and retail trade; repair of motor vehicles")),
    "H": (range(49, 54), _("Transportation and storage")),
    "I": (range(55, 57), _("Accommodation and food service activities")),
    "J": (range(58, 64), _("Information and communication")),
    "K": (range(64, 67), _("Financial and insurance activities")),
    "L": (range(68, 69), _("Real estate activities")),
    "M": (range(69, 76), _("Professional, scientific and technical activities")),
    "N": (range(77, 83), _("Administrative and support service activities")),
    "O": (range(84, 85), _("Public administration and defence; compulsory social security")),
    "P": (range(85, 86), _("Education")),
    "Q": (range(86, 89), _("Human health and social work activities")),
    "R": (range(90, 94), _("Arts, entertainment and recreation")),
    "S": (range(94, 97), _("Other service activities")),
    "T": (range(97, 99), _("Activities of households as employers and for own use")),
    "U": (range(99, 100), _("Activities of extraterritorial organisations and bodies")),
}


def section_for(code: str) -> tuple[str, str] | None:
    """``(letter, name)`` of the section a NACE code belongs to (``71.12``, ``M71.1``, ``M``), or None."""
    text = code.strip().upper()
    if text[:1] in SECTIONS and (len(text) == 1 or text[1:2].isdigit()):
        return text[0], str(SECTIONS[text[0]][1])
    digits = text[:2]
    if not digits.isdigit():
        return None
    division = int(digits)
    for letter, (divisions, name) in SECTIONS.items():
        if division in divisions:
            return letter, str(name)
    return None
