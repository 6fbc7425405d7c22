"""The intent classifier's text features, shared with its quick proxy in ops/bench/.

People chatting on a phone often leave out what their keyboard makes hard:
accents ("informacion"), Greek tonos ("θελουμε"), Arabic hamza and short
vowels ("اريد"), Turkish dotless i ("ariyoruz"); Arabic writers also swap
final yeh and alef maksura, and teh marbuta and heh. Folding both the
training examples and incoming messages the same way makes these spellings
one and the same message. Then word 1-2-grams, character 1-5-grams inside word
boundaries and character 3-5-grams across them ("ne ki", "r un"), TF-IDF with sublinear
term frequency. The n-grams across words add 0.4 points of held-out accuracy in every
language (docs/DECISIONS.md, session 14). No Rasa import (the
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
        TfidfVectorizer(analyzer="char", ngram_range=(3, 5), min_df=min_char_df, **common),
    ]


def _idf(vectorizer: TfidfVectorizer) -> object:
    """The fitted vectorizer's idf vector, kept with the matrix it is read from.

    scikit-learn 1.1's ``idf_`` (Rasa 3.6 pins it) is a property that sums its sparse diagonal matrix at every
    access (a third of a millisecond per message); the vector is kept beside the matrix
    it came from and read again only when the vectorizer is fitted anew.
    """
    diagonal = getattr(getattr(vectorizer, "_tfidf", None), "_idf_diag", None)
    if diagonal is None:  # a scikit-learn that stores the vector itself
        return vectorizer.idf_
    kept = vectorizer.__dict__.get("_iesmed_idf")
    if kept is None or kept[0] is not diagonal:
        kept = vectorizer.__dict__["_iesmed_idf"] = (diagonal, vectorizer.idf_)
    return kept[1]


def tfidf_rows(vectorizer: TfidfVectorizer, texts: list[str]) -> list[tuple[object, object]]:
    """Return each text's TF-IDF features as (column indices, values), as the fitted
    ``vectorizer.transform`` computes them (sublinear counts, idf, each row of unit length).

    For the one or few short messages of a chat turn, scikit-learn's transform spends most
    of its time checking and converting sparse matrices (a millisecond per vectorizer);
    the same arithmetic on the row's arrays takes a fifth of that.
    """
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer

    counts = CountVectorizer.transform(vectorizer, texts)
    idf = _idf(vectorizer) if vectorizer.use_idf else None
    rows: list[tuple[object, object]] = []
    for i in range(counts.shape[0]):
        start, end = counts.indptr[i], counts.indptr[i + 1]
        indices = counts.indices[start:end]
        values = counts.data[start:end].astype(np.float64)
        if vectorizer.sublinear_tf:
            np.log(values, out=values)
            values += 1.0
        if idf is not None:
            values *= idf[indices]
        if vectorizer.norm == "l2":
            length = float(np.sqrt(np.dot(values, values)))
            if length > 0.0:
                values /= length
        elif vectorizer.norm is not None:
            raise ValueError(f"norm {vectorizer.norm!r}: only l2 or none are computed here")
        rows.append((indices, values))
    return rows
