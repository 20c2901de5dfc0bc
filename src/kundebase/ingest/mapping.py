"""Proposing which file column goes to which Kundebase field, from header words and value shapes.

Headers are compared after folding (case, accents, spaces and punctuation
ignored), against the words used in Norwegian, Danish, Swedish, German,
Hungarian and English exports.  Columns whose header says nothing are
recognised from their values (e-mails, phones, organisation numbers, dates).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from django.utils.translation import gettext_lazy as _

from kundebase.core import identifiers
from kundebase.ingest import shapes

ENTITIES = ("persons", "companies", "roles", "interactions", "orders")
ENTITY_WORDS = {"persons": _("People"), "companies": _("Companies"), "roles": _("Contact persons at companies"),
                "interactions": _("Contacts (calls, e-mails, visits)"), "orders": _("Orders")}
"""What each kind of file holds, as the upload form offers it."""

# Fields each entity accepts; the reference fields (customer_number, email, org_number …) find the customer.
TARGETS: dict[str, tuple[str, ...]] = {
    "persons": ("customer_number", "given_name", "family_name", "full_name", "birth_date", "gender",
                "preferred_language", "status", "email", "phone", "mobile", "street", "postcode", "city",
                "municipality", "region", "country", "company", "position", "note"),
    "companies": ("customer_number", "legal_name", "org_number", "org_country", "industry_code", "employees",
                  "annual_revenue", "bank_account", "payment_terms_days", "credit_limit", "status", "email",
                  "phone", "website", "street", "postcode", "city", "municipality", "region", "country"),
    "roles": ("person_customer_number", "email", "phone", "given_name", "family_name", "full_name",
              "company_customer_number", "org_number", "company", "position", "department", "start_date",
              "end_date"),
    "interactions": ("customer_number", "email", "phone", "org_number", "external_id", "kind", "direction",
                     "channel", "occurred_at", "subject", "body", "outcome", "follow_up_on"),
    "orders": ("customer_number", "email", "phone", "org_number", "order_number", "ordered_at", "sku",
               "description", "quantity", "revenue", "cost", "currency", "channel", "lines"),
}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_number": ("customer number", "customer no", "customer id", "customerid", "kundenummer", "kundenr",
                        "kunde nr", "kundnummer", "kundnr", "kundennummer", "kunden nr", "kundennr",
                        "ugyfelszam", "ugyfel azonosito", "ugyfelkod", "customer_number", "account number"),
    "given_name": ("first name", "firstname", "given name", "given", "forename", "fornavn", "fornamn", "forename",
                   "vorname", "keresztnev", "utonev", "given_name", "first_name"),
    "family_name": ("last name", "lastname", "surname", "family name", "etternavn", "efternavn", "efternamn",
                    "nachname", "familienname", "vezeteknev", "csaladnev", "family_name", "last_name"),
    "full_name": ("name", "full name", "navn", "fullt navn", "namn", "fullstandigt namn", "nev", "teljes nev",
                  "contact name", "kontaktperson", "kontaktperson navn", "ansprechpartner", "kunde", "customer",
                  "kundenavn"),
    "birth_date": ("birth date", "birthdate", "date of birth", "dob", "birthday", "fodselsdato", "fodt",
                   "fodelsedatum", "fodelsedag", "geburtsdatum", "geboren", "geburtstag", "szuletesi datum",
                   "szuletesi ido", "szuletesnap", "birth_date"),
    "gender": ("gender", "sex", "kjonn", "kon", "geschlecht", "nem", "kjon"),
    "preferred_language": ("language", "preferred language", "sprak", "sprache", "nyelv", "malform"),
    "status": ("status", "allapot", "state"),
    "email": ("email", "e mail", "e-mail", "epost", "e post", "e-post", "mail", "mailadresse", "emailadresse",
              "e postadresse", "email address", "e mail adresse", "e mail cim", "email cim", "emailcim"),
    "phone": ("phone", "telephone", "tel", "telefon", "telefonnummer", "tlf", "tlf nr", "telefonnr", "phone number",
              "telefonszam", "festnetz", "telefon privat", "work phone"),
    "mobile": ("mobile", "mobil", "mobile phone", "cell", "cellphone", "mobiltelefon", "mobilnummer", "handy",
               "handynummer", "mobiltelefonszam", "mobilszam", "mobiltlf", "mobil nr"),
    "street": ("street", "address", "adresse", "gateadresse", "postadresse", "adress", "gatuadress", "strasse",
               "anschrift", "utca", "cim", "utca hazszam", "street address", "address line 1", "address 1", "vej",
               "gade"),
    "postcode": ("postcode", "postal code", "zip", "zip code", "postnummer", "postnr", "post nr", "plz",
                 "postleitzahl", "iranyitoszam", "irsz", "postcode"),
    "city": ("city", "town", "poststed", "sted", "by", "ort", "postort", "stadt", "ort stadt", "telepules",
             "varos", "helyseg", "bynavn", "suburb"),
    "municipality": ("municipality", "kommune", "kommun", "gemeinde", "onkormanyzat", "jaras"),
    "region": ("region", "fylke", "county", "landsdel", "lan", "bundesland", "megye", "state province"),
    "country": ("country", "land", "landkode", "country code", "orszag", "staat", "nation"),
    "company": ("company", "organisation", "organization", "firma", "bedrift", "virksomhed", "foretag",
                "unternehmen", "ceg", "cegnev", "arbeidsgiver", "employer", "company name", "firmanavn", "foretak"),
    "legal_name": ("legal name", "company name", "firmanavn", "selskapsnavn", "virksomhedsnavn", "foretagsnamn",
                   "firmenname", "cegnev", "firma", "bedrift", "company", "navn", "name", "namn", "nev"),
    "org_number": ("org number", "organisation number", "organization number", "organisasjonsnummer", "orgnr",
                   "org nr", "organisationsnummer", "cvr", "cvr nr", "cvr nummer", "ust idnr", "ust id nr",
                   "ustid", "umsatzsteuer id", "vat", "vat number", "vat id", "adoszam", "cegjegyzekszam",
                   "handelsregisternummer", "handelsregister", "ust id", "org_number", "company number"),
    "org_country": ("org country", "registration country", "registreringsland"),
    "industry_code": ("industry", "industry code", "nace", "nace kode", "naeringskode", "branchekode",
                      "branschkod", "wz code", "teaor", "industry_code"),
    "employees": ("employees", "ansatte", "antall ansatte", "anstallda", "mitarbeiter", "beschaftigte",
                  "alkalmazottak", "letszam", "antal ansatte"),
    "annual_revenue": ("revenue", "annual revenue", "omsetning", "omsaetning", "omsattning", "umsatz",
                       "arbevetel", "turnover"),
    "bank_account": ("bank account", "iban", "kontonummer", "bankkonto", "bankszamla", "bankszamlaszam"),
    "payment_terms_days": ("payment terms", "betalingsbetingelser", "betalingsfrist", "zahlungsziel",
                           "fizetesi hatarido"),
    "credit_limit": ("credit limit", "kredittgrense", "kreditgraense", "kreditlimit", "hitelkeret"),
    "website": ("website", "web", "url", "homepage", "hjemmeside", "nettside", "webbplats", "webseite",
                "honlap", "weboldal"),
    "position": ("position", "title", "job title", "stilling", "tittel", "titel", "befattning", "stillingstittel",
                 "beosztas", "funktion", "rolle", "role"),
    "department": ("department", "avdeling", "afdeling", "avdelning", "abteilung", "osztaly"),
    "start_date": ("start date", "from", "startdato", "fra", "fra dato", "startdatum", "von", "kezdete"),
    "end_date": ("end date", "to", "sluttdato", "til", "slutdato", "slutdatum", "bis", "vege"),
    "person_customer_number": ("person customer number", "person kundenummer", "kontakt kundenummer"),
    "company_customer_number": ("company customer number", "firma kundenummer", "bedrift kundenummer"),
    "note": ("note", "notes", "notat", "merknad", "bemerkning", "anteckning", "notiz", "bemerkung", "megjegyzes",
             "comment", "kommentar"),
    "external_id": ("id", "external id", "ekstern id", "referanse", "reference", "ref", "azonosito"),
    "kind": ("kind", "type", "art", "typ", "tipus", "aktivitet", "activity"),
    "direction": ("direction", "retning", "richtung", "irany"),
    "channel": ("channel", "kanal", "csatorna"),
    "occurred_at": ("occurred at", "date", "time", "dato", "tidspunkt", "datum", "zeitpunkt", "datum uhrzeit",
                    "idopont", "datum ido", "when", "timestamp"),
    "subject": ("subject", "emne", "tittel", "amne", "betreff", "targy", "overskrift"),
    "body": ("body", "text", "tekst", "beskrivelse", "beskrivning", "beschreibung", "szoveg", "leiras", "details"),
    "outcome": ("outcome", "result", "resultat", "utfall", "ergebnis", "eredmeny"),
    "follow_up_on": ("follow up", "follow up on", "oppfolging", "opfolgning", "uppfoljning", "wiedervorlage",
                     "nyomon kovetes"),
    "order_number": ("order number", "order no", "order id", "ordrenummer", "ordrenr", "ordernummer",
                     "bestellnummer", "auftragsnummer", "rendelesszam", "order_number", "order_id"),
    "ordered_at": ("order date", "ordered at", "ordredato", "orderdatum", "bestelldatum", "rendeles datuma",
                   "datum", "dato", "date"),
    "sku": ("sku", "product", "product id", "varenummer", "varenr", "artikelnummer", "artikkelnummer",
            "cikkszam", "termekkod", "produkt"),
    "description": ("description", "beskrivelse", "varetekst", "beskrivning", "beschreibung", "megnevezes",
                    "product name", "produktnavn"),
    "quantity": ("quantity", "qty", "antall", "antal", "menge", "anzahl", "mennyiseg", "stk"),
    "revenue": ("revenue", "amount", "total", "belop", "belob", "belopp", "betrag", "umsatz", "osszeg", "price",
                "pris", "preis", "ar", "sum"),
    "cost": ("cost", "kostnad", "omkostning", "kosten", "einkaufspreis", "koltseg", "cost price", "innpris"),
    "currency": ("currency", "valuta", "wahrung", "penznem"),
    "lines": ("lines", "order lines", "ordrelinjer", "products"),
    # Fields the importer does not take yet, which the file matcher (kundebase match FILE.csv) compares.
    "house_number": ("house number", "street number", "husnummer", "hausnummer", "hazszam", "number", "nr"),
    "national_id": ("national id", "ssn", "soc sec id", "personnummer", "fodselsnummer", "cpr", "cpr nummer",
                    "szemelyi szam", "taj", "steuer id", "id number"),
}
"""Field → the header words that name it in exports, in one table for every reader of files: the importer's
mapping proposal (:func:`propose`) and the file matcher's (:func:`kundebase.matching.filematch.propose_mapping`)."""


