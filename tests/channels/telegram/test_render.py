"""Replies cut into Telegram messages and options turned into inline keyboards."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.telegram.render import MAX_MESSAGE, keyboard, shape, split_text
from bot.engine.messages import Inbound, Option, Reply, State


def test_a_short_text_is_one_message():
    assert split_text("Привет.\n\nКак дела?") == ["Привет.\n\nКак дела?"]
    assert split_text("   ") == []


def test_a_long_text_is_cut_between_paragraphs():
    paragraphs = [f"Абзац {i}. " + "слово " * 100 for i in range(20)]
    parts = split_text("\n\n".join(paragraphs), limit=1500)
    assert len(parts) > 1
    assert all(len(p) <= 1500 for p in parts)
    # Every part starts at a paragraph's beginning.
    assert all(p.startswith("Абзац") for p in parts)


def test_a_paragraph_longer_than_a_message_is_cut_between_sentences():
    paragraph = " ".join(f"Предложение номер {i} здесь." for i in range(400))
    parts = split_text(paragraph, limit=MAX_MESSAGE)
    assert len(parts) > 1
    assert all(len(p) <= MAX_MESSAGE and p.endswith(".") for p in parts)


def test_text_without_any_break_is_still_cut_under_the_limit():
    parts = split_text("а" * 10_000)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("аб в.\n!?"), max_size=3000), st.integers(10, 500))
def test_parts_fit_and_keep_every_word(text: str, limit: int):
    parts = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_buttons_go_under_the_last_part_and_retractions_before_the_first():
    options = (Option("Помощь", "open:help"), Option("Главное меню", "home"))
    reply = Reply(text="\n\n".join(["x" * 3000] * 3), options=options, retract=("5", "6"))
    parts = shape(reply)
    assert len(parts) == 3
    assert [p.options for p in parts] == [(), (), options]
    assert [p.retract for p in parts] == [("5", "6"), (), ()]


def test_keyboard_has_a_row_per_topic_and_navigation_shares_the_last_row():
    markup = keyboard(
        (Option("Работа", "open:work"), Option("Назад", "back"), Option("Меню", "home"))
    )
    assert markup is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [[("Работа", "open:work")], [("Назад", "back"), ("Меню", "home")]]
    assert keyboard(()) is None


def test_every_node_in_every_country_fits_telegram(conversation, tree):
    for country in (*tree.countries, None):
        for node_id in tree.nodes:
            state = State(language="ru", country=country, country_asked=True, started=True)
            outcome = conversation.respond(
                state, Inbound("telegram", "1", option=f"open:{node_id}")
            )
            for reply in outcome.replies:
                parts = shape(reply)
                assert all(0 < len(p.text) <= MAX_MESSAGE for p in parts), (node_id, country)
                markup = keyboard(parts[-1].options)
                assert markup is not None, (node_id, country)
                for row in markup.inline_keyboard:
                    assert all(len(b.callback_data.encode()) <= 64 for b in row)
