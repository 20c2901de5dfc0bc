"""Special-category vocabulary for German, Hungarian and English (conventions as in ``lexicon_nordic``).

Hungarian is agglutinative, so its stems carry ``\\w*`` for case endings and possessives; stems that are also
verb prefixes (``rá-``) or everyday words (``meleg`` = warm, ``fajta`` = kind) are only listed in forms that
cannot be mistaken.  English idioms (``sick of``, ``pain point``, ``union station``) are excluded explicitly.
"""

from __future__ import annotations

DE: dict[str, object] = {
    "stop": {"und", "nicht", "ich", "das", "ist", "der", "die", "mit", "hat", "von", "zu", "sie", "er", "kunde",
             "kundin", "ihre", "sein", "will", "aus", "nach", "soll", "auch", "wurde", "eine", "ein", "wo",
             "jetzt", "den", "dem", "im", "wegen", "bei", "noch", "sich"},
    "terms": {
        "health": [
            r"~krankheit\w*", r"~erkrank\w*", r"krank(e|en|er|es)?", r"krankgeschrieben\w*",
            r"krankschreibung\w*", r"krankmeld\w*", r"(im|ins|aus dem) krankenhaus (liegt|lag|eingeliefert|"
            r"entlassen|gekommen|gebracht)\w*", r"krankenhausaufenthalt\w*", r"klinikaufenthalt\w*",
            r"diabet\w*", r"zucker(krank\w*|kranke\w*)", r"~krebs(erkrank\w*|leiden|therapie|diagnose)?\w*",
            r"~tumor\w*", r"chemo\w*", r"depressi\w*", r"angststörung\w*", r"panikattack\w*", r"psychisch\w*",
            r"psychiat\w*", r"psycholog\w*", r"psychotherap\w*", r"medikament\w*", r"tabletten",
            r"diagnos\w*", r"schwanger\w*", r"allergi\w*", r"allergisch\w*", r"asthma\w*", r"epilep\w*",
            r"demenz\w*", r"alzheimer\w*", r"parkinson\w*", r"hiv", r"adhs", r"autis\w*", r"schlaganfall\w*",
            r"herzinfarkt\w*", r"operiert\w*", r"operation(en)?", r"berufsunfähig\w*", r"erwerbsunfähig\w*",
            r"behindert\w*", r"~behinderung\w*", r"schwerbehindert\w*", r"rollstuhl\w*", r"blind(e|en|er)?",
            r"gehörlos\w*", r"\w+sucht\w*", r"süchtig\w*", r"alkoholi\w*", r"alkoholproblem\w*",
            r"drogenabhängig\w*", r"drogenproblem\w*", r"abhängig von (alkohol|drogen|tabletten)", r"entzug\w*",
            r"(beim|zum) (arzt|hausarzt|facharzt)", r"ärzt\w*", r"hausarzt\w*", r"attest\w*",
            r"chronisch\w*", r"~schmerz\w*", r"patient\w*", r"migräne\w*", r"rheuma\w*", r"reha\w*",
            r"(bein|arm|hüfte|fuß) gebrochen", r"essstörung\w*", r"suizid\w*", r"selbstmord\w*",
            r"physiotherap\w*", r"burn-?out\w*", r"behandlung wegen",
        ],
        "ethnic": [
            r"ethnisch\w*", r"ethnie\w*", r"rasse\w*", r"hautfarbe\w*", r"migrationshintergrund\w*",
            r"einwander\w*", r"zuwander\w*", r"flüchtling\w*", r"geflüchtet\w*", r"asylbewerber\w*",
            r"(ethnisch\w*|ausländisch\w*|türkisch\w*|arabisch\w*|afrikanisch\w*|asiatisch\w*|kurdisch\w*|"
            r"polnisch\w*|russisch\w*) (herkunft|abstammung|wurzeln)", r"abstammung\w*", r"sinti",
            r"zigeuner\w*", r"rassis\w*",
        ],
        "political": [
            r"politisch\w*", r"parteimitglied\w*", r"mitglied (der|in der|bei der) (\w+ )?(partei|\w+partei)",
            r"kommunist\w*", r"nazi\w*", r"neonazi\w*",
            r"rechtsextrem\w*", r"linksextrem\w*", r"faschis\w*", r"sozialist\w*", r"~aktivist\w*",
            r"extremis\w*", r"wahlkampf\w*", r"feminis\w*", r"rechtsradikal\w*", r"linksradikal\w*",
        ],
        "religion": [
            r"religi\w*", r"christlich\w*", r"christen", r"christentum\w*", r"muslim\w*", r"moslem\w*",
            r"islam\w*", r"jude(n)?", r"jüdin\w*", r"jüdisch\w*", r"hindu\w*", r"buddhis\w*", r"atheist\w*",
            r"katholisch\w*", r"katholik\w*", r"evangelisch\w*", r"zeugen jehovas", r"moschee\w*",
            r"synagog\w*", r"kirchengemeinde\w*", r"freikirch\w*", r"kirchenaustritt\w*", r"kirchensteuer\w*",
            r"halal\w*", r"koscher\w*", r"gläubig\w*", r"gottesdienst\w*", r"ramadan\w*", r"konfession\w*",
            r"scientolog\w*", r"(geht|ging) (in die|zur) (kirche|moschee|synagoge)",
        ],
        "union": [
            r"~gewerkschaft(er|erin|smitglied|lich)\w*", r"gewerkschaftlich\w*",
            r"mitglied (der|bei der|in der) (gewerkschaft|ig metall|ver\.?di|gew|ig bce|ngg)",
            r"vertrauensleute", r"vertrauensmann",
        ],
        "genetic": [r"genetisch\w*", r"gentest\w*", r"dna\w*", r"erbkrank\w*", r"erblich\w*", r"erbanlage\w*",
                    r"brca\w*", r"gendefekt\w*", r"~genanalyse\w*"],
        "biometric": [r"biometri\w*", r"fingerabdr\w*", r"gesichtserkennung\w*", r"iris-?scan\w*",
                      r"stimmerkennung\w*", r"handvenen\w*"],
        "sexual": [
            r"homosexu\w*", r"schwul\w*", r"lesbisch\w*", r"lesbe(n)?", r"bisexu\w*", r"sexuell\w*",
            r"sexualität\w*", r"transgender\w*", r"transsexu\w*", r"queer\w*", r"lgbt\w*", r"sexleben\w*",
            r"geschlechtsangleich\w*", r"geschlechtsumwandlung\w*", r"impoten\w*", r"erektion\w*",
        ],
        "criminal": [
            r"vorbestraft\w*", r"straf(verfahren|tat|täter|anzeige|register|befehl|akte|prozess)\w*",
            r"bestraft", r"verurteilt\w*", r"gefängnis\w*", r"haftstrafe\w*", r"haft", r"inhaftiert\w*",
            r"untersuchungshaft\w*", r"verdächtigt\w*", r"tatverdächtig\w*", r"angeklagt\w*", r"anklage\w*",
            r"anzeige wegen", r"wegen \w+ angezeigt", r"~diebstahl\w*", r"betrugs\w*", r"wegen betrug\w*",
            r"betrüger\w*", r"unterschlagung\w*", r"kriminell\w*", r"führungszeugnis\w*",
            r"trunkenheit am steuer", r"vergewaltig\w*", r"körperverletzung\w*", r"bewährungsstrafe\w*",
            r"auf bewährung", r"vorstrafe\w*", r"festgenommen", r"verhaftet\w*",
        ],
    },
    "exclude": [r"krank(e|en)?kasse\w*"],
}

