"""Stage and timeline answers typed the way people write them, in the nine languages.

Found missing in real conversations ("on commence à peine", "nous démarrons"): each case is
a whole sentence, with words around the phrase of the pack (nlu/<lang>/terms.yml, sections
`stage` and `timeline`), and the code the reader (actions/durations.py) must give.
"""

from __future__ import annotations

from datetime import date

import pytest

from actions.durations import read_stage, read_timeline
from actions.validators import parse_choice

TODAY = date(2025, 3, 10)  # "before summer" is three months away

STAGES = [
    # French
    ("fr", "on commence à peine", "starting"),
    ("fr", "on vient de commencer l'activité", "starting"),
    ("fr", "nous démarrons tout juste", "starting"),
    ("fr", "on commence", "starting"),
    ("fr", "on s'est lancés l'année dernière", "starting"),
    ("fr", "pour l'instant c'est encore un projet", "idea"),
    ("fr", "on y pense depuis un moment mais rien de concret", "idea"),
    ("fr", "on a ouvert une deuxième boutique cette année", "growing"),
    ("fr", "ça marche bien et on veut passer à la vitesse supérieure", "growing"),
    ("fr", "on est bien implantés dans le quartier depuis des années", "consolidated"),
    # Spanish
    ("es", "pues acabamos de abrir el local", "starting"),
    ("es", "somos nuevos en esto", "starting"),
    ("es", "empezamos el año pasado", "starting"),
    ("es", "de momento es solo un proyecto", "idea"),
    ("es", "nos lo estamos pensando todavía", "idea"),
    ("es", "hemos abierto una segunda tienda en el centro", "growing"),
    ("es", "nos va bien y queremos crecer", "growing"),
    ("es", "llevamos años funcionando en el barrio", "consolidated"),
    # Catalan
    ("ca", "tot just comencem", "starting"),
    ("ca", "vam començar l'any passat amb tres sòcies", "starting"),
    ("ca", "som nous, fa poc que hem obert", "starting"),
    ("ca", "de moment només és un projecte", "idea"),
    ("ca", "hem obert una segona botiga a Girona", "growing"),
    ("ca", "ens va bé i volem créixer", "growing"),
    ("ca", "fa anys que funcionem, estem ben establerts", "consolidated"),
    # Italian
    ("it", "abbiamo appena aperto il negozio", "starting"),
    ("it", "siamo nuovi, abbiamo iniziato l'anno scorso", "starting"),
    ("it", "stiamo muovendo i primi passi", "starting"),
    ("it", "per ora è solo un progetto", "idea"),
    ("it", "abbiamo aperto un secondo punto vendita", "growing"),
    ("it", "va bene e vogliamo crescere ancora", "growing"),
    ("it", "siamo in giro da anni ormai", "consolidated"),
    # Portuguese
    ("pt", "acabámos de abrir a loja", "starting"),
    ("pt", "somos novos, começámos no ano passado", "starting"),
    ("pt", "estamos a dar os primeiros passos", "starting"),
    ("pt", "por enquanto é só um projeto", "idea"),
    ("pt", "abrimos uma segunda loja no Porto", "growing"),
    ("pt", "está a correr bem e queremos crescer", "growing"),
    ("pt", "já existimos há muitos anos", "consolidated"),
    # Greek
    ("el", "μόλις ανοίξαμε το μαγαζί", "starting"),
    ("el", "είμαστε καινούργιοι, ξεκινήσαμε πέρσι", "starting"),
    ("el", "προς το παρόν είναι μόνο ένα σχέδιο", "idea"),
    ("el", "ανοίξαμε και δεύτερο κατάστημα", "growing"),
    ("el", "πάμε καλά και θέλουμε να μεγαλώσουμε", "growing"),
    ("el", "υπάρχουμε εδώ και χρόνια στη γειτονιά", "consolidated"),
    # Turkish
    ("tr", "daha yeni açtık dükkanı", "starting"),
    ("tr", "geçen yıl kurulduk", "starting"),
    ("tr", "ilk adımlarımızı atıyoruz", "starting"),
    ("tr", "şimdilik sadece bir proje", "idea"),
    ("tr", "ikinci şubemizi açtık", "growing"),
    ("tr", "işler iyi gidiyor, büyümek istiyoruz", "growing"),
    ("tr", "yıllardır bu işi yapıyoruz", "consolidated"),
    # Arabic (standard, Maghrebi, Levantine, Egyptian)
    ("ar", "لسه فاتحين من شهرين", "starting"),
    ("ar", "عاد بدينا هاد العام", "starting"),
    ("ar", "بدأنا العام الماضي", "starting"),
    ("ar", "مازال مشروع ما بدأناه", "idea"),
    ("ar", "عم نفكر فيه بس", "idea"),
    ("ar", "فتحنا فرع ثاني في المدينة", "growing"),
    ("ar", "الأمور ماشية مزيان وبغينا نكبرو", "growing"),
    ("ar", "موجودين من سنين في الحي", "consolidated"),
    # English
    ("en", "we've just opened our first shop", "starting"),
    ("en", "we're new, we started last year", "starting"),
    ("en", "it's still just a project for now", "idea"),
    ("en", "we opened a second shop last spring", "growing"),
    ("en", "we're doing well and want to scale", "growing"),
    ("en", "we've been around for years", "consolidated"),
]

