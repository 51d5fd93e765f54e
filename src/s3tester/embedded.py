"""The embedded default endpoint: moto's server as a child process on a free loopback port.

A separate process (not moto's in-thread server) so the server does not compete with the
runner for the GIL; it starts in about a second and is stopped by pid.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from s3tester.errors import EndpointError
from s3tester.models import Credential, EndpointConfig

# moto accepts any key; two distinct sets keep `as: alt` meaningful in requests.
MOTO_CREDENTIALS = {
    "main": Credential.of("s3tester-main", "s3tester-main-secret"),
    "alt": Credential.of("s3tester-alt", "s3tester-alt-secret"),
}


# The embedded servers this process runs, by URL (tests kill them to simulate a crash).
PROCESSES: dict[str, subprocess.Popen[bytes]] = {}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], deadline: float, log: Path) -> None:
    import urllib.request

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise EndpointError(f"embedded moto server exited with {proc.returncode}: {tail.strip()}")
        try:
            with urllib.request.urlopen(url + "/", timeout=1) as response:
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.05)
    raise EndpointError(f"embedded moto server did not become ready at {url}")


def stop(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextmanager
def moto_server(timeout: float = 30.0) -> Iterator[EndpointConfig]:
    """Start `python -m moto.server` on 127.0.0.1:<free port>, yield its endpoint, stop it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    logdir = Path(tempfile.mkdtemp(prefix="s3tester-moto-"))
    log = logdir / "moto.log"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(var, None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env=env,
        )
    PROCESSES[url] = proc
    try:
        wait_ready(url, proc, time.monotonic() + timeout, log)
        version = _moto_version()
        yield EndpointConfig(url=url, credentials=dict(MOTO_CREDENTIALS), vendor="moto", vendor_version=version)
    finally:
        PROCESSES.pop(url, None)
        stop(proc)
        if proc.returncode in (0, -signal.SIGTERM, -signal.SIGKILL, 143):
            log.unlink(missing_ok=True)
            with suppress(OSError):
                logdir.rmdir()


def _moto_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("moto")
    except PackageNotFoundError:
        return None
