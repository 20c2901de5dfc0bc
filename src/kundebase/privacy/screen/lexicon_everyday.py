"""Everyday wording: membership said with a name, medicines, diagnoses said as abbreviations.

A party, union or religious community is named in customer notes far more often as a business customer
("invoice to Fagforbundet", "300 pizzas for the SPD-Parteitag") than as a person's membership.  So a name alone
never flags; it flags together with a membership cue around it: a verb before it ("stemmer Frp", "er i LO",
"wählt AfD", "tagja a Vasas Szakszervezetnek", "votes Labour"), a role word after it ("Linken-Wählerin",
"NEU member", "fidesz-szavazó") or, in Hungarian, the adjective a name makes with ``-s`` ("fideszes").

Medicine names are the same in every language (with Hungarian case endings): taking insulin or Ritalin says as
much about health as the diagnosis does.  Conventions as in ``lexicon_nordic``.
"""

from __future__ import annotations

GAP = r"(?:[\w.'’-]+\s+){0,3}?"
CLAUSE_END = r"(?:og|and|und|és|eller|or|oder|men|but|aber)"
"""Words that end the phrase an ambiguous name must close ("votes Conservative and …", "stemmer Høyre og …")."""
"""Up to three words between a cue and the name ("stemmer alltid Senterpartiet", "member of the local Unite")."""


def membership(orgs: list[str], before: list[str], after: list[str], suffix: str = r"\w*",
               close: tuple[str, ...] = (), ambiguous: tuple[str, ...] = ()) -> list[str]:
    """Patterns for a name with a membership cue before it (``close`` cues only right before it), a role word
    after it, or a role compound ("CDU-Mitglied").  ``ambiguous`` names are also everyday words ("høyre" =
    right, "labour", "grünen"): they need a cue right next to them, with no words between."""
    org = "(?:" + "|".join(orgs) + ")" + suffix
    cue_before = "(?:" + "|".join(before) + ")"
    cue_after = "(?:" + "|".join(after) + ")"
    patterns = [rf"{cue_before}\s+{GAP}{org}", rf"{org}(?:\s+[\w.'’-]+){{0,2}}?[\s-]+{cue_after}\w*",
                rf"{org}-?{cue_after}\w*"]
    if close:
        patterns.append(rf"(?:{'|'.join(close)})\s+{org}")
    if ambiguous:
        name = "(?:" + "|".join(ambiguous) + ")" + suffix
        patterns += [rf"(?:{cue_before}|{'|'.join(close) or cue_before})\s+{name}(?=\s*(?:[.,;:!?)]|$|{CLAUSE_END}\b))",
                     rf"{name}[\s-]{cue_after}\w*"]
    return patterns


MEDICINES = [
    r"insulin\w*", r"inzulin\w*", r"metformin\w*", r"ozempic\w*", r"wegovy\w*", r"ritalin\w*", r"concerta\w*",
    r"elvanse\w*", r"cipralex\w*", r"escitalopram\w*", r"sertralin\w*", r"zoloft\w*", r"prozac\w*",
    r"fluoxetin\w*", r"seroquel\w*", r"lithium ?(tablet|carbonat)\w*", r"lyrica\w*", r"oxycodon\w*",
    r"oxycontin\w*", r"metadon\w*", r"methadon\w*", r"subutex\w*", r"antabus\w*", r"levaxin\w*", r"marevan\w*",
    r"warfarin\w*", r"xanax\w*", r"sobril\w*", r"truxal\w*", r"epipen\w*", r"antidepress\w*", r"antidepresszáns\w*",
    r"antipsykoti\w*", r"antipsychoti\w*", r"cytostati\w*", r"citosztatik\w*",
]
"""Medicines and medicine classes whose use reveals a condition (not painkillers sold over the counter)."""

ABBREVIATIONS = r"(?:ms|me|als|kols|copd|ptsd|ocd|ptbs|ibs|add|cfs|sm)"
"""Diagnoses said as abbreviations; flagged only after "has"/"har"/"hat" (alone they are ordinary words)."""

RECOVERY = [r"aa[- ]?(møte|møde|meeting|treffen|gyűlés)\w*", r"anonyme alkoholiker\w*", r"anonymen alkoholiker\w*",
            r"alcoholics anonymous", r"anonim alkoholist\w*", r"narcotics anonymous"]

NB_PARTIES = [r"frp", r"fremskrittspartiet", r"arbeiderpartiet", r"sosialistisk venstreparti", r"senterpartiet", r"krf",
              r"kristelig folkeparti", r"mdg", r"miljøpartiet de grønne", r"pensjonistpartiet",
              r"industri- og næringspartiet", r"inp"]
