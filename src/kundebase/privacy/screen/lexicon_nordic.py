"""Special-category vocabulary for Norwegian (Bokmål/Nynorsk), Danish and Swedish.

Each entry is a regular expression over lower-cased text.  A pattern matches whole words: it must start at a
word start and end at a word end, so inflection is spelled out in the pattern (``\\w*`` or explicit endings)
rather than guessed.  A leading ``~`` lets the pattern start inside a word, for the compounds these languages
build freely (``brystkreft``, ``hjertesykdom``); it is only used where the stem cannot occur by accident.
A space stands for any run of spaces or hyphens.  ``exclude`` lists idioms that look like a trigger but are not
(``sykt bra`` = "very good"); their text is blanked before matching.

Written from the categories of GDPR Art. 9 and 10 and everyday usage in customer-service notes; the labelled
corpus in ``tests/data`` measures it, it is not derived from it.
"""

from __future__ import annotations

NO: dict[str, object] = {
    "stop": {"og", "ikke", "jeg", "det", "er", "som", "på", "med", "har", "av", "til", "hun", "han", "kunden",
             "hennes", "hans", "vil", "fra", "etter", "skal", "også", "fikk", "ble", "noen", "hvor", "nå"},
    "terms": {
        "health": [
            r"~sykdom\w*", r"syk(e)?", r"sykemeld\w*", r"sykmeld\w*", r"innlagt\w*",
            r"(ligger|lå|var|er|innlagt) på sykehus\w*", r"sykehusopphold\w*", r"diabet\w*", r"~kreft(en)?",
            r"kreftsyk\w*", r"kreftbehandling\w*", r"cellegift\w*", r"~svulst\w*", r"depresj\w*",
            r"deprimert\w*", r"angstlidelse\w*", r"panikkangst\w*", r"psykisk\w* (syk\w*|lidelse\w*|helse\w*)",
            r"psykiatri\w*", r"psykolog\w*", r"medisiner\w*", r"medisinering\w*", r"medikament\w*",
            r"diagnos\w*", r"gravid\w*", r"svangerskap\w*", r"allergi\w*", r"allergisk\w*", r"astma\w*",
            r"epilep\w*", r"demen\w*", r"alzheimer\w*", r"parkinson\w*", r"hiv", r"adhd", r"autis\w*",
            r"hjerteinfarkt\w*", r"hjerneslag\w*", r"ble operert", r"operert (for|i)", r"operasjon(en)?",
            r"ufør\w*", r"funksjonshem\w*", r"rullestol\w*", r"blind(e)?", r"døv(e)?", r"handikap\w*",
            r"rus(misbruk|avhengig|problem|behandling|middel|midler|omsorg)\w*", r"~misbruk(er|ere)",
            r"(alkohol|stoff|narkotika|pille|spill)misbruk\w*", r"alkoholi\w*", r"alkoholproblem\w*",
            r"narkoman\w*", r"avhengig av (alkohol|narkotika|piller|spill|rus)\w*", r"avrusning\w*",
            r"legen", r"fastlege\w*", r"legetime\w*", r"legeerklæring\w*", r"legeattest\w*", r"helseproblem\w*",
            r"helseplag\w*", r"helsetilstand\w*", r"kronisk\w*", r"smerte\w*", r"vondt i", r"migrene\w*",
            r"pasient\w*", r"kols", r"dysleksi\w*", r"hørselshemm\w*", r"synshemm\w*", r"revma\w*",
            r"leddgikt\w*", r"~brudd i (armen|beinet|foten|hofta)", r"brakk (armen|beinet|foten|hofta)",
            r"spiseforstyrr\w*", r"selvmord\w*", r"fysioterap\w*", r"behandling for",
        ],
        "ethnic": [
            r"etnisitet\w*", r"etnisk\w*", r"rase(n|r)?", r"hudfarge\w*", r"innvandr\w*", r"flyktning\w*",
            r"asylsøker\w*", r"(etnisk|utenlandsk|innvandrer|minoritets)\w* (bakgrunn|opprinnelse)",
            r"avstamning\w*", r"herkomst\w*", r"samisk\w*", r"kvensk\w*", r"romani\w*", r"sigøyner\w*",
            r"tater(e|ne)?", r"rasis\w*",
        ],
        "political": [
            r"politisk\w*", r"partimedlem\w*", r"medlem (av|i) (\w+ )?(partiet|\w+partiet)",
            r"stemme\w* på", r"stemte på", r"kommunist\w*", r"nazis\w*", r"nynazis\w*", r"fascis\w*",
            r"sosialist\w*", r"~aktivist\w*", r"ekstremis\w*", r"valgkamp\w*", r"feminis\w*",
            r"ytre (høyre|venstre)", r"høyreekstrem\w*", r"venstreekstrem\w*", r"partipolitik\w*",
            r"konservative? (politiker\w*|velger\w*)", r"tilhenger av (\w+ )?(partiet|\w+partiet)",
        ],
        "religion": [
            r"religi\w*", r"kristne", r"kristendom\w*", r"(en|som|er) kristen", r"kristen tro", r"muslim\w*",
            r"islam\w*", r"jøde(r|ne|n)?", r"jødisk\w*", r"hindu\w*", r"buddhis\w*", r"ateist\w*",
            r"human-?etisk\w*", r"humanetiker\w*", r"katolsk\w*", r"katolikk\w*", r"pinsevenn\w*",
            r"jehovas vitne\w*", r"mosk[eé]\w*", r"synagog\w*", r"menighet\w*", r"frikirke\w*",
            r"(går|gikk) (i|til) (kirken|kirka|moskeen|synagogen|tempelet)", r"halal\w*", r"kosher\w*",
            r"troende", r"livssyn\w*", r"gudstjeneste\w*", r"ramadan\w*", r"trossamfunn\w*",
            r"konvertert\w* til (islam|kristendom\w*|jødedom\w*|katolisisme\w*|buddhisme\w*)",
            r"meldt (seg )?ut av (den norske )?kirken",
        ],
        "union": [
            r"~fagforening\w*", r"fagorganisert\w*", r"tillitsvalgt\w*",
            r"medlem (av|i) (lo|ys|unio|akademikerne|hk|handel og kontor|el og it|utdanningsforbundet|nsf)",
            r"lo-medlem\w*", r"sykepleierforbund\w*", r"fagbevegelse\w*",
        ],
        "genetic": [
            r"genetisk\w*", r"gentest\w*", r"dna\w*", r"arvelig\w*", r"genmutasjon\w*", r"brca\w*",
            r"arveanlegg\w*", r"genanalyse\w*",
        ],
        "biometric": [
            r"biometri\w*", r"fingeravtrykk\w*", r"ansiktsgjenkjenn\w*", r"irisskann\w*",
            r"stemmegjenkjenn\w*", r"håndflateskann\w*",
        ],
        "sexual": [
            r"homofil\w*", r"homoseksu\w*", r"lesbisk\w*", r"lesbe(r|ne)?", r"bifil\w*", r"legning\w*",
            r"seksuell\w*", r"seksualitet\w*", r"transkjønn\w*", r"transperson\w*", r"skeiv\w*", r"lhbt\w*",
            r"sexliv\w*", r"kjønnsskift\w*", r"kjønnsbekreft\w*", r"impoten\w*", r"ereksjon\w*", r"queer",
        ],
        "criminal": [
            r"straffe(dømt|sak|attest|rett|forfølg|register)\w*", r"straffet", r"dømt\w*", r"fengsel\w*",
            r"fengslet", r"soner\w*", r"sonet", r"siktet\w*", r"siktelse\w*", r"tiltal\w*", r"anmeldt for",
            r"politianmeld\w*", r"~tyveri\w*", r"underslag\w*", r"bedrageri\w*", r"(mistenkt|tatt) for",
            r"domfelt\w*", r"kriminell\w*", r"rulleblad\w*", r"voldsdømt\w*", r"voldtekt\w*",
            r"promillekjøring\w*", r"fyllekjør\w*", r"narkotikadom\w*", r"varetekt\w*", r"løslatt\w*",
            r"prøveløslat\w*", r"ubetinget\w*", r"betinget dom\w*", r"vold mot", r"legemsbeskadigelse\w*",
            r"arrestert\w*", r"pågrepet\w*", r"svindeldømt\w*", r"narkotikalovbrudd\w*",
        ],
    },
    "exclude": [r"sykt (bra|fint|godt|mye|lenge|dyrt|billig|kult|morsomt|travelt)", r"syk av å vente",
                r"\w+ på sykehus\w*(parkering|kantina|kiosken)"],
}

