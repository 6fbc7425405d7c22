"""A small gazetteer: the main towns of the countries the cooperative serves, and their country.

"We are in Zaragoza" says Spain: the intake does not ask for the country of a town it
knows. Towns are those of Mediterranean Europe, Turkey, the Middle East and North Africa
people most often write from, each with the spellings users of the nine languages type
(native, English, French, Spanish, Italian, Greek, Turkish, Arabic, without accents).
A name several countries share ("Tripoli": Libya, Lebanon, Greece) gives all of them,
and the intake asks which one. Smaller towns and the districts of large cities are in
catalog/places_more.py; a town typed without its accents is stored as listed here
(`proper_name`), a district as its city (`district_city`). Pure data and functions: no
database, no Rasa.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from catalog.places_more import DISTRICTS, MORE_ALSO_WORDS, MORE_TOWNS

# country code: one line per town, its spellings separated by "|".
_TOWNS: dict[str, tuple[str, ...]] = {
    "ES": ("Madrid|Madrit|Μαδρίτη|مدريد", "Barcelona|Barcelone|Βαρκελώνη|برشلونة",
           "Valencia|València|Valence|Βαλένθια|فالنسيا", "Sevilla|Seville|Séville|Siviglia|"
           "Sevilha|Σεβίλλη|إشبيلية", "Zaragoza|Saragossa|Saragosse|Saragozza|Saragoça|"
           "Σαραγόσα|سرقسطة", "Málaga|Malaga|Μάλαγα|مالقة", "Bilbao|Bilbo|بلباو",
           "Girona|Gerona|Gérone|جرندة", "Granada|Grenade|غرناطة", "Córdoba|Cordoba|Cordoue|قرطبة",
           "Murcia|Murcie|مرسية", "Palma|Palma de Mallorca", "Alicante|Alacant|أليكانتي",
           "Tarragona|Tarragone", "Lleida|Lérida|Lerida", "Valladolid", "Vigo",
           "Donostia|San Sebastián|San Sebastian", "Almería|Almeria|المرية", "Cádiz|Cadiz",
           "Pamplona|Iruña|Pampelune", "Santiago de Compostela|Compostela", "Oviedo",
           "Salamanca|Salamanque", "Castelló|Castellón|Castellon"),
    "FR": ("Paris|Parigi|Παρίσι|باريس", "Marseille|Marsella|Marsiglia|Marselha|Μασσαλία|"
           "Marsilya|مرسيليا", "Lyon|Lió|Lione|Λυών|ليون", "Toulouse|Tolosa|تولوز",
           "Montpellier|Montpeller|مونبلييه", "Nice|Niza|Nizza|Νίκαια|نيس", "Bordeaux|Burdeos|"
           "بوردو", "Perpignan|Perpinyà|Perpiñán", "Nantes|نانت", "Lille|ليل", "Strasbourg|"
           "Estrasburgo|ستراسبورغ", "Grenoble", "Nîmes|Nimes", "Avignon|Avinyó|Aviñón",
           "Toulon|Tolón", "Ajaccio", "Bastia"),
    "IT": ("Roma|Rome|Ρώμη|روما", "Milano|Milan|Milán|Milão|Μιλάνο|ميلانو", "Napoli|Naples|"
           "Nápoles|Νάπολη|نابولي", "Torino|Turin|Turín|تورينو", "Palermo|Palerme|باليرمو",
           "Genova|Genoa|Gênes|Génova|جنوة", "Bologna|Bologne|Bolonia|بولونيا", "Firenze|"
           "Florence|Florencia|Florença|Φλωρεντία|فلورنسا", "Bari|باري", "Catania|Catane|"
           "كاتانيا", "Venezia|Venice|Venise|Venecia|Veneza|Βενετία|البندقية", "Cagliari",
           "Lecce", "Trieste", "Messina|Messine", "Sassari", "Salerno|Salerne", "Pescara",
           "Reggio Calabria", "Taranto|Tarente"),
    "PT": ("Lisboa|Lisbon|Lisbonne|Lisbona|Λισαβόνα|لشبونة", "Porto|Oporto|بورتو",
           "Braga", "Coimbra|Coïmbre", "Faro|فارو", "Évora|Evora", "Aveiro", "Setúbal|Setubal",
           "Funchal", "Ponta Delgada"),
    "GR": ("Αθήνα|Athens|Athènes|Atenas|Atene|Atina|Athina|أثينا", "Θεσσαλονίκη|Thessaloniki|"
           "Salonique|Tesalónica|Salonicco|Selanik|سالونيك", "Πάτρα|Patras|Patra",
           "Ηράκλειο|Heraklion|Iraklio", "Λάρισα|Larissa|Larisa", "Βόλος|Volos", "Ιωάννινα|"
           "Ioannina", "Χανιά|Chania|Hania", "Ρόδος|Rhodes|Rodos|Rodi", "Καλαμάτα|Kalamata",
           "Κομοτηνή|Komotini", "Αλεξανδρούπολη|Alexandroupoli", "Καβάλα|Kavala", "Κέρκυρα|"
           "Corfu|Kerkyra", "Μυτιλήνη|Mytilene|Mitilini|Midilli", "Τρίπολη|Tripoli"),
    "TR": ("İstanbul|Istanbul|Estambul|Istambul|Κωνσταντινούπολη|Κωνσταντινουπολη|إسطنبول|"
           "اسطنبول", "Ankara|Άγκυρα|أنقرة", "İzmir|Izmir|Esmirna|Smirne|Σμύρνη|إزمير",
           "Bursa|Προύσα|بورصة", "Antalya|أنطاليا", "Adana|أضنة", "Gaziantep|Antep|غازي عنتاب",
           "Konya|قونية", "Mersin|مرسين", "Diyarbakır|Diyarbakir|ديار بكر", "Kayseri|قيصري",
           "Eskişehir|Eskisehir", "Trabzon|Trébizonde|Τραπεζούντα|طرابزون", "Şanlıurfa|"
           "Sanliurfa|Urfa|أورفة", "Mardin|ماردين", "Hatay|Antakya|أنطاكية", "Samsun",
           "Denizli", "Malatya|ملطية", "Van"),
    "MA": ("Casablanca|الدار البيضاء|الدارالبيضاء", "Rabat|الرباط", "Marrakech|Marrakesh|"
           "Marrakesch|Marraqueix|Marraquech|مراكش", "Fès|Fes|Fez|فاس", "Tanger|Tangier|"
           "Tánger|Tangeri|Tânger|طنجة", "Agadir|أكادير|اكادير", "Meknès|Meknes|مكناس",
           "Oujda|وجدة", "Tétouan|Tetouan|Tetuán|تطوان", "Kénitra|Kenitra|القنيطرة",
           "Essaouira|الصويرة", "Nador|الناظور", "Laâyoune|Laayoune|العيون", "Ouarzazate|ورزازات",
           "Safi|آسفي", "El Jadida|الجديدة", "Béni Mellal|Beni Mellal|بني ملال"),
    "DZ": ("Alger|Algiers|Argel|Algeri|الجزائر العاصمة", "Oran|Orán|وهران", "Constantine|"
           "Constantina|قسنطينة", "Annaba|عنابة", "Blida|البليدة", "Sétif|Setif|سطيف",
           "Tlemcen|تلمسان", "Béjaïa|Bejaia|بجاية", "Batna|باتنة", "Tizi Ouzou|تيزي وزو",
           "Ghardaïa|Ghardaia|غرداية"),
    "TN": ("Tunis|Túnez capital|تونس العاصمة", "Sfax|Sfaks|صفاقس", "Sousse|Susa|سوسة",
           "Kairouan|Kairuán|القيروان", "Bizerte|Biserta|بنزرت", "Gabès|Gabes|قابس",
           "Gafsa|قفصة", "Monastir|المنستير", "Nabeul|نابل", "Médenine|Medenine|مدنين",
           "Djerba|Jerba|جربة", "Tozeur|توزر", "Kasserine|القصرين", "Mahdia|المهدية",
           "Sidi Bouzid|سيدي بوزيد", "Jendouba|جندوبة"),
    "LY": ("Benghazi|Bengasi|Bengazi|بنغازي", "Misrata|Misurata|مصراتة", "Sabha|Sebha|سبها",
           "Zawiya|الزاوية", "Tobruk|طبرق"),
    "EG": ("القاهرة|Cairo|Le Caire|El Cairo|Il Cairo|Kahire|Κάιρο", "الإسكندرية|الاسكندرية|"
           "Alexandria|Alexandrie|Alejandría|Alessandria d'Egitto|Αλεξάνδρεια|İskenderiye",
           "الجيزة|Giza|Gizeh", "الأقصر|الاقصر|Luxor|Louxor", "أسوان|اسوان|Aswan|Assouan",
           "بورسعيد|Port Said|Port-Saïd", "المنصورة|Mansoura", "طنطا|Tanta",
           "أسيوط|اسيوط|Asyut|Assiout", "السويس|Suez", "الإسماعيلية|الاسماعيلية|Ismailia",
           "الفيوم|Fayoum|Faiyum", "المنيا|Minya"),
    "LB": ("بيروت|Beirut|Beyrouth|Beirute|Βηρυτός|Beyrut", "صيدا|Saida|Sidon|Sidón",
           "صور|Tyre|Tyr|Tiro", "زحلة|Zahle|Zahlé", "جبيل|Byblos|Jbeil", "بعلبك|Baalbek",
           "النبطية|Nabatieh"),
    "SY": ("دمشق|Damascus|Damas|Damasco|Δαμασκός|Şam", "حلب|Aleppo|Alep|Alepo|Halep",
           "حمص|Homs", "اللاذقية|Latakia|Lattaquié|Lazkiye", "حماة|Hama", "طرطوس|Tartus"),
    "JO": ("عمان|عمّان|Amman|Ammán", "إربد|اربد|Irbid", "الزرقاء|Zarqa", "العقبة|Aqaba",
           "مادبا|Madaba", "الكرك|Karak"),
    "PS": ("رام الله|Ramallah", "غزة|Gaza City", "نابلس|Nablus|Naplouse", "الخليل|Hebron|Hébron",
           "بيت لحم|Bethlehem|Bethléem|Belén|Betlemme|Belém", "جنين|Jenin|Jénine",
           "أريحا|اريحا|Jericho|Jéricho|Jericó"),
    "CY": ("Λευκωσία|Nicosia|Nicosie|Lefkoşa|نيقوسيا", "Λεμεσός|Limassol|Limasol",
           "Λάρνακα|Larnaca|Larnaka", "Πάφος|Paphos|Pafos"),
    "MT": ("Valletta|La Valette|La Valeta|فاليتا", "Birkirkara", "Sliema", "Mosta"),
    "HR": ("Zagreb|Zagabria", "Split|Spalato", "Rijeka|Fiume", "Zadar|Zara", "Dubrovnik",
           "Osijek", "Pula|Pola"),
    "SI": ("Ljubljana|Lubiana|Liubliana", "Maribor", "Koper|Capodistria"),
    "BA": ("Sarajevo|Saraybosna|سراييفو", "Mostar|موستار", "Banja Luka|Banjaluka", "Tuzla"),
    "ME": ("Podgorica", "Kotor|Cattaro", "Bar|Antivari"),
    "AL": ("Tirana|Tiranë|Tirane|Tiran|تيرانا", "Durrës|Durres|Durazzo|Dıraç", "Shkodër|Shkoder|"
           "Scutari|İşkodra", "Vlorë|Vlore|Valona", "Korçë|Korce|Corizza", "Elbasan"),
    "MK": ("Skopje|Skopia|Üsküp|Σκόπια", "Bitola|Manastır", "Ohrid"),
    "MR": ("Nouakchott|نواكشوط", "Nouadhibou|نواذيبو"),
}
# Names several served countries give to a town: the user is asked which one.
_SHARED: dict[str, tuple[str, ...]] = {
    "Tripoli|Trípoli|Tripolis|Trablus|طرابلس|Τρίπολη|Trablusgarp": ("LY", "LB", "GR"),
    "Beja|Béja|باجة": ("PT", "TN"),
}
# Town names that are also everyday words ("nice", "van", "porto" in Italian, "صور" pictures):
# found in a sentence only when written with a capital letter, never when it has no case.
_ALSO_WORDS = MORE_ALSO_WORDS | frozenset({
    "nice", "split", "tyre", "tiro", "faro", "porto", "palma", "susa", "bar", "van", "safi",
    "mosta", "zara", "pola", "hama", "casa", "giza", "صور", "عمان", "سبها", "فاس"})
_ARABIC_PREFIXES = ("ب", "و", "ل", "ف")


def fold(text: str) -> str:
    """Lower-case, strip accents and apostrophes' suffixes for tolerant matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ı", "i"))
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(folded.replace("’", "'").split())


