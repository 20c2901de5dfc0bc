"""What customers write and what staff note, in the customer's language, about the products they buy.

Text analytics, the special-category screen and search all need free text
that reads like the real thing; ``{product}`` and ``{name}`` are filled in
per interaction.
"""

from __future__ import annotations

Template = tuple[str, str]

INQUIRY: dict[str, tuple[Template, ...]] = {
    "nb": (
        ("Spørsmål om {product}", "Hei! Jeg lurer på om {product} passer til en ukes tur på Hardangervidda. "
         "Har dere den på lager i Oslo? Hilsen {name}"),
        ("Leveringstid", "Hei, hvor lang leveringstid har dere på {product}? Jeg trenger den før påske."),
        ("Tilbud til bedriften vår", "Vi vurderer å kjøpe {product} til hele avdelingen (ca. 15 stk). "
         "Kan dere sende et tilbud med bedriftsrabatt?"),
    ),
    "da": (
        ("Spørgsmål om {product}", "Hej! Kan {product} bruges i regnvejr hele dagen? Mvh {name}"),
        ("Levering til Jylland", "Hvornår kan I levere {product} til Aarhus? Jeg skal bruge den i næste uge."),
        ("Tilbud på større ordre", "Vi er en spejdergruppe og vil gerne købe 10 stk. {product}. Giver I rabat?"),
    ),
    "hu": (
        ("Kérdés: {product}", "Jó napot! Szeretném megkérdezni, hogy a(z) {product} alkalmas-e téli túrára "
         "a Mátrában? Üdvözlettel: {name}"),
        ("Szállítási idő", "Mennyi idő alatt érkezik meg a(z) {product} Debrecenbe?"),
        ("Céges ajánlatkérés", "Cégünk 12 darab {product} vásárlását tervezi. Kérnénk árajánlatot."),
    ),
    "de": (
        ("Frage zu {product}", "Guten Tag, ist {product} für eine Alpenüberquerung geeignet? "
         "Viele Grüße, {name}"),
        ("Lieferzeit", "Wie lange dauert die Lieferung von {product} nach München?"),
        ("Angebot für unseren Verein", "Unser Alpenverein möchte 20 Stück {product} bestellen. "
         "Können Sie uns ein Angebot machen?"),
    ),
    "en": (
        ("Question about {product}", "Hi, is the {product} suitable for a week in the Lake District in October? "
         "Thanks, {name}"),
        ("Delivery time", "How long does delivery of the {product} to Manchester take?"),
        ("Quote for our team", "We would like to order 8 x {product} for our outdoor club. Could you send a quote?"),
    ),
}

COMPLAINT: dict[str, tuple[Template, ...]] = {
    "nb": (
        ("Reklamasjon: {product}", "Glidelåsen på {product} røk etter to turer. Jeg forventer at dere "
         "reparerer eller bytter den. {name}"),
        ("Feil vare levert", "Jeg bestilte {product}, men fikk feil størrelse. Hvordan returnerer jeg den?"),
        ("Klage på levering", "Pakken med {product} kom en uke for sent, og esken var ødelagt."),
    ),
    "da": (
        ("Reklamation: {product}", "Min {product} er utæt efter første tur. Jeg vil gerne have den byttet."),
        ("Forkert vare", "Jeg modtog {product} i forkert farve. Hvad gør jeg nu?"),
    ),
    "hu": (
        ("Reklamáció: {product}", "A(z) {product} két hét használat után tönkrement. Kérem a cseréjét."),
        ("Hibás szállítás", "Nem a megrendelt méretet kaptam a(z) {product} termékből."),
    ),
    "de": (
        ("Reklamation: {product}", "Leider ist {product} nach zwei Touren undicht. Ich bitte um Ersatz. {name}"),
        ("Falsche Lieferung", "Ich habe {product} in der falschen Größe erhalten. Wie kann ich umtauschen?"),
        ("Beschwerde über Kundenservice", "Ich habe dreimal angerufen und niemand hat zurückgerufen."),
    ),
    "en": (
        ("Complaint: {product}", "The {product} started leaking after two trips. I would like a replacement."),
        ("Wrong item delivered", "I ordered the {product} but received the wrong size. How do I return it?"),
    ),
}