DA: dict[str, object] = {
    "stop": {"og", "ikke", "jeg", "det", "er", "som", "på", "med", "har", "af", "til", "hun", "han", "kunden",
             "hendes", "hans", "vil", "fra", "efter", "skal", "også", "fik", "blev", "nogen", "hvor", "nu",
             "hvad", "meget", "være", "havde", "sig"},
    "terms": {
        "health": [
            r"~sygdom\w*", r"syg(e)?", r"sygemeld\w*", r"sygeml\w*", r"indlagt\w*",
            r"(ligger|lå|var|er|indlagt) på (hospitalet|sygehuset)", r"hospitalsindlæggelse\w*", r"diabet\w*",
            r"~kræft(en)?", r"kræftsyg\w*", r"kræftbehandling\w*", r"kemoterapi\w*", r"~svulst\w*",
            r"depressi\w*", r"deprimeret", r"angstlidelse\w*", r"angstanfald\w*",
            r"psykisk\w* (syg\w*|lidelse\w*|sårbar\w*)", r"psykiat\w*", r"psykolog\w*", r"medicin\w*",
            r"diagnos\w*", r"gravid\w*", r"graviditet\w*", r"allergi\w*", r"allergisk\w*", r"astma\w*",
            r"epilep\w*", r"demens\w*", r"alzheimer\w*", r"parkinson\w*", r"hiv", r"adhd", r"autis\w*",
            r"blodprop\w*", r"hjerneblødning\w*", r"opereret\w*", r"operation(en)?", r"førtidspension\w*",
            r"handicap\w*", r"kørestol\w*", r"blind(e)?", r"døv(e)?", r"(alkohol|stof|narko|hash)misbrug\w*",
            r"misbruger\w*", r"alkoholi\w*", r"narkoman\w*", r"afvænning\w*", r"lægen", r"egen læge",
            r"lægebesøg\w*", r"lægeerklæring\w*", r"kronisk\w*", r"smerte\w*", r"patient(en|er|erne)", r"sclerose\w*",
            r"gigt\w*", r"migræne\w*", r"brækket (armen|benet|foden|hoften)", r"spiseforstyrr\w*",
            r"selvmord\w*", r"fysioterap\w*", r"behandling for", r"stress(et|sygemeldt)",
        ],
        "ethnic": [
            r"etnisk\w*", r"etnicitet\w*", r"(anden|hans|hendes|deres) race", r"hudfarve\w*", r"indvandr\w*",
            r"flygtning\w*",
            r"asylansøg\w*", r"(etnisk|udenlandsk|indvandrer|minoritets)\w* (baggrund|oprindelse|herkomst)",
            r"herkomst\w*", r"afstamning\w*", r"sigøjner\w*", r"romaer\w*", r"racis\w*",
        ],
        "political": [
            r"politisk\w*", r"partimedlem\w*", r"medlem af (\w+ )?(partiet|\w+partiet)",
            r"socialdemokrat(en|er|erne|isk\w*)?", r"stemme\w* på", r"stemte på", r"kommunist\w*", r"nazis\w*",
            r"fascis\w*", r"socialist\w*", r"~aktivist\w*", r"ekstremis\w*", r"valgkamp\w*", r"feminis\w*",
            r"højreorient\w*", r"venstreorient\w*", r"højreekstrem\w*", r"venstreekstrem\w*",
        ],
        "religion": [
            r"religi\w*", r"kristne", r"kristendom\w*", r"(en|som|er) kristen", r"kristen tro", r"muslim\w*",
            r"islam\w*", r"jøde(r|rne|n)?", r"jødisk\w*", r"hindu\w*", r"buddhis\w*", r"ateist\w*",
            r"katolsk\w*", r"katolik\w*", r"jehovas vidne\w*", r"mosk[eé]\w*", r"synagog\w*", r"menighed\w*",
            r"frikirke\w*", r"(går|gik) i (kirke|kirken|moskeen|synagogen)", r"halal\w*", r"kosher\w*",
            r"troende", r"gudstjeneste\w*", r"ramadan\w*", r"folkekirke\w*", r"trossamfund\w*",
            r"konverteret til (islam|kristendom\w*|jødedom\w*|katolicisme\w*|buddhisme\w*)",
        ],
        "union": [
            r"~fagforening\w*", r"fagligt organiseret", r"tillidsrepræsentant\w*", r"tillidsmand\w*",
            r"medlem af (3f|hk|foa|dansk metal|krifa|fagforeningen|dansk sygeplejeråd|fo)", r"fagbevægelse\w*",
        ],
        "genetic": [r"genetisk\w*", r"gentest\w*", r"dna\w*", r"arvelig\w*", r"brca\w*", r"arveanlæg\w*",
                    r"genanalyse\w*"],
        "biometric": [r"biometri\w*", r"fingeraftryk\w*", r"ansigtsgenkend\w*", r"irisscan\w*",
                      r"stemmegenkend\w*"],
        "sexual": [
            r"homoseksu\w*", r"bøsse(r|rne)?", r"lesbisk\w*", r"lesbiske", r"biseksu\w*", r"seksuel\w*",
            r"seksualitet\w*", r"transkønne\w*", r"queer", r"lgbt\w*", r"sexliv\w*", r"kønsskifte\w*",
            r"impoten\w*", r"rejsningsproblem\w*",
        ],
        "criminal": [
            r"straffe(attest|sag|dømt|ret|register|forfølg)\w*", r"straffet", r"dømt\w*", r"fængsel\w*",
            r"fængslet", r"afsone\w*", r"afsonet", r"sigtet\w*", r"sigtelse\w*", r"tiltal\w*", r"anmeldt for",
            r"politianmeld\w*", r"~tyveri\w*", r"underslæb\w*", r"bedrageri\w*", r"mistænkt for",
            r"kriminel\w*", r"voldsdømt\w*", r"voldtægt\w*", r"spirituskørsel\w*", r"varetægt\w*",
            r"løsladt\w*", r"prøveløsladt\w*", r"ubetinget\w*", r"betinget dom\w*", r"anholdt\w*",
            r"arresteret\w*", r"vold mod", r"narkodom\w*",
        ],
    },
    "exclude": [r"sygt (godt|lækkert|dyrt|billigt|flot|sjovt|meget)", r"syg (og træt )?af at"],
}

