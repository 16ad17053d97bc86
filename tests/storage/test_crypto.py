"""The vault encrypts what is stored and makes keyed lookup hashes; old keys keep working."""

from __future__ import annotations

import base64
import re

import pytest

from bot.storage.crypto import UnreadableSecret, Vault

OLD, NEW = b"old master key", b"new master key"


@pytest.mark.parametrize(
    "plain",
    ["+77012345678", "Меня заперли на складе", "паспорт 🙂👨‍👩‍👧", "", "\x00\n", "я" * 100_000],
    ids=["phone", "cyrillic", "emoji", "empty", "control", "huge"],
)
def test_seal_then_open_gives_the_value_back(plain: str):
    vault = Vault([NEW])
    assert vault.open(vault.seal(plain)) == plain


def test_token_does_not_contain_the_value():
    token = Vault([NEW]).seal("+77012345678 Меня заперли")
    assert b"77012345678" not in token
    assert "Меня".encode() not in token
    assert b"77012345678" not in base64.urlsafe_b64decode(token)


def test_sealing_twice_gives_different_tokens():
    vault = Vault([NEW])
    assert vault.seal("одно и то же") != vault.seal("одно и то же")


def test_another_key_cannot_open():
    token = Vault([OLD]).seal("секрет")
    with pytest.raises(UnreadableSecret):
        Vault([NEW]).open(token)


@pytest.mark.parametrize(
    "token", [b"", b"garbage", b"\xff\xfe\x00", b"gAAAAA" + b"A" * 200], ids=str
)
def test_malformed_token_cannot_be_opened(token: bytes):
    with pytest.raises(UnreadableSecret):
        Vault([NEW]).open(token)


def test_tampered_token_cannot_be_opened():
    vault = Vault([NEW])
    raw = bytearray(base64.urlsafe_b64decode(vault.seal("секрет")))
    raw[-40] ^= 1  # a bit of the ciphertext
    with pytest.raises(UnreadableSecret):
        vault.open(base64.urlsafe_b64encode(bytes(raw)))


def test_rotation_opens_old_tokens_and_reseals_under_the_new_key():
    old_token = Vault([OLD]).seal("секрет")
    rotating = Vault([NEW, OLD])
    assert rotating.open(old_token) == "секрет"
    resealed = rotating.reseal(old_token)
    assert Vault([NEW]).open(resealed) == "секрет"
    with pytest.raises(UnreadableSecret):
        Vault([OLD]).open(resealed)


def test_reseal_of_an_unreadable_token_raises_unreadable_secret():
    with pytest.raises(UnreadableSecret):
        Vault([NEW]).reseal(Vault([OLD]).seal("секрет"))


def test_lookup_is_deterministic_hex_and_keyed():
    vault = Vault([NEW])
    digest = vault.lookup("+77012345678")
    assert digest == vault.lookup("+77012345678") == Vault([NEW]).lookup("+77012345678")
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest != Vault([OLD]).lookup("+77012345678")
    assert digest != vault.lookup("+77012345679")
    assert vault.lookup("") != vault.lookup(" ")


def test_lookup_with_an_older_key_index():
    rotating = Vault([NEW, OLD])
    assert rotating.lookup("x", key_index=1) == Vault([OLD]).lookup("x")
    assert rotating.lookup("x") == Vault([NEW]).lookup("x")


def test_pseudonym_is_short_stable_and_not_the_value():
    vault = Vault([NEW])
    pseudonym = vault.pseudonym("+77012345678")
    assert len(pseudonym) == 12
    assert pseudonym == vault.pseudonym("+77012345678")
    assert "7701" not in pseudonym
    assert pseudonym != vault.lookup("+77012345678")[:12]
    assert pseudonym != Vault([OLD]).pseudonym("+77012345678")


def test_vault_needs_a_key():
    with pytest.raises(ValueError, match="at least one master key"):
        Vault([])
