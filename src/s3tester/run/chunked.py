"""`aws-chunked` request bodies that s3tester builds itself, so they work over plain HTTP.

An `http:` step with `encoding:` sends its body framed the way current SDKs do:

- `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: `hex-size CRLF data CRLF ... 0 CRLF trailer CRLF CRLF`
  (botocore's `AwsChunkedWrapper`);
- `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: `hex-size;chunk-signature=SIG CRLF data CRLF`, each
  chunk signed over the previous signature, starting from the seed signature of the
  request's headers (string-to-sign `AWS4-HMAC-SHA256-PAYLOAD`);
- `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: the same, then the trailer and
  `x-amz-trailer-signature` (string-to-sign `AWS4-HMAC-SHA256-TRAILER`).

Each piece can be made wrong on purpose: a chunk or trailer signature, the trailing
checksum, the declared decoded length, the Content-Encoding.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import zlib
from collections.abc import Callable
from typing import Any

from s3tester.suite.models import CHUNKED_CHECKSUMS as CHECKSUMS
from s3tester.suite.models import CHUNKED_PAYLOADS as PAYLOADS

UNSIGNED_TRAILER, SIGNED, SIGNED_TRAILER = PAYLOADS
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
DEFAULT_CHUNK = 64 * 1024
MIN_CHUNK = 1
PLACEHOLDER = "0" * 64

# Sign the request's headers with this X-Amz-Content-SHA256 value: returns the signed headers.
Signer = Callable[[dict[str, str], str], dict[str, str]]


class EncodingError(ValueError):
    """An `encoding:` block that cannot be built."""


def _crc32c(data: bytes) -> bytes:
    try:
        from botocore.httpchecksum import CrtCrc32cChecksum

        checksum = CrtCrc32cChecksum()
        checksum.update(data)
        return bytes(checksum.digest())
    except Exception:  # no awscrt: a pure-Python CRC32C (Castagnoli), fine for test-sized bodies
        crc = 0xFFFFFFFF
        for byte in data:
            crc ^= byte
            for _ in range(8):
                crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        return (crc ^ 0xFFFFFFFF).to_bytes(4, "big")


def checksum(algorithm: str, data: bytes) -> str:
    """The base64 value S3 uses in `x-amz-checksum-<algorithm>`."""
    if algorithm == "crc32":
        raw = zlib.crc32(data).to_bytes(4, "big")
    elif algorithm == "crc32c":
        raw = _crc32c(data)
    elif algorithm in ("sha1", "sha256"):
        raw = hashlib.new(algorithm, data).digest()
    else:
        raise EncodingError(f"unknown checksum algorithm '{algorithm}' (use {', '.join(CHECKSUMS)})")
    return base64.b64encode(raw).decode()


def split(payload: bytes, size: int) -> list[bytes]:
    """The data chunks (the final zero-length chunk is not included)."""
    return [payload[i : i + size] for i in range(0, len(payload), size)]


def signing_key(secret: str, date: str, region: str, service: str = "s3") -> bytes:
    key = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _hmac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def chunk_signature(key: bytes, timestamp: str, scope: str, previous: str, data: bytes) -> str:
    text = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", timestamp, scope, previous, EMPTY_SHA256, hashlib.sha256(data).hexdigest()])
    return _hmac(key, text)


def trailer_signature(key: bytes, timestamp: str, scope: str, previous: str, trailer: bytes) -> str:
    text = "\n".join(["AWS4-HMAC-SHA256-TRAILER", timestamp, scope, previous, hashlib.sha256(trailer).hexdigest()])
    return _hmac(key, text)


def _wrong(signature: str) -> str:
    """A well-formed signature that is not the right one."""
    return hashlib.sha256(("wrong:" + signature).encode()).hexdigest()


class Framer:
    """The framing of one body; `frame()` with signing context, or placeholders to measure."""

    def __init__(self, enc: dict[str, Any], payload: bytes) -> None:
        self.enc = enc
        self.payload = payload
        self.mode = str(enc.get("payload") or UNSIGNED_TRAILER)
        if self.mode not in PAYLOADS:
            raise EncodingError(f"unknown payload '{self.mode}'")
        self.signed = self.mode != UNSIGNED_TRAILER
        self.trailing = self.mode.endswith("TRAILER")
        self.algorithm = str(enc.get("checksum") or "crc32") if self.trailing else None
        size = int(DEFAULT_CHUNK if enc.get("chunk_size") is None else enc["chunk_size"])
        if size < MIN_CHUNK:
            raise EncodingError("chunk_size must be at least 1")
        self.chunks = split(payload, size)

    @property
    def trailer_name(self) -> str:
        return f"x-amz-checksum-{self.algorithm}"

    def trailer(self) -> bytes:
        """The trailing header line(s), `name:value\\n` as signed (sent with CRLF)."""
        if not self.trailing or self.enc.get("send_trailer") is False:
            return b""
        assert self.algorithm is not None
        value = self.enc.get("checksum_value")
        value = str(value) if value is not None else checksum(self.algorithm, self.payload)
        return f"{self.trailer_name}:{value}\n".encode()

    def frame(self, key: bytes | None = None, timestamp: str = "", scope: str = "", seed: str = PLACEHOLDER) -> bytes:
        bad_chunk = self.enc.get("bad_chunk_signature")
        pieces: list[bytes] = []
        previous = seed
        last = len(self.chunks)  # index of the final zero-length chunk
        for index, data in enumerate([*self.chunks, b""]):
            if not self.signed:
                pieces.append(b"%x\r\n" % len(data))
            else:
                sig = chunk_signature(key, timestamp, scope, previous, data) if key else PLACEHOLDER
                if bad_chunk is not None and index == (int(bad_chunk) if int(bad_chunk) >= 0 else last + 1 + int(bad_chunk)):
                    sig = _wrong(sig)
                previous = sig
                pieces.append(b"%x;chunk-signature=%s\r\n" % (len(data), sig.encode()))
            if data:
                pieces.append(data + b"\r\n")
        trailer = self.trailer()
        if trailer:
            pieces.append(trailer.replace(b"\n", b"\r\n"))
            if self.signed:
                sig = trailer_signature(key, timestamp, scope, previous, trailer) if key else PLACEHOLDER
                if self.enc.get("bad_trailer_signature"):
                    sig = _wrong(sig)
                pieces.append(b"x-amz-trailer-signature:%s\r\n" % sig.encode())
        pieces.append(b"\r\n")
        return b"".join(pieces)

    def headers(self, headers: dict[str, str]) -> dict[str, str]:
        """`headers` plus the framing headers, each unless the step set it itself."""
        out = {k: v for k, v in headers.items() if k.lower() != "content-length"}
        given = {k.lower() for k in headers}

        def put(name: str, value: Any) -> None:
            if name.lower() not in given and value is not None:
                out[name] = str(value)

        encoding = self.enc.get("content_encoding", "aws-chunked")
        put("Content-Encoding", encoding)
        put("X-Amz-Content-SHA256", self.mode)
        decoded = self.enc.get("decoded_length")
        put("X-Amz-Decoded-Content-Length", len(self.payload) if decoded is None else decoded)
        if self.trailing and self.enc.get("declare_trailer", True):
            put("X-Amz-Trailer", self.trailer_name)
        if self.trailing and self.enc.get("declare_algorithm", True):
            put("X-Amz-Sdk-Checksum-Algorithm", str(self.algorithm).upper())
        out["Content-Length"] = str(len(self.frame()))
        return out


_AUTH_RE = re.compile(r"Credential=[^/]+/([^,\s]+),.*Signature=([0-9a-f]+)")


def encode(enc: dict[str, Any], payload: bytes, headers: dict[str, str], sign: Signer | None, secret: str | None) -> tuple[bytes, dict[str, str]]:
    """The framed body and the headers to send. `sign` signs the headers (None: unsigned,
    and signed chunks carry placeholder signatures)."""
    framer = Framer(enc, payload)
    out = framer.headers(headers)
    if sign is None:
        return framer.frame(), out
    signed = sign(out, str(out.get("X-Amz-Content-SHA256", framer.mode)))
    if not framer.signed or secret is None:
        return framer.frame(), signed
    lower = {k.lower(): v for k, v in signed.items()}
    found = _AUTH_RE.search(lower.get("authorization", ""))
    timestamp = lower.get("x-amz-date", "")
    if not found or not timestamp:
        return framer.frame(), signed
    scope, seed = found.group(1), found.group(2)
    date, region, service = scope.split("/")[:3]
    key = signing_key(secret, date, region, service)
    return framer.frame(key, timestamp, scope, seed), signed


def decode(body: bytes) -> tuple[bytes, dict[str, str], list[str]]:
    """Parse an aws-chunked body: (payload, trailers, chunk signatures). For tests and faults."""
    payload = bytearray()
    signatures: list[str] = []
    trailers: dict[str, str] = {}
    pos = 0
    while True:
        end = body.index(b"\r\n", pos)
        line = body[pos:end].decode()
        size_text, _, ext = line.partition(";")
        if ext.startswith("chunk-signature="):
            signatures.append(ext[len("chunk-signature=") :])
        size = int(size_text, 16)
        pos = end + 2
        if size == 0:
            break
        payload += body[pos : pos + size]
        pos += size + 2
    for raw in body[pos:].split(b"\r\n"):
        if b":" in raw:
            name, _, value = raw.decode().partition(":")
            trailers[name.strip().lower()] = value.strip()
    return bytes(payload), trailers, signatures
