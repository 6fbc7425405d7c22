"""Words people write around amounts of money, per language: scales, currencies, "amount".

Read by `actions.amounts`. Written as users type them (accents, capitals); the parser folds
them when it builds its patterns. A language's scale words and amount nouns are in its pack
(nlu/<lang>/terms.yml, `money`; tests/unit/test_amounts.py fails until they are there);
currency words are shared by every language and listed here.
"""

from __future__ import annotations

from catalog.languages import pack_file
from catalog.vocabulary import LANGUAGES

THOUSAND, MILLION = 1_000, 1_000_000

# Words that multiply the number before them, and nouns that say a number is the amount
# ("the amount is 80.000"), per language: the `money` section of each language pack's
# terms.yml (written as users write them; folded when the tables are built). "mil" is a
# thousand in ca/es/pt/fr but slang for a million in English, so it is never read
# without knowing the language.
SCALE_WORDS: dict[str, dict[str, int]] = {}
AMOUNT_WORDS: dict[str, tuple[str, ...]] = {}
for _lang in LANGUAGES:
    _money = pack_file(_lang, "terms.yml").get("money") or {}
    SCALE_WORDS[_lang] = {**{str(w): THOUSAND for w in _money.get("thousand") or []},
                          **{str(w): MILLION for w in _money.get("million") or []}}
    AMOUNT_WORDS[_lang] = tuple(str(w) for w in _money.get("amount") or [])
OWN_LANGUAGE_ONLY = frozenset({"mil", "grand"})
# Abbreviations too short to stand for an amount without digits before them.
ABBREVIATIONS = frozenset({"k", "m", "mn", "mln", "χιλ", "εκ", "εκατ"})
# Shorthands every language uses ("15k", "2M", "3 m€").
SHORT_SCALES: dict[str, int] = {"k": THOUSAND, "m": MILLION}
# "mezzo milione", "half a million": half of the scale word that follows.
HALF_WORDS = frozenset({"mig", "mitja", "medio", "media", "demi", "mezzo", "meio", "meia",
                        "μισό", "μισο", "yarım", "yarim", "half", "نصف"})

# Currency markers. Symbols and unambiguous words count anywhere in the answer; the short
# codes in AMBIGUOUS only right after the number unless written in capitals, and those in
# CAPITALS_ONLY only in capitals ("da" is Italian for "from", "try" and "mad" are English).
CURRENCY_WORDS: dict[str, str] = {
    "€": "EUR", "euro": "EUR", "euros": "EUR", "euri": "EUR", "eur": "EUR", "ευρώ": "EUR",
    "ευρω": "EUR", "ευρο": "EUR", "avro": "EUR", "يورو": "EUR", "أورو": "EUR", "اورو": "EUR",
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "dollari": "USD", "dólar": "USD", "dólares": "USD", "dòlars": "USD", "dòlar": "USD",
    "dolar": "USD", "r$": "BRL", "δολάριο": "USD", "δολάρια": "USD",
    "δολαρίων": "USD", "دولار": "USD", "دولارات": "USD",
    "£": "GBP", "gbp": "GBP", "sterling": "GBP", "sterline": "GBP", "sterlina": "GBP",
    "στερλίνες": "GBP", "στερλίνα": "GBP", "sterlin": "GBP",
    "mad": "MAD", "dh": "MAD", "dhs": "MAD", "د.م": "MAD",
    "tnd": "TND", "dt": "TND", "د.ت": "TND", "dzd": "DZD", "da": "DZD", "د.ج": "DZD",
    "egp": "EGP", "ج.م": "EGP", "e£": "EGP",
    "try": "TRY", "tl": "TRY", "₺": "TRY",
    "lbp": "LBP", "jod": "JOD", "lyd": "LYD", "chf": "CHF", "fcfa": "XOF", "cfa": "XOF",
    # "80 mil reais", "300 mil escudos": plural words that are common words too ("custos
    # reais", real costs), so only right after a number (AMBIGUOUS).
    "reais": "BRL", "escudos": "CVE",
}
AMBIGUOUS = frozenset({"dh", "dhs", "dt", "tl", "eur", "usd", "gbp", "tnd", "dzd", "egp",
                       "lbp", "jod", "lyd", "chf", "cfa", "reais", "escudos"})
