"""Settings: read once, defaults for a first run, a clear error for a bad value."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings


def test_defaults_are_the_embedded_setup(monkeypatch: pytest.MonkeyPatch):
    for name in ("HOTLINE_DATABASE_URL", "HOTLINE_PORT", "HOTLINE_HOST"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.database_url == "sqlite:///./var/hotline.db"
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert (settings.content_dir / "tree").is_dir()


def test_a_key_is_generated_once_privately_and_reused(tmp_path: Path):
    first = Settings(_env_file=None, var_dir=tmp_path / "var", secret_key="").master_keys
    again = Settings(_env_file=None, var_dir=tmp_path / "var", secret_key="").master_keys
    assert first == again and len(first[0]) >= 32
    mode = stat.S_IMODE((tmp_path / "var" / "secret.key").stat().st_mode)
    assert mode == 0o600


def test_a_set_key_comes_first_and_old_keys_follow(tmp_path: Path):
    settings = Settings(_env_file=None, var_dir=tmp_path, secret_key="new", old_secret_keys=["old"])
    assert settings.master_keys == [b"new", b"old"]
    assert not (tmp_path / "secret.key").exists()


def test_environment_and_env_file_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("HOTLINE_PORT", raising=False)
    (tmp_path / ".env").write_text("HOTLINE_PORT=9090\nHOTLINE_LOG_LEVEL=debug\n")
    settings = Settings(_env_file=tmp_path / ".env")
    assert settings.port == 9090 and settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("database_url", "postgresql://sync-driver"),
        ("database_url", ""),
        ("port", 0),
        ("port", 70000),
        ("log_level", "chatty"),
        ("max_text_length", 0),
        ("sms_gateway", "smpp"),
        ("sms_max_per_second", 0),
        ("sms_segment_budget", 0),
        ("sms_segment_budget", 11),
        ("sms_sender", "x" * 21),
        ("kannel_sendsms_url", "127.0.0.1:13013/cgi-bin/sendsms"),
        ("generic_send_url", "ftp://relay"),
    ],
)
def test_bad_values_are_refused(field: str, value: object):
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None, **{field: value})
    assert field in str(error.value)


def test_every_setting_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`HOTLINE_{name.upper()}`" in readme, name


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"sms_gateway": "kannel"}, "HOTLINE_SMS_RELAY_KEY"),
        ({"sms_gateway": "generic", "sms_relay_key": "k"}, "HOTLINE_GENERIC_SEND_URL"),
        ({"sms_gateway": "twilio", "sms_relay_key": "k"}, "HOTLINE_TWILIO_ACCOUNT_SID"),
        (
            {"sms_gateway": "twilio", "sms_relay_key": "k", "twilio_account_sid": "AC1",
             "twilio_auth_token": "t"},
            "HOTLINE_SMS_SENDER",
        ),
    ],
)  # fmt: skip
def test_an_sms_gateway_without_what_it_needs_names_the_variable(values: dict, named: str):
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None, **values)
    assert named in str(error.value)


def test_the_callback_address_falls_back_to_the_public_one_then_the_listener():
    assert Settings(_env_file=None, port=9000).callback_base == "http://127.0.0.1:9000"
    public = Settings(_env_file=None, public_url="https://h.example.org/")
    assert public.callback_base == "https://h.example.org"
    own = Settings(
        _env_file=None, public_url="https://h.example.org", sms_callback_url="http://10.0.0.2:8080"
    )
    assert own.callback_base == "http://10.0.0.2:8080"
