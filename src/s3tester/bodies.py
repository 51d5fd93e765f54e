"""Request bodies (text, file://, generated streams) and streamed response digests.

A generated body is a deterministic pseudo-random byte stream defined by (size, seed).
It is seekable (botocore rewinds bodies to sign and retry) and never materialised:
memory stays at one block whatever the size.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# A prime-sized block: a range that starts at a wrong offset reads different bytes.
BLOCK_SIZE = 1_048_573
CHUNK = 256 * 1024
TEXT_LIMIT = 4 * 1024 * 1024

_UNITS = {
    "": 1, "b": 1,
    "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3,
}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_size(value: Any) -> int:
    """`64MiB` -> 67108864. Raises ValueError with a readable message."""
    if isinstance(value, bool):
        raise ValueError(f"size must be a number or a string like 5MiB, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("size must not be negative")
        return value
    match = _SIZE_RE.match(str(value))
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"size must be a number or a string like 5MiB, got {value!r}")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


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

    def range(self, start: int, end: int) -> bytes:
        """Bytes [start, end] (inclusive), for small range checks."""
        self.seek(start)
        return self.read(end - start + 1)


@lru_cache(maxsize=64)
def generated_digest(size: int, seed: int) -> str:
    """sha256 of a generated body, computed by streaming it once (cached)."""
    digest = hashlib.sha256()
    stream = GeneratedBody(size, seed)
    buf = bytearray(CHUNK)
    while n := stream.readinto(buf):
        digest.update(memoryview(buf)[:n])
    return digest.hexdigest()


@dataclass(frozen=True)
class BodySpec:
    """A body as written in YAML, resolved against the file it was written in."""

    text: str | None = None
    path: Path | None = None
    size: int = 0
    seed: int = 0
    generated: bool = False

    def open(self) -> Any:
        """A fresh readable for one request attempt (bytes or a stream)."""
        if self.generated:
            return GeneratedBody(self.size, self.seed)
        if self.path is not None:
            return self.path.open("rb")
        return (self.text or "").encode()

    def length(self) -> int:
        if self.generated:
            return self.size
        if self.path is not None:
            return self.path.stat().st_size
        return len((self.text or "").encode())


def is_body_spec(value: Any) -> bool:
    return isinstance(value, dict) and set(value) <= {"size", "seed"} and "size" in value


def body_spec(value: Any, base_dir: Path | None) -> BodySpec:
    """Turn a YAML body value into a BodySpec; ValueError with a message if it is wrong."""
    if value is None:
        return BodySpec(text="")
    if isinstance(value, bytes):
        return BodySpec(text=value.decode("latin-1"))
    if isinstance(value, str):
        if value.startswith("file://"):
            rel = value[len("file://") :]
            path = Path(rel) if Path(rel).is_absolute() else (base_dir or Path.cwd()) / rel
            if not path.is_file():
                raise ValueError(f"body file not found: {value} (looked at {path})")
            return BodySpec(path=path)
        return BodySpec(text=value)
    if isinstance(value, dict):
        if not is_body_spec(value):
            raise ValueError(
                f"a generated body is {{size: N, seed: S}}, got keys {sorted(value)}"
            )
        seed = value.get("seed", 0)
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError(f"seed must be an integer, got {seed!r}")
        return BodySpec(size=parse_size(value["size"]), seed=seed, generated=True)
    if isinstance(value, int | float | bool):
        return BodySpec(text=str(value))
    raise ValueError(f"a body is a string, file://path or {{size, seed}}, got {type(value).__name__}")


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
