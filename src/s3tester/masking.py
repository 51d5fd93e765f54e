"""Secret masking, owned by a run: the secrets of its credential sets, and the shapes
(signatures, credentials, tokens in query strings, auth headers, presigned-POST fields,
SSE-C keys, URL userinfo) that carry a secret whatever its value.

A `Masker` is built from the endpoint a run talks to and handed to what writes output:
case results, logs, a launched server's log tail. Nothing here is module-level state.

Masking runs before anything is cut (`Masker.mask_tree(value, limit=N)` masks, then
shortens), and covers each known secret in every form a server or a report may echo it:
raw, URL-encoded (once and twice, `%20` and `+` styles), JSON- and repr-escaped, and
base64 (standard and URL-safe, at each of the three byte alignments, as inside a
presigned-POST policy). In a tree (dicts, lists), keys are masked too, and a value is
masked whole when its key names a secret (`Authorization`, `x-amz-security-token`,
`policy`, `x-amz-signature`, `SSECustomerKey`, ...).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus, unquote, urlsplit

MASK = "***"
MIN_SECRET = 4  # shorter values would mask too much
MIN_B64 = 8  # base64 runs shorter than this (6 secret bytes) are not looked for
PREFIX = 8  # a secret's first 8 characters, wherever they are, start a masked piece

#: Names (compared lower-case, without `-` and `_`) whose value is a secret whatever it is:
#: auth headers, presigned-URL/POST fields, SSE-C keys, credential fields.
SECRET_KEYS = frozenset({
    "authorization", "proxyauthorization", "xamzsecuritytoken", "securitytoken", "sessiontoken",
    "xamzsignature", "signature", "xamzcredential", "awsaccesskeyid", "policy",
    "xamzserversideencryptioncustomerkey", "xamzcopysourceserversideencryptioncustomerkey",
    "ssecustomerkey", "copysourcessecustomerkey", "secretkey", "secretaccesskey", "awssecretaccesskey",
    "awssessiontoken", "password", "passwd",
})
#: Keys that look like a secret key name but are not secrets (a bucket policy document).
_NOT_SECRET_KEYS = frozenset({"Policy"})

_NAMES = (
    r"X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|AWSAccessKeyId|(?-i:policy)"
    r"|x-amz-server-side-encryption-customer-key|x-amz-copy-source-server-side-encryption-customer-key"
    r"|SSECustomerKey|CopySourceSSECustomerKey"
)
#: `name=value` in query strings and form bodies, also with `=` URL-encoded once or twice.
_QUERY_SECRET = re.compile(
    rf"(?i)(?:(?<![\w-])|(?<=%3F)|(?<=%26)|(?<=%253F)|(?<=%2526))({_NAMES})(=|%3D|%253D)((?:(?!%26|%2526)[^&\s\"'<>,}}\]])+)"
)
#: `name: value` / `'name': 'value'` / `"name": "value"` (headers, dict reprs, JSON).
_KEYED_SECRET = re.compile(
    rf"(?i)((?<![\w-])(?:[\"']?(?:Authorization|Proxy-Authorization)[\"']?\s*[:=]|[\"']?(?:{_NAMES})[\"']?\s*:)\s*)"
    r"(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[^'\",}\n\]]+)"
)
#: userinfo of a URL (`scheme://user:password@host`), raw or URL-encoded.
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*(?::|%3A)(?://|%2F%2F))([^/@\s\"'<>]+?)(@|%40)")


def _norm_key(key: str) -> str:
    return key.lower().replace("-", "").replace("_", "")


#: A SigV4 Authorization header already masked (access key and signature gone): the scope and
#: the signed headers are kept, because they say how a request was signed.
_MASKED_SIGV4 = re.compile(r"^AWS4-HMAC-SHA256 Credential=\*\*\*/[\w/-]*,\s*SignedHeaders=[\w;-]*,\s*Signature=\*\*\*$")


def _secret_value(key: Any, value: Any) -> Any:
    """What a secret-named key's value is shown as: `***`, or an already masked SigV4 header."""
    if isinstance(value, str) and _norm_key(str(key)) == "authorization" and _MASKED_SIGV4.match(value):
        return value
    return MASK


