"""English as written in Europe: day before month (``25/10/2026``, ``25 Oct 2026``) and the 24-hour clock.

Django's ``en`` formats are American (``10/25/2026``, ``2:30 p.m.``); the product's English readers are in
Norway, Denmark, Germany and Hungary, so English pages use Django's ``en_GB`` conventions with a 24-hour clock.
"""

# ISO first: date inputs (<input type="date">) are filled with the first input format, and browsers read ISO only.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]  # 2026-10-25, 25/10/2026, 25/10/26
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S",
                          "%d/%m/%Y %H:%M:%S.%f", "%d/%m/%Y %H:%M", "%d/%m/%y %H:%M:%S", "%d/%m/%y %H:%M"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1  # Monday
YEAR_MONTH_FORMAT = "F Y"  # October 2026
MONTH_DAY_FORMAT = "j F"  # 25 October
DATE_FORMAT = "j M Y"  # 25 Oct 2026
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j M Y, H:i"  # 25 Oct 2026, 14:30
SHORT_DATE_FORMAT = "d/m/Y"  # 25/10/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 25/10/2026 14:30

__all__ = ["DATE_FORMAT", "DATE_INPUT_FORMATS", "DATETIME_FORMAT", "DATETIME_INPUT_FORMATS", "DECIMAL_SEPARATOR",
           "FIRST_DAY_OF_WEEK", "MONTH_DAY_FORMAT", "NUMBER_GROUPING", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT",
           "THOUSAND_SEPARATOR", "TIME_FORMAT", "YEAR_MONTH_FORMAT"]
