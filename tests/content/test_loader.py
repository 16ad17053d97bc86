"""The loader reads plain files into a ContentTree; every problem is recorded, none is raised."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content.loader import MAX_FILE_BYTES, load_tree, parse_text
from bot.content.model import ContentTree, Hotline, Node, Text

HOTLINES = """\
- id: kz-112
  country: kz
  name: {ru: "Экстренная служба"}
  phone: "112"
  topics: [emergency]
  verified: true
  source: "https://example.org/kz"
  checked: 2026-01-15
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def node(content: Path, node_id: str, meta: str = "order: 1\n", **texts: str) -> Path:
    folder = content / "tree" / node_id
    write(folder / "node.yaml", meta)
    for language, text in texts.items():
        write(folder / f"{language}.md", text)
    return folder


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write(root / "hotlines.yaml", HOTLINES)
    return root


def problems_for(tree: ContentTree, name: str) -> list[str]:
    return [message for path, message in tree.problems if path.endswith(name)]


# A good tree


def test_good_tree_loads_without_problems(content: Path):
    node(content, "work", "order: 2\nkind: section\n", ru="# Работа\n")
    node(
        content,
        "work/permit",
        "order: 1\nkeywords:\n  ru: [патент, разрешение]\nrelated: [work]\n"
        "hotlines: [emergency]\ncountries: [ru]\nreviewed: 2026-03-01\n"
        "sources:\n  - {title: Закон, url: 'https://example.org/law'}\n",
        ru="# Патент\n\nКак получить патент.\n",
    )
    tree = load_tree(content)
    assert tree.problems == []
    permit = tree.nodes["work/permit"]
    assert permit.kind == "article"
    assert permit.keywords == {"ru": ("патент", "разрешение")}
    assert permit.related == ("work",)
    assert permit.hotline_topics == ("emergency",)
    assert permit.countries == ("RU",)
    assert permit.reviewed == date(2026, 3, 1)
    assert permit.sources[0].url == "https://example.org/law"
    assert permit.texts["ru"] == Text(title="Патент", body="Как получить патент.")
    assert tree.nodes["work"].kind == "section"


def test_node_ids_are_folder_paths(content: Path):
    node(content, "a", ru="A\n")
    node(content, "a/b", ru="B\nтекст\n")
    node(content, "a/b/c", ru="C\nтекст\n")
    tree = load_tree(content)
    assert sorted(tree.nodes) == ["a", "a/b", "a/b/c"]
    assert tree.nodes["a/b/c"].parent == "a/b"
    assert tree.nodes["a"].parent is None


def test_children_follow_order_then_id(content: Path):
    node(content, "top", ru="Top\n")
    node(content, "top/zeta", "order: 1\n", ru="Z\nтекст\n")
    node(content, "top/alpha", "order: 2\n", ru="A\nтекст\n")
    node(content, "top/beta", "order: 1\n", ru="B\nтекст\n")
    node(content, "second", "order: 0\n", ru="S\n")
    tree = load_tree(content)
    assert tree.children("top") == ["top/beta", "top/zeta", "top/alpha"]
    assert tree.top == ["second", "top"]
    assert tree.children("top/alpha") == []


def test_texts_in_several_languages(content: Path):
    node(content, "n", ru="Привет\nтекст\n", en="Hello\ntext\n", **{"fa-AF": "سلام\nمتن\n"})
    tree = load_tree(content)
    assert sorted(tree.nodes["n"].texts) == ["en", "fa-AF", "ru"]
    assert tree.problems == []


# parse_text


def test_title_is_first_line_without_hashes():
    assert parse_text("## Паспорт забрали \nТекст").title == "Паспорт забрали"


def test_body_is_the_rest_with_blank_runs_squeezed():
    text = parse_text("\n\nЗаголовок\n\nПервый.\n\n\n\n\nВторой.\n\n")
    assert text.title == "Заголовок"
    assert text.body == "Первый.\n\nВторой."


def test_country_sections_are_split_out():
    text = parse_text("T\nОбщее.\n::: kz\nВ Казахстане.\n:::\nЕщё общее.\n:::RU\nВ России.\n:::\n")
    assert text.body == "Общее.\nЕщё общее."
    assert text.by_country == {"KZ": "В Казахстане.", "RU": "В России."}


def test_for_country_appends_the_country_part():
    text = parse_text("T\nОбщее.\n::: KZ\nВ Казахстане.\n:::\n")
    assert text.for_country("KZ") == "Общее.\n\nВ Казахстане."
    assert text.for_country("RU") == "Общее."
    assert text.for_country(None) == "Общее."


