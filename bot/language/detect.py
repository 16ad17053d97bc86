"""Which language a message is in, from the letters only some of our languages use.

A first, script-level detector: good at telling scripts and letter sets apart, weak on short
Latin texts. The languages issue replaces it with one built on frequent words and n-grams.
"""

from __future__ import annotations

import re

from bot.language.normalize import normalize, words

_PASHTO = set("ټډړږښګڼېۍځڅ")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_CYRILLIC = re.compile(r"[а-яёәғқңөұүһіӣӯҳҷў]")
_ONLY = {
    "kk": set("әұіһ"),
    "tg": set("ӣҷ"),
    "uz": set("ў"),
}
_SHARED = {"kk": set("ғқңөү"), "ky": set("ңөү"), "tg": set("ғқӯҳ"), "uz": set("ғқҳ")}
_KYRGYZ = set("ңөү")
_KAZAKH_UZBEK_TAJIK = set("ғқҳ")
_TURKMEN = set("äňşýž")
# o' and g' (oʻzbek, gʻ), or a q that is not English "qu".
_UZBEK_LATIN = re.compile(r"\b\w*[og][ʻ'`’]\w*|\bq(?!u)\w+")
_ENGLISH = frozenset(
    [
        "the",
        "a",
        "is",
        "are",
        "my",
        "i",
        "you",
        "how",
        "what",
        "where",
        "can",
        "do",
        "to",
        "of",
        "in",
        "for",
        "and",
        "not",
        "help",
        "need",
        "want",
        "work",
        "passport",
    ]
)


def detect(text: str) -> str:
    text = normalize(text)
    if _ARABIC.search(text):
        return "ps" if set(text) & _PASHTO else "fa-AF"
    letters = set(text)
    if _CYRILLIC.search(text):
        for language, only in _ONLY.items():
            if letters & only:
                return language
        if letters & _KYRGYZ and not letters & _KAZAKH_UZBEK_TAJIK:
            return "ky"  # ң ө ү without ғ қ ҳ: Kyrgyz; Kazakh would have ғ or қ nearby
        scores = {lang: len(letters & chars) for lang, chars in _SHARED.items()}
        best = max(scores, key=lambda lang: scores[lang])
        return best if scores[best] else "ru"
    if letters & _TURKMEN:
        return "tk"
    if _UZBEK_LATIN.search(text):
        return "uz"
    tokens = words(text)
    if tokens and sum(t in _ENGLISH for t in tokens) * 3 >= len(tokens):
        return "en"
    return "ru"  # Latin letters, most often Russian typed on a Latin keyboard
