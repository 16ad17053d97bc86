"""One Settings object, read once from HOTLINE_* environment variables and .env."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./var/hotline.db",
        description="sqlite:///path/to/file.db (one process) or postgresql+asyncpg://...",
    )
    content_dir: Path = Field(
        default=PROJECT_ROOT / "content", description="The content tree (tree/, hotlines.yaml)."
    )
    locales_dir: Path = Field(
        default=PROJECT_ROOT / "locales", description="gettext catalogs for interface strings."
    )
    var_dir: Path = Field(
        default=Path("./var"), description="Where the generated secret key and SQLite files live."
    )
    secret_key: str = Field(
        default="",
        description="Master key for encryption at rest and keyed hashes. Empty: generated into "
        "var_dir/secret.key on first run.",
    )
    old_secret_keys: list[str] = Field(
        default_factory=list,
        description="Previous master keys (JSON list), still accepted for decryption.",
    )
    host: str = Field(default="127.0.0.1", description="Address `hotline serve` listens on.")
    port: int = Field(default=8080, ge=1, le=65535, description="Port `hotline serve` listens on.")
    log_level: str = Field(default="INFO", description="Python logging level.")
    default_language: str = Field(default="ru", description="Language before a person chooses.")
    max_text_length: int = Field(
        default=4000, ge=1, description="Inbound text is cut to this many characters before use."
    )
    organisation_name: str = Field(
        default="",
        max_length=200,
        description="The name people are told for this deployment's own operators, who take "
        'every case no partner organisation covers (empty: "the hotline\'s operators", in the '
        "person's language).",
    )

    telegram_token: SecretStr = Field(
        default=SecretStr(""),
        description="Bot token from @BotFather; empty: the Telegram channel is off.",
    )
    telegram_mode: Literal["polling", "webhook"] = Field(
        default="polling", description="polling (no public address needed) or webhook."
    )
    telegram_api_base: str = Field(
        default="https://api.telegram.org",
        description="Bot API server (another server, such as a local Bot API server).",
    )
    telegram_webhook_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Webhook mode: the secret Telegram sends with every update (1-256 of "
        "A-Z a-z 0-9 _ -).",
    )
    telegram_max_per_second: float = Field(
        default=30, gt=0, le=1000, description="Telegram messages sent per second, overall."
    )
    public_url: str = Field(
        default="",
        description="Webhook mode: the service's public https address; Telegram posts to "
        "PUBLIC_URL/telegram/webhook.",
    )

    sms_gateway: Literal["", "kannel", "twilio", "generic"] = Field(
        default="",
        description="SMS gateway: kannel, twilio or generic (JSON relay); empty: SMS is off.",
    )
    sms_sender: str = Field(
        default="",
        max_length=20,
        description="The number or name SMS are sent from (empty: the gateway's default).",
    )
    sms_relay_key: SecretStr = Field(
        default=SecretStr(""),
        description="Secret the gateway must present on every request to /sms/<gateway> "
        "(Kannel: key= in the URL; generic: the HMAC key). Required when SMS is on.",
    )
    sms_max_per_second: float = Field(
        default=5, gt=0, le=1000, description="SMS handed to the gateway per second, overall."
    )
    sms_segment_budget: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Most SMS segments one page may cost; longer answers are paged (send +).",
    )
    sms_callback_url: str = Field(
        default="",
        description="The address gateways reach the hotline at, for delivery reports (empty: "
        "PUBLIC_URL, else http://HOST:PORT).",
    )
    kannel_sendsms_url: str = Field(
        default="http://127.0.0.1:13013/cgi-bin/sendsms",
        description="Kannel: smsbox's sendsms address.",
    )
    kannel_username: str = Field(default="", description="Kannel: the sendsms-user's username.")
    kannel_password: SecretStr = Field(
        default=SecretStr(""), description="Kannel: the sendsms-user's password."
    )
    twilio_account_sid: str = Field(default="", description="Twilio: the account SID (AC...).")
    twilio_auth_token: SecretStr = Field(
        default=SecretStr(""),
        description="Twilio: the auth token; signs webhooks (X-Twilio-Signature) and sending.",
    )
    twilio_api_base: str = Field(
        default="https://api.twilio.com",
        description="Twilio: the REST API (another address for a Twilio-compatible provider).",
    )
    generic_send_url: str = Field(
        default="",
        description="Generic gateway: where outgoing SMS are POSTed as signed JSON.",
    )
    reminder_days: list[int] = Field(
        default=[7, 1],
        description="Personal reminders: days before the person's date that they are reminded.",
    )
    campaigns_on: bool = Field(
        default=True,
        description="Run the campaign scheduler and reminders in `hotline serve`.",
    )

    @field_validator("reminder_days")
    @classmethod
    def _days_before(cls, value: list[int]) -> list[int]:
        if not value or len(value) > 5 or any(not 0 <= d <= 90 for d in value):
            raise ValueError("must be a JSON list of 1 to 5 days between 0 and 90, e.g. [7, 1]")
        return sorted(set(value), reverse=True)

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_token_chars(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator(
        "telegram_api_base",
        "public_url",
        "sms_callback_url",
        "kannel_sendsms_url",
        "twilio_api_base",
        "generic_send_url",
    )
    @classmethod
    def _web_address(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError("must be a web address starting with https:// or http://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _webhook_needs_address_and_secret(self) -> Settings:
        if self.telegram_token.get_secret_value() and self.telegram_mode == "webhook":
            if not self.public_url:
                raise ValueError("HOTLINE_TELEGRAM_MODE=webhook needs HOTLINE_PUBLIC_URL")
            if not self.telegram_webhook_secret.get_secret_value():
                raise ValueError(
                    "HOTLINE_TELEGRAM_MODE=webhook needs HOTLINE_TELEGRAM_WEBHOOK_SECRET"
                )
        return self

    @model_validator(mode="after")
    def _sms_needs_gateway_settings(self) -> Settings:
        if not self.sms_gateway:
            return self
        name = self.sms_gateway
        if not self.sms_relay_key.get_secret_value():
            raise ValueError(f"HOTLINE_SMS_GATEWAY={name} needs HOTLINE_SMS_RELAY_KEY")
        needed = {
            "kannel": ["kannel_sendsms_url"],
            "twilio": ["twilio_account_sid", "twilio_auth_token", "sms_sender"],
            "generic": ["generic_send_url"],
        }[name]
        for field in needed:
            value = getattr(self, field)
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            if not value:
                raise ValueError(f"HOTLINE_SMS_GATEWAY={name} needs HOTLINE_{field.upper()}")
        return self

    @property
    def callback_base(self) -> str:
        """Where gateways reach this service (delivery reports)."""
        return self.sms_callback_url or self.public_url or f"http://{self.host}:{self.port}"

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite:// (a file) or postgresql+asyncpg://")
        return value

    @property
    def master_keys(self) -> list[bytes]:
        """The current key first, then the old ones; generates and stores a key if none is set."""
        current = self.secret_key or _stored_key(self.var_dir)
        return [k.encode() for k in [current, *self.old_secret_keys] if k]


def _stored_key(var_dir: Path) -> str:
    path = var_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    try:
        # Created with mode 0600 from the start, so the key is never readable by others.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key
