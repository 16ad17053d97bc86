"""Encryption at rest and keyed lookup hashes for addresses and message texts.

Keys are derived with HKDF from the master key in settings, one for encryption (Fernet:
AES-128-CBC with HMAC-SHA256) and one for lookups (HMAC-SHA256). Old master keys still decrypt,
so a key can be rotated without downtime; `hotline keys rotate` re-encrypts what is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class UnreadableSecret(Exception):
    """A stored value that none of the configured keys can decrypt."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


class Vault:
    def __init__(self, master_keys: Sequence[bytes]) -> None:
        if not master_keys:
            raise ValueError("at least one master key is needed")
        self._fernet = MultiFernet(
            [Fernet(base64.urlsafe_b64encode(_derive(k, b"hotline/encrypt"))) for k in master_keys]
        )
        self._lookup_keys = [_derive(k, b"hotline/lookup") for k in master_keys]

    def seal(self, plain: str) -> bytes:
        return self._fernet.encrypt(plain.encode("utf-8"))

    def open(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken as exc:
            raise UnreadableSecret("no configured key decrypts this value") from exc

    def reseal(self, token: bytes) -> bytes:
        """Re-encrypt a value under the current key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken as exc:
            raise UnreadableSecret("no configured key decrypts this value") from exc

    def lookup(self, value: str, key_index: int = 0) -> str:
        """A keyed hash: the same value always gives the same hash, but it cannot be reversed."""
        digest = hmac.new(self._lookup_keys[key_index], value.encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()

    def pseudonym(self, value: str) -> str:
        """A short pseudonymous id for logs and metrics, never the value itself."""
        return self.lookup("pseudonym:" + value)[:12]


def case_code_key(code: str) -> str:
    """What a case code is looked up by: the code without case, spaces or dashes, so
    "k7f 2qx" finds K7F-2QX."""
    return "case:" + "".join(ch for ch in code.upper() if ch.isalnum())
