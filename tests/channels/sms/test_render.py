"""Replies as SMS pages within a segment budget, summary first, numbered options last."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.sms.render import numbered, render
from bot.channels.sms.segments import segments
from bot.engine.messages import Inbound, Option, Reply, State

MORE = "+ ещё"


def test_a_short_reply_is_one_sms_with_numbered_options():
    reply = Reply(
        text="Главное меню.",
        options=(Option("Права", "open:rights"), Option("Работа", "open:work"),
                 Option("Назад", "back")),
    )  # fmt: skip
    assert render(reply, more=MORE).pages == ("Главное меню.\n1 Права 2 Работа 0 Назад",)
    assert numbered(reply) == "1 Права 2 Работа 0 Назад"


def test_the_summary_comes_first_and_long_text_is_paged_at_sentences():
    body = " ".join(f"Шаг номер {n} объясняет, что делать дальше." for n in range(30))
    summary = "Паспорт не имеет права держать никто, кроме вас."
    reply = Reply(text=f"Заголовок\n\n{summary}\n\n{body}", summary=summary)
    pages = render(reply, more=MORE, budget=3).pages
    assert pages[0].startswith(summary)
    assert len(pages) > 1 and all(segments(p) <= 3 for p in pages)
    assert all(p.endswith(MORE) for p in pages[:-1]) and not pages[-1].endswith(MORE)
    # Sentences are whole on every page.
    assert all(p.removesuffix(MORE).strip().endswith((".", "вас.")) for p in pages[:-1])


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("абв gde.!?\n€{"), max_size=1500),
    st.lists(st.text(alphabet="абвгд", min_size=1, max_size=30), max_size=12),
    st.integers(1, 5),
)
def test_every_page_fits_the_budget_and_no_word_is_lost(text: str, labels: list, budget: int):
    reply = Reply(
        text=text, options=tuple(Option(label, f"open:{i}") for i, label in enumerate(labels))
    )
    pages = render(reply, more=MORE, budget=budget).pages
    assert all(segments(p) <= budget for p in pages)
    sent = "".join("".join(p.removesuffix(MORE).split()) for p in pages)
    for word in text.split():
        assert word in sent or all(part in sent for part in word)


def test_every_node_in_every_country_fits_three_segment_pages(conversation, tree):
    for country in (*tree.countries, None):
        for node_id in tree.nodes:
            state = State(language="ru", country=country, country_asked=True, started=True)
            outcome = conversation.respond(state, Inbound("sms", "1", option=f"open:{node_id}"))
            for reply in outcome.replies:
                pages = render(reply, more=MORE).pages
                assert pages and all(segments(p) <= 3 for p in pages), (node_id, country)
                assert pages[0].startswith(reply.summary or "")
