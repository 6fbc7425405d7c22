"""Sentences with a number, in the form the language's plural rules ask for.

"1 servizi fanno al caso tuo" is wrong, and so is one sentence per language with the
plural hard-wired. Each language pack's `counts:` (nlu/<lang>/terms.yml) holds one
sentence per plural category; Babel's CLDR plural rules pick the category of the number
(Arabic has six: zero, one, two, few, many, other). A category a pack leaves out reads
as "other".
"""

from __future__ import annotations

from functools import cache

from babel import Locale

from catalog.languages import pack_file
from catalog.vocabulary import LANGUAGES


@cache
def _counts(lang: str) -> dict[str, dict[str, str]]:
    data = pack_file(lang, "terms.yml")
    return {str(key): {str(k): str(v) for k, v in forms.items()}
            for key, forms in (data.get("counts") or {}).items()}


# The locale whose plural rules a pack follows, where it is not the language's default:
# the Portuguese pack is European Portuguese ("0 serviços"; Brazilian has "0 serviço").
RULES_OF = {"pt": "pt_PT"}


def category(lang: str, count: int) -> str:
    """The CLDR plural category of ``count`` in ``lang`` ("one", "few", "other", ...)."""
    return str(Locale.parse(RULES_OF.get(lang, lang)).plural_form(count))


def counted(lang: str, key: str, count: int) -> str:
    """The sentence ``key`` for ``count`` in ``lang`` (English when the pack lacks it)."""
    lang = lang if lang in LANGUAGES else "en"
    forms = _counts(lang).get(key) or _counts("en")[key]
    text = forms.get(category(lang, count)) or forms["other"]
    return text.format(count=count)