HU: dict[str, object] = {
    "stop": {"és", "nem", "én", "az", "a", "egy", "hogy", "van", "volt", "meg", "már", "csak", "ő", "ügyfél",
             "ügyfelünk", "mert", "de", "is", "még", "ki", "be", "lesz", "szerint", "nagyon", "után", "miatt"},
    "terms": {
        "health": [
            r"~betegség\w*", r"beteg(en|ek|ként|nek|et|ségre)?", r"betegszabadság\w*", r"betegállomány\w*",
            r"táppénz\w*", r"kórházban (van|volt|fekszik|feküdt|kezel\w*|ápol\w*)",
            r"kórházba (került|vitték|szállították)\w*",
            r"kórházi kezelés\w*", r"cukorbeteg\w*", r"cukorbetegség\w*", r"diabétesz\w*",
            r"rák(os|ja|ot|kal|ban|beteg)\w*", r"(mell|tüdő|bőr|prosztata|vastagbél|méhnyak|gyomor)rák\w*",
            r"daganat\w*", r"tumor\w*", r"kemoterápi\w*", r"depresszi\w*", r"depressz\w*", r"szorongás\w*",
            r"pszichiát\w*", r"pszichológus\w*", r"pszichés\w*", r"gyógyszer\w*", r"diagnózis\w*",
            r"diagnosztiz\w*", r"terhes(ség|ségé|ségét|ségre)?\w*", r"várandós\w*", r"allergi\w*", r"asztm\w*",
            r"epilepsz\w*", r"demencia\w*", r"alzheimer\w*", r"parkinson\w*", r"hiv", r"adhd", r"autizmus\w*",
            r"autista\w*", r"stroke\w*", r"szívinfarktus\w*", r"szívroham\w*", r"agyvérzés\w*",
            r"megműtött\w*", r"műtét\w*", r"rokkant\w*", r"fogyatékos\w*", r"kerekesszék\w*", r"vak(ok)?",
            r"siket\w*", r"alkoholist\w*", r"alkoholizmus\w*", r"(alkohol|drog|szer|játék)függ\w*",
            r"elvonó\w*", r"orvosnál", r"orvoshoz", r"háziorvos\w*", r"orvosi (igazolás|lelet|kezelés|vizsgálat)\w*",
            r"krónikus\w*", r"fájdalm\w*", r"migrén\w*", r"reuma\w*", r"eltörte (a )?(lábát|karját|csípőjét)",
            r"evészavar\w*", r"öngyilkos\w*", r"gyógytorn\w*", r"kezelés alatt", r"kiégés\w*",
        ],
        "ethnic": [
            r"etnikai\w*", r"etnikum\w*", r"faji\w*", r"roma(k|ként|nak|ként)?", r"cigány\w*", r"bőrszín\w*",
            r"bevándorl\w*", r"menekült\w*", r"menedékkérő\w*", r"\w+ származású", r"nemzetiség\w*",
            r"rasszis\w*",
        ],
        "political": [
            r"politikai\w*", r"párttag\w*", r"pártszimpatizáns\w*", r"pártpolitik\w*",
            r"\w+ párt (tagja|híve|szavazója)\w*", r"kommunista\w*", r"náci\w*", r"fasiszta\w*",
            r"szocialista\w*", r"~aktivista\w*", r"szélsőjobb\w*", r"szélsőbal\w*", r"feminista\w*",
            r"ellenzéki\w*", r"kormánypárti\w*",
        ],
        "religion": [
            r"vallás\w*", r"vallásos\w*", r"keresztény\w*", r"katolikus\w*", r"református\w*",
            r"evangélikus\w*", r"muszlim\w*", r"iszlám\w*", r"zsidó\w*", r"hindu\w*", r"buddhista\w*",
            r"ateista\w*", r"jehova tanú\w*", r"mecset\w*", r"zsinagóg\w*", r"templomba jár\w*",
            r"gyülekezet\w*", r"egyházi\w*", r"egyháztag\w*", r"halal\w*", r"kóser\w*", r"hívő\w*",
            r"istentisztelet\w*", r"ramadán\w*", r"szentmise\w*", r"felekezet\w*",
        ],
        "union": [r"szakszervezeti bizalmi\w*"],
        "genetic": [r"genetikai\w*", r"genetikus\w*", r"gén(teszt|vizsgálat|mutáció|elemzés)\w*", r"dns\w*",
                    r"örökletes\w*", r"brca\w*"],
        "biometric": [r"biometri\w*", r"ujjlenyomat\w*", r"arcfelismer\w*", r"íriszszkenn\w*",
                      r"hangfelismer\w*", r"íriszolvas\w*"],
        "sexual": [
            r"homoszexu\w*", r"meleg (férfi|nő|pár|párjával|párkapcsolat)\w*", r"leszbikus\w*", r"biszexu\w*",
            r"szexuális\w*", r"szexualitás\w*", r"transznemű\w*", r"queer", r"lmbt\w*", r"szexélet\w*",
            r"nemi (identitás|irányultság)\w*", r"impoten\w*", r"merevedési\w*",
        ],
        "criminal": [
            r"büntet(ett|őeljárás|őügy|ve|ték|őjog)\w*", r"elítélt\w*", r"elítélték\w*", r"börtön\w*",
            r"fegyház\w*", r"letartóztat\w*", r"őrizetbe\w*", r"gyanúsít\w*", r"meggyanúsít\w*", r"vádlott\w*",
            r"vádat emel\w*", r"vádemel\w*", r"feljelent\w*", r"lopás\w*", r"sikkaszt\w*", r"csalásért",
            r"csalás miatt", r"bűncselekmény\w*", r"bűnöző\w*", r"bűnügyi\w*", r"erkölcsi bizonyítvány\w*",
            r"ittas vezetés\w*", r"nemi erőszak\w*", r"testi sértés\w*", r"priusz\w*",
            r"pártfogó felügyel\w*", r"felfüggesztett\w*", r"előzetes letartóztatás\w*",
        ],
    },
    "exclude": [r"parkolási büntetés\w*", r"büntetőpont\w*"],
}