CALL_NOTES: tuple[Template, ...] = (
    ("Called about {product}", "Customer asked about sizes and availability of {product}; sent product link."),
    ("Follow-up call after purchase", "Checked that {product} works as expected. Customer satisfied."),
    ("Service call", "Customer had problems with {product}; booked it in for repair."),
    ("Return question", "Explained the 30-day return policy for {product}."),
    ("Price question", "Customer compared our price for {product} with a competitor; offered 10 % off."),
)

VISIT_NOTES: tuple[Template, ...] = (
    ("Store visit", "Tried on {product} in the store; will think about it."),
    ("Visit at the customer's office", "Presented the autumn catalogue; interest in {product} for their staff."),
    ("Fitting appointment", "Boot fitting; recommended {product}."),
)

LETTER_NOTES: tuple[Template, ...] = (
    ("Letter: warranty confirmation", "Sent warranty confirmation for {product} by post."),
    ("Letter: account statement", "Annual account statement sent."),
    ("Letter: payment reminder", "Reminder for an unpaid invoice sent by post."),
)

NOTES: tuple[Template, ...] = (
    ("Note", "Prefers to be contacted by e-mail in the evening."),
    ("Note", "Regular customer; goes on long trips every summer and usually buys {product}."),
    ("Note", "Asked to be told when {product} is back in stock."),
    ("Note", "Key account: agree prices with the sales manager before quoting."),
)

MEETINGS: tuple[Template, ...] = (
    ("Annual agreement meeting", "Went through last year's purchases and the framework agreement; "
     "discussed volume discount on {product}."),
    ("Product demo", "Demonstrated {product} for the purchasing team."),
)

WEB_PAGES: tuple[str, ...] = (
    "/products/{sku}", "/category/{category}", "/cart", "/checkout", "/account/orders", "/campaign/autumn-sale",
    "/blog/packing-list-hardangervidda", "/stores",
)

OUTCOMES: dict[str, tuple[str, ...]] = {
    "inquiry": ("Answered", "Quote sent", "Forwarded to sales", "No answer needed"),
    "complaint": ("Replacement sent", "Refunded", "Repaired under warranty", "Rejected: wear and tear",
                  "Credit note issued"),
    "call": ("Resolved", "Call back agreed", "Left voicemail", "Order taken"),
    "visit": ("Bought", "Will return", "No purchase"),
    "meeting": ("Agreement renewed", "Offer to follow", "No decision yet"),
}

CAMPAIGNS: dict[str, tuple[str, ...]] = {
    "nb": ("Høstsalg: 20 % på alle jakker", "Nyhetsbrev: klar for vinteren?"),
    "da": ("Efterårsudsalg: 20 % på alle jakker", "Nyhedsbrev: klar til vinteren?"),
    "hu": ("Őszi akció: 20% kedvezmény minden kabátra", "Hírlevél: készen állsz a télre?"),
    "de": ("Herbstaktion: 20 % auf alle Jacken", "Newsletter: Bereit für den Winter?"),
    "en": ("Autumn sale: 20% off all jackets", "Newsletter: ready for winter?"),
}

REPLIES: dict[str, str] = {
    "nb": "Hei {name}, takk for henvendelsen om {product}. Du finner svaret og et tilbud i vedlegget.",
    "da": "Hej {name}, tak for din henvendelse om {product}. Du finder svaret og et tilbud i vedhæftningen.",
    "hu": "Kedves {name}! Köszönjük megkeresését a(z) {product} termékkel kapcsolatban. Válaszunkat és "
          "ajánlatunkat csatoltuk.",
    "de": "Hallo {name}, vielen Dank für Ihre Anfrage zu {product}. Unsere Antwort und ein Angebot finden Sie "
          "im Anhang.",
    "en": "Hi {name}, thank you for your message about the {product}. Our answer and a quote are attached.",
}
