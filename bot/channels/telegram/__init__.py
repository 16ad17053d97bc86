"""The hotline in a private Telegram chat, through aiogram 3."""