NB_AMBIGUOUS = (r"høyre", r"venstre", r"rødt", r"ap", r"sp", r"sv", r"demokratene")
NB_UNIONS = [r"lo", r"ys", r"unio", r"fagforbundet", r"fellesforbundet", r"elektroforbundet", r"el og it forbundet",
             r"handel og kontor", r"hk", r"utdanningsforbundet", r"norsk sykepleierforbund", r"nsf", r"delta",
             r"parat", r"tekna", r"nito", r"akademikerne", r"industri energi", r"norsk arbeidsmandsforbund",
             r"politiets fellesforbund", r"fagforeningen"]
DA_PARTIES = [r"socialdemokratiet", r"socialdemokraterne", r"enhedslisten", r"dansk folkeparti",
              r"socialistisk folkeparti", r"liberal alliance", r"de konservative", r"radikale venstre",
              r"nye borgerlige", r"moderaterne", r"danmarksdemokraterne", r"alternativet"]
DA_AMBIGUOUS = (r"venstre", r"df", r"sf", r"la", r"konservative", r"radikale")
DA_UNIONS = [r"3f", r"hk", r"hk danmark", r"foa", r"dansk metal", r"metal", r"krifa", r"dansk sygeplejeråd", r"dsr",
             r"bupl", r"danmarks lærerforening", r"fag og arbejde", r"serviceforbundet", r"djøf", r"fagforeningen",
             r"ase"]
DE_PARTIES = [r"spd", r"cdu", r"csu", r"fdp", r"afd", r"npd", r"die linke", r"bsw", r"freie wähler", r"freien wählern",
              r"ödp", r"piratenpartei"]
DE_AMBIGUOUS = (r"linke", r"linken", r"grüne", r"grünen", r"die grünen", r"den grünen")
DE_UNIONS = [r"ver\.?di", r"ig metall", r"ig bce", r"ig bau", r"gew", r"ngg", r"evg", r"gdl", r"dgb", r"marburger bund",
             r"komba", r"dbb", r"gewerkschaft"]
HU_PARTIES = [r"fidesz", r"kdnp", r"mszp", r"dk", r"demokratikus koalíció", r"jobbik", r"momentum", r"lmp",
              r"mi hazánk", r"tisza", r"tisza párt", r"párbeszéd", r"kutyapárt", r"mkkp"]
EN_PARTIES = [r"the labour party", r"labour party", r"the conservatives", r"tory", r"tories", r"lib ?dems?",
              r"liberal democrats?", r"green party", r"the greens", r"snp", r"reform uk", r"plaid cymru", r"ukip",
              r"dup", r"sinn féin", r"the (labour|conservative|green|reform) party"]
EN_AMBIGUOUS = (r"labour", r"conservatives?", r"greens?", r"reform", r"republicans?", r"democrats?")
EN_UNIONS = [r"unite", r"unison", r"gmb", r"rmt", r"usdaw", r"neu", r"nasuwt", r"rcn", r"pcs", r"cwu", r"ucu", r"nea",
             r"teamsters", r"uaw", r"seiu", r"afl-cio", r"the union"]

DE_POLITICAL = membership(
    DE_PARTIES, [r"wähl\w*", r"stimm\w* für", r"mitglied (der|bei der|in der|bei den)", r"aktiv (bei|in) (der|den)",
                 r"engagiert sich (bei|für) (die|den|der)", r"sitzt für (die|den)", r"kandidiert für (die|den)",
                 r"sympathisiert mit"],
    [r"mitglied", r"wähler", r"anhänger", r"politiker", r"stadtrat", r"stadträtin", r"abgeordnete", r"sympathisant",
     r"aktiv", r"gemeinderat", r"kandidat"], suffix="(s|n)?", ambiguous=DE_AMBIGUOUS)