CAPITALS_ONLY = frozenset({"mad", "da", "try"})
# Words naming a kind of money whose code depends on the country ("dinar" is Tunisian,
# Algerian, Libyan or Jordanian): (family default, the family's codes by country).
FAMILIES: dict[str, tuple[str, dict[str, str]]] = {
    "dinar": ("TND", {"TN": "TND", "DZ": "DZD", "LY": "LYD", "JO": "JOD", "RS": "RSD"}),
    "dirham": ("MAD", {"MA": "MAD", "AE": "AED"}),
    "lira": ("TRY", {"TR": "TRY", "LB": "LBP", "SY": "SYP", "EG": "EGP"}),
    "pound": ("GBP", {"GB": "GBP", "EG": "EGP", "LB": "LBP", "SY": "SYP"}),
    "جنيه": ("EGP", {"EG": "EGP", "GB": "GBP"}),
    "peso": ("MXN", {"MX": "MXN", "AR": "ARS", "CL": "CLP", "CO": "COP", "UY": "UYU",
                     "DO": "DOP", "CU": "CUP"}),
}
FAMILY_WORDS: dict[str, str] = {
    "dinar": "dinar", "dinars": "dinar", "dinares": "dinar", "dinari": "dinar",
    "dinaro": "dinar", "dinarı": "dinar", "δηνάριο": "dinar", "δηνάρια": "dinar",
    "δηναρίων": "dinar", "دينار": "dinar", "دنانير": "dinar",
    "dirham": "dirham", "dirhams": "dirham", "dirhem": "dirham", "dirhami": "dirham",
    "dírhams": "dirham", "dirhames": "dirham", "ντιρχάμ": "dirham", "درهم": "dirham",
    "دراهم": "dirham",
    "lira": "lira", "lire": "lira", "liras": "lira", "lirası": "lira", "λίρα": "lira",
    "λίρες": "lira", "λιρών": "lira", "ليرة": "lira", "ليرات": "lira",
    "pound": "pound", "pounds": "pound", "livre": "pound", "livres": "pound",
    "libra": "pound", "libras": "pound", "lliura": "pound", "lliures": "pound",
    "جنيه": "جنيه", "جنيهات": "جنيه",
    "peso": "peso", "pesos": "peso", "πέσος": "peso", "بيزو": "peso",
}
# Stems of country names and adjectives that qualify a family word ("dinar algérien",
# "Mısır lirası", "λίρες Αιγύπτου", "دينار تونسي").
QUALIFIERS: dict[str, tuple[str, ...]] = {
    "TN": ("tunis", "tunes", "tunec", "tunus", "تونس", "τυνησ"),
    "DZ": ("alger", "argel", "algér", "cezayir", "جزائر", "αλγερ"),
    "LY": ("liby", "libi", "libic", "ليبي", "ليبيا", "λιβυ"),
    "JO": ("jordan", "jordà", "giordan", "ürdün", "urdun", "اردن", "أردن", "ιορδαν"),
    "EG": ("egypt", "égypt", "egip", "egíp", "egiz", "mısır", "misir", "مصر", "αιγυπτ"),
    "LB": ("leban", "liban", "lübnan", "lubnan", "لبنان", "λιβαν"),
    "SY": ("syri", "siri", "suriye", "سوري", "συρι"),
    "TR": ("turk", "türk", "turc", "ترك", "τουρκ"),
    "MA": ("maroc", "marroc", "marroq", "marocch", "morocc", "fas", "مغرب", "μαροκ"),
    "GB": ("sterl", "britan", "brit", "anglais", "ingles", "inglés", "ingiliz", "استرليني",
           "إسترليني", "στερλιν", "βρεταν"),
    "AE": ("emirat", "امارات", "إمارات"),
    "MX": ("mexic", "mejican", "messic", "meksika"),
    "AR": ("argentin", "arjantin"),
    "CL": ("chilen", "cilen", "xilè", "xilen"),
    "CO": ("colombian", "kolombiya"),
    "UY": ("uruguay", "urugua"),
}
# Where the user names no currency, the country's own is meant (euros elsewhere).
COUNTRY_CURRENCY = {"MA": "MAD", "TN": "TND", "DZ": "DZD", "EG": "EGP", "TR": "TRY",
                    "LB": "LBP", "JO": "JOD", "GB": "GBP", "US": "USD", "LY": "LYD",
                    # Latin America: "nos faltan 15 millones" in Valparaíso is in pesos.
                    "MX": "MXN", "AR": "ARS", "CL": "CLP", "CO": "COP", "UY": "UYU",
                    "BR": "BRL", "PE": "PEN", "BO": "BOB", "PY": "PYG", "VE": "VES",
                    "CR": "CRC", "GT": "GTQ", "HN": "HNL", "NI": "NIO", "DO": "DOP",
                    "CU": "CUP", "EC": "USD", "SV": "USD", "PA": "USD",
                    # Where French- and Portuguese-speaking users write from: "50 mil" in
                    # Recife is reais, "2 millions" in Thiès CFA francs, not euros.
                    "CV": "CVE", "AO": "AOA", "MZ": "MZN", "ST": "STN",
                    "SN": "XOF", "CI": "XOF", "BF": "XOF", "GW": "XOF", "CM": "XAF",
                    "MR": "MRU", "CH": "CHF"}