def test_crlf_line_endings_are_read():
    text = parse_text("Заголовок\r\nТекст.\r\n::: KZ\r\nКЗ.\r\n:::\r\n")
    assert text == Text(title="Заголовок", body="Текст.", by_country={"KZ": "КЗ."})


def test_bom_and_crlf_in_a_file_are_handled(content: Path):
    folder = node(content, "n")
    write(folder / "ru.md", "\ufeff# Заголовок\r\nТекст.\r\n".encode())
    tree = load_tree(content)
    assert tree.problems == []
    assert tree.nodes["n"].texts["ru"] == Text(title="Заголовок", body="Текст.")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("T\n::: KZ\nтекст\n", "country section KZ is not closed"),
        ("T\n::: KZ\nтекст\n::: RU\n:::\n", "country section KZ is not closed before"),
        ("T\nтекст\n:::\n", "never opened"),
        ("", "title) is empty"),
        ("#\nтекст", "title) is empty"),
        ("   \nтекст", "title) is empty"),
    ],
    ids=["unclosed", "nested", "stray-close", "empty-source", "only-hash", "blank-title"],
)
def test_malformed_text_raises_value_error(source: str, message: str):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_text(source)


def test_huge_text_parses():
    body = "строка\n" * 20000
    assert parse_text("T\n" + body).body.count("\n") == 19999


# Problems are recorded, never raised


def test_text_without_node_yaml_is_a_problem(content: Path):
    write(content / "tree" / "orphan" / "ru.md", "Сирота\nтекст\n")
    tree = load_tree(content)
    assert problems_for(tree, "orphan/ru.md") == ["text without a node.yaml beside it"]
    assert tree.nodes == {}


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ("", "node.yaml is missing or empty"),
        ("# only a comment\n", "node.yaml is missing or empty"),
        ("- order: 1\n", "node.yaml must be a mapping of fields"),
        ("just a string\n", "node.yaml must be a mapping of fields"),
    ],
    ids=["empty", "comment-only", "list", "scalar"],
)
def test_node_yaml_that_is_not_a_mapping_is_a_problem(content: Path, meta: str, message: str):
    node(content, "bad", meta, ru="Т\nтекст\n")
    tree = load_tree(content)
    assert problems_for(tree, "bad/node.yaml") == [message]
    assert "bad" not in tree.nodes


def test_malformed_yaml_is_a_problem_on_one_line(content: Path):
    node(content, "bad", "order: [1, 2\nkind: article\n", ru="Т\nтекст\n")
    [message] = problems_for(load_tree(content), "bad/node.yaml")
    assert message.startswith("invalid YAML:")
    assert "\n" not in message


def test_unknown_field_is_a_problem(content: Path):
    node(content, "bad", "order: 1\ntitel: Опечатка\n", ru="Т\nтекст\n")
    [message] = problems_for(load_tree(content), "bad/node.yaml")
    assert message.startswith("titel:")
    assert "Extra inputs are not permitted" in message


def test_wrong_type_is_a_problem(content: Path):
    node(content, "bad", 'order: "ten"\n', ru="Т\nтекст\n")
    [message] = problems_for(load_tree(content), "bad/node.yaml")
    assert message.startswith("order:")


@pytest.mark.parametrize(
    "raw",
    ["Заголовок\nТекст\n".encode("cp1251"), "Заголовок\nТекст\n".encode("utf-16")],
    ids=["cp1251", "utf-16"],
)
def test_text_in_another_encoding_is_a_problem(content: Path, raw: bytes):
    folder = node(content, "n")
    write(folder / "ru.md", raw)
    tree = load_tree(content)
    [message] = problems_for(tree, "n/ru.md")
    assert message.startswith("not UTF-8 (byte ")
    assert tree.nodes["n"].texts == {}


def test_node_yaml_in_another_encoding_is_a_problem(content: Path):
    folder = content / "tree" / "n"
    write(folder / "node.yaml", "keywords:\n  ru: [паспорт]\n".encode("cp1251"))
    tree = load_tree(content)
    assert problems_for(tree, "n/node.yaml") == ["not UTF-8 (byte 17)"]


def test_file_over_the_size_limit_is_a_problem(content: Path):
    folder = node(content, "big")
    write(folder / "ru.md", "Т\n" + "а" * MAX_FILE_BYTES)
    tree = load_tree(content)
    assert problems_for(tree, "big/ru.md") == [f"file is larger than {MAX_FILE_BYTES} bytes"]
    assert tree.nodes["big"].texts == {}


