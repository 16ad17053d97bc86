"""A campaign as each channel carries it: on Telegram the message with a button to its node,
on SMS one message with the word to send for more (SMS has no buttons)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.campaigns.content import Campaign
from bot.channels.sms.segments import encoding, segments
from bot.channels.telegram.render import shape
from bot.content.model import ContentTree
from bot.engine.messages import Option, Reply
from bot.language.catalogs import Catalogs


def N_(message: str) -> str:
    return message


MORE_ON_SMS = N_("More: send {word}")


def campaign_reply(
    campaign: Campaign, *, channel: str, language: str | None, tree: ContentTree, catalogs: Catalogs
) -> Reply:
    text_language, text = campaign.message(language)
    node = tree.nodes.get(campaign.node) if campaign.node else None
    if node is None:
        return Reply(text=text, language=text_language)
    if channel == "sms":
        _ = catalogs.get(text_language).gettext
        words = node.keywords.get(text_language) or node.keywords.get("ru") or ()
        found = node.text(text_language)
        word = words[0] if words else found[1].title if found else None
        if word:
            text = f"{text}\n{_(MORE_ON_SMS).format(word=word)}"
        return Reply(text=text, node=node.id, language=text_language)
    found = node.text(text_language)
    options = (Option(found[1].title, f"open:{node.id}"),) if found else ()
    return Reply(text=text, options=options, node=node.id, language=text_language)


@dataclass(frozen=True)
class Preview:
    channel: str
    language: str
    parts: tuple[str, ...]
    buttons: tuple[str, ...] = ()
    segments: int | None = None
    encoding: str | None = None


def preview(
    campaign: Campaign, language: str, *, tree: ContentTree, catalogs: Catalogs
) -> list[Preview]:
    """What a person reading `language` would get on each channel."""
    telegram = campaign_reply(
        campaign, channel="telegram", language=language, tree=tree, catalogs=catalogs
    )
    sms = campaign_reply(campaign, channel="sms", language=language, tree=tree, catalogs=catalogs)
    return [
        Preview(
            channel="telegram",
            language=telegram.language,
            parts=tuple(part.text for part in shape(telegram)),
            buttons=tuple(option.label for option in telegram.options),
        ),
        Preview(
            channel="sms",
            language=sms.language,
            parts=(sms.text,),
            segments=segments(sms.text),
            encoding=encoding(sms.text),
        ),
    ]