def _all_towns() -> dict[str, tuple[str, ...]]:
    """Every country's towns: the main list and the smaller towns of places_more."""
    return {code: _TOWNS.get(code, ()) + MORE_TOWNS.get(code, ())
            for code in dict.fromkeys([*_TOWNS, *MORE_TOWNS])}


@cache
def _index() -> dict[str, tuple[str, ...]]:
    """Every folded spelling: the countries that have a town by that name."""
    index: dict[str, set[str]] = {}
    for country, towns in _all_towns().items():
        for town in towns:
            for name in town.split("|"):
                index.setdefault(fold(name), set()).add(country)
    for names, countries in _SHARED.items():
        for name in names.split("|"):
            index.setdefault(fold(name), set()).update(countries)
    return {name: tuple(sorted(countries)) for name, countries in index.items()}


@cache
def _spellings() -> dict[str, tuple[str, ...]]:
    """Every folded spelling: all the spellings of its town (any country), in listed order."""
    found: dict[str, list[str]] = {}
    lines = [line for towns in _all_towns().values() for line in towns] + list(_SHARED)
    for line in lines:
        names = line.split("|")
        for name in names:
            found.setdefault(fold(name), []).extend(n for n in names
                                                   if n not in found[fold(name)])
    return {name: tuple(spellings) for name, spellings in found.items()}