def test_file_exactly_at_the_size_limit_loads(content: Path):
    folder = node(content, "big")
    write(folder / "ru.md", "T\n" + "x" * (MAX_FILE_BYTES - 2))
    tree = load_tree(content)
    assert tree.problems == []
    assert len(tree.nodes["big"].texts["ru"].body) == MAX_FILE_BYTES - 2


def test_node_yaml_over_the_size_limit_is_a_problem(content: Path):
    node(content, "big", "# " + "x" * MAX_FILE_BYTES + "\norder: 1\n", ru="Т\nтекст\n")
    tree = load_tree(content)
    assert problems_for(tree, "big/node.yaml") == [f"file is larger than {MAX_FILE_BYTES} bytes"]
    assert "big" not in tree.nodes


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Т\n::: KZ\nтекст\n", "country section KZ is not closed"),
        ("Т\nтекст\n:::\n", "':::' closes a country section that was never opened"),
        ("\n\n\n", "the first line (the title) is empty"),
    ],
    ids=["unclosed", "stray-close", "empty-title"],
)
def test_bad_text_is_a_problem_and_the_node_keeps_its_other_texts(
    content: Path, source: str, message: str
):
    node(content, "n", ru=source, en="Title\ntext\n")
    tree = load_tree(content)
    assert problems_for(tree, "n/ru.md") == [message]
    assert list(tree.nodes["n"].texts) == ["en"]


def test_unknown_language_file_is_a_problem(content: Path):
    node(content, "n", ru="Т\nтекст\n", xx="X\ntext\n")
    tree = load_tree(content)
    [message] = problems_for(tree, "n/xx.md")
    assert message.startswith("unknown language 'xx'")
    assert list(tree.nodes["n"].texts) == ["ru"]


def test_one_broken_node_does_not_stop_the_others(content: Path):
    node(content, "a", ru="А\nтекст\n")
    node(content, "b", "order: [\n", ru="Б\nтекст\n")
    node(content, "c", en="C\ntext\n")
    write(content / "tree" / "c" / "ru.md", b"\xff\xfe\x00")
    node(content, "d", ru="Д\nтекст\n")
    tree = load_tree(content)
    assert sorted(tree.nodes) == ["a", "c", "d"]
    assert sorted(Path(p).parent.name for p, _ in tree.problems) == ["b", "c"]
    assert len(tree.hotlines) == 1


def test_missing_tree_folder_is_a_problem(content: Path):
    tree = load_tree(content)
    assert tree.nodes == {}
    assert tree.problems == [(str(content / "tree"), "the content tree folder is missing")]
    assert len(tree.hotlines) == 1


# hotlines.yaml


def test_hotlines_load_with_country_upper_case(content: Path):
    tree = load_tree(content)
    assert tree.hotlines == [
        Hotline(
            id="kz-112",
            country="KZ",
            name={"ru": "Экстренная служба"},
            phone="112",
            topics=("emergency",),
            verified=True,
            source="https://example.org/kz",
            checked=date(2026, 1, 15),
        )
    ]


def test_missing_hotlines_file_is_a_problem(tmp_path: Path):
    tree = load_tree(tmp_path)
    assert (str(tmp_path / "hotlines.yaml"), "the hotline directory is missing") in tree.problems
    assert tree.hotlines == []


@pytest.mark.parametrize("text", ["", "id: kz-112\n", "just text\n"], ids=["empty", "map", "str"])
def test_hotlines_file_that_is_not_a_list_is_a_problem(content: Path, text: str):
    write(content / "hotlines.yaml", text)
    tree = load_tree(content)
    assert problems_for(tree, "hotlines.yaml") == ["must be a list of entries"]
    assert tree.hotlines == []


def test_malformed_hotlines_yaml_is_a_problem(content: Path):
    write(content / "hotlines.yaml", "- id: [unclosed\n")
    tree = load_tree(content)
    [message] = problems_for(tree, "hotlines.yaml")
    assert message.startswith("invalid YAML:")


def test_entry_missing_fields_is_a_problem_and_others_still_load(content: Path):
    write(content / "hotlines.yaml", "- id: broken\n  country: KZ\n- 42\n" + HOTLINES)
    tree = load_tree(content)
    first = problems_for(tree, "hotlines.yaml[0]")
    assert len(first) == 1
    assert "name: Field required" in first[0] and "topics: Field required" in first[0]
    assert len(problems_for(tree, "hotlines.yaml[1]")) == 1
    assert [h.id for h in tree.hotlines] == ["kz-112"]


