"""The website question answered in words: an address, a social-media page, or "we have none".

"www.coop.example.org", "facebook.com/lacoop", "only instagram, @lacoop", "μόνο στο φβ",
"no tenemos", "ماعندناش": an address or a page is the organisation's web presence; a "no"
skips the optional question. Words per language are in each pack's terms.yml (`web`).
"""

from __future__ import annotations

import re
from functools import cache

from actions.durations import tokens
from actions.extraction import fold, terms

NONE = "none"
# Web presence people name instead of a site; every language writes these the same way,
# and a pack's `web: social:` adds its own spellings ("φβ", "فيسبوك").
SOCIAL = {"Instagram": ("instagram", "insta", "ig"),
          "Facebook": ("facebook", "fb", "face"),
          "LinkedIn": ("linkedin",),
          "TikTok": ("tiktok",),
          "X/Twitter": ("twitter",),
          "YouTube": ("youtube",),
          "Etsy": ("etsy",),
          "WhatsApp": ("whatsapp",),
          "Telegram": ("telegram",)}
_ADDRESS = re.compile(
    r"(?<![@\w.-])((?:https?:?/*)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/[^\s,;]*)?)",
    re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w.])@([A-Za-z0-9_.]{2,30})(?![\w@.]*\.[a-z]{2,}\b)")


@cache
def _social(lang: str) -> dict[str, str]:
    """Folded word → network name, for ``lang`` and English."""
    table = {word: name for name, words in SOCIAL.items() for word in words}
    for source in (terms("en"), terms(lang)):
        for name, words in ((source.get("web") or {}).get("social") or {}).items():
            for word in words or []:
                table[fold(str(word))] = str(name)
    return table


@cache
def _none_phrases(lang: str) -> tuple[tuple[str, ...], ...]:
    """Phrases that say there is no website ("no", "not yet", "ما عنا"), lang + English."""
    phrases = {tuple(tokens(str(p), lang)) for source in (terms(lang), terms("en"))
               for p in (source.get("web") or {}).get("none") or []}
    return tuple(sorted((p for p in phrases if p), key=len, reverse=True))


def _network(word: str, lang: str) -> str | None:
    """The network a word names: exactly, or inside it ("instagramdan", "بالفيسبوك")."""
    table = _social(lang)
    if word in table:
        return table[word]
    return next((name for key, name in table.items() if len(key) >= 6 and key in word), None)


def _address(text: str) -> str | None:
    """The first web address in ``text`` ("https//x.org" mended), not an e-mail's domain."""
    for found in _ADDRESS.finditer(text):
        address = found.group(1).rstrip(".")
        if re.fullmatch(r"[\d.]+", address):
            continue  # "1.5" is a number, not a site
        return re.sub(r"^(https?):?/*", r"\1://", address, flags=re.IGNORECASE)
    return None


def read_website(text: str, lang: str) -> str | None:
    """The web presence an answer gives, ``NONE`` when it says there is none, else None."""
    text = text.strip()
    if not text or text.startswith("/"):
        return None
    address = _address(text)
    if address is not None:
        return address[:300]
    words = tokens(text, lang)
    names = list(dict.fromkeys(name for w in words if (name := _network(w, lang))))
    handle = _HANDLE.search(text)
    if handle is not None:
        return " ".join([*names[:1], f"@{handle.group(1)}"])[:300]
    if names:
        return ", ".join(names)[:300]
    if any(tuple(words[i:i + len(p)]) == p for p in _none_phrases(lang)
           for i in range(len(words) - len(p) + 1)):
        return NONE
    return None


def website_answer(text: str, lang: str, *, denied: bool = False) -> str | None:
    """The website field for an answer: its web presence, ``NONE`` for "we have none"
    (also a bare "no" the model read as a denial), or None when it says neither."""
    found = read_website(text, lang)
    return NONE if found is None and denied else found
