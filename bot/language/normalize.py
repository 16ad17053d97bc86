"""Turn what people type into comparable tokens: case, ё, control characters, chat
transliteration ("pasport zabrali"), and Russian stems."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[^\W\d_]+(?:['’ʻ`][^\W\d_]+)?", re.UNICODE)
_LATIN = re.compile(r"[a-z]")

# Informal Russian chat transliteration, longest first. People mix schemes ("sh"/"w",
# "ch"/"4", "x"/"kh"), so several spellings map to one letter.
# fmt: off
_TRANSLIT = sorted(
    {
        "shch": "щ", "sch": "щ", "zh": "ж", "kh": "х", "ch": "ч", "sh": "ш", "ts": "ц",
        "ya": "я", "yu": "ю", "yo": "е", "ye": "е", "ja": "я", "ju": "ю", "jo": "е",
        "a": "а", "b": "б", "v": "в", "w": "ш", "g": "г", "d": "д", "e": "е", "z": "з",
        "i": "и", "j": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п",
        "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х", "x": "х", "c": "ц",
        "q": "к", "'": "ь", "4": "ч", "6": "ш",
    }.items(),
    key=lambda pair: -len(pair[0]),
)
# fmt: on
_TRANSLIT_RE = re.compile("|".join(re.escape(k) for k, _ in _TRANSLIT))
_TRANSLIT_MAP = dict(_TRANSLIT)
_VOWELS = set("aeiouy")

STOPWORDS_RU = frozenset(
    """а без бы был была были было быть в вам вас во вот все всё вы да для до его ее её же за
    и из или им их к как ко когда кто ли либо мне меня мной мы на над нам нас него нее неё
    ним них но о об обо он она они оно от по под при про с со так такой там тебе тебя то
    того тоже той только ты у уже чем что чтобы эта эти это этот я мой моя мое моё мои
    свой своя свои наш наша наши ваш ваша ваши очень еще ещё вообще просто пожалуйста если
    здравствуйте привет салам ассалому алейкум добрый день вечер утро""".split()  # noqa: SIM905
)


# Letters of our other languages read as people type them without those keys (ң as н, ü as u),
# so a keyword and a message meet whichever way each was written. Uzbek ў is the Latin oʻ, and
# oʻ gʻ lose their mark (o' g' o` g`), so Uzbek in either script comes to the same words.
# fmt: off
_FOLD = str.maketrans({
    "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и",
    "ӣ": "и", "ӯ": "у", "ҳ": "х", "ҷ": "ч", "ў": "о",
    "ä": "a", "ç": "c", "ň": "n", "ö": "o", "ş": "s", "ü": "u", "ý": "y", "ž": "z",
    "ʻ": None, "ʼ": None,
    # Arabic script: Dari and Pashto typed on Arabic or Persian keyboards. Arabic ي ى ك are
    # the Persian ی ک; a Persian keyboard has no Pashto letters, so people write ې ۍ ي as ی,
    # ګ as گ, ړ as ر, ډ as د, ټ as ت, ڼ as ن, ښ as ش, ږ as ژ, ځ as ز, څ as س. Vowel marks,
    # hamza seats and the tatweel are dropped.
    "ي": "ی", "ى": "ی", "ې": "ی", "ۍ": "ی", "ئ": "ی", "ك": "ک", "ګ": "گ", "ړ": "ر",
    "ډ": "د", "ټ": "ت", "ڼ": "ن", "ښ": "ش", "ږ": "ژ", "ځ": "ز", "څ": "س", "ة": "ه",
    "ۀ": "ه", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ـ": None,
    **{chr(mark): None for mark in (*range(0x064B, 0x0660), 0x0670)},
})
# fmt: on
_UZBEK_MARK = re.compile(r"(?<=[og])['’`‘]")


@lru_cache(maxsize=256)
def fold(text: str) -> str:
    """Normalised text with the regional letters folded, for matching only (never shown)."""
    return _UZBEK_MARK.sub("", text.translate(_FOLD))


# One message is normalised and stemmed by triage, the keyword index and both models: the
# small caches below make that work once per message.
@lru_cache(maxsize=256)
def normalize(text: str) -> str:
    """Lower case, NFKC, ё as е, control characters as spaces, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    # Invisible format marks (soft hyphen, zero-width joiners) vanish; other control
    # characters separate words.
    if not text.isprintable():  # most messages are; the loop below is slow
        text = "".join(
            "" if (kind := unicodedata.category(ch)) == "Cf" else " " if kind[0] == "C" else ch
            for ch in text
        )
    return " ".join(text.split())


