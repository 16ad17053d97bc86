"""`hotline user ...` and `hotline org ...` through the real click commands, over a real
database, with the input people really give them."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from bot.cli import main
from bot.console.passwords import verify

GOOD = "a long enough password"


@pytest.fixture
def hotline_cli(database_url: str, tmp_path: Path):
    runner = CliRunner()
    env = {
        "HOTLINE_DATABASE_URL": database_url,
        "HOTLINE_SECRET_KEY": "test-secret-key",
        "HOTLINE_VAR_DIR": str(tmp_path / "var"),
    }

    def run(*args: str, input: str | bytes | None = None):
        return runner.invoke(main, list(args), input=input, env=env, catch_exceptions=False)

    return run


def _hash(database_url: str, name: str) -> str:
    engine = sa.create_engine(sa.make_url(database_url).set(drivername="sqlite"))
    with engine.connect() as connection:
        value = connection.execute(
            sa.text("SELECT password_hash FROM operator WHERE name = :n"), {"n": name}
        ).scalar_one()
    engine.dispose()
    return value


def test_add_list_disable(hotline_cli, database_url):
    nothing = hotline_cli("user", "add", "aigul", "--org", "ngo-a", input=GOOD + "\n")
    assert nothing.exit_code == 1 and "none yet" in nothing.output
    made = hotline_cli("org", "add", "ngo-a", "--name", "Crisis Centre A")
    assert made.exit_code == 0, made.output
    added = hotline_cli(
        "user", "add", "Aigul", "--org", "ngo-a", "--role", "supervisor", input=GOOD + "\n"
    )
    assert added.exit_code == 0, added.output
    assert "account aigul added (supervisor, ngo-a)" in added.output
    if database_url.startswith("sqlite"):
        assert verify(_hash(database_url, "aigul"), GOOD)
    listed = hotline_cli("user", "list")
    assert "aigul" in listed.output and "supervisor" in listed.output and "active" in listed.output
    off = hotline_cli("user", "disable", "AIGUL")
    assert off.exit_code == 0 and "switched off" in off.output
    assert " off " in hotline_cli("user", "list").output
    missing = hotline_cli("user", "disable", "nobody")
    assert missing.exit_code == 1 and "no account 'nobody'" in missing.output


@pytest.mark.parametrize(
    ("name", "args", "stdin", "problem"),
    [
        ("empty", [], b"\n", "at least 10 characters"),
        ("nothing", [], b"", "at least 10 characters"),
        ("short", [], b"short\n", "at least 10 characters"),
        ("spaces", [], b"          \n", "only spaces"),
        ("not utf-8", [], b"\xff\xfe\xfd password long\n", "not valid UTF-8"),
        ("unknown org", ["--org", "ngo-zzz"], GOOD.encode() + b"\n", "Organisations: ngo-a"),
        ("bad role", ["--role", "god"], GOOD.encode() + b"\n", "Invalid value for '--role'"),
    ],
)
def test_add_refuses_bad_input(hotline_cli, name, args, stdin, problem):
    hotline_cli("org", "add", "ngo-a", "--name", "A")
    options = {"--org": "ngo-a"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        options[flag] = value
    argv = ["user", "add", "aigul"] + [item for pair in options.items() for item in pair]
    result = hotline_cli(*argv, input=stdin)
    assert result.exit_code != 0, name
    assert problem in result.output, result.output
    assert "Traceback" not in result.output
    assert "aigul" not in hotline_cli("user", "list").output


@pytest.mark.parametrize(
    "name", ["x" * 65, "two words", "", "a/b", "<script>", "x" * 100_000, "имя\x00"]
)
def test_add_refuses_bad_names(hotline_cli, name):
    hotline_cli("org", "add", "ngo-a", "--name", "A")
    result = hotline_cli("user", "add", name, "--org", "ngo-a", input=GOOD + "\n")
    assert result.exit_code == 1 and "1 to 64 letters" in result.output


def test_a_name_is_taken_once_whatever_its_case(hotline_cli):
    hotline_cli("org", "add", "ngo-a", "--name", "A")
    assert hotline_cli("user", "add", "aigul", "--org", "ngo-a", input=GOOD).exit_code == 0
    again = hotline_cli("user", "add", "AIGUL", "--org", "ngo-a", input=GOOD)
    assert again.exit_code == 1 and "is taken" in again.output
    # Names in other scripts are names too.
    assert hotline_cli("user", "add", "айгүл", "--org", "ngo-a", input=GOOD).exit_code == 0


def test_password_reset_must_be_changed(hotline_cli, database_url):
    hotline_cli("org", "add", "ngo-a", "--name", "A")
    hotline_cli("user", "add", "aigul", "--org", "ngo-a", input=GOOD)
    reset = hotline_cli("user", "password", "aigul", input="another long one\n")
    assert reset.exit_code == 0, reset.output
    if database_url.startswith("sqlite"):
        assert verify(_hash(database_url, "aigul"), "another long one")
    assert "must set a password" not in reset.output
    assert hotline_cli("user", "password", "nobody", input=GOOD).exit_code == 1


def test_org_add_checks_what_routing_will_read(hotline_cli):
    good = hotline_cli(
        "org", "add", "kg-line", "--name", "  Kyrgyz   line ", "--countries", "kg, kz",
        "--topics", "labour,asylum", "--languages", "ru,ky", "--hours", "Mo-Fr 09:00-18:00",
        "--timezone", "Asia/Bishkek", "--phone", "+996 312 62 34 56", "--urgent-minutes", "5",
    )  # fmt: skip
    assert good.exit_code == 0, good.output
    listed = hotline_cli("org", "list").output
    assert "kg-line" in listed and "Kyrgyz line" in listed and "KG,KZ/labour,asylum/ru,ky" in listed
    for args, problem in (
        (["kg-line", "--name", "Again"], "already an organisation"),
        (["Bad Id", "--name", "x"], "lower-case letters"),
        (["ok", "--name", "   "], "1 to 200 characters"),
        (["ok", "--name", "x", "--countries", "Kyrgyzstan"], "two-letter country code"),
        (["ok", "--name", "x", "--topics", "everything"], "Unknown topic"),
        (["ok", "--name", "x", "--languages", "Russian"], "not a language code"),
        (["ok", "--name", "x", "--hours", "nine to five", "--timezone", "Asia/Bishkek"],
         "not in OpenStreetMap form"),
        (["ok", "--name", "x", "--hours", "Mo-Fr 09:00-18:00"], "need the line's time zone"),
        (["ok", "--name", "x", "--timezone", "Mars/Olympus"], "Unknown time zone"),
        (["ok", "--name", "x", "--phone", "12345"], "international form"),
        (["ok", "--name", "x", "--phone", "+996 111 11"], "not a valid phone number"),
        (["ok", "--name", "x", "--urgent-minutes", "0"], "1 to 10080 minutes"),
        (["ok", "--name", "x", "--normal-minutes", "eleven"], "is not a valid integer"),
    ):  # fmt: skip
        result = hotline_cli("org", "add", *args)
        assert result.exit_code != 0, args
        assert problem in result.output, (args, result.output)
    assert "ok " not in hotline_cli("org", "list").output


def test_campaigns_on_and_off(hotline_cli):
    hotline_cli("org", "add", "ngo-a", "--name", "Crisis Centre A")
    hotline_cli("user", "add", "dana", "--org", "ngo-a", input=GOOD + "\n")
    on = hotline_cli("user", "campaigns", "Dana", "on")
    assert on.exit_code == 0 and "campaigns on" in on.output
    assert hotline_cli("user", "campaigns", "dana", "off").exit_code == 0
    assert hotline_cli("user", "campaigns", "nobody", "on").exit_code == 1
    for odd in ("yes", "ON;", "", "\u200bon"):
        assert hotline_cli("user", "campaigns", "dana", odd).exit_code == 2