TIMELINES = [
    # French
    ("fr", "le plus rapidement possible svp", "urgent"),
    ("fr", "dans les semaines qui viennent", "3_months"),
    ("fr", "l'année prochaine ce serait bien", "12_months"),
    ("fr", "quand vous voulez, on n'est pas pressés", "no_rush"),
    # Spanish
    ("es", "lo necesitamos para ya", "urgent"),
    ("es", "en las próximas semanas", "3_months"),
    ("es", "el año que viene", "12_months"),
    ("es", "cuando podáis, tranquilos", "no_rush"),
    # Catalan
    ("ca", "ho necessitem com més aviat millor", "urgent"),
    ("ca", "les properes setmanes", "3_months"),
    ("ca", "l'any que ve", "12_months"),
    ("ca", "quan pugueu, no hi ha pressa", "no_rush"),
    # Italian
    ("it", "ci serve il prima possibile", "urgent"),
    ("it", "nelle prossime settimane", "3_months"),
    ("it", "l'anno prossimo", "12_months"),
    ("it", "quando volete, nessuna premura", "no_rush"),
    # Portuguese
    ("pt", "o mais depressa possível", "urgent"),
    ("pt", "nas próximas semanas", "3_months"),
    ("pt", "no próximo ano", "12_months"),
    ("pt", "quando puderem, sem stress", "no_rush"),
    # Greek
    ("el", "όσο πιο σύντομα γίνεται", "urgent"),
    ("el", "τις επόμενες εβδομάδες", "3_months"),
    ("el", "του χρόνου", "12_months"),
    ("el", "όποτε μπορείτε, χαλαρά", "no_rush"),
    # Turkish
    ("tr", "en kısa zamanda lazım", "urgent"),
    ("tr", "önümüzdeki haftalarda", "3_months"),
    ("tr", "gelecek yıl olsa yeter", "12_months"),
    ("tr", "ne zaman isterseniz", "no_rush"),
    # Arabic
    ("ar", "ضروري في أقرب وقت ممكن", "urgent"),
    ("ar", "في الأسابيع الجاية", "3_months"),
    ("ar", "السنة الجاية إن شاء الله", "12_months"),
    ("ar", "على راحتكم، ما في عجلة", "no_rush"),
    # English
    ("en", "we need it yesterday", "urgent"),
    ("en", "in the coming weeks", "3_months"),
    ("en", "in a couple of months", "3_months"),
    ("en", "before summer", "3_months"),
    ("en", "sometime next year", "12_months"),
    ("en", "whenever suits you, no hurry", "no_rush"),
]

NEGATIVES = [
    ("fr", "je ne sais pas"),
    ("es", "no sé, la verdad"),
    ("ca", "bon dia"),
    ("it", "non saprei"),
    ("pt", "não sei bem"),
    ("el", "δεν ξέρω"),
    ("tr", "bilmiyorum"),
    ("ar", "ما عرفتش"),
    ("en", "I don't know"),
    ("en", "we sell new clothes"),
]


@pytest.mark.parametrize(("lang", "text", "code"), STAGES)
def test_a_stage_typed_as_people_write_it_is_read(lang: str, text: str, code: str) -> None:
    assert read_stage(text, lang, TODAY) == code


@pytest.mark.parametrize(("lang", "text", "code"), TIMELINES)
def test_a_timeline_typed_as_people_write_it_is_read(lang: str, text: str, code: str) -> None:
    assert read_timeline(text, lang, TODAY) == code


@pytest.mark.parametrize(("lang", "text"), NEGATIVES)
def test_an_answer_that_says_neither_gives_nothing(lang: str, text: str) -> None:
    assert read_stage(text, lang, TODAY) is None
    assert read_timeline(text, lang, TODAY) is None


@pytest.mark.parametrize(("lang", "text", "code"), [
    ("fr", "on est une blanchisserie", "services"),
    ("es", "tenemos una panadería", "agrifood"),
    ("it", "facciamo trasporto merci", "mobility"),
    ("en", "we run a bakery", "agrifood"),
    ("tr", "fırıncılık yapıyoruz", "agrifood"),
    ("pt", "somos uma lavandaria social", "services"),
])
def test_an_informal_sector_word_is_read(lang: str, text: str, code: str) -> None:
    assert parse_choice(text, "sector", lang) == code


@pytest.mark.parametrize("lang", ["fr", "es", "ca", "it", "pt", "el", "tr", "ar", "en"])
def test_a_different_start_year_still_reads_the_age(lang: str) -> None:
    """A phrase about starting does not hide the year: "since 2005" stays consolidated."""
    assert read_stage("2005", lang, TODAY) == "consolidated"
