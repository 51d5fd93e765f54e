"""Processes of launched servers: free loopback ports, finding the program and its
environment, process groups, and making sure no server outlives s3tester (parent-death
signal, SIGTERM)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypedDict

from s3tester.servers.catalog import tools_dir
from s3tester.servers.profiles import LaunchSpec

HOST = "127.0.0.1"


def free_ports(count: int) -> list[int]:
    """`count` distinct ports that are free on 127.0.0.1 right now."""
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((HOST, 0))
            socks.append(sock)
        return [s.getsockname()[1] for s in socks]
    finally:
        for sock in socks:
            sock.close()


def find_executable(name: str, spec: LaunchSpec, vendor: str) -> str | None:
    """Resolve `command[0]`: a path as is; a bare name in .tools/<vendor>/bin, the
    running Python's bin dir (the venv), then PATH."""
    if os.sep in name:
        return name if os.access(name, os.X_OK) else None
    tools = tools_dir()
    sub = spec.tools_subdir or vendor
    search = [
        tools / sub / "bin",
        tools / sub / "node_modules" / ".bin",
        Path(sys.executable).parent,
    ]
    for directory in search:
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def with_parent_death_signal(argv: list[str]) -> list[str]:
    """On Linux, have the kernel send SIGTERM to the server if the thread that started
    it dies (e.g. s3tester is SIGKILLed), so no server outlives its run.

    `setpriv` (util-linux) sets the flag and execs the command, so the pid stays the
    server's. The signal follows the starting *thread*: start servers with `spawn`, which
    forks from the main thread or from one thread that lives as long as the process.
    """
    if sys.platform != "linux" or os.environ.get("S3TESTER_NO_PDEATHSIG"):
        return argv
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return argv
    return [setpriv, "--pdeathsig", "TERM", "--", *argv]


_spawner_lock = threading.Lock()
_spawner: list[ThreadPoolExecutor] = []  # at most one: the thread servers are forked from


def spawn(argv: list[str], **popen: Any) -> Any:
    """`subprocess.Popen(with_parent_death_signal(argv), **popen)`, forked by a thread that
    lives as long as s3tester: the main thread, or else (a server restarted by a worker)
    one long-lived spawner thread, so the parent-death signal fires only when s3tester
    itself is gone, never when a worker thread ends."""
    argv = with_parent_death_signal(argv)
    if threading.current_thread() is threading.main_thread():
        return subprocess.Popen(argv, **popen)
    with _spawner_lock:
        if not _spawner:
            _spawner.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="s3tester-spawner"))
        executor = _spawner[0]
    return executor.submit(lambda: subprocess.Popen(argv, **popen)).result()


def die_with_parent() -> bool:
    """Ask Linux to send this process SIGTERM when its parent dies (`S3T_DIE_WITH_PARENT=1`
    in the environment: the test suite sets it, so a killed `make test` leaves no s3tester,
    and so no server, behind). False where it cannot be done."""
    if sys.platform != "linux":
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        if libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() == 1:  # the parent was already gone
        os.kill(os.getpid(), signal.SIGTERM)
    return True


class SigtermRaises:
    """While a launched server runs, SIGTERM to s3tester raises SystemExit (exit 143) in
    the main thread, so `finally:` blocks stop the server, instead of s3tester dying at
    once and leaving the server running in its own process group. Only when SIGTERM has
    its default action: an application's own handler is left alone."""

    def __init__(self) -> None:
        self.active = False

    def __enter__(self) -> SigtermRaises:
        if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, self._raise)
            self.active = True
        return self

    def stopping(self) -> None:
        """Ignore further SIGTERMs while the server is being stopped."""
        if self.active:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def __exit__(self, *exc: object) -> None:
        if self.active:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            self.active = False

    @staticmethod
    def _raise(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)


def signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


#: The user's own AWS credentials never reach a server s3tester starts.
PRIVATE_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def server_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment of a launched program: ours without AWS credentials, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in PRIVATE_ENV}
    env.update(extra)
    return env


class StartKeywords(TypedDict):
    """The `subprocess` keywords of every program a launch starts."""

    cwd: Path
    env: dict[str, str]
    stdin: int


def launch_command(
    command: Sequence[str], spec: LaunchSpec, vendor: str, workdir: Path, expand: Callable[[str, bool], str]
) -> tuple[list[str], StartKeywords] | None:
    """A profile's command (`launch.command`, a `prepare` step's, `version_command`) ready
    to start: its arguments expanded without secrets (a command line shows in `ps`), its
    program resolved by `find_executable`, and the keywords: the work dir, the profile's
    `env` (secrets allowed) over `server_env`, no stdin. None when the program is missing."""
    argv = [expand(arg, False) for arg in command]
    exe = find_executable(argv[0], spec, vendor)
    if exe is None:
        return None
    env = server_env({k: expand(v, True) for k, v in spec.env.items()})
    return [exe, *argv[1:]], StartKeywords(cwd=workdir, env=env, stdin=subprocess.DEVNULL)
