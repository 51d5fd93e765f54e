"""Writing output files: atomically, so a reader never sees half a file, and never over
something that is not a regular file.

- `-` is stdout;
- a symlink is written through (its target is replaced, the link stays);
- a character or block device or a FIFO (`/dev/null`, `/dev/stdout`, a pipe) is streamed
  to, never replaced;
- a directory, a socket, or an empty path is refused (exit 2);
- a regular file is replaced by rename. The new contents are written to an unnamed file
  (`O_TMPFILE`) that gets a name only for the instant between link and rename, so a
  `kill -9` leaves nothing; where the file system has no `O_TMPFILE`, the temporary is a
  named `.NAME.s3tester-XXXXXXXX~` (a backup-file name that ignore files skip) removed on
  every exit Python sees.

The new file gets the mode the umask gives (as `open()` would): the kernel applies it, the
process umask is never changed.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from s3tester.errors import ConfigError

STDOUT = "-"
TEMP_SUFFIX = "~"


def temp_name(target: Path) -> Path:
    """A temporary's name next to `target`: hidden, and a backup-file name (`*~`)."""
    return target.with_name(f".{target.name}.s3tester-{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _kind(path: Path) -> str | None:
    """'file', 'dir', 'stream' (device or FIFO), 'other', or None if nothing is there."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return "other"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode):
        return "stream"
    return "other"


def write_atomic(path: str | Path, text: str) -> None:
    """Write `text` to `path` (see the module docs): stdout, a stream, or an atomic replace."""
    if str(path) == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    data = text.encode("utf-8")
    target = Path(os.path.realpath(path))  # through symlinks
    kind = _kind(target)
    if kind == "dir":
        raise ConfigError(f"cannot write '{path}': is a directory")
    if kind == "other":
        raise ConfigError(f"cannot write '{path}': not a regular file, device or FIFO")
    if kind == "stream":
        with open(target, "wb") as stream:
            stream.write(data)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    _replace(target, data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def _replace(target: Path, data: bytes) -> None:
    tmp = temp_name(target)
    if not _link_unnamed(target.parent, tmp, data):
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o666)
        try:
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _link_unnamed(directory: Path, tmp: Path, data: bytes) -> bool:
    """Write `data` to an unnamed file in `directory` and link it as `tmp`; False where the
    system cannot (no O_TMPFILE, or no linking through /proc/self/fd)."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag:
        return False
    try:
        fd = os.open(directory, flag | os.O_WRONLY | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return False
        raise
    try:
        _write_all(fd, data)
        try:
            os.link(f"/proc/self/fd/{fd}", tmp, follow_symlinks=True)
        except OSError as exc:
            if exc.errno in (errno.EXDEV, errno.ENOENT, errno.EPERM, errno.EOPNOTSUPP, errno.EINVAL):
                return False
            raise
    finally:
        os.close(fd)
    return True


def check_writable(option: str, target: str | None, env: str | None = None) -> None:
    """A report or results path that cannot be written is a usage error (exit 2), found early.

    `env`: the environment variable the value came from, named in the message."""
    if target is None or target == STDOUT:
        return
    given = f"{option} (from {env})" if env else option
    if not target.strip():
        raise ConfigError(f"Invalid value for {given}: the path is empty")
    path = Path(os.path.realpath(target))
    kind = _kind(path)
    if kind == "dir":
        raise ConfigError(f"Invalid value for {given}: '{target}' is a directory")
    if kind == "other":
        raise ConfigError(f"Invalid value for {given}: '{target}' is not a regular file, device or FIFO")
    if kind == "stream":
        return
    parent = (path if Path(target).is_symlink() else Path(target)).parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ConfigError(f"Invalid value for {given}: cannot write '{target}': '{parent}' is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"Invalid value for {given}: cannot write '{target}': '{parent}' is not writable")


def _same(a: Path, b: Path) -> bool:
    try:
        return a == b or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _inside(path: Path, root: Path) -> bool:
    return root.is_dir() and (path == root or root in path.parents)


def check_distinct(outputs: Mapping[str, str | None], inputs: Iterable[tuple[str, str | None]] = ()) -> None:
    """Exit 2 if two outputs are one file, or an output is (or is inside, for a directory
    input) something the command reads: the suite, the golden files, a compared result.

    Streams (`-`, devices, FIFOs) may be shared: nothing is replaced there."""
    seen: list[tuple[str, Path]] = []
    for option, value in outputs.items():
        if not value or value == STDOUT:
            continue
        path = Path(os.path.realpath(value))
        if _kind(path) == "stream":
            continue
        for other, known in seen:
            if _same(path, known):
                raise ConfigError(f"Invalid value for {option}: '{value}' is also the {other} path")
        for label, given in inputs:
            if not given:
                continue
            source = Path(os.path.realpath(given))
            if _same(path, source) or (_inside(path, source) and path.suffix in (".yaml", ".yml", ".json")):
                raise ConfigError(f"Invalid value for {option}: '{value}' would overwrite the {label} '{given}'")
        seen.append((option, path))
