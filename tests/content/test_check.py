"""check() turns a content tree into errors (stop a release) and warnings (tell editors)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import phonenumbers
import pytest

from bot.content.check import (
    MAX_MESSAGE_CHARS,
    check,
    coverage_table,
    freshness_table,
    phone_problem,
)
from bot.content.contract import CONTRACT_NODES, SAFETY_CORE
from bot.content.loader import LANGUAGES, load_tree
from bot.content.model import ContentTree, Figure, Hotline, Node, Text, Translation

TODAY = date(2026, 6, 1)
EMERGENCY = Hotline(
    id="kz-112",
    country="KZ",
    name={"ru": "Экстренная служба"},
    phone="112",
    topics=("emergency",),
    timezone="Asia/Almaty",
    verified=True,
    source="https://example.org/kz",
    checked=TODAY,
)


def good_nodes() -> dict[str, Node]:
    """Every contract node and its parents, each with what check() asks for: the safety core
    in every language, the rest in Russian."""
    ids = set(CONTRACT_NODES)
    ids |= {i.rpartition("/")[0] for i in CONTRACT_NODES if "/" in i}
    nodes = {
        i: Node(
            id=i,
            texts={"ru": Text("Заголовок", "Текст.")},
            summaries={"ru": "Главное в одной строке."},
            keywords={"ru": ("слово",)},
            reviewed=TODAY,
        )
        for i in ids
    }
    for i in SAFETY_CORE:
        nodes[i] = replace(
            nodes[i],
            texts={language: Text("Title", "Text.") for language in LANGUAGES},
            summaries={language: "The one thing." for language in LANGUAGES},
            translations={
                language: Translation(status="draft", date=TODAY)
                for language in LANGUAGES
                if language != "ru"
            },
        )
    nodes["urgent"] = replace(
        nodes["urgent"], triggers={"ru": ("меня заперли",)}, hotline_topics=("emergency",)
    )
    return nodes


def good_tree(*changed: Node, hotlines: list[Hotline] | None = None) -> ContentTree:
    nodes = good_nodes()
    nodes.update({n.id: n for n in changed})
    return ContentTree(nodes=nodes, hotlines=[EMERGENCY] if hotlines is None else hotlines)


def errors(*changed: Node, hotlines: list[Hotline] | None = None) -> list[str]:
    return check(good_tree(*changed, hotlines=hotlines), today=TODAY).errors


def changed(node_id: str, **fields) -> Node:
    return replace(good_nodes()[node_id], **fields)


def entry(**fields) -> Hotline:
    return replace(EMERGENCY, **fields)


def test_shipped_tree_has_no_errors(tree: ContentTree):
    report = check(tree)
    assert tree.problems == []
    assert report.errors == []
    assert report.ok


def test_good_small_tree_has_no_errors():
    report = check(good_tree(), today=TODAY)
    assert report.errors == []
    assert report.ok


def test_load_problems_become_errors(tmp_path: Path):
    report = check(load_tree(tmp_path), today=TODAY)
    assert f"{tmp_path / 'tree'}: the content tree folder is missing" in report.errors
    assert f"{tmp_path / 'hotlines.yaml'}: the hotline directory is missing" in report.errors
    assert not report.ok


def test_missing_contract_node_is_an_error():
    nodes = good_nodes()
    del nodes["trafficking/passport-taken"]
    report = check(ContentTree(nodes=nodes, hotlines=[EMERGENCY]), today=TODAY)
    assert report.errors == ["trafficking/passport-taken: contract node is missing"]


def test_node_without_parent_is_an_error():
    assert errors(changed("work/permit", id="ghost/permit")) == [
        "ghost/permit: its parent ghost has no node.yaml"
    ]


def test_missing_russian_text_is_an_error():
    english = changed(
        "work/permit",
        texts={"en": Text("Permit", "Text.")},
        summaries={"ru": "Главное.", "en": "The one thing."},
        translations={"en": Translation(status="draft", date=TODAY)},
    )
    assert errors(english) == ["work/permit: Russian text (ru.md) is missing"]


def test_russian_article_without_body_is_an_error_but_a_section_may_be_empty():
    empty = {"ru": Text("Заголовок", "")}
    assert errors(changed("work/permit", texts=empty)) == [
        "work/permit: Russian text has a title but no text"
    ]
    assert errors(changed("work/permit", texts=empty, kind="section")) == []


@pytest.mark.parametrize(
    ("related", "message"),
    [
        (("work/nowhere",), "work/permit: related node work/nowhere does not exist"),
        (("work/permit",), "work/permit: lists itself as related"),
        (("work/family", "work/family"), "work/permit: a related node is listed twice"),
    ],
    ids=["dangling", "self", "twice"],
)
def test_bad_related_is_an_error(related: tuple[str, ...], message: str):
    assert errors(changed("work/permit", related=related)) == [message]


def test_text_over_a_telegram_message_is_an_error():
    # Title, a blank line, the body: exactly the limit is fine, one more is not.
    body = "а" * (MAX_MESSAGE_CHARS - len("Заголовок") - 2)
    assert errors(changed("work/permit", texts={"ru": Text("Заголовок", body)})) == []
    too_long = {"ru": Text("Заголовок", body + "б")}
    assert errors(changed("work/permit", texts=too_long)) == [
        f"work/permit: text is {MAX_MESSAGE_CHARS + 1} characters, over a Telegram message "
        f"({MAX_MESSAGE_CHARS})"
    ]


def test_country_part_counts_towards_the_length():
    body = "а" * (MAX_MESSAGE_CHARS - len("Т") - 2 - 10)
    fits = Text("Т", body, by_country={"KZ": "к" * 8})
    over = Text("Т", body, by_country={"KZ": "к" * 8, "RU": "р" * 9})
    assert errors(changed("work/permit", texts={"ru": fits})) == []
    assert errors(changed("work/permit", texts={"ru": over})) == [
        f"work/permit: text is {MAX_MESSAGE_CHARS + 1} characters, over a Telegram message "
        f"({MAX_MESSAGE_CHARS})"
    ]


def test_id_too_long_for_button_data_is_an_error():
    fits = "x" * (64 - len("open:"))
    assert errors(changed("work/permit", id=fits)) == []
    assert errors(changed("work/permit", id=fits + "x")) == [
        f"{fits}x: id too long for button data (64 bytes)"
    ]


def test_id_length_is_counted_in_bytes_not_letters():
    cyrillic = "я" * 30  # 30 letters, 60 bytes
    assert errors(changed("work/permit", id=cyrillic)) == [
        f"{cyrillic}: id too long for button data (64 bytes)"
    ]


def test_unknown_country_section_is_an_error():
    text = Text("Заголовок", "Текст.", by_country={"KZ": "Да.", "XX": "Нет."})
    assert errors(changed("work/permit", texts={"ru": text})) == [
        "work/permit/ru.md: country section for unknown code XX"
    ]


def test_unknown_node_country_is_an_error():
    assert errors(changed("work/permit", countries=("KZ", "QQ"))) == [
        "work/permit: unknown country code QQ"
    ]


def test_an_unknown_hotline_topic_is_an_error_and_one_without_entries_a_warning():
    found = errors(changed("work/permit", hotline_topics=("emergency", "housing")))
    assert len(found) == 1 and "unknown hotline topic 'housing'" in found[0]
    report = check(good_tree(changed("work/permit", hotline_topics=("health",))), today=TODAY)
    assert report.errors == []
    assert "work/permit: no directory entry has the topic 'health' yet" in report.warnings
    odd = replace(EMERGENCY, topics=("emergency", "helth"))
    assert any("unknown topic 'helth'" in e for e in errors(hotlines=[odd]))


def test_urgent_node_without_russian_triggers_is_an_error():
    no_ru = changed("urgent", triggers={"en": ("help",)}, hotline_topics=("emergency",))
    assert errors(no_ru) == ["urgent: no Russian danger phrases (triggers), triage cannot work"]


def test_duplicate_hotline_id_is_an_error():
    again = entry(phone="101", topics=("fire",))
    assert errors(hotlines=[EMERGENCY, again]) == ["hotlines.yaml: kz-112: duplicate id"]


def test_invalid_hotline_phone_is_an_error():
    assert errors(hotlines=[entry(phone="+7 701 234 5678")]) == [
        "hotlines.yaml: kz-112: phone +7 701 234 5678 "
        "is not written in E.164 (+ country code and digits, no spaces)"
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"source": None}, "verified, but without a public source and a date checked"),
        ({"checked": None}, "verified, but without a public source and a date checked"),
        ({"phone": None}, "verified, but without a phone number"),
        ({"timezone": "Asia/Nowhere"}, "unknown time zone Asia/Nowhere"),
        ({"country": "XX", "phone": None, "verified": False}, "unknown country code XX"),
        ({"name": {"en": "Emergency"}}, "no Russian name"),
    ],
    ids=["no-source", "no-checked", "no-phone", "time-zone", "country", "no-ru-name"],
)
def test_bad_hotline_entry_is_an_error(fields: dict, message: str):
    assert errors(hotlines=[entry(**fields)]) == [f"hotlines.yaml: kz-112: {message}"]


def test_unverified_entry_may_lack_source_and_phone():
    draft = entry(id="draft", verified=False, source=None, checked=None, phone=None)
    assert errors(hotlines=[EMERGENCY, draft]) == []


# phone_problem


@pytest.mark.parametrize(
    ("phone", "country"),
    [
        ("+996700123456", "KG"),
        ("+77012345678", "KZ"),
        ("+74951234567", "RU"),
        ("+992900123456", "TJ"),
    ],
)
def test_valid_e164_numbers_have_no_problem(phone: str, country: str):
    number = phonenumbers.parse(phone, None)
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.region_code_for_number(number) == country
    assert phone_problem(phone, country) is None


@pytest.mark.parametrize("phone", ["+7 495", "+7 495 123 45 67", "+7(495)1234567"])
def test_numbers_with_spaces_or_brackets_are_not_e164(phone: str):
    assert phone_problem(phone, "RU") == (
        "is not written in E.164 (+ country code and digits, no spaces)"
    )


def test_unreadable_and_invalid_e164_numbers_are_problems():
    assert phone_problem("+99999", "RU").startswith("cannot be read as a phone number")
    assert phone_problem("+", "RU").startswith("cannot be read as a phone number")
    assert phone_problem("+7495123", "RU") == "is not a valid phone number"


def test_number_of_another_country_is_a_problem():
    # +7 is shared: 701 is a Kazakh mobile prefix, 495 is Moscow.
    kazakh = "+77012345678"
    assert phonenumbers.region_code_for_number(phonenumbers.parse(kazakh)) == "KZ"
    assert phone_problem(kazakh, "RU") == "belongs to KZ, not RU"
    assert phone_problem("+74951234567", "KZ") == "belongs to RU, not KZ"


def test_short_numbers_are_checked_for_their_country():
    assert phone_problem("112", "KZ") is None
    assert phone_problem("103", "RU") is None
    assert phone_problem("99999", "KZ") == "is not a valid short number in KZ"


@pytest.mark.parametrize("phone", ["abc", "", "1 12", "11a", "-112"])
def test_short_numbers_must_be_digits(phone: str):
    assert phone_problem(phone, "KZ") == "must be E.164 (+...) or a short number of digits"


@pytest.mark.parametrize("phone", ["１１２", "١١٢"], ids=["fullwidth", "arabic-indic"])
def test_short_number_in_non_ascii_digits_is_a_problem(phone: str):
    assert phone_problem(phone, "KZ") is not None


# Warnings


def test_old_review_is_a_warning_from_day_181():
    reviewed = TODAY - timedelta(days=180)
    fresh = check(good_tree(changed("work/permit", reviewed=reviewed)), today=TODAY)
    stale = check(
        good_tree(changed("work/permit", reviewed=reviewed - timedelta(days=1))), today=TODAY
    )
    assert not [w for w in fresh.warnings if w.startswith("work/permit")]
    assert [w for w in stale.warnings if w.startswith("work/permit")] == [
        "work/permit: last reviewed 2025-12-02, over 180 days ago"
    ]
    assert stale.ok


def test_node_without_review_date_or_keywords_is_a_warning():
    report = check(good_tree(changed("work/permit", reviewed=None, keywords={})), today=TODAY)
    assert [w for w in report.warnings if w.startswith("work/permit")] == [
        "work/permit: no Russian keywords, free text will rarely find it",
        "work/permit: no review date",
    ]
    assert report.ok


def test_old_hotline_check_is_a_warning():
    old = entry(checked=TODAY - timedelta(days=181))
    report = check(good_tree(hotlines=[old]), today=TODAY)
    assert "hotlines.yaml: kz-112: checked 2025-12-02, over 180 days ago" in report.warnings
    assert report.ok


def test_missing_translations_are_counted_per_language():
    kazakh = {"ru": Text("Заголовок", "Текст."), "kk": Text("Тақырып", "Мәтін.")}
    node = changed(
        "work/permit",
        texts=kazakh,
        summaries={"ru": "Главное.", "kk": "Басты."},
        translations={"kk": Translation(status="draft", date=TODAY)},
    )
    tree = good_tree(node)
    total = len(tree.nodes)
    core = len(SAFETY_CORE)
    report = check(tree, today=TODAY)
    # Translations still to come are noted, not warned about: nothing is wrong with the tree.
    assert not any(" nodes have no " in w for w in report.warnings)
    translation = report.notes
    kk_missing = total - core - 1
    assert (
        f"{kk_missing} of {total} nodes have no kk text (they fall back to Russian)" in translation
    )
    en_missing = total - core
    assert (
        f"{en_missing} of {total} nodes have no en text (they fall back to Russian)" in translation
    )
    assert len(translation) == len(LANGUAGES) - 1  # never for Russian, which is an error


# coverage_table


def test_coverage_table_lists_every_node_and_a_total(tree: ContentTree):
    lines = coverage_table(tree).splitlines()
    rows = {line.split()[0] for line in lines[2:-2]}  # safety core nodes carry a "*" after
    assert rows == set(tree.nodes)
    assert lines[0].split() == ["node", *LANGUAGES]
    assert lines[-1].split()[:2] == ["total", str(len(tree.nodes))]
    # Every language has the safety core at least.
    assert all(int(n) >= len(SAFETY_CORE) for n in lines[-1].split()[2:])
    assert {line.split()[0] for line in lines[2:-2] if line.split()[1] == "*"} == set(SAFETY_CORE)


def test_coverage_table_marks_which_texts_exist():
    tree = ContentTree(
        nodes={
            "b": Node(
                "b",
                texts={"ru": Text("Б", "б"), "en": Text("B", "b"), "kk": Text("Б", "б")},
                translations={"kk": Translation(status="reviewed", date=TODAY)},
            ),
            "a": Node("a", texts={"ru": Text("А", "а")}),
        },
        hotlines=[],
    )
    lines = coverage_table(tree).splitlines()
    marks = dict.fromkeys(LANGUAGES, ".")
    assert lines[2].split() == ["a", *(marks | {"ru": "yes"}).values()]
    # A translation is a draft unless its status says it was reviewed.
    assert lines[3].split() == ["b", *(marks | {"ru": "yes", "en": "draft", "kk": "rev"}).values()]
    assert lines[-1].split() == [
        "total",
        *({lang: "0" for lang in LANGUAGES} | {"ru": "2", "en": "1", "kk": "1"}).values(),
    ]


def test_coverage_table_of_an_empty_tree_has_only_the_total():
    lines = coverage_table(ContentTree(nodes={}, hotlines=[])).splitlines()
    assert len(lines) == 4
    assert lines[-1].split() == ["total", *["0"] * len(LANGUAGES)]


@pytest.mark.parametrize("code", ["ZZ", "EU", "QO"])
def test_codes_that_are_not_countries_are_refused(code: str):
    text = Text("Патент", "Общий текст.", by_country={code: "Текст."})
    report = check(good_tree(changed("work/permit", texts={"ru": text})), today=TODAY)
    assert report.errors == [f"work/permit/ru.md: country section for unknown code {code}"]


@pytest.mark.parametrize("weight", [1.0, -1.0, 0.0, 3.0])
def test_cue_weights_stay_between_minus_one_and_one(weight: float):
    urgent = changed("urgent", cues={"ru": {"сейчас": weight}})
    assert errors(urgent) == [
        f"urgent: cue 'сейчас' (ru) weighs {weight}; cues weigh between -1 and 1 "
        "(a phrase enough alone is a trigger)"
    ]


def test_danger_phrases_outside_the_urgent_node_are_an_error():
    assert errors(changed("work/permit", triggers={"ru": ("заперли",)})) == [
        "work/permit: triggers and cues belong in the urgent node only"
    ]


def test_an_example_question_for_an_unknown_node_is_an_error():
    tree = replace(good_tree(), questions=[("как получить патент", "work/no-such")])
    assert check(tree, today=TODAY).errors == [
        "matching: example question 'как получить патент' names unknown node work/no-such"
    ]


def test_a_contract_node_without_a_summary_is_an_error():
    assert errors(changed("work/permit", summaries={})) == [
        "work/permit: no Russian summary (summary: ru:), the one thing to know or do"
    ]


def test_a_summary_over_130_characters_is_an_error():
    assert errors(changed("work/permit", summaries={"ru": "а" * 130})) == []
    assert errors(changed("work/permit", summaries={"ru": "а" * 131})) == [
        "work/permit: ru summary is 131 characters, over 130 (two UCS-2 SMS segments with a "
        "page marker)"
    ]


def _figure(text: str, **fields: object) -> Figure:
    values: dict = {"about": "days of stay", "checked": TODAY, "source": "https://example.org/law"}
    return Figure(text=text, **(values | fields))


def test_a_number_in_a_text_without_a_declared_figure_is_an_error():
    node = Node(
        id="work/permit",
        texts={"ru": Text("Патент", "Без регистрации можно жить 15 дней.")},
        summaries={"ru": "Главное."},
    )
    found = errors(node)
    assert any("'15'" in e and "figures:" in e for e in found)


def test_a_declared_figure_covers_its_number_and_step_numbers_are_not_figures():
    body = "1. Встаньте на учёт.\n2) Без учёта можно жить 15 дней.\n3. Платите вовремя."
    node = Node(
        id="work/permit",
        texts={"ru": Text("Патент", body)},
        summaries={"ru": "Главное."},
        figures=(_figure("15 дней"),),
    )
    assert errors(node) == []


def test_numbers_in_country_sections_and_summaries_count_too():
    node = Node(
        id="work/permit",
        texts={"ru": Text("Патент", "Текст.", by_country={"RU": "Штраф до 5 000 рублей."})},
        summaries={"ru": "Встаньте на учёт за 7 дней."},
    )
    found = "\n".join(errors(node))
    assert "'5 000'" in found and "ru.md" in found
    assert "'7'" in found and "summary ru" in found


def test_a_figure_must_appear_in_a_text_and_cite_a_web_page():
    node = Node(
        id="work/permit",
        texts={"ru": Text("Патент", "Срок — 15 дней.")},
        summaries={"ru": "Главное."},
        figures=(_figure("15 дней", source="Закон о миграции"), _figure("90 суток")),
    )
    found = "\n".join(errors(node))
    assert "'15 дней' needs a public source" in found
    assert "'90 суток' is declared but appears in no ru text" in found


def test_an_old_figure_is_a_warning():
    node = Node(
        id="work/permit",
        texts={"ru": Text("Патент", "Срок — 15 дней.")},
        summaries={"ru": "Главное."},
        reviewed=TODAY,
        keywords={"ru": ("патент",)},
        figures=(_figure("15 дней", checked=TODAY - timedelta(days=181)),),
    )
    report = check(good_tree(node), today=TODAY)
    assert report.errors == []
    assert any("'15 дней' checked" in w for w in report.warnings)


def test_figures_are_read_from_node_yaml(tmp_path: Path):
    folder = tmp_path / "tree" / "work"
    folder.mkdir(parents=True)
    (folder / "ru.md").write_text("Работа\n\nСрок — 15 дней.\n", encoding="utf-8")
    (folder / "node.yaml").write_text(
        "figures:\n  - text: '15 дней'\n    about: stay\n    checked: 2026-11-27\n"
        "    source: https://example.org\n  - text: '1'\n    about: x\n",
        encoding="utf-8",
    )
    tree = load_tree(tmp_path)
    assert any("checked" in problem and "source" in problem for _, problem in tree.problems)
    folder.joinpath("node.yaml").write_text(
        "figures:\n  - text: '15 дней'\n    about: stay\n    checked: 2026-11-27\n"
        "    source: https://example.org\n",
        encoding="utf-8",
    )
    node = load_tree(tmp_path).nodes["work"]
    assert node.figures == (
        Figure(
            text="15 дней", about="stay", checked=date(2026, 11, 27), source="https://example.org"
        ),
    )


def test_unreadable_opening_hours_are_an_error():
    office = replace(EMERGENCY, id="kz-office", hours="Mo-Fr 9-18", phone="103")
    assert any("not in OpenStreetMap form" in e for e in errors(hotlines=[EMERGENCY, office]))
    no_zone = replace(EMERGENCY, id="kz-office", hours="Mo-Fr 09:00-18:00", timezone=None)
    assert any("time zone" in e for e in errors(hotlines=[EMERGENCY, no_zone]))
    fine = replace(EMERGENCY, id="kz-office", hours="Mo-Fr 09:00-18:00", phone="103")
    assert errors(hotlines=[EMERGENCY, fine]) == []


def test_freshness_table_puts_the_oldest_first_with_figures_and_directory_checks():
    old = changed("work/permit", reviewed=TODAY - timedelta(days=200), figures=(
        Figure("15 дней", "stay", TODAY - timedelta(days=300), "https://example.org"),
    ))  # fmt: skip
    unreviewed = changed("work/registration", reviewed=None)
    table = freshness_table(good_tree(old, unreviewed), today=TODAY)
    rows = table.splitlines()
    assert rows[1].startswith("work/registration") and "never" in rows[1]
    assert rows[2].startswith("work/permit") and "200 days" in rows[2] and "300 days" in rows[2]
    assert "KZ          1        0 days" in table


def test_a_short_number_libphonenumber_does_not_list_needs_the_override_and_a_source():
    uzbek = replace(EMERGENCY, id="uz-102", country="UZ", phone="102", timezone="Asia/Tashkent")
    assert any(
        "is not a valid short number in UZ" in e for e in errors(hotlines=[EMERGENCY, uzbek])
    )
    vouched = replace(uzbek, unlisted_short_number=True)
    assert errors(hotlines=[EMERGENCY, vouched]) == []
    unsourced = replace(vouched, verified=False, source=None)
    assert any("needs verified: true" in e for e in errors(hotlines=[EMERGENCY, unsourced]))
    too_long = replace(vouched, phone="1234567")
    assert any("2 to 6 digits" in e for e in errors(hotlines=[EMERGENCY, too_long]))
    listed = replace(EMERGENCY, unlisted_short_number=True)  # KZ 112 is in libphonenumber
    assert any("drop unlisted_short_number" in w for w in check(
        good_tree(hotlines=[listed]), today=TODAY).warnings)  # fmt: skip


def test_a_translation_states_its_status_and_has_a_summary():
    node = changed(
        "work/permit", texts={"ru": Text("Патент", "Текст."), "kk": Text("Патент", "Мәтін.")}
    )
    assert errors(node) == [
        "work/permit: kk.md has no status: add `translations: kk: {status: draft, date: "
        "YYYY-MM-DD}` (reviewed once a native speaker read it)",
        "work/permit: kk.md has no kk summary (summary: kk:)",
    ]
    stale = changed("work/permit", translations={"ky": Translation(status="draft", date=TODAY)})
    assert errors(stale) == ["work/permit: translations names ky, but there is no ky.md"]


def test_the_safety_core_must_exist_in_every_language():
    node = good_nodes()["trafficking/passport-taken"]
    texts = {k: v for k, v in node.texts.items() if k not in ("ps", "fa-AF")}
    translations = {k: v for k, v in node.translations.items() if k not in ("ps", "fa-AF")}
    found = errors(replace(node, texts=texts, translations=translations))
    assert found == ["trafficking/passport-taken: safety core node without fa-AF, ps text"]


def test_a_figure_is_declared_in_each_language_it_is_written_in():
    figure = replace(_figure("15 дней"), wording={"kk": "15 күн", "ky": "15 күн"})
    node = Node(
        id="work/permit",
        texts={
            "ru": Text("Патент", "Срок — 15 дней."),
            "kk": Text("Патент", "Мерзімі — 15 күн."),
            "ky": Text("Патент", "Мөөнөтү — 16 күн."),
        },
        summaries={"ru": "Главное.", "kk": "Басты.", "ky": "Негизги."},
        figures=(figure,),
        translations={
            "kk": Translation(status="draft", date=TODAY),
            "ky": Translation(status="draft", date=TODAY),
        },
    )
    found = errors(node)
    assert "work/permit (ky.md): the figure '16' has no entry" in "\n".join(found)
    assert "work/permit: figure '15 күн' is declared but appears in no ky text" in found
    assert not any("kk" in error for error in found)
    other_digits = replace(figure, wording={"kk": "16 күн"})
    found = errors(replace(node, figures=(other_digits,)))
    assert "work/permit: figure '16 күн' (kk) has other digits than the Russian '15 дней'" in found
