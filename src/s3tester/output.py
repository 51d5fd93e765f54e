"""Writing output files: atomically, so a reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from s3tester.errors import ConfigError


def write_atomic(path: str | Path, text: str) -> None:
    """Write via a temp file in the same directory and rename: old file stays whole on failure."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; results and golden files are for sharing
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable(option: str, target: str | None) -> None:
    """A report or results path that cannot be written is a usage error (exit 2), found early."""
    if not target:
        return
    path = Path(target)
    if path.is_dir():
        raise ConfigError(f"Invalid value for {option}: '{target}' is a directory")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ConfigError(f"Invalid value for {option}: cannot write '{target}': '{parent}' is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"Invalid value for {option}: cannot write '{target}': '{parent}' is not writable")