@cache
def _districts() -> dict[str, str]:
    """Every folded district name: the city it is part of (as DISTRICTS names it)."""
    return {fold(name): city for city, names in DISTRICTS.items() for name in names.split("|")}


# Elided articles and prepositions written onto a town: "l'Alguer", "dell'Aquila", "d'Urgell".
_ELISIONS = frozenset({"l", "d", "dell", "nell", "all", "sull", "dall", "s", "n", "qu"})


def _readings(name: str) -> list[str]:
    """The ways a written word group may name a town: whole ("L'Aquila"), without an elided
    article ("l'Alguer" → "Alguer"), without a Turkish case ending ("İzmir'de" → "İzmir")."""
    name = name.strip().strip(".!?,;:()«»\"")
    split = re.match(r"(.*?)['’](.+)", name)
    if split is None:
        return [name]
    head = split.group(1)
    if " " not in head and fold(head) in _ELISIONS:
        # "dell'Aquila" is "de" + "L'Aquila"; "l'Alguer" may be listed with its article.
        return [name, split.group(2)] + (["l'" + split.group(2)] if head.endswith("l") else [])
    return [name, head]


def _lookup(name: str) -> tuple[str, tuple[str, ...]]:
    """The name as the town is written (prefix and case ending removed), and its countries."""
    index = _index()
    readings = _readings(name)
    for reading in readings:
        folded = fold(reading)
        if folded in index:
            return reading, index[folded]
        if folded[:1] in _ARABIC_PREFIXES and folded[1:] in index:  # "بصفاقس": in Sfax
            return reading[1:], index[folded[1:]]
    return readings[-1], ()


