"""The page at /chat: one HTML document, its script and style under /chat/static, its few
interface strings from the gettext catalogs in the browser's language."""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2

from bot.channels.web.accept import preferred
from bot.channels.web.render import direction
from bot.engine.conversation import N_
from bot.language.catalogs import Catalogs

HERE = Path(__file__).parent
STATIC = HERE / "static"
_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, keep_trailing_newline=True
)
# Part of the script's and style's address: a browser never runs an old script with a new page.
_DIGEST = hashlib.sha256(b"".join(path.read_bytes() for path in sorted(STATIC.iterdir())))
VERSION = _DIGEST.hexdigest()[:12]

STRINGS = {
    "title": N_("Information hotline"),
    "welcome": N_(
        "Hello! Write your question in your own language, or open the menu. "
        "What you write here stays between you and the hotline."
    ),
    "menu": N_("Main menu"),
    "write": N_("Your message"),
    "send": N_("Send"),
    "you": N_("You"),
    "hotline": N_("Hotline"),
    "conversation": N_("Conversation"),
    "offline": N_("No connection. Trying again…"),
    "retrying": N_("Not sent yet. Trying again…"),
    "failed": N_("This message could not be sent."),
    "slow_down": N_("Too many messages at once. Wait a minute, then write again."),
    "no_script": N_("This chat needs JavaScript, which is off in this browser."),
}


def render(
    catalogs: Catalogs, *, accept_language: str, default_language: str, base: str, max_text: int
) -> str:
    """The page, for a browser that asks for `accept_language`; `base` is where /chat is."""
    # Catalog folders are named as gettext names them (fa_AF); our codes are fa-AF.
    available = [code.replace("_", "-") for code in catalogs.languages]
    language = preferred(accept_language, available) or default_language
    gettext = catalogs.get(language).gettext
    return _templates.get_template("chat.html").render(
        language=language,
        dir="rtl" if direction(language) == "rtl" else "ltr",
        base=base,
        version=VERSION,
        max_text=max_text,
        strings={name: gettext(text) for name, text in STRINGS.items()},
    )
