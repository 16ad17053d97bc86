"""The Telegram fixtures (stand-in Bot API server, a polling hotline) for campaign tests."""

from tests.channels.telegram.conftest import bot_api, polling, telegram_settings  # noqa: F401
