"""The HTTP exchange of a step: what was sent and what came back, for forensics.

botocore operations are captured through botocore's event system (`before-send.s3` and
`response-received.s3`, registered on each client by `hook`), raw `http:` and presign
steps record theirs directly. A step runs in a deadline helper thread: `capturing(cap)`
makes `cap` the current capture of that thread while the step sends.

`Exchange.finish(masker)` is the only way out: it masks secrets (signatures, credentials,
tokens, SSE-C keys, presigned-POST policy and signature) *before* cutting bodies to size.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from s3tester.masking import MASK, Masker

REQUEST_TEXT = 2 * 1024
RESPONSE_TEXT = 8 * 1024
KEEP = 64 * 1024  # body bytes kept before masking; cut to REQUEST_TEXT/RESPONSE_TEXT after
SECRET_HEADERS = {
    "x-amz-server-side-encryption-customer-key",
    "x-amz-copy-source-server-side-encryption-customer-key",
    "x-amz-security-token",
}
SECRET_FIELDS = {"policy", "x-amz-signature", "signature", "x-amz-security-token", "x-amz-credential", "awsaccesskeyid"}
_AUTH_PARTS = re.compile(r"(?i)\b(Signature|Credential)=([^,/\s]+)")


@dataclass
class Exchange:
    """One request and its answer (None: no answer), as sent over the wire."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None = None
    body_size: int | None = None
    body_sha256: str | None = None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes | None = None
    response_size: int | None = None
    duration: float | None = None
    secrets: list[str] = field(default_factory=list)  # values this exchange must never show
    started: float = field(default_factory=time.perf_counter)

    def answered(self, status: int, headers: dict[str, Any], body: bytes | None, size: int | None = None) -> None:
        self.status = status
        self.response_headers = {str(k): str(v) for k, v in headers.items()}
        self.response_body = body[:KEEP] if body is not None else None
        self.response_size = size if size is not None else (len(body) if body is not None else None)
        self.duration = round(time.perf_counter() - self.started, 4)

    def streamed(self, size: int, text: str | None) -> None:
        """A streamed response body, read after the answer came (GetObject)."""
        self.response_size = size
        if text is not None:
            self.response_body = text.encode("utf-8", errors="replace")[:KEEP]

    @property
    def request_id(self) -> str | None:
        lower = {k.lower(): v for k, v in self.response_headers.items()}
        return lower.get("x-amz-request-id") or lower.get("x-amz-id-2")

    def finish(self, masker: Masker) -> dict[str, Any]:
        """The exchange as results JSON: masked first, then cut to size."""
        local = Masker()
        for secret in self.secrets:
            local.add(secret)
        for name, value in self.headers.items():
            if name.lower() in SECRET_HEADERS:
                local.add(value)

        def m(text: str) -> str:
            return masker.mask(local.mask(text))

        request: dict[str, Any] = {
            "method": self.method,
            "url": m(self.url),
            "headers": {k: _header(k, v, m) for k, v in self.headers.items()},
            "body": _body(self.body, self.body_size, self.body_sha256, REQUEST_TEXT, m),
        }
        out: dict[str, Any] = {"request": request, "response": None, "request_id": self.request_id,
                               "duration": self.duration}
        if self.status is not None:
            out["response"] = {
                "status": self.status,
                "headers": {k: _header(k, v, m) for k, v in self.response_headers.items()},
                "body": _body(self.response_body, self.response_size, None, RESPONSE_TEXT, m, with_sha=False),
            }
        return out


def _header(name: str, value: str, m: Any) -> str:
    lower = name.lower()
    if lower in SECRET_HEADERS:
        return MASK
    if lower == "authorization":
        return m(_AUTH_PARTS.sub(lambda g: f"{g.group(1)}={MASK}", value))
    return str(m(value))


def _body(data: bytes | None, size: int | None, sha: str | None, limit: int, m: Any, with_sha: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"size": size if size is not None else (len(data) if data is not None else 0)}
    if with_sha:
        if sha is None and data is not None and (size is None or size == len(data)):
            sha = hashlib.sha256(data).hexdigest()
        out["sha256"] = sha
    if data:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            masked = m(text)
            out["text"] = masked[:limit]
            if len(masked) > limit or (size or 0) > len(data):
                out["truncated"] = True
    return out


# -- the current capture of a thread ------------------------------------------------
_local = threading.local()


class Capture:
    """The exchanges of one step (a retried request makes two; the last one counts)."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    @property
    def last(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None

    def add(self, exchange: Exchange) -> Exchange:
        self.exchanges.append(exchange)
        return exchange


@contextmanager
def capturing(capture: Capture) -> Iterator[Capture]:
    previous = getattr(_local, "capture", None)
    _local.capture = capture
    try:
        yield capture
    finally:
        _local.capture = previous


def current() -> Capture | None:
    return getattr(_local, "capture", None)


def record(exchange: Exchange) -> Exchange:
    """Add `exchange` to this thread's capture, if any."""
    cap = current()
    if cap is not None:
        cap.add(exchange)
    return exchange


# -- botocore hooks --------------------------------------------------------------------
def hook(client: Any) -> None:
    """Record every request `client` sends and the answer it gets."""
    client.meta.events.register("before-send.s3", _before_send)
    client.meta.events.register("response-received.s3", _response_received)


def _before_send(request: Any, **_: Any) -> None:
    cap = current()
    if cap is None:
        return
    headers = {str(k): (v.decode("latin-1") if isinstance(v, bytes) else str(v)) for k, v in request.headers.items()}
    body = request.body
    data: bytes | None = None
    size: int | None = None
    if isinstance(body, bytes | bytearray):
        data, size = bytes(body[:KEEP]), len(body)
    elif isinstance(body, str):
        raw = body.encode("utf-8")
        data, size = raw[:KEEP], len(raw)
    elif body is not None:
        length = {k.lower(): v for k, v in headers.items()}.get("content-length")
        size = int(length) if length and length.isdigit() else None
    sha = {k.lower(): v for k, v in headers.items()}.get("x-amz-content-sha256")
    sha = sha if sha and re.fullmatch(r"[0-9a-f]{64}", sha) else None
    cap.add(Exchange(str(request.method), str(request.url), headers, data, size, sha))


def _response_received(response_dict: Any = None, exception: Any = None, **_: Any) -> None:
    cap = current()
    if cap is None or cap.last is None or response_dict is None:
        return
    body = response_dict.get("body")
    data = body if isinstance(body, bytes) else None  # a streamed body is read later
    cap.last.answered(int(response_dict.get("status_code") or 0), dict(response_dict.get("headers") or {}), data)


def response_kind(exchange: dict[str, Any] | None) -> str:
    """What kind of answer, for verdicts: 'answer', '5xx' or 'none'."""
    if not exchange or not exchange.get("response"):
        return "none"
    return "5xx" if int(exchange["response"].get("status") or 0) >= 500 else "answer"