def header_key(text: str) -> str:
    """Fold a header for comparison: ``Fødselsdato`` → ``fodselsdato``, ``E-Mail`` → ``e mail``."""
    folded = identifiers.fold(str(text or "").replace("_", " ").replace("-", " ").replace("/", " "))
    return re.sub(r"[^a-z0-9]+", " ", folded).strip()


_INDEX: dict[str, list[str]] = {}
for _target, _words in SYNONYMS.items():
    for _word in (*_words, _target):
        for _key in {header_key(_word), header_key(_word).replace(" ", "")}:
            _INDEX.setdefault(_key, []).append(_target)


def header_words(*fields: str) -> set[str]:
    """The folded header words (:func:`header_key`) that name any of ``fields``, the field names included, each
    also written without spaces (``first name`` and ``firstname``), as :func:`by_header` compares them."""
    keys = {header_key(word) for field in fields for word in (*SYNONYMS.get(field, ()), field)}
    return keys | {key.replace(" ", "") for key in keys}


def by_header(header: str, entity: str) -> str | None:
    key = header_key(header)
    allowed = TARGETS[entity]
    last = header_key(str(header).rsplit(".", 1)[-1]) if "." in str(header) else key  # JSON "address.city"
    for candidate in (key, key.replace(" ", ""), last):
        for target in _INDEX.get(candidate, []):
            if target in allowed:
                return target
    return None