SV: dict[str, object] = {
    "stop": {"och", "inte", "jag", "det", "är", "som", "på", "med", "har", "av", "till", "hon", "han", "kunden",
             "hennes", "hans", "vill", "från", "efter", "ska", "också", "fick", "blev", "någon", "var", "nu",
             "att", "en", "ett", "hade", "sig", "mycket", "kan"},
    "terms": {
        "health": [
            r"~sjukdom\w*", r"sjuk(a)?", r"sjukskriv\w*", r"sjukskrev\w*", r"inlagd\w*",
            r"(ligger|låg|var|är|inlagd) på sjukhus\w*", r"sjukhusvistelse\w*", r"diabet\w*", r"~cancer\w*",
            r"~tumör\w*", r"cellgift\w*", r"depressi\w*", r"deprimerad\w*", r"ångest\w*",
            r"psykisk\w* (sjuk\w*|ohälsa|besvär|störning\w*)", r"psykiatri\w*", r"psykolog\w*",
            r"mediciner\w*", r"medicinering\w*", r"läkemedel\w*", r"diagnos\w*", r"gravid\w*", r"allergi\w*",
            r"allergisk\w*", r"astma\w*", r"epilep\w*", r"demens\w*", r"alzheimer\w*", r"parkinson\w*", r"hiv",
            r"adhd", r"autis\w*", r"stroke", r"hjärtinfarkt\w*", r"opererad\w*", r"operation(en)?",
            r"sjukersättning\w*", r"funktionsneds\w*", r"funktionshind\w*", r"rullstol\w*", r"blind(a)?",
            r"döv(a)?", r"~missbruk\w*", r"alkoholi\w*", r"narkoman\w*", r"beroende av (alkohol|droger|tabletter|spel)",
            r"läkaren", r"läkarbesök\w*", r"läkarintyg\w*", r"vårdcentral\w*", r"kronisk\w*", r"smärt\w*",
            r"patient(en|er|erna)", r"migrän\w*", r"reumati\w*", r"benbrott\w*", r"bröt (armen|benet|foten|höften)",
            r"ätstörning\w*", r"självmord\w*", r"fysioterap\w*", r"utbränd\w*", r"behandling för",
        ],
        "ethnic": [
            r"etnisk\w*", r"etnicitet\w*", r"rastillhörighet\w*", r"hudfärg\w*", r"invandrar\w*", r"invandrare",
            r"flykting\w*", r"asylsökande\w*",
            r"(etnisk|utländsk|invandrar|minoritets)\w* (bakgrund|härkomst|ursprung)",
            r"härkomst\w*", r"härstamm\w*", r"samer(na)?", r"samisk\w*", r"romer(na)?", r"romsk\w*",
            r"zigenar\w*", r"rasis\w*",
        ],
        "political": [
            r"politisk\w*", r"partimedlem\w*", r"medlem i (\w+ )?(partiet|\w+partiet)",
            r"socialdemokrat(en|er|isk\w*)?",
            r"sverigedemokrat\w*", r"moderaterna", r"vänsterpartiet", r"centerpartiet", r"kristdemokrat\w*",
            r"liberalerna", r"miljöpartiet", r"röstar på", r"röstade på", r"kommunist\w*", r"nazis\w*",
            r"fascis\w*", r"socialist\w*", r"~aktivist\w*", r"extremis\w*", r"valrörelse\w*", r"feminis\w*",
            r"högerextrem\w*", r"vänsterextrem\w*",
        ],
        "religion": [
            r"religi\w*", r"kristna", r"kristendom\w*", r"(en|som|är) kristen", r"kristen tro", r"muslim\w*",
            r"islam\w*", r"jude(n|ar|arna)?", r"judisk\w*", r"hindu\w*", r"buddhis\w*", r"ateist\w*",
            r"katolsk\w*", r"katolik\w*", r"jehovas vittne\w*", r"mosk[eé]\w*", r"synagog\w*", r"församling\w*",
            r"frikyrk\w*", r"(går|gick) i (kyrkan|moskén|synagogan)", r"halal\w*", r"kosher\w*", r"troende",
            r"gudstjänst\w*", r"ramadan\w*", r"svenska kyrkan", r"trossamfund\w*",
            r"konverterat? till (islam|kristendom\w*|judendom\w*|katolicism\w*|buddhism\w*)",
        ],
        "union": [
            r"~fackförening\w*", r"facket", r"fackligt\w*", r"fackmedlem\w*", r"fackligt ansluten",
            r"medlem i (facket|lo|tco|saco|kommunal|unionen|if metall|handels|vision|vårdförbundet)",
            r"if metall", r"fackförbund\w*", r"fackombud\w*",
        ],
        "genetic": [r"genetisk\w*", r"gentest\w*", r"dna\w*", r"ärftlig\w*", r"brca\w*", r"arvsanlag\w*",
                    r"genanalys\w*"],
        "biometric": [r"biometri\w*", r"fingeravtryck\w*", r"ansiktsigenkänning\w*", r"irisskann\w*",
                      r"röstigenkänning\w*"],
        "sexual": [
            r"homosexu\w*", r"bög(ar|arna|en)?", r"lesbisk\w*", r"bisexu\w*", r"sexuell\w*", r"sexualitet\w*",
            r"transperson\w*", r"queer", r"hbtq\w*", r"sexliv\w*", r"könskorrig\w*", r"impoten\w*",
        ],
        "criminal": [
            r"straff(ad|ade|registe\w*|rätt\w*|bar\w*)", r"dömd\w*", r"fängelse\w*", r"fängslad\w*",
            r"avtjän\w*", r"misstänkt\w* för", r"åtal\w*", r"polisanmäl\w*", r"anmäld för", r"~stöld\w*",
            r"förskingring\w*", r"bedrägeri\w*", r"kriminell\w*", r"belastningsregist\w*", r"rattfylle\w*",
            r"våldtäkt\w*", r"misshandel\w*", r"häkt\w*", r"villkorlig\w*", r"fälld\w* för", r"gripen",
            r"anhållen", r"anhölls", r"greps",
        ],
    },
    "exclude": [r"sjukt (bra|kul|snyggt|dyrt|billigt|mycket|roligt|gott)"],
}