EVERYDAY: dict[str, dict[str, list[str]]] = {
    "nb": {
        "political": membership(NB_PARTIES, [r"stemme\w*( på)?", r"stemte( på)?", r"velger", r"medlem\w* (av|i)",
                                             r"aktiv (i|for)", r"tilhenger av", r"engasjert i", r"sitter for",
                                             r"representerer", r"politiker for"],
                                [r"velger", r"medlem", r"politiker", r"tilhenger", r"representant", r"sympatisør",
                                 r"aktivist"], suffix="(et|en)?", close=(r"er i", r"er med i"),
                                ambiguous=NB_AMBIGUOUS),
        "union": membership(NB_UNIONS, [r"medlem\w* (av|i)", r"organisert i", r"fagorganisert i",
                                        r"tillitsvalgt (i|for)", r"betaler kontingent til"],
                            [r"medlem", r"tillitsvalgt", r"kontingent"], suffix="", close=(r"er i", r"er med i")),
        "ethnic": [r"\w+(sk|nsk) (opprinnelse|avstamning|herkomst)", r"grønlending\w*", r"kven(er|ene)?"],
        "health": [*MEDICINES, *RECOVERY, rf"har {ABBREVIATIONS}", r"(har|lider av|sliter med) angst\w*",
                   r"multipp?el sklerose", r"sklerose\w*"],
    },
    "da": {
        "political": membership(DA_PARTIES, [r"stemme\w*( på)?", r"stemte( på)?", r"vælger", r"medlem\w* af",
                                             r"aktiv i", r"tilhænger af", r"engageret i", r"sidder for",
                                             r"repræsenterer", r"politiker for"],
                                [r"vælger", r"medlem", r"politiker", r"tilhænger", r"sympatisør", r"aktivist"],
                                suffix="(s)?", close=(r"er i", r"er med i"), ambiguous=DA_AMBIGUOUS),
        "union": membership(DA_UNIONS, [r"medlem\w* af", r"organiseret i", r"tillidsrepræsentant (i|for)",
                                        r"betaler kontingent til"],
                            [r"medlem", r"tillidsrepræsentant", r"kontingent"], suffix="",
                            close=(r"er i", r"er med i")),
        "ethnic": [r"\w+(sk|nsk) (oprindelse|afstamning|herkomst)", r"grønlænder\w*", r"inuit\w*"],
        "health": [*MEDICINES, *RECOVERY, rf"har {ABBREVIATIONS}", r"(har|lider af|døjer med) angst\w*",
                   r"sklerose\w*"],
    },
    "de": {
        "union": membership(DE_UNIONS, [r"mitglied (der|bei der|in der|bei)", r"organisiert (bei|in)( der)?",
                                        r"gewerkschafter(in)? (bei|der)( der)?"],
                            [r"mitglied", r"organisiert", r"vertrauensmann", r"vertrauensfrau", r"betriebsrat"],
                            suffix=""),
        "political": [*DE_POLITICAL, r"sozialdemokrat(in|en|innen|isch\w*)?", r"christdemokrat(in|en|innen)?"],
        "religion": [r"zeug(e|in|en|innen) jehovas", r"mitglied (der|einer) \w*(kirche|gemeinde)\w*",
                     r"neuapostolisch\w*", r"mormon\w*", r"adventist\w*"],
        "ethnic": [r"\w+(sch|isch)(er|en)? (abstammung|herkunft)", r"sorb(e|en|in|innen|isch\w*)", r"roma",
                   r"jenische\w*"],
        "health": [*MEDICINES, *RECOVERY, rf"hat {ABBREVIATIONS}", r"multiple sklerose"],
    },
    "hu": {
        "political": [
            *membership(HU_PARTIES, [r"tagja (a|az)", r"aktív (a|az)", r"szavaz (a|az)", r"támogatja (a|az)"],
                        [r"szavazó", r"tag", r"szimpatizáns", r"képviselő", r"aktivista", r"politikus", r"híve"],
                        suffix=r"(-?\w*)"),
            r"(fidesz|kdnp|mszp|jobbik|momentum|lmp|mkkp|tisza)(es|os|ös|s)\w*", r"(dk|mszp|lmp|kdnp)-s\w*",
            r"[\w-]+(r[ae]) szavaz\w*",
        ],
        "union": [r"szakszervezet\w* (tag\w*|bizalmi\w*)", r"tag(ja|ként)? (a |az )?([\w-]+ ){0,3}?szakszervezet\w*",
                  r"szakszervezeti (tag|bizalmi|tagság)\w*"],
        "health": [*MEDICINES, *RECOVERY, r"sclerosis multiplex\w*", r"sm-es\w*", r"szklerózis\w*"],
    },
    "en": {
        "political": membership(EN_PARTIES, [r"votes?( for)?", r"voted( for)?", r"voting( for)?",
                                             r"member of( the)?", r"supporter of( the)?", r"supports( the)?",
                                             r"campaigns? for( the)?", r"councillor for( the)?", r"stands for"],
                                [r"member", r"supporter", r"voter", r"councillor", r"activist", r"mp", r"candidate"],
                                suffix="", ambiguous=EN_AMBIGUOUS),
        "union": membership(EN_UNIONS, [r"member of( the)?", r"belongs to( the)?", r"joined( the)?",
                                        r"steward for( the)?", r"rep for( the)?"],
                            [r"member", r"rep", r"steward", r"union"], suffix=""),
        "health": [*MEDICINES, *RECOVERY, rf"has {ABBREVIATIONS}",
                   r"(on|takes|taking) (antidepressants|antipsychotics|antibiotics|medication|pills)",
                   r"multiple sclerosis"],
    },
}
"""Additions per language, merged into the base lexicons' terms."""

EXCLUDE: dict[str, list[str]] = {
    "hu": [r"gyülekezeti (bolt|iroda|terem)\w*"],
}
"""Look-alikes the additions bring: a religious community's shop or office is a business customer."""
