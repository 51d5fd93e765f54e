"""Request bodies as a suite writes them: text, `file://path` or `{size, seed}`.

This is what a body *is*; `run.bodies` opens it as bytes or a generated stream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_UNITS = {
    "": 1, "b": 1,
    "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3,
}
MAX_SIZE = 5 * 1024**4  # 5 TiB: S3's largest object; every size fits in 64 bits
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_size(value: Any) -> int:
    """`64MiB` -> 67108864. Raises ValueError with a readable message."""
    if isinstance(value, bool):
        raise ValueError(f"size must be a number or a string like 5MiB, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("size must not be negative")
        return _capped(value, value)
    match = _SIZE_RE.match(str(value))
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"size must be a number or a string like 5MiB, got {value!r}")
    return _capped(int(float(match.group(1)) * _UNITS[match.group(2).lower()]), value)


def _capped(size: int, given: Any) -> int:
    if size > MAX_SIZE:
        raise ValueError(f"size {given!r} is more than 5TiB (the largest S3 object)")
    return size


@dataclass(frozen=True)
class BodySpec:
    """A body as written in YAML, resolved against the file it was written in."""

    text: str | None = None
    path: Path | None = None
    size: int = 0
    seed: int = 0
    generated: bool = False

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
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
            raise ValueError(f"seed must be an integer from 0 to 2**63-1, got {seed!r}")
        return BodySpec(size=parse_size(value["size"]), seed=seed, generated=True)
    if isinstance(value, int | float | bool):
        return BodySpec(text=str(value))
    raise ValueError(f"a body is a string, file://path or {{size, seed}}, got {type(value).__name__}")
