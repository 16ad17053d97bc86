"""The conversation as a pure function: state and one message in, replies and state out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.contract import CONTRACT_NODES
from bot.engine.conversation import Conversation
from bot.engine.messages import Inbound, Outcome, State


def say(
    conversation: Conversation,
    state: State,
    text: str | None = None,
    option: str | None = None,
    **hints: str,
) -> Outcome:
    return conversation.respond(
        state, Inbound(channel="cli", address="a", text=text, option=option, **hints)
    )


def datas(outcome: Outcome) -> list[str]:
    return [o.data for o in outcome.replies[-1].options]


def test_first_contact_asks_language_then_country_then_shows_menu(conversation):
    first = say(conversation, State(), "/start")
    assert first.state.picking == "language"
    assert "language:ru" in datas(first)
    assert "Русский" in [o.label for o in first.replies[0].options]

    second = say(conversation, first.state, option="language:ru")
    assert second.state.language == "ru" and second.state.picking == "country"
    assert "country:KG" in datas(second) and "country:-" in datas(second)
    assert "Кыргызстан" in [o.label for o in second.replies[0].options]

    third = say(conversation, second.state, option="country:KG")
    assert third.state.country == "KG"
    assert "Главное меню" in third.replies[0].text
    assert datas(third)[:2] == ["open:urgent", "open:trafficking"]


def test_country_can_be_skipped_and_is_not_asked_again(conversation):
    state = say(conversation, State(language="ru"), "/start").state
    skipped = say(conversation, state, option="country:-")
    assert skipped.state.country is None and skipped.state.country_asked
    again = say(conversation, skipped.state, "/start")
    assert again.state.picking is None and "Главное меню" in again.replies[0].text


def test_hints_skip_the_pickers(conversation):
    outcome = say(conversation, State(), "/start", language_hint="ru", country_hint="kz")
    assert outcome.state.language == "ru" and outcome.state.country == "KZ"
    assert "Главное меню" in outcome.replies[0].text


def test_a_question_first_gets_the_answer_first(conversation):
    outcome = say(conversation, State(), "как получить патент")
    assert outcome.replies[0].node == "work/permit"
    # Written in Russian, so answered in Russian without asking.
    assert outcome.state.language == "ru" and len(outcome.replies) == 1
    # One word does not say which language: the picker comes after the answer.
    unsure = say(conversation, State(), "патент")
    assert unsure.replies[0].node == "work/permit"
    assert unsure.replies[-1].text.startswith("Выберите язык")


def test_numbers_choose_options_and_zero_goes_back(conversation):
    state = State(language="ru", country_asked=True, started=True)
    menu = say(conversation, state, "/menu")
    work = datas(menu).index("open:work") + 1
    opened = say(conversation, menu.state, str(work))
    assert opened.replies[0].node == "work"
    permit = datas(opened).index("open:work/permit") + 1
    article = say(conversation, opened.state, f"{permit}.")
    assert article.replies[0].node == "work/permit"
    back = say(conversation, article.state, "0")
    assert back.replies[0].node == "work"
    home = say(conversation, back.state, option="home")
    assert home.state.node is None and home.state.trail == []


def test_numbers_after_back_count_on_as_they_are_shown(conversation):
    # An article's options end with Back and Main menu; Back is 0, so Main menu is the number
    # right after the last topic, as SMS and the terminal show them.
    state = State(language="ru", country_asked=True, started=True)
    article = say(conversation, state, option="open:work/permit")
    shown = [data for data in datas(article) if data != "back"]
    assert shown[-1] == "home"
    home = say(conversation, article.state, str(len(shown)))
    assert home.state.node is None
    beyond = say(conversation, article.state, str(len(shown) + 1))
    assert f"от 1 до {len(shown)} " in beyond.replies[0].text


def test_start_asks_to_resume_and_stop_words_opt_out(conversation):
    state = State(language="ru", country_asked=True, started=True)
    assert say(conversation, state, "START").opt_in
    for word in ("стоп", "STOP", "тоқта", "токто", "to'xta"):
        stopped = say(conversation, state, word)
        assert stopped.opt_out and stopped.replies


def test_back_walks_the_trail_and_then_reaches_the_menu(conversation):
    state = State(language="ru", country_asked=True, started=True)
    for node in ("trafficking", "trafficking/passport-taken", "trafficking/victim-help"):
        state = say(conversation, state, option=f"open:{node}").state
    state = say(conversation, state, option="back").state
    assert state.node == "trafficking/passport-taken"
    state = say(conversation, state, option="back").state
    assert state.node == "trafficking"
    outcome = say(conversation, state, option="back")
    assert outcome.state.node is None and "Главное меню" in outcome.replies[0].text


def test_every_contract_node_opens_in_every_country_with_valid_options(conversation, tree):
    for country in [None, *tree.countries]:
        state = State(language="ru", country=country, country_asked=True, started=True)
        for node in CONTRACT_NODES:
            outcome = say(conversation, state, option=f"open:{node}")
            reply = outcome.replies[0]
            assert reply.node == node and reply.text.strip()
            assert len(reply.text) <= 4096
            assert all(len(o.data.encode()) <= 64 for o in reply.options)
            assert "home" in datas(outcome)


def test_related_nodes_are_next_steps(conversation, tree):
    state = State(language="ru", country_asked=True, started=True)
    outcome = say(conversation, state, option="open:trafficking/passport-taken")
    for related in tree.nodes["trafficking/passport-taken"].related:
        assert f"open:{related}" in datas(outcome)


def test_emergency_numbers_follow_the_persons_country(conversation, tree):
    outcome = say(
        conversation,
        State(language="ru", country="KZ", started=True),
        "меня заперли и не выпускают",
    )
    reply = outcome.replies[0]
    assert reply.urgent and reply.node == "urgent"
    assert "112" in reply.text
    # The numbers come before the explanation.
    assert reply.text.index("112") < reply.text.index(tree.nodes["urgent"].texts["ru"].body[:40])
    assert outcome.escalation is not None and outcome.escalation.urgent
    assert outcome.escalation.text == "меня заперли и не выпускают"
    assert datas(outcome)[0] == "open:hotlines/operator"

    unknown = say(conversation, State(language="ru", started=True), "меня заперли")
    assert "country" in datas(unknown)  # offers to choose the country for the numbers


def test_unverified_numbers_are_never_shown(conversation, tree):
    hidden = [h for h in tree.hotlines if not h.verified and h.phone]
    for entry in hidden:
        outcome = say(
            conversation,
            State(language="ru", country=entry.country, started=True),
            option="open:hotlines",
        )
        assert entry.phone not in outcome.replies[0].text.split()


def test_operator_request_is_recorded(conversation):
    state = State(language="ru", started=True, node="trafficking/passport-taken")
    outcome = say(conversation, state, "/operator")
    assert outcome.replies[0].node == "hotlines/operator"
    assert outcome.escalation is not None and outcome.escalation.reason == "operator"
    assert outcome.escalation.node == "trafficking/passport-taken"


def test_unmatched_question_can_be_passed_to_a_person(conversation):
    state = State(language="ru", started=True)
    miss = say(conversation, state, "квантовая хромодинамика глюоны")
    assert "pass" in datas(miss)
    passed = say(conversation, miss.state, option="pass")
    assert passed.escalation is not None and passed.escalation.reason == "unmatched"
    assert passed.escalation.text == "квантовая хромодинамика глюоны"
    assert passed.state.question is None


def test_language_and_country_can_change_at_any_time(conversation):
    state = State(language="ru", country="KZ", started=True, node="work/permit")
    picker = say(conversation, state, "/language")
    assert picker.state.picking == "language"
    english = say(conversation, picker.state, option="language:en")
    assert english.state.language == "en"
    # Back where the person was, in English.
    assert english.replies[0].node == "work/permit"
    assert "Main menu" in [o.label for o in english.replies[0].options]
    assert english.replies[0].language == "en"
    # Dari has the safety core only: this page falls back to Russian, interface in Dari.
    dari = say(conversation, english.state, option="language:fa-AF")
    assert dari.replies[0].node == "work/permit" and dari.replies[0].language == "ru"
    assert conversation.gettext("fa-AF")("Main menu") in [o.label for o in dari.replies[0].options]
    country = say(conversation, english.state, "/country")
    moved = say(conversation, country.state, option="country:RU")
    assert moved.state.country == "RU" and moved.replies[0].node == "work/permit"


def test_stale_and_forged_buttons_get_a_polite_menu(conversation):
    state = State(language="ru", started=True)
    for data in ("open:no/such/node", "country:ZZ", "garbage", "language:xx", ":", ""):
        outcome = say(conversation, state, option=data or None, text=None)
        assert outcome.replies and outcome.replies[0].text


def test_unknown_command_is_explained(conversation):
    outcome = say(conversation, State(language="ru", started=True), "/frobnicate now")
    assert outcome.replies[0].text.startswith("Я не знаю такой команды")


def test_forget_asks_first_then_erases(conversation):
    state = State(language="ru", country="KG", started=True, node="work/permit")
    asked = say(conversation, state, "/forget")
    assert not asked.erase and "forget:yes" in datas(asked)
    done = say(conversation, asked.state, option="forget:yes")
    assert done.erase and done.state.country is None and done.state.node is None


def test_hostile_texts_always_get_a_helpful_reply(conversation):
    state = State(language="ru", started=True)
    for text in [
        "",
        "   ",
        "\x00\x01\x1b[31m",
        "🙏🙏🙏",
        "Я" * 100_000,
        "паспорт " * 20_000,
        "pаsпорт zабрали",
        "\ud800",
        "‮ltr override",
        "1" * 500,
        "99",
    ]:
        outcome = say(conversation, state, text)
        assert outcome.replies and all(r.text for r in outcome.replies)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.one_of(
            st.text(max_size=300).map(lambda t: ("text", t)),
            st.sampled_from(
                [
                    "home",
                    "back",
                    "pass",
                    "forget",
                    "forget:yes",
                    "language:ru",
                    "language:en",
                    "country:KG",
                    "country:-",
                    "open:urgent",
                    "open:work/permit",
                    "open:hotlines/operator",
                    "operator",
                    "x" * 64,
                ]
            ).map(lambda o: ("option", o)),
            st.integers(min_value=-1, max_value=40).map(lambda n: ("text", str(n))),
        ),
        max_size=12,
    )
)
def test_any_sequence_of_texts_and_options_gets_replies(conversation, steps):
    state = State()
    for kind, value in steps:
        outcome = say(conversation, state, **{kind: value})
        assert outcome.replies, (kind, value)
        assert all(r.text.strip() for r in outcome.replies)
        assert all(len(o.data.encode()) <= 64 for r in outcome.replies for o in r.options)
        state = outcome.state


def test_pickers_understand_names_typed_as_text(conversation):
    picker = say(conversation, State(), "/start")
    chosen = say(conversation, picker.state, "русский")
    assert chosen.state.language == "ru" and chosen.state.picking == "country"
    for typed, code in [
        ("Казахстан", "KZ"),
        ("кыргызстан", "KG"),
        ("Russia", "RU"),
        ("tj", "TJ"),
        ("узбек", "UZ"),
    ]:
        outcome = say(conversation, chosen.state, typed)
        assert outcome.state.country == code, typed
    # Not a country: answered as a question, the picker does not trap the person.
    question = say(conversation, chosen.state, "как получить патент")
    assert question.replies[0].node == "work/permit"


def test_a_served_country_without_checked_numbers_says_so(conversation, tree):
    served_without = [c for c in tree.countries if not tree.hotlines_for(c, ("emergency",))]
    assert "UZ" in tree.countries
    for country in served_without:
        outcome = say(
            conversation, State(language="ru", country=country, started=True), option="open:urgent"
        )
        assert "нет проверенных номеров" in outcome.replies[0].text
        assert "open:hotlines/operator" in datas(outcome)


def test_a_country_hint_outside_the_served_list_is_ignored(conversation):
    for hint in ("zz", "KAZ", "", "\x00"):
        outcome = say(conversation, State(), "/start", language_hint="ru", country_hint=hint)
        assert outcome.state.country is None and outcome.state.picking == "country"


def test_an_article_leads_with_its_summary(conversation, tree):
    state = State(language="ru", country="KZ", country_asked=True, started=True)
    for node_id in ("trafficking/passport-taken", "urgent"):
        reply = say(conversation, state, option=f"open:{node_id}").replies[0]
        node = tree.nodes[node_id]
        summary = node.summaries["ru"]
        assert reply.summary == summary
        assert reply.text.startswith(f"{node.texts['ru'].title}\n\n{summary}\n\n")
    # In danger the numbers follow the summary, before the explanation.
    assert reply.text.index("112") < reply.text.index(node.texts["ru"].body[:30])


def test_one_number_is_recommended_first_for_the_persons_country(conversation):
    state = State(language="ru", country="KG", started=True, country_asked=True)
    text = say(conversation, state, option="open:urgent").replies[0].text
    # Kyrgyzstan has no 112 in the directory: the police come before fire or ambulance.
    assert "Звоните сначала сюда:\n102 " in text
    assert text.index("Другие номера:") < text.index("103 ") < text.index("101 ")
    turkey = replace(state, country="TR")
    assert (
        "Звоните сначала сюда:\n112 "
        in say(conversation, turkey, option="open:urgent").replies[0].text
    )


def test_office_hours_say_open_or_closed_now_in_local_time(conversation):
    state = State(language="ru", country="TR", started=True, country_asked=True)

    def asylum_numbers(at: datetime) -> str:
        inbound = Inbound(channel="cli", address="a", option="open:asylum/apply", received_at=at)
        return conversation.respond(state, inbound).replies[0].text

    # Friday 27 November 2026, 11:00 and 21:00 in Istanbul (UTC+3).
    morning = asylum_numbers(datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
    evening = asylum_numbers(datetime(2026, 11, 27, 18, 0, tzinfo=UTC))
    assert "сейчас открыто, до 13:00" in morning
    assert "сейчас закрыто, откроется пн 09:30" in evening
    # At night the 24-hour line is recommended first.
    assert evening.index("круглосуточно") < evening.index("сейчас закрыто")


def test_every_language_in_the_picker_can_be_chosen(conversation):
    picker = say(conversation, State(), "/language")
    for option in picker.replies[0].options:
        chosen = say(conversation, picker.state, option=option.data)
        assert chosen.state.language == option.data.partition(":")[2], option
