"""Opening request bodies (bytes, files, generated streams) and streamed response digests.

A generated body is a deterministic pseudo-random byte stream defined by (size, seed).
It is seekable (botocore rewinds bodies to sign and retry) and never materialised:
memory stays at one block whatever the size.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from botocore.exceptions import BotoCoreError

from s3tester.suite.bodyspec import BodySpec

# A prime-sized block: a range that starts at a wrong offset reads different bytes.
BLOCK_SIZE = 1_048_573
CHUNK = 256 * 1024
TEXT_LIMIT = 4 * 1024 * 1024

@lru_cache(maxsize=8)
def _block(seed: int) -> bytes:
    return random.Random(seed).randbytes(BLOCK_SIZE)


class GeneratedBody(io.RawIOBase):
    """Seekable read-only stream of `size` deterministic bytes for `seed`."""

    def __init__(self, size: int, seed: int = 0) -> None:
        self.size = size
        self.seed = seed
        self._pos = 0
        self._block = _block(seed)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def __len__(self) -> int:
        return self.size

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self.size - self._pos)
        done = 0
        while done < want:
            at = (self._pos + done) % BLOCK_SIZE
            take = min(want - done, BLOCK_SIZE - at)
            view[done : done + take] = self._block[at : at + take]
            done += take
        self._pos += done
        return done

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self.size - self._pos
        want = min(size, max(0, self.size - self._pos))
        at = self._pos % BLOCK_SIZE
        if at + want <= BLOCK_SIZE:  # the usual small read: one slice, no bytearray round trip
            self._pos += want
            return self._block[at : at + want]
        buf = bytearray(want)
        self.readinto(buf)
        return bytes(buf)


@lru_cache(maxsize=64)
def generated_digest(size: int, seed: int) -> str:
    """sha256 of a generated body, computed by streaming it once (cached)."""
    digest = hashlib.sha256()
    stream = GeneratedBody(size, seed)
    buf = bytearray(CHUNK)
    while n := stream.readinto(buf):
        digest.update(memoryview(buf)[:n])
    return digest.hexdigest()


def open_body(spec: BodySpec) -> Any:
    """A fresh readable for one request attempt (bytes or a stream)."""
    if spec.generated:
        return GeneratedBody(spec.size, spec.seed)
    if spec.path is not None:
        return spec.path.open("rb")
    return (spec.text or "").encode()


@dataclass
class Digest:
    """What was seen of a streamed response body."""

    size: int
    sha256: str
    text: str | None  # kept only for bodies up to TEXT_LIMIT


def drain(stream: Any, keep_text: bool = True) -> Digest:
    """Read a response body in fixed chunks, hashing as it goes."""
    digest = hashlib.sha256()
    size = 0
    kept: list[bytes] | None = [] if keep_text else None
    read = stream.read
    while True:
        chunk = read(CHUNK)
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
        if kept is not None:
            if size <= TEXT_LIMIT:
                kept.append(chunk)
            else:
                kept = None
    close = getattr(stream, "close", None)
    if close:
        close()
    text = b"".join(kept).decode("utf-8", errors="replace") if kept is not None else None
    return Digest(size=size, sha256=digest.hexdigest(), text=text)


#: A response s3tester reads whole (XML or JSON, not a streamed body) may be at most this big.
MAX_BUFFERED = 16 * 1024 * 1024


class ResponseTooLarge(BotoCoreError):
    """A buffered (non-streaming) response was bigger than `MAX_BUFFERED`. A botocore error,
    because it is about the server's answer (never an s3tester bug)."""

    fmt = "{message}"


class UnparseableResponse(BotoCoreError):
    """A success answer to an XML/JSON operation that is neither: garbage with status 200."""

    fmt = "{message}"


def _capped_class() -> type:
    from botocore.awsrequest import AWSResponse

    class CappedResponse(AWSResponse):
        """botocore's response, read whole only up to `limit` bytes."""

        limit = MAX_BUFFERED
        parses_body = True  # the operation's answer has members in the body (not only headers)
        _content: bytes | None

        @property
        def content(self) -> bytes:
            if self._content is None:
                declared = self.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.limit:
                    self.raw.close()
                    raise ResponseTooLarge(message=_too_large(self.status_code, f"declares {int(declared)} bytes", b""))
                chunks: list[bytes] = []
                total = 0
                for chunk in self.raw.stream(CHUNK):
                    total += len(chunk)
                    if total > self.limit:
                        self.raw.close()
                        raise ResponseTooLarge(message=_too_large(self.status_code, "is bigger", chunks[0] if chunks else chunk))
                    chunks.append(chunk)
                body = b"".join(chunks)
                head = body.lstrip()[:1]
                if self.parses_body and 200 <= self.status_code < 300 and head and head not in (b"<", b"{", b"\xef"):
                    raise UnparseableResponse(
                        message=f"the HTTP {self.status_code} response is not XML or JSON (unparseable); "
                        f"first bytes: {body[:64]!r}"
                    )
                self._content = body
            return bytes(self._content)

    return CappedResponse


def _too_large(status: int, what: str, first: bytes) -> str:
    head = f"; first bytes: {first[:64]!r}" if first else ""
    return f"the HTTP {status} response {what} than s3tester reads whole ({MAX_BUFFERED // 1024 // 1024} MiB){head}"


def cap_buffered(client: Any, limit: int = MAX_BUFFERED) -> None:
    """Make `client` read non-streaming responses (XML answers) only up to `limit` bytes:
    a bigger one is a `ResponseTooLarge` error of that step, not hundreds of MB of memory."""
    capped = _capped_class()
    capped.limit = limit  # type: ignore[attr-defined]
    endpoint = client._endpoint
    model = client.meta.service_model

    def before_send(request: Any, event_name: str = "", **_: Any) -> Any:
        if str(request.method).upper() == "HEAD":
            return None  # no body, whatever Content-Length says (it is the object's size)
        operation = event_name.rsplit(".", 1)[-1]
        try:
            op_model = model.operation_model(operation)
            if op_model.has_streaming_output:
                return None
            shape = op_model.output_shape
            parses = shape is not None and any(
                "location" not in member.serialization for member in shape.members.values())
        except Exception:  # an operation name botocore does not know: leave it alone
            return None
        request.stream_output = True  # else the session reads the whole body before we see it
        response = endpoint._send(request)
        answer = capped(response.url, response.status_code, response.headers, response.raw)
        answer.parses_body = parses
        return answer

    client.meta.events.register("before-send.s3", before_send)