EN: dict[str, object] = {
    "stop": {"and", "not", "the", "is", "was", "with", "has", "have", "of", "to", "she", "he", "customer",
             "her", "his", "will", "from", "after", "should", "also", "got", "been", "some", "where", "now",
             "that", "they", "their", "this", "for", "are", "would", "about", "asked"},
    "terms": {
        "health": [
            r"illness\w*", r"disease\w*", r"(is|was|been|fell|seriously|mentally|terminally|chronically) ill",
            r"(is|was|been|got|off|feel\w*|fell|being|very|home) sick", r"sick (leave|note|pay|days?)",
            r"hospitali[sz]\w*", r"admitted to (the )?hospital", r"(in|at|into) (the )?hospital (for|with|since|after)",
            r"diabet\w*", r"cancer\w*", r"tumou?r\w*", r"chemo\w*", r"depressi\w*", r"depressed",
            r"anxiety", r"panic attack\w*", r"mental health", r"mental illness\w*", r"psychiatr\w*",
            r"psycholog\w*", r"therapist\w*", r"medication\w*", r"prescription\w*", r"diagnos\w*",
            r"pregnan\w*", r"allerg\w*", r"asthma\w*", r"epilep\w*", r"dementia", r"alzheimer\w*",
            r"parkinson\w*", r"hiv", r"adhd", r"autis\w*", r"(had|suffered) a stroke", r"heart attack\w*",
            r"surgery", r"operated on", r"disabilit\w*", r"disabled", r"wheelchair\w*", r"blind", r"deaf",
            r"addict\w*", r"alcoholi\w*", r"rehab\w*", r"substance abuse", r"drug (abuse|use|problem\w*)",
            r"(his|her|their|the|a) (doctor|gp)", r"doctor'?s (note|appointment|certificate)", r"chronic\w*",
            r"in pain", r"(back|chronic|joint) pain", r"migraine\w*", r"broken (leg|arm|hip|wrist|ankle)",
            r"injur(y|ies|ed)", r"eating disorder\w*", r"suicid\w*", r"physiotherap\w*", r"burn-?out",
            r"treatment for", r"medical (condition|leave|certificate|history)\w*",
        ],
        "ethnic": [
            r"ethnic\w*", r"(his|her|their) race", r"racial\w*", r"skin colou?r", r"immigrant\w*",
            r"refugee\w*", r"asylum seeker\w*", r"(ethnic|immigrant|foreign|migrant) (background|origin\w*|descent)",
            r"descent", r"ancestry", r"gypsy", r"gypsies", r"traveller community", r"racis\w*",
        ],
        "political": [
            r"political\w*", r"party member\w*", r"member of the \w+ party", r"tory", r"tories", r"snp",
            r"votes? (for )?(labour|tory|conservative|the greens|reform|republican|democrat)\w*",
            r"voted (for|labour|tory|conservative|leave|remain|republican|democrat)\w*", r"communist\w*",
            r"nazi\w*", r"fascis\w*", r"socialist\w*", r"activist\w*", r"extremis\w*", r"far[- ](right|left)",
            r"feminis\w*", r"campaigns? for (labour|the tories|the conservatives|the party)",
        ],
        "religion": [
            r"religio\w*", r"(a|devout|practising|practicing|born-again) christian", r"christianity",
            r"muslim\w*", r"islam\w*", r"jew(s|ish)?", r"hindu\w*", r"buddhis\w*", r"atheis\w*",
            r"catholic\w*", r"protestant\w*", r"jehovah'?s witness\w*", r"mosque\w*", r"synagogue\w*",
            r"(goes|went|go) to church", r"attend\w* church", r"churchgoer\w*", r"congregation\w*", r"halal",
            r"kosher", r"believer\w*", r"ramadan", r"sabbath", r"sikh\w*", r"scientolog\w*",
        ],
        "union": [
            r"trade union\w*", r"labou?r union\w*", r"union (member\w*|rep|reps|representative\w*|steward\w*|dues)",
            r"unioni[sz]ed", r"shop steward\w*", r"member of (unite|unison|gmb|the union|the rmt|rmt|usdaw)",
        ],
        "genetic": [r"genetic\w*", r"gene test\w*", r"dna", r"hereditary", r"brca\w*", r"genome\w*"],
        "biometric": [r"biometric\w*", r"fingerprint\w*", r"facial recognition", r"face recognition",
                      r"iris scan\w*", r"voice ?print\w*", r"retina scan\w*"],
        "sexual": [
            r"homosexual\w*", r"gay", r"lesbian\w*", r"bisexual\w*", r"sexual\w*", r"sexuality",
            r"transgender\w*", r"queer", r"lgbt\w*", r"sex life", r"gender reassignment", r"erectile",
            r"impoten\w*",
        ],
        "criminal": [
            r"criminal\w*", r"convicted", r"convictions? for", r"prison\w*", r"jail\w*", r"arrest\w*",
            r"charged with", r"suspected of", r"accused of (theft|fraud|assault|stealing|burglary)",
            r"prosecut\w*", r"offender\w*", r"theft", r"shoplift\w*", r"embezzl\w*", r"police record",
            r"drink[- ]driving", r"drunk driving", r"dui", r"assault\w*", r"probation", r"parole",
            r"sentenced\w*", r"served time", r"burglar\w*",
        ],
    },
    "exclude": [r"sick (of|and tired)", r"union station", r"european union", r"credit union", r"pain points?",
                r"student union", r"dna of (the|our) (brand|company)", r"(the|our) company'?s dna"],
}
