"""Console sessions in a signed cookie: who is signed in, the password epoch they signed in
under (a password change ends every older session) and the CSRF token of their forms.

Nothing is stored on the server, so any worker process can read any session. The signature
carries its time and the cookie is signed again on every answer, so a session ends after
`IDLE` without use. The signing key is derived from the master key, as the vault derives its
keys; old master keys still verify, so rotating the key does not sign everyone out.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from http.cookies import SimpleCookie

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import HTTPConnection

COOKIE = "hotline_console"
PATH = "/console"
IDLE = 12 * 3600  # seconds without a request before signing in again


@dataclass(frozen=True)
class Session:
    """An operator's session, or an anonymous one (operator_id None) that only carries the
    CSRF token of the sign-in form."""

    csrf: str
    operator_id: int | None = None
    epoch: int = 0

    @classmethod
    def anonymous(cls) -> Session:
        return cls(csrf=new_token())

    def signed_in(self, operator_id: int, epoch: int) -> Session:
        # A fresh token at sign-in: a token planted before it is worth nothing after.
        return replace(self, csrf=new_token(), operator_id=operator_id, epoch=epoch)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _derive(master: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"hotline/console-session"
    ).derive(master)


class Sessions:
    def __init__(self, master_keys: Sequence[bytes], *, secure: bool) -> None:
        # itsdangerous signs with the last key and accepts all of them.
        keys = [_derive(k) for k in reversed(master_keys)]
        self._serializer = URLSafeTimedSerializer(keys, salt="console-session")
        self.secure = secure

    def read(self, connection: HTTPConnection) -> Session | None:
        """The request's session, or None if it has none, a forged one or an expired one."""
        raw = connection.cookies.get(COOKIE)
        if not raw or len(raw) > 1000:
            return None
        try:
            data = self._serializer.loads(raw, max_age=IDLE)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, list) or len(data) != 3:
            return None
        csrf, operator_id, epoch = data
        if not isinstance(csrf, str) or not isinstance(epoch, int):
            return None
        if operator_id is not None and not isinstance(operator_id, int):
            return None
        return Session(csrf=csrf, operator_id=operator_id, epoch=epoch)

    def cookie(self, session: Session | None) -> str:
        """A Set-Cookie value that stores the session, or ends it when None."""
        jar: SimpleCookie = SimpleCookie()
        if session is None:
            jar[COOKIE] = ""
            jar[COOKIE]["max-age"] = 0
        else:
            jar[COOKIE] = self._serializer.dumps([session.csrf, session.operator_id, session.epoch])
            jar[COOKIE]["max-age"] = IDLE
        morsel = jar[COOKIE]
        morsel["path"] = PATH
        morsel["httponly"] = True
        # Strict: no other site can make the browser send it, which also stops most CSRF
        # before the token check does.
        morsel["samesite"] = "Strict"
        if self.secure:
            morsel["secure"] = True
        return morsel.OutputString()
