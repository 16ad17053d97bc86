"""Console passwords: Argon2id hashes (argon2-cffi's defaults, RFC 9106's second choice), the
rules a new password must meet, and one-time passwords for new accounts."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 512  # hashing is slow on purpose: a megabyte "password" should not be

hasher = PasswordHasher()
# Verified against when the account name is unknown, so that answer takes as long as a
# wrong password does and does not tell which names exist.
_DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash (unknown account) always False, after the
    same work."""
    try:
        return hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (then it is made again)."""
    try:
        return hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def password_problem(password: str) -> str | None:
    """Why a new password cannot be used, or None."""
    if len(password) < MIN_LENGTH:
        return f"The password must have at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"The password must have at most {MAX_LENGTH} characters."
    if not password.strip():
        return "The password cannot be only spaces."
    return None


def one_time_password() -> str:
    """A password to give once; the account must change it at first sign-in."""
    return secrets.token_urlsafe(12)