SHAPE_TARGETS: dict[str, dict[str, str | None]] = {
    "persons": {"email": "email", "phone": "phone", "date": "birth_date", "org_number": None},
    "companies": {"email": "email", "phone": "phone", "org_number": "org_number", "date": None},
    "roles": {"email": "email", "phone": "phone", "org_number": "org_number", "date": "start_date"},
    "interactions": {"email": "email", "phone": "phone", "org_number": "org_number", "date": "occurred_at"},
    "orders": {"email": "email", "phone": "phone", "org_number": "org_number", "date": "ordered_at"},
}


def propose(headers: Iterable[str], sample_rows: list[dict[str, object]], entity: str,
            custom: Mapping[str, Sequence[str]] | None = None) -> dict[str, str]:
    """``{column: field}`` for every column we recognise; each field is given to one column only.

    ``custom`` names the administrator's custom fields (target → words such as its key and label): a column
    headed by one of those words goes to that field."""
    if entity not in TARGETS:
        raise ValueError(f"unknown entity {entity}")
    headers = list(headers)
    proposal: dict[str, str] = {}
    taken: set[str] = set()
    by_custom = {header_key(word): target for target, words in (custom or {}).items() for word in words if word}
    for header in headers:
        target = by_custom.get(header_key(header)) or by_header(header, entity)
        if target and target not in taken:
            proposal[header] = target
            taken.add(target)
    if "full_name" in taken and {"given_name", "family_name"} & taken and entity != "companies":
        # A file with first and last names has "Name" for something else (often the company).
        for header, target in list(proposal.items()):
            if target == "full_name":
                del proposal[header]
                taken.discard("full_name")
    for header in headers:
        if header in proposal:
            continue
        shape = shapes.shape_of([str(row.get(header) or "") for row in sample_rows])
        target = SHAPE_TARGETS[entity].get(shape or "")
        if target and target not in taken:
            proposal[header] = target
            taken.add(target)
    return proposal