def is_secret_key(key: Any) -> bool:
    """Whether a mapping key names a value that is a secret whatever it holds."""
    return isinstance(key, str) and key not in _NOT_SECRET_KEYS and _norm_key(key) in SECRET_KEYS


def _base64_forms(secret: str) -> set[str]:
    """Runs of base64 that appear wherever `secret` is inside base64-encoded text."""
    raw = secret.encode("utf-8")
    forms: set[str] = set()
    for skip in range(3):
        part = raw[skip:]
        part = part[: len(part) // 3 * 3]
        if len(part) * 4 // 3 < MIN_B64:
            continue
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            forms.add(encode(part).decode("ascii"))
    return forms


def encodings(secret: str) -> set[str]:
    """Every form of `secret` that masking looks for."""
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), quote(quote(secret, safe=""), safe="")}
    forms.add(json.dumps(secret)[1:-1])
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    forms.add(repr(secret)[1:-1])
    forms |= _base64_forms(secret)
    return {f for f in forms if len(f) >= MIN_SECRET}


class Masker:
    """Replaces known secrets (in every encoding) and secret-shaped values with `***`."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        for secret in secrets:
            self.add(secret)

    @classmethod
    def for_credentials(cls, credentials: Iterable[Any], url: str | None = None) -> Masker:
        """A masker for every secret key and session token of `credentials` (Credential models),
        and for the userinfo of `url` (an endpoint `http://user:password@host`)."""
        masker = cls()
        for cred in credentials:
            for secret in (cred.secret_key, cred.session_token):
                if secret is not None:
                    masker.add(secret.get_secret_value())
        if url:
            masker.add_url(url)
        return masker

    def add(self, secret: str | None) -> None:
        """Never show `secret`, in any of its encodings."""
        if not secret or len(secret) < MIN_SECRET:
            return
        forms = encodings(secret)
        with self._lock:
            self._secrets |= forms

    def add_url(self, url: str) -> None:
        """Never show the password (or user) of `url`'s userinfo."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return
        for piece in (parts.password, parts.username):
            if piece:
                self.add(piece)
                self.add(unquote(piece))

    def mask(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        for secret in secrets:  # a piece cut off anywhere (first bytes of a body, say)
            if len(secret) > PREFIX and secret[:PREFIX] in text:
                text = _mask_prefixes(text, secret)
        text = _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)
        text = _KEYED_SECRET.sub(_keyed, text)
        return _QUERY_SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)

    def mask_tree(self, value: Any, limit: int | None = None) -> Any:
        """`value` with every string in it masked (dicts, lists, tuples and sets walked; keys
        masked too; the value of a secret-named key replaced whole), then each string cut to
        `limit` characters: masking comes first, so a cut never keeps a secret's prefix."""
        if isinstance(value, str):
            return _cut(self.mask(value), limit)
        if isinstance(value, dict):
            return {
                _cut(self.mask(str(k)), limit): _secret_value(k, v) if is_secret_key(k) and v not in (None, "") else self.mask_tree(v, limit)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple | set | frozenset):
            return [self.mask_tree(v, limit) for v in value]
        if value is None or isinstance(value, bool | int | float):
            return value
        return _cut(self.mask(str(value)), limit)


def _mask_prefixes(text: str, secret: str) -> str:
    """Mask every piece of `text` that is a prefix of `secret` at least PREFIX long: what
    is left of a secret that something cut before it could be masked whole."""
    head = secret[:PREFIX]
    start = text.find(head)
    while start != -1:
        n = PREFIX
        while start + n < len(text) and n < len(secret) and text[start + n] == secret[n]:
            n += 1
        text = text[:start] + MASK + text[start + n :]
        start = text.find(head, start + len(MASK))
    return text


def _keyed(match: re.Match[str]) -> str:
    value = match.group(2)
    if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) >= 2:
        return f"{match.group(1)}{value[0]}{MASK}{value[0]}"
    return f"{match.group(1)}{MASK}"


def _cut(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: max(limit - 3, 0)] + "..."


def shown_url(url: str) -> str:
    """`url` as messages show it: userinfo masked (`http://***@host`)."""
    return _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", url)
