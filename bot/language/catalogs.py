"""Interface strings (buttons, prompts, errors) from gettext catalogs in locales/.

Message ids are English; each language has locales/<lang>/LC_MESSAGES/messages.po, compiled to
.mo by `make` (pybabel compile). Where a .mo is missing or older than its .po, the .po is
compiled in memory, so a checkout that skipped the build still speaks every language it has.
"""

from __future__ import annotations

import io
import logging
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

log = logging.getLogger(__name__)
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
BASE_LANGUAGE = "ru"


def babel_locale(language: str) -> Locale:
    """Our codes (fa-AF) as Babel locales (fa_AF)."""
    return Locale.parse(language.replace("-", "_"))


class Catalogs:
    def __init__(self, locales_dir: Path) -> None:
        self.locales_dir = locales_dir
        self._loaded: dict[str, NullTranslations] = {}
        # Folders are named like Babel's locales (fa_AF); the hotline's codes are fa-AF.
        found = sorted(
            p.parent.parent.name.replace("_", "-")
            for p in locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
        )
        # Languages a person can choose: English (the message ids) and every catalog present.
        self.languages = tuple(dict.fromkeys(["ru", *found, SOURCE_LANGUAGE]))

    def get(self, language: str) -> NullTranslations:
        """The language's catalog; strings it lacks come from Russian (English from itself)."""
        if language not in self._loaded:
            translations = self._load(language)
            if language not in (BASE_LANGUAGE, SOURCE_LANGUAGE):
                translations.add_fallback(self.get(BASE_LANGUAGE))
            self._loaded[language] = translations
        return self._loaded[language]

    def _load(self, language: str) -> NullTranslations:
        folder = self.locales_dir / language.replace("-", "_") / "LC_MESSAGES"
        if not folder.exists():
            folder = self.locales_dir / language / "LC_MESSAGES"
        po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
        try:
            return self._read(po, mo, language)
        except Exception:  # a broken catalog must not silence the bot: fall back instead
            log.exception("interface catalog for %s is unreadable; falling back", language)
            return NullTranslations()

    @staticmethod
    def _read(po: Path, mo: Path, language: str) -> NullTranslations:
        if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as fh:
                return Translations(fh, domain=DOMAIN)
        if po.exists():
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=language.replace("-", "_"))
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            return Translations(buffer, domain=DOMAIN)
        return NullTranslations()


@cache
def language_name(language: str, shown_in: str | None = None) -> str:
    """The language's name in itself, as a person looks for it in a list ("Кыргызча"), or
    in another language ("русский" for a Kyrgyz speaker: "орусча")."""
    locale = babel_locale(language)
    name = locale.get_display_name(babel_locale(shown_in) if shown_in else locale) or language
    return name[:1].upper() + name[1:] if shown_in is None else name


# Where CLDR's name differs from the one people of the country use themselves.
PREFERRED_COUNTRY_NAMES = {("KG", "ru"): "Кыргызстан"}


@cache
def country_name(country: str, language: str) -> str:
    if preferred := PREFERRED_COUNTRY_NAMES.get((country, language)):
        return preferred
    try:
        names = babel_locale(language).territories
    except (ValueError, LookupError, UnknownLocaleError):
        names = {}
    return names.get(country) or babel_locale("ru").territories.get(country, country)
