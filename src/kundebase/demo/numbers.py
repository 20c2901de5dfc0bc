"""Identifiers that pass the real checks: phone numbers, organisation numbers with correct check digits, accounts.

Check digits are computed here rather than drawn at random so that every
generated company survives the same validation a hand-typed one would.
"""

from __future__ import annotations

import random

import phonenumbers
from stdnum.dk import cvr as dk_cvr
from stdnum.hu import anum as hu_anum
from stdnum.iso7064 import mod_11_10, mod_97_10
from stdnum.no import orgnr as no_orgnr

from kundebase.demo.places import Country

NO_KONTONR_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
NO_ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
DK_CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
HU_COUNTY_CODES = tuple(f"{n:02d}" for n in (*range(2, 21), *range(22, 45), 51))


def _digits(rng: random.Random, count: int) -> str:
    return str(rng.randrange(10**count)).zfill(count)


def phone(rng: random.Random, country: Country, *, mobile: bool = True) -> str:
    """A number in E.164 that phonenumbers accepts (its ranges have gaps, so draw until one fits)."""
    region = phonenumbers.region_code_for_country_code(int(country.calling_code))
    while True:
        prefix, rest = rng.choice(country.mobile if mobile else country.landline)
        nsn = f"{prefix}{_digits(rng, rest)}"
        number = phonenumbers.PhoneNumber(country_code=int(country.calling_code), national_number=int(nsn))
        if phonenumbers.is_valid_number_for_region(number, region):
            return f"+{country.calling_code}{nsn}"


def national(e164: str, country: Country) -> str:
    """The national significant number of an E.164 number of ``country``."""
    return e164[1 + len(country.calling_code):]


def phone_spellings(e164: str, country: Country, home: str = "NO") -> list[str]:
    """How people write the same number: spaced international, 00-prefixed, and (in the register's home
    country ``home`` only, where it can be read without a country code) national."""
    nsn = national(e164, country)
    grouped = " ".join(nsn[i:i + 2] for i in range(0, len(nsn), 2)) if len(nsn) == 8 else (
        f"{nsn[:3]} {nsn[3:6]} {nsn[6:]}" if len(nsn) > 8 else f"{nsn[:2]} {nsn[2:5]} {nsn[5:]}")
    spellings = [f"+{country.calling_code} {grouped}", f"00{country.calling_code} {nsn}",
                 f"(+{country.calling_code}) {nsn}"]
    if country.code == home:
        spellings += [f"{country.trunk_prefix}{nsn}" if country.trunk_prefix else grouped, nsn]
    return spellings


def org_number(rng: random.Random, country_code: str) -> str:
    """An organisation number whose check digits are right for the country's register."""
    while True:
        if country_code == "NO":
            base = rng.choice("89") + _digits(rng, 7)
            check = 11 - sum(int(d) * w for d, w in zip(base, NO_ORGNR_WEIGHTS, strict=True)) % 11
            if check == 10:
                continue
            number = base + str(check % 11)
            if no_orgnr.checksum(number) == 0:
                return number
        elif country_code == "DK":
            base = str(rng.randrange(1, 10)) + _digits(rng, 6)
            check = -sum(int(d) * w for d, w in zip(base, DK_CVR_WEIGHTS, strict=True)) % 11
            if check == 10:
                continue
            number = base + str(check)
            if dk_cvr.checksum(number) == 0:
                return number
        elif country_code == "HU":
            base = str(rng.randrange(1, 10)) + _digits(rng, 6)
            for digit in "0123456789":
                if hu_anum.checksum(base + digit) == 0:
                    return f"{base}{digit}-{rng.choice('2222234')}-{rng.choice(HU_COUNTY_CODES)}"
        elif country_code == "DE":
            base = str(rng.randrange(1, 10)) + _digits(rng, 7)
            return "DE" + base + mod_11_10.calc_check_digit(base)
        else:
            return _digits(rng, 8)


def _iban(country_code: str, bban: str) -> str:
    check = mod_97_10.calc_check_digits(bban + country_code)
    return f"{country_code}{check}{bban}"


def bank_account(rng: random.Random, country_code: str) -> str:
    """A Norwegian account number for Norway (as Norwegians give it), an IBAN elsewhere."""
    if country_code == "NO":
        while True:
            base = _digits(rng, 10)
            check = 11 - sum(int(d) * w for d, w in zip(base, NO_KONTONR_WEIGHTS, strict=True)) % 11
            if check == 10:
                continue
            return base + str(check % 11)
    if country_code == "DK":
        return _iban("DK", _digits(rng, 14))
    if country_code == "HU":
        return _iban("HU", _digits(rng, 24))
    if country_code == "DE":
        return _iban("DE", _digits(rng, 18))
    bank = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
    return _iban("GB", bank + _digits(rng, 14))
