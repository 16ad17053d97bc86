"""Interface strings: every message has a Russian translation and every language falls back."""

from __future__ import annotations

import gettext
import io
import os
import re
import shutil
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.language.catalogs import Catalogs, country_name, language_name
from bot.settings import PROJECT_ROOT

LOCALES = PROJECT_ROOT / "locales"
RU_PO = LOCALES / "ru" / "LC_MESSAGES" / "messages.po"
LANGUAGES_WITH_CATALOGS = ("ru", "kk", "ky", "tg", "uz", "tk", "fa-AF", "ps")


def read_catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def code_messages() -> set[str]:
    found = extract_from_dir(PROJECT_ROOT / "bot", method_map=[("**.py", "python")])
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


def test_every_russian_message_is_translated():
    catalog = read_catalog(RU_PO)
    messages = [m for m in catalog if m.id]
    assert messages
    untranslated = [m.id for m in messages if not m.string or m.fuzzy]
    assert untranslated == []


def test_every_message_in_the_code_is_in_the_template():
    in_code = code_messages()
    template = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in read_catalog(LOCALES / "messages.pot")
        if m.id
    }
    assert "Back" in in_code and "Choose your language." in in_code  # _() and N_()
    assert in_code - template == set()


def test_russian_catalog_has_every_template_message():
    template = {m.id for m in read_catalog(LOCALES / "messages.pot") if m.id}
    russian = {m.id for m in read_catalog(RU_PO) if m.id}
    assert template - russian == set()


def test_russian_translates_back(catalogs: Catalogs):
    assert catalogs.get("ru").gettext("Back") == "Назад"


def test_a_message_a_catalog_lacks_falls_back_to_russian(tmp_path: Path):
    copy = tmp_path / "locales"
    shutil.copytree(LOCALES / "ru", copy / "ru")
    (copy / "ky" / "LC_MESSAGES").mkdir(parents=True)
    (copy / "ky" / "LC_MESSAGES" / "messages.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Main menu"\nmsgstr "Башкы меню"\n',
        encoding="utf-8",
    )
    kyrgyz = Catalogs(copy).get("ky")
    assert kyrgyz.gettext("Main menu") == "Башкы меню"
    assert kyrgyz.gettext("Back") == "Назад"


@pytest.mark.parametrize("language", LANGUAGES_WITH_CATALOGS)
def test_every_catalog_translates_every_message(language: str):
    catalog = read_catalog(LOCALES / language.replace("-", "_") / "LC_MESSAGES" / "messages.po")
    template = {m.id for m in read_catalog(LOCALES / "messages.pot") if m.id}
    translated = {m.id for m in catalog if m.id and all(forms(m.string)) and not m.fuzzy}
    assert template - translated == set()
    for message in catalog:
        if not (message.id and all(forms(message.string))):
            continue
        source = " ".join(forms(message.id))
        for text in forms(message.string):  # every plural form, each on its own
            # Placeholders and commands survive translation.
            for placeholder in re.findall(r"\{\w+\}", source):
                assert placeholder in text, (language, message.id)
            for command in re.findall(r"/[a-z]+", source):
                assert command in text, (language, message.id)


def forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    """A message's text, or its plural forms."""
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize("language", LANGUAGES_WITH_CATALOGS)
def test_plural_forms_agree_with_cldr(language: str):
    # pybabel init takes the header from its own table, which lacks Tajik (it gave n != 1,
    # where CLDR counts 0 as "one" too): every header must say what CLDR says, for whole numbers.
    catalog = read_catalog(LOCALES / language.replace("-", "_") / "LC_MESSAGES" / "messages.po")
    rule = Locale.parse(language.replace("-", "_")).plural_form
    whole = [c for c in ("one", "two", "few", "many", "other") if c in rule.tags | {"other"}]
    seen = sorted({rule(n) for n in range(1000)}, key=whole.index)
    assert catalog.num_plurals == len(seen), catalog.plural_forms
    plural = gettext.c2py(catalog.plural_expr)  # how gettext itself reads the header
    for n in range(1000):
        assert plural(n) == seen.index(rule(n)), (language, n)


def test_english_is_the_message_id(catalogs: Catalogs):
    assert catalogs.get("en").gettext("Back") == "Back"


def test_unknown_message_is_returned_as_is(catalogs: Catalogs):
    assert catalogs.get("ky").gettext("No such message \x00") == "No such message \x00"


def test_languages_are_russian_the_catalogs_and_english(catalogs: Catalogs):
    assert catalogs.languages[0] == "ru"
    assert catalogs.languages[-1] == "en"
    assert len(set(catalogs.languages)) == len(catalogs.languages)


@pytest.fixture
def po_only(tmp_path: Path) -> Path:
    copy = tmp_path / "locales"
    shutil.copytree(LOCALES, copy, ignore=shutil.ignore_patterns("*.mo"))
    return copy


def test_catalog_is_read_from_po_when_mo_is_absent(po_only: Path):
    assert not list(po_only.rglob("*.mo"))
    assert Catalogs(po_only).get("ru").gettext("Back") == "Назад"


def write_mo_with(po: Path, back: str) -> Path:
    catalog = read_catalog(po)
    catalog["Back"].string = back
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    mo = po.with_suffix(".mo")
    mo.write_bytes(buffer.getvalue())
    return mo


def test_newer_mo_is_used_and_older_mo_is_ignored(po_only: Path):
    po = po_only / "ru" / "LC_MESSAGES" / "messages.po"
    mo = write_mo_with(po, "Назад (mo)")
    stamp = po.stat().st_mtime
    os.utime(mo, (stamp + 10, stamp + 10))
    assert Catalogs(po_only).get("ru").gettext("Back") == "Назад (mo)"
    os.utime(mo, (stamp - 10, stamp - 10))
    assert Catalogs(po_only).get("ru").gettext("Back") == "Назад"


def test_no_locales_at_all_speaks_english(tmp_path: Path):
    catalogs = Catalogs(tmp_path)
    assert catalogs.languages == ("ru", "en")
    assert catalogs.get("ky").gettext("Back") == "Back"


def test_language_names_are_in_the_language_itself():
    assert language_name("ky") == "Кыргызча"
    assert language_name("ru") == "Русский"
    assert language_name("kk") == "Қазақ тілі"


def test_country_names():
    assert country_name("KG", "ru") == "Кыргызстан"
    assert country_name("KG", "en") == "Kyrgyzstan"
    assert country_name("TR", "en") == "Türkiye"
    assert country_name("KZ", "fa-AF") == "قزاقستان"


def test_unknown_country_code_is_shown_as_is():
    assert country_name("QQ", "ru") == "QQ"


def test_country_name_in_unknown_language_falls_back_to_russian():
    assert country_name("KZ", "xx") == "Казахстан"


def test_a_corrupt_catalog_falls_back_instead_of_failing(tmp_path):
    folder = tmp_path / "ky" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.mo").write_bytes(b"\x00not a catalog")
    broken = Catalogs(tmp_path)
    assert broken.get("ky").gettext("Back") in {"Back", "Назад"}


def test_every_catalog_is_offered_under_the_hotlines_own_code(catalogs: Catalogs):
    from bot.content.loader import LANGUAGES

    assert "fa-AF" in catalogs.languages and "fa_AF" not in catalogs.languages
    assert set(catalogs.languages) <= set(LANGUAGES)