def town_countries(name: str) -> tuple[str, ...]:
    """The countries of a town named exactly ``name`` (any spelling); () if unknown."""
    return _lookup(name)[1]


# A word with its marks: Arabic harakat and shadda ("عمّان") are no word breaks.
_WORD = re.compile(r"[\w'’\u064b-\u065f\u0670-]+")


def find_towns(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Every known town ``text`` mentions, in order, as written, with its countries.

    At each place the longest name wins over the shorter names inside it ("Santiago de
    Compostela", "Ponte da Barca"), and a name is found once.
    """
    words = _WORD.findall(text[:1000])
    found: list[tuple[str, tuple[str, ...]]] = []
    start = 0
    while start < len(words):
        for size in (4, 3, 2, 1):
            if start + size > len(words):
                continue
            name, countries = _lookup(" ".join(words[start:start + size]))
            if countries and (size > 1 or len(name) > 2) and _stands_out(name):
                found.append((name, countries))
                start += size
                break
        else:
            start += 1
    return found


def find_town(text: str) -> tuple[str, tuple[str, ...]] | None:
    """The first known town ``text`` mentions, as written, with its countries."""
    towns = find_towns(text)
    return towns[0] if towns else None


def _script(name: str) -> str:
    """"GREEK", "ARABIC" or "LATIN": the writing system of a name's first letter."""
    letter = next((ch for ch in name if ch.isalpha()), "a")
    script = unicodedata.name(letter, "LATIN").split()[0]
    return script if script in ("GREEK", "ARABIC") else "LATIN"


def _in_script(spellings: tuple[str, ...], script: str, default: str) -> str:
    """The first of ``spellings`` written in ``script``; ``default`` when none is."""
    return next((s for s in spellings if _script(s) == script), default)


def proper_name(name: str) -> str:
    """A known town as the gazetteer writes it in the script it was typed in.

    "Καρδιτσα" → "Καρδίτσα", "zaragoza" → "Zaragoza", "izmir" → "İzmir": the first spelling
    listed in that script, when it differs only by accents and capitals. "Saragosse" stays
    (a spelling of its own), and so does an unknown name.
    """
    name = name.strip()
    reading, countries = _lookup(name)
    if not countries:
        return name
    spellings = _spellings().get(fold(reading), ())
    if reading in spellings:
        return reading  # "Trípoli", "Malaga": a spelling the gazetteer lists
    # The town's own name in that script, when only accents or capitals differ from it:
    # "Καρδιτσα" is Καρδίτσα; "Perpinya" is no misspelt "Perpignan" and stays.
    own = _in_script(spellings, _script(reading), "")
    return own if fold(own) == fold(reading) else reading


def district_city(name: str) -> str | None:
    """The city a district or neighbourhood named ``name`` is part of, in the script it was
    typed in ("Nou Barris" → "Barcelona", "الحي المحمدي" → "الدار البيضاء"); None if unknown."""
    city = _districts().get(fold(name.strip().strip(".!?,;:")))
    if city is None:
        return None
    return _in_script(_spellings().get(fold(city), (city,)), _script(name), city)


def find_district(text: str) -> str | None:
    """The first known district ``text`` names (capitalised in cased scripts), as written."""
    words = re.findall(r"[\w'’-]+", text[:1000])
    for start in range(len(words)):
        for size in (3, 2, 1):
            name = " ".join(words[start:start + size])
            if start + size <= len(words) and fold(name) in _districts() and (
                    fold(name) not in _ALSO_WORDS or name[:1].isupper()):
                return name
    return None


def _stands_out(phrase: str) -> bool:
    """A town name that is also a word counts only when capitalised in the sentence, or
    written with the marks of the town's own spelling: "عمّان" (its shadda) is Amman, while
    "عمان" may be Oman."""
    if fold(phrase) not in _ALSO_WORDS:
        return True
    return phrase[:1].isupper() or _marked(phrase)


def _marked(phrase: str) -> bool:
    """Whether ``phrase`` carries marks (shadda, accents) and is a town's listed spelling."""
    marks = any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFKD", phrase))
    return marks and phrase in _spellings().get(fold(phrase), ())


def marked_towns(text: str) -> frozenset[str]:
    """The towns ``text`` writes with the marks of their own spelling, as written: "عمّان"
    is the town Amman, not the country "عمان" (Oman) its letters also spell."""
    return frozenset(name for name, _ in find_towns(text) if _marked(name))
