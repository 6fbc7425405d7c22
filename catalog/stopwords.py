"""Words that carry no meaning of their own, per language: never quoted as a reason.

A match reason quotes the user's words that a service shares ("matches what you wrote:
…"). Function words and chat filler ("لكم", "قائمة", "direção", "please") are shared by
chance and make the reason read as nonsense. The lists are spaCy's stop words for the
nine languages (spacy.lang.<lang>.stop_words, no model needed) plus our own filler words
of requests in chat, all folded like the search terms (lower case, no accents).
"""

from __future__ import annotations

import importlib
import logging
from functools import cache

from catalog.search import normalise
from catalog.vocabulary import LANGUAGES

logger = logging.getLogger(__name__)

# Chat filler that spaCy's lists do not have: what people write around their need.
FILLER: dict[str, str] = {
    "en": "need needs want wants looking help please list thing things something information "
          "info would like kind sort lot lots get find know hello thanks",
    "es": "necesitamos necesito necesita queremos quiero busco buscamos ayuda favor lista cosa "
          "cosas algo informacion gustaria hola gracias tipo",
    "ca": "necessitem necessito necessita volem vull busco busquem ajuda favor llista cosa "
          "coses alguna informacio agradaria hola gracies mena",
    "fr": "besoin voulons voudrais veux cherchons cherche aide plait liste chose choses "
          "quelque information informations bonjour merci genre",
    "it": "bisogno serve servono vogliamo vorrei voglio cerchiamo cerco aiuto favore lista "
          "elenco cosa cose qualcosa informazioni salve grazie tipo",
    "pt": "precisamos preciso precisa queremos quero procuramos procuro ajuda favor lista "
          "coisa coisas algo informacao informacoes gostaria direcao obrigado obrigada tipo",
    "el": "χρειαζομαστε χρειαζομαι θελουμε θελω ψαχνουμε ψαχνω βοηθεια παρακαλω λιστα "
          "καταλογο κατι πληροφοριες ευχαριστω γεια",
    "tr": "ihtiyacimiz ihtiyacim istiyoruz istiyorum ariyoruz ariyorum yardim lutfen liste "
          "listesi sey bilgi merhaba tesekkurler",
    "ar": "نحتاج احتاج نريد اريد نبحث ابحث مساعده فضلك قائمه شيء معلومات مرحبا شكرا لكم لنا "
          "عندكم لديكم",
}


@cache
def stopwords(lang: str) -> frozenset[str]:
    """The folded stop words of ``lang`` (spaCy's list and our filler)."""
    words: set[str] = set(FILLER.get(lang, "").split())
    try:
        module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
        words.update(str(w) for w in module.STOP_WORDS)
    except (ImportError, AttributeError):  # spaCy is optional: the filler list still applies
        logger.debug("no spaCy stop words for %s", lang)
    return frozenset(normalise(w).replace("ة", "ه") for w in words)


def is_stopword(word: str, lang: str | None = None) -> bool:
    """Whether ``word`` says nothing by itself in ``lang`` or English (in any language when
    ``lang`` is None)."""
    folded = normalise(word).replace("ة", "ه")
    languages = LANGUAGES if lang is None else (lang, "en")
    return any(folded in stopwords(code) for code in languages if code in LANGUAGES)
