"""Uzbek in both its scripts. Uzbekistan writes Latin officially (since 1995) and many people
still type Cyrillic; the letters correspond one to one but for a few digraphs, listed here
from the official alphabet (oʻ ў, gʻ ғ, sh ш, ch ч, ya я, yo ё, yu ю, ye е, ʼ ъ)."""

from __future__ import annotations

import re

# fmt: off
_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "gʻ", "д": "d", "е": "e", "ё": "yo",
    "ж": "j", "з": "z", "и": "i", "й": "y", "к": "k", "қ": "q", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "oʻ",
    "ф": "f", "х": "x", "ҳ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "ъ": "ʼ", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "щ": "sh", "ы": "i",
}
_TO_CYRILLIC = sorted(
    {
        "oʻ": "ў", "o'": "ў", "o`": "ў", "o’": "ў", "gʻ": "ғ", "g'": "ғ", "g`": "ғ", "g’": "ғ",
        "sh": "ш", "ch": "ч", "ya": "я", "yo": "ё", "yu": "ю", "ye": "е", "ts": "ц",
        "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "ҳ", "i": "и",
        "j": "ж", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ",
        "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "x": "х", "y": "й", "z": "з",
        "ʼ": "ъ",
    }.items(),
    key=lambda pair: -len(pair[0]),
)
# fmt: on
_LATIN_RE = re.compile("|".join(re.escape(k) for k, _ in _TO_CYRILLIC))
_LATIN_MAP = dict(_TO_CYRILLIC)
_CYRILLIC = re.compile(r"[а-яёўқғҳ]")


def to_latin(text: str) -> str:
    """Uzbek Cyrillic as Latin (lower case); other characters stay as they are."""
    return "".join(_TO_LATIN.get(ch, ch) for ch in text.lower())


def to_cyrillic(text: str) -> str:
    """Uzbek Latin as Cyrillic (lower case); other characters stay as they are."""
    return _LATIN_RE.sub(lambda m: _LATIN_MAP[m.group(0)], text.lower())


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text.lower()))
