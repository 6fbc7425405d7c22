"""The intent classifier's text features, shared with its quick proxy in ops/bench/.

People chatting on a phone often leave out what their keyboard makes hard:
accents ("informacion"), Greek tonos ("θελουμε"), Arabic hamza and short
vowels ("اريد"), Turkish dotless i ("ariyoruz"); Arabic writers also swap
final yeh and alef maksura, and teh marbuta and heh. Folding both the
training examples and incoming messages the same way makes these spellings
one and the same message. Then word 1-2-grams and character 1-5-grams inside
word boundaries, TF-IDF with sublinear term frequency. No Rasa import (the
proxy runs without it) and scikit-learn only when the vectorizers are built
(the app environment tests the folding without it).
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # scikit-learn is in the engine environment, not the app's
    from sklearn.feature_extraction.text import TfidfVectorizer

_LETTERS = str.maketrans({
    "ı": "i",        # Turkish dotless i, typed as i without a Turkish keyboard
    "ى": "ي",        # Arabic alef maksura / yeh at the end of words
    "ة": "ه",        # Arabic teh marbuta / heh
    "ـ": None,       # Arabic tatweel (elongation), decorative only
})


def fold(text: str) -> str:
    """Lower-case, drop combining marks (accents, tonos, hamza, harakat), unify letters."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_LETTERS)


def vectorizers(min_char_df: int = 2) -> list[TfidfVectorizer]:
    """Unfitted word and character vectorizers on folded text (character n-grams seen
    at least ``min_char_df`` times)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    common = dict(preprocessor=fold, sublinear_tf=True)
    return [
        TfidfVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2), **common),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 5), min_df=min_char_df, **common),
    ]
