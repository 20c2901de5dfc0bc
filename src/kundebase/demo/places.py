"""The five demo countries: where customers live, how their phone numbers and e-mail addresses look.

Real postcodes with their city, municipality and region keep addresses
plausible (a matcher or a map can rely on them); Faker invents the streets.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    postcode: str
    city: str
    municipality: str
    region: str


@dataclass(frozen=True)
class Country:
    code: str
    locale: str
    language: str
    weight: float
    calling_code: str
    trunk_prefix: str
    mobile: tuple[tuple[str, int], ...]
    """(leading digits, digits that follow) of national mobile numbers that phonenumbers accepts."""
    landline: tuple[tuple[str, int], ...]
    email_domains: tuple[str, ...]
    company_forms: tuple[str, ...]
    places: tuple[Place, ...]


def _places(rows: str) -> tuple[Place, ...]:
    out = []
    for line in rows.strip().splitlines():
        postcode, city, municipality, region = (part.strip() for part in line.split("|"))
        out.append(Place(postcode, city, municipality, region))
    return tuple(out)


NORWAY = Country(
    code="NO", locale="no_NO", language="nb", weight=0.40, calling_code="47", trunk_prefix="",
    mobile=(("40", 6), ("41", 6), ("45", 6), ("46", 6), ("47", 6), ("48", 6), ("90", 6), ("91", 6), ("92", 6),
            ("93", 6), ("94", 6), ("95", 6), ("97", 6), ("98", 6), ("99", 6)),
    landline=(("22", 6), ("23", 6), ("55", 6), ("73", 6), ("51", 6), ("38", 6), ("69", 6), ("77", 6)),
    email_domains=("gmail.com", "hotmail.com", "online.no", "outlook.com", "yahoo.no", "icloud.com", "live.no",
                   "broadpark.no", "getmail.no"),
    company_forms=("AS", "AS", "AS", "ASA", "ANS", "DA"),
    places=_places("""
        0150 | Oslo | Oslo | Oslo
        0256 | Oslo | Oslo | Oslo
        0457 | Oslo | Oslo | Oslo
        0560 | Oslo | Oslo | Oslo
        0664 | Oslo | Oslo | Oslo
        0870 | Oslo | Oslo | Oslo
        1337 | Sandvika | Bærum | Akershus
        1400 | Ski | Nordre Follo | Akershus
        1470 | Lørenskog | Lørenskog | Akershus
        2000 | Lillestrøm | Lillestrøm | Akershus
        1606 | Fredrikstad | Fredrikstad | Østfold
        1706 | Sarpsborg | Sarpsborg | Østfold
        3015 | Drammen | Drammen | Buskerud
        3111 | Tønsberg | Tønsberg | Vestfold
        3916 | Porsgrunn | Porsgrunn | Telemark
        2317 | Hamar | Hamar | Innlandet
        2609 | Lillehammer | Lillehammer | Innlandet
        4006 | Stavanger | Stavanger | Rogaland
        4306 | Sandnes | Sandnes | Rogaland
        5003 | Bergen | Bergen | Vestland
        5231 | Paradis | Bergen | Vestland
        6002 | Ålesund | Ålesund | Møre og Romsdal
        6413 | Molde | Molde | Møre og Romsdal
        7010 | Trondheim | Trondheim | Trøndelag
        7500 | Stjørdal | Stjørdal | Trøndelag
        8006 | Bodø | Bodø | Nordland
        9008 | Tromsø | Tromsø | Troms
        9600 | Hammerfest | Hammerfest | Finnmark
        4610 | Kristiansand | Kristiansand | Agder
        4836 | Arendal | Arendal | Agder
    """),
)

DENMARK = Country(
    code="DK", locale="da_DK", language="da", weight=0.20, calling_code="45", trunk_prefix="",
    mobile=(("20", 6), ("21", 6), ("22", 6), ("26", 6), ("28", 6), ("30", 6), ("31", 6), ("40", 6), ("42", 6),
            ("50", 6), ("51", 6), ("60", 6), ("61", 6), ("71", 6), ("81", 6), ("91", 6), ("93", 6)),
    landline=(("33", 6), ("35", 6), ("38", 6), ("39", 6), ("43", 6), ("45", 6), ("86", 6), ("98", 6)),
    email_domains=("gmail.com", "hotmail.com", "mail.dk", "outlook.dk", "yahoo.dk", "jubii.dk", "live.dk",
                   "stofanet.dk"),
    company_forms=("ApS", "ApS", "A/S", "I/S", "IVS"),
    places=_places("""
        1050 | København K | København | Region Hovedstaden
        1620 | København V | København | Region Hovedstaden
        2100 | København Ø | København | Region Hovedstaden
        2200 | København N | København | Region Hovedstaden
        2300 | København S | København | Region Hovedstaden
        2400 | København NV | København | Region Hovedstaden
        2000 | Frederiksberg | Frederiksberg | Region Hovedstaden
        2800 | Kongens Lyngby | Lyngby-Taarbæk | Region Hovedstaden
        2900 | Hellerup | Gentofte | Region Hovedstaden
        3400 | Hillerød | Hillerød | Region Hovedstaden
        4000 | Roskilde | Roskilde | Region Sjælland
        4700 | Næstved | Næstved | Region Sjælland
        5000 | Odense C | Odense | Region Syddanmark
        6000 | Kolding | Kolding | Region Syddanmark
        6700 | Esbjerg | Esbjerg | Region Syddanmark
        7100 | Vejle | Vejle | Region Syddanmark
        8000 | Aarhus C | Aarhus | Region Midtjylland
        8200 | Aarhus N | Aarhus | Region Midtjylland
        8600 | Silkeborg | Silkeborg | Region Midtjylland
        8700 | Horsens | Horsens | Region Midtjylland
        7400 | Herning | Herning | Region Midtjylland
        8900 | Randers C | Randers | Region Midtjylland
        9000 | Aalborg | Aalborg | Region Nordjylland
        9800 | Hjørring | Hjørring | Region Nordjylland
    """),
)

HUNGARY = Country(
    code="HU", locale="hu_HU", language="hu", weight=0.15, calling_code="36", trunk_prefix="06",
    mobile=(("20", 7), ("30", 7), ("31", 7), ("50", 7), ("70", 7)),
    landline=(("1", 7), ("52", 6), ("62", 6), ("72", 6), ("46", 6), ("96", 6)),
    email_domains=("gmail.com", "freemail.hu", "citromail.hu", "hotmail.com", "t-online.hu", "yahoo.com",
                   "outlook.hu"),
    company_forms=("Kft.", "Kft.", "Kft.", "Zrt.", "Bt.", "Nyrt."),
    places=_places("""
        1011 | Budapest | Budapest I. kerület | Budapest
        1052 | Budapest | Budapest V. kerület | Budapest
        1065 | Budapest | Budapest VI. kerület | Budapest
        1114 | Budapest | Budapest XI. kerület | Budapest
        1133 | Budapest | Budapest XIII. kerület | Budapest
        2000 | Szentendre | Szentendre | Pest
        2040 | Budaörs | Budaörs | Pest
        4024 | Debrecen | Debrecen | Hajdú-Bihar
        6720 | Szeged | Szeged | Csongrád-Csanád
        7621 | Pécs | Pécs | Baranya
        9021 | Győr | Győr | Győr-Moson-Sopron
        9400 | Sopron | Sopron | Győr-Moson-Sopron
        3525 | Miskolc | Miskolc | Borsod-Abaúj-Zemplén
        6000 | Kecskemét | Kecskemét | Bács-Kiskun
        8000 | Székesfehérvár | Székesfehérvár | Fejér
        5000 | Szolnok | Szolnok | Jász-Nagykun-Szolnok
        8200 | Veszprém | Veszprém | Veszprém
        4400 | Nyíregyháza | Nyíregyháza | Szabolcs-Szatmár-Bereg
        2800 | Tatabánya | Tatabánya | Komárom-Esztergom
        9700 | Szombathely | Szombathely | Vas
    """),
)

GERMANY = Country(
    code="DE", locale="de_DE", language="de", weight=0.15, calling_code="49", trunk_prefix="0",
    mobile=(("151", 8), ("152", 8), ("157", 8), ("160", 7), ("162", 7), ("170", 7), ("171", 7), ("172", 7),
            ("175", 7), ("176", 8), ("177", 8), ("179", 8)),
    landline=(("30", 8), ("40", 8), ("89", 8), ("221", 7), ("69", 8), ("711", 7), ("211", 7), ("341", 7)),
    email_domains=("gmail.com", "web.de", "gmx.de", "t-online.de", "gmx.net", "outlook.de", "yahoo.de",
                   "posteo.de", "freenet.de"),
    company_forms=("GmbH", "GmbH", "GmbH", "AG", "KG", "GmbH & Co. KG", "UG (haftungsbeschränkt)"),
    places=_places("""
        10115 | Berlin | Berlin | Berlin
        10437 | Berlin | Berlin | Berlin
        12043 | Berlin | Berlin | Berlin
        20095 | Hamburg | Hamburg | Hamburg
        22767 | Hamburg | Hamburg | Hamburg
        80331 | München | München | Bayern
        81541 | München | München | Bayern
        90402 | Nürnberg | Nürnberg | Bayern
        86150 | Augsburg | Augsburg | Bayern
        50667 | Köln | Köln | Nordrhein-Westfalen
        40213 | Düsseldorf | Düsseldorf | Nordrhein-Westfalen
        44135 | Dortmund | Dortmund | Nordrhein-Westfalen
        45127 | Essen | Essen | Nordrhein-Westfalen
        48143 | Münster | Münster | Nordrhein-Westfalen
        60311 | Frankfurt am Main | Frankfurt am Main | Hessen
        65183 | Wiesbaden | Wiesbaden | Hessen
        70173 | Stuttgart | Stuttgart | Baden-Württemberg
        79098 | Freiburg im Breisgau | Freiburg im Breisgau | Baden-Württemberg
        69117 | Heidelberg | Heidelberg | Baden-Württemberg
        04109 | Leipzig | Leipzig | Sachsen
        01067 | Dresden | Dresden | Sachsen
        30159 | Hannover | Hannover | Niedersachsen
        28195 | Bremen | Bremen | Bremen
        24103 | Kiel | Kiel | Schleswig-Holstein
        55116 | Mainz | Mainz | Rheinland-Pfalz
    """),
)

BRITAIN = Country(
    code="GB", locale="en_GB", language="en", weight=0.10, calling_code="44", trunk_prefix="0",
    mobile=(("7400", 6), ("7700", 6), ("7711", 6), ("7723", 6), ("7800", 6), ("7812", 6), ("7900", 6),
            ("7912", 6), ("7503", 6), ("7400", 6)),
    landline=(("20", 8), ("161", 7), ("121", 7), ("131", 7), ("113", 7), ("117", 7), ("1865", 6)),
    email_domains=("gmail.com", "hotmail.co.uk", "btinternet.com", "yahoo.co.uk", "outlook.com", "sky.com",
                   "icloud.com", "live.co.uk"),
    company_forms=("Ltd", "Ltd", "Ltd", "PLC", "LLP"),
    places=_places("""
        EC1A 1BB | London | City of London | Greater London
        SW1A 2AA | London | Westminster | Greater London
        N1 9GU | London | Islington | Greater London
        SE1 7PB | London | Southwark | Greater London
        E14 5AB | London | Tower Hamlets | Greater London
        M1 1AE | Manchester | Manchester | Greater Manchester
        M20 2RN | Manchester | Manchester | Greater Manchester
        B1 1BB | Birmingham | Birmingham | West Midlands
        LS1 4DY | Leeds | Leeds | West Yorkshire
        S1 2HE | Sheffield | Sheffield | South Yorkshire
        L1 8JQ | Liverpool | Liverpool | Merseyside
        BS1 5TR | Bristol | Bristol | South West England
        OX1 3BG | Oxford | Oxford | Oxfordshire
        CB2 1TN | Cambridge | Cambridge | Cambridgeshire
        NE1 7RU | Newcastle upon Tyne | Newcastle upon Tyne | Tyne and Wear
        EH1 1YZ | Edinburgh | City of Edinburgh | Scotland
        G1 1XQ | Glasgow | Glasgow City | Scotland
        CF10 1EP | Cardiff | Cardiff | Wales
        BT1 5GS | Belfast | Belfast | Northern Ireland
        LA22 0EU | Ambleside | Westmorland and Furness | Cumbria
    """),
)

COUNTRIES: tuple[Country, ...] = (NORWAY, DENMARK, HUNGARY, GERMANY, BRITAIN)
BY_CODE = {c.code: c for c in COUNTRIES}