@pytest.mark.parametrize("phone", ["112", "+74951234567", "01"])
def test_an_unquoted_phone_is_reported_not_guessed(content: Path, phone: str):
    # YAML would read +74951234567 as a number without its "+", and 01 as 1.
    write(content / "hotlines.yaml", HOTLINES.replace('phone: "112"', f"phone: {phone}"))
    tree = load_tree(content)
    assert tree.hotlines == []
    assert any("in quotes" in problem for problem in problems_for(tree, "hotlines.yaml[0]"))


# The model


def test_node_text_falls_back_to_russian_then_english():
    ru, en, kk = Text("Ру", "р"), Text("En", "e"), Text("Кз", "к")
    assert Node("n", texts={"ru": ru, "en": en, "kk": kk}).text("kk") == ("kk", kk)
    assert Node("n", texts={"ru": ru, "en": en}).text("ky") == ("ru", ru)
    assert Node("n", texts={"en": en}).text("ky") == ("en", en)
    assert Node("n", texts={"kk": kk}).text("ky") is None
    assert Node("n", texts={"ru": ru}).text("") == ("ru", ru)


def hotline(id: str, **fields) -> Hotline:
    values = dict(country="KZ", name={"ru": id}, phone="112", topics=("emergency",), verified=True)
    return Hotline(id=id, **(values | fields))


def test_hotlines_for_returns_only_verified_entries_with_phones():
    tree = ContentTree(
        nodes={},
        hotlines=[
            hotline("good"),
            hotline("unverified", verified=False),
            hotline("no-phone", phone=None),
            hotline("empty-phone", phone=""),
            hotline("other-country", country="RU"),
            hotline("other-topic", topics=("housing",)),
            hotline("also-good", topics=("police", "emergency")),
        ],
    )
    found = tree.hotlines_for("KZ", ("emergency", "fire"))
    assert [h.id for h in found] == ["good", "also-good"]
    assert tree.hotlines_for(None, ("emergency",)) == []
    assert tree.hotlines_for("KZ", ()) == []


@pytest.mark.parametrize("body", ["KZ", "- 7\n- KZ\n", "{a: b}", "[unclosed"])
def test_a_bad_country_list_is_a_problem(content: Path, body: str):
    write(content / "countries.yaml", body)
    tree = load_tree(content)
    assert problems_for(tree, "countries.yaml") and tree.served == []


def test_the_country_list_is_served_in_its_order(content: Path):
    write(content / "countries.yaml", "- uz\n- KG\n")
    assert load_tree(content).countries == ["UZ", "KG"]


def test_triage_examples_load_and_bad_ones_are_problems(content: Path):
    write(content / "triage" / "good.yaml", '- text: "меня заперли"\n  urgent: true\n')
    write(
        content / "triage" / "bad.yaml",
        '- text: ""\n  urgent: true\n- text: "x"\n- text: "ok"\n  urgent: maybe\n',
    )
    write(content / "triage" / "notalist.yaml", "text: x\n")
    tree = load_tree(content)
    assert tree.examples == [("меня заперли", True)]
    assert len(problems_for(tree, "bad.yaml[0]")) == 1
    assert len(problems_for(tree, "bad.yaml[1]")) == 1
    assert len(problems_for(tree, "bad.yaml[2]")) == 1
    assert problems_for(tree, "notalist.yaml")


def test_example_questions_load_and_bad_ones_are_problems(content: Path):
    write(
        content / "matching" / "q.yaml",
        '- text: "как получить патент"\n  node: work/permit\n- text: "x"\n',
    )
    tree = load_tree(content)
    assert tree.questions == [("как получить патент", "work/permit")]
    assert len(problems_for(tree, "q.yaml[1]")) == 1


def test_examples_carry_their_files_language(content: Path):
    write(content / "matching" / "questions_ky.yaml", '- text: "паспортум жок"\n  node: a\n')
    write(content / "matching" / "questions_1.yaml", '- text: "нет паспорта"\n  node: a\n')
    write(content / "triage" / "examples2_fa-AF.yaml", '- text: "کمک"\n  urgent: true\n')
    tree = load_tree(content)
    assert sorted(tree.written) == [
        ("нет паспорта", "ru"),
        ("паспортум жок", "ky"),
        ("کمک", "fa-AF"),
    ]
    assert len(tree.questions) == 2 and tree.examples == [("کمک", True)]