def _translit_word(word: str) -> str:
    # "y" is "й" after a vowel ("moy") or another "y" ("novyy"), "ы" elsewhere ("vy"),
    # unless part of ya/yu/yo/ye.
    word = re.sub(r"(?<=[aeiouy])y(?![aeouiy])", "j", word)
    word = word.replace("yi", "ji")  # Uzbek and Turkmen "qo'yishdi": й, then и
    return _TRANSLIT_RE.sub(lambda m: _TRANSLIT_MAP[m.group(0)], word).replace("y", "ы")


def latin_to_cyrillic(text: str) -> str:
    """Read Latin chat transliteration as Russian; Cyrillic parts are left alone."""
    return re.sub(r"[a-z][a-z'46]*", lambda m: _translit_word(m.group(0)), text)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


_stemmer = snowballstemmer.stemmer("russian")


@lru_cache(maxsize=65536)
def stem_ru(word: str) -> str:
    return _stemmer.stemWord(word)


def _readings(word: str) -> list[str]:
    """A word as Russian: itself if Cyrillic; if Latin, its transliteration, and for a "j"
    (й in "moj", ж in "muj", "derjat") both readings, since people use both."""
    if not _LATIN.search(word):
        return [word]
    readings = [_translit_word(word)]
    if "j" in word:
        readings.append(_translit_word(word.replace("j", "zh")))
    return readings


@lru_cache(maxsize=256)
def as_russian(text: str) -> str:
    """The text normalised, with Latin chat transliteration read as Russian (every reading)."""
    return " ".join(reading for word in words(fold(normalize(text))) for reading in _readings(word))


def readings_ru(text: str) -> list[str]:
    """The words of a text as Russian reads them, unstemmed, one for each stem that
    `stems_ru(text, keep_stopwords=True)` gives, in the same order."""
    return [reading for word in words(fold(normalize(text))) for reading in _readings(word)]


def typed_in_latin(text: str) -> list[bool]:
    """For each word of `readings_ru(text)`: whether it was typed in Latin letters."""
    return [
        latin
        for word in words(fold(normalize(text)))
        for latin in [bool(_LATIN.search(word))] * len(_readings(word))
    ]


def stems_ru(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Normalised Russian stems of a text, Latin transliteration read as Russian."""
    return list(_stems(text, keep_stopwords))


@lru_cache(maxsize=256)
def _stems(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    stems = []
    for word in words(fold(normalize(text))):
        for reading in _readings(word):
            if keep_stopwords or reading not in STOPWORDS_RU:
                stems.append(stem_ru(reading))
    return tuple(stems)


def prefixes(word: str, shortest: int) -> list[str]:
    """The word's proper prefixes at least `shortest` letters long, longest first."""
    return [word[:n] for n in range(len(word) - 1, shortest - 1, -1)]


# Spoken (Kabuli) Dari as people type it, and the written words it stands for: the verb
# ending -ند is said and typed -ن (کردن "they did"), کرده as کده, است as اس, را as ره.
_DARI_SPOKEN_WORDS = {"ره": "را", "اس": "است", "کده": "کرده", "کدن": "کردند", "کدم": "کردم"}
_DARI_SPOKEN_ENDING = re.compile(r"^[\u0600-\u06ff]{2,}ن$")


@lru_cache(maxsize=8192)
def dari_written(word: str) -> tuple[str, ...]:
    """The written Dari words a spoken spelling stands for (none for most words): a whole
    word of the table, or a word ending in ن read with the written verb ending ند."""
    found = []
    if word in _DARI_SPOKEN_WORDS:
        found.append(_DARI_SPOKEN_WORDS[word])
    if _DARI_SPOKEN_ENDING.match(word):
        found.append(word + "د")
    return tuple(found)
