"""Secret masking, owned by a run: the secrets of its credential sets, and the shapes
(signatures, credentials, tokens in query strings, auth headers, URL userinfo) that
carry a secret whatever its value.

A `Masker` is built from the endpoint a run talks to and handed to what writes output:
case results, logs, a launched server's log tail. Nothing here is module-level state.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

MASK = "***"
MIN_SECRET = 4  # shorter values would mask too much

#: Query parameters of presigned URLs and auth headers that carry secrets or signatures.
_QUERY_SECRET = re.compile(
    r"(?i)\b(X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|AWSAccessKeyId"
    r"|x-amz-security-token)=([^&\s\"']+)"
)
_AUTH_HEADER = re.compile(r"(?i)(Authorization['\"]?\s*[:=]\s*['\"]?)([^'\",}\n]+)")
_URL_USERINFO = re.compile(r"(?i)\b(https?://)[^/@\s:]+:[^/@\s]+@")


class Masker:
    """Replaces known secrets (as given and URL-encoded) and secret-shaped values with `***`."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        for secret in secrets:
            self.add(secret)

    @classmethod
    def for_credentials(cls, credentials: Iterable[Any]) -> Masker:
        """A masker for every secret key and session token of `credentials` (Credential models)."""
        masker = cls()
        for cred in credentials:
            for secret in (cred.secret_key, cred.session_token):
                if secret is not None:
                    masker.add(secret.get_secret_value())
        return masker

    def add(self, secret: str | None) -> None:
        """Never show `secret`, raw or URL-encoded (as in a presigned URL)."""
        if not secret or len(secret) < MIN_SECRET:
            return
        with self._lock:
            self._secrets.add(secret)
            self._secrets.add(quote(secret, safe=""))

    def mask(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}={MASK}", text)
        text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{MASK}", text)
        return _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)

    def mask_tree(self, value: Any) -> Any:
        """`value` with every string in it masked (dicts, lists, tuples and sets walked)."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, dict):
            return {str(k): self.mask_tree(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set):
            return [self.mask_tree(v) for v in value]
        if value is None or isinstance(value, bool | int | float):
            return value
        return self.mask(str(value))
