"""Spelling folding shared by the intent classifier and its quick proxy.

People chatting on a phone often leave out what their keyboard makes hard:
accents ("informacion"), Greek tonos ("θελουμε"), Arabic hamza and short
vowels ("اريد"), Turkish dotless i ("ariyoruz"); Arabic writers also swap
final yeh and alef maksura, and teh marbuta and heh. Folding both the
training examples and incoming messages the same way makes these spellings
one and the same message. Standard library only (the proxy in bench/ runs
without Rasa).
"""

from __future__ import annotations

import unicodedata

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
