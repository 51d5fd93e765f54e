"""Start and stop local S3 servers described by a vendor profile's `launch:` section.

`launched(profile)` picks free 127.0.0.1 ports, writes the profile's config files, starts
the command in its own process group (output in `server.log`, pid in `server.pid`), waits
until a signed ListBuckets succeeds, runs the post-start setup (IAM users, ...) and
yields the EndpointConfig. On exit it stops the process group: SIGTERM, then SIGKILL
after `stop_timeout`. When startup fails it raises EndpointError (exit 3) with the last
log lines and keeps the work dir for a look.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import jmespath
import urllib3
from pydantic import SecretStr

from s3tester.errors import ConfigError, EndpointError
from s3tester.models import Credential, EndpointConfig
from s3tester.vendors import (
    PLACEHOLDER_RE,
    LaunchSpec,
    VendorProfile,
    resolve_credentials,
    resolve_region,
    tools_dir,
)

HOST = "127.0.0.1"
LOG_NAME = "server.log"
PID_NAME = "server.pid"
LOG_TAIL_LINES = 25
POLL_INTERVAL = 0.05
#: Log phrases that mean "a port we picked was taken meanwhile": worth one more try.
PORT_TAKEN_RE = re.compile(r"address already in use|already in use|EADDRINUSE", re.IGNORECASE)


class VendorNotInstalled(EndpointError):
    """The server's program is missing: run the profile's install command first."""


class _PortTaken(EndpointError):
    """The server exited because a port we picked was taken meanwhile: worth a retry."""


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


class LocalServer:
    """One launched server process; `start()` then `stop()` (or use `launched`)."""

    def __init__(self, profile: VendorProfile, workdir: Path) -> None:
        if profile.launch is None:
            raise ConfigError(
                f"vendor '{profile.name}' has no 'launch' section: it cannot be started "
                "here; give its endpoint with --endpoint"
            )
        self.profile = profile
        self.spec: LaunchSpec = profile.launch
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.log_path = workdir / LOG_NAME
        self.credentials: dict[str, Credential] = resolve_credentials(profile)
        self.port = 0
        self.ports: dict[str, int] = {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_seconds: float | None = None
        self._version_proc: subprocess.Popen[bytes] | None = None
        self._prepared = False
        self._setup_only = {n for n, c in profile.credentials.items() if c.setup_only}

    # ------------------------------------------------------------------ public

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> EndpointConfig:
        """Start, wait until ready, run setup; EndpointError on failure (process stopped)."""
        self.check_installed()
        started = time.monotonic()
        for attempt in (1, 2):
            try:
                self._spawn()
                self._wait_ready()
                break
            except EndpointError as exc:
                self.stop()
                if attempt == 1 and isinstance(exc, _PortTaken):
                    continue  # another process took a port between picking and binding
                raise
        try:
            extra = self._run_setup()
        except EndpointError:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        return EndpointConfig(
            url=self.url,
            region=resolve_region(self.profile),
            addressing_style=self.profile.addressing_style,
            credentials={
                name: cred for name, cred in {**self.credentials, **extra}.items() if name not in self._setup_only
            },
            verify_ssl=self.profile.verify_ssl,
            vendor=self.profile.name,
            vendor_version=self._collect_version(),
        )

    def stop(self) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after the grace period."""
        self._stop_version_proc()
        proc, self.proc = self.proc, None
        if proc is None:
            return
        pgid = proc.pid  # start_new_session=True: the child leads its own group
        if proc.poll() is None:
            _signal_group(pgid, signal.SIGTERM)
            try:
                proc.wait(timeout=self.spec.stop_timeout)
            except subprocess.TimeoutExpired:
                _signal_group(pgid, signal.SIGKILL)
                proc.wait(timeout=10)
        # Children that outlived their leader (workers) still carry the group id.
        _signal_group(pgid, signal.SIGKILL)

    def check_installed(self) -> None:
        missing: list[str] = []
        exe = self.spec.command[0]
        resolved = find_executable(self._expand(exe, secrets=False), self.spec, self.profile.name)
        if resolved is None:
            missing.append(f"program '{exe}'")
        for path in self.spec.requires:
            if not Path(self._expand(path, secrets=False)).exists():
                missing.append(f"file {self._expand(path, secrets=False)}")
        if missing:
            hint = self.spec.install or "see docs/vendors.md"
            raise VendorNotInstalled(
                f"vendor '{self.profile.name}' is not installed: {', '.join(missing)} missing; install it with: {hint}"
            )

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        tail = "\n".join(text.splitlines()[-lines:])
        return self._mask(tail) or "(log is empty)"

    # ------------------------------------------------------------------ steps

    def restart(self) -> None:
        """Bring a crashed server back on the same ports (the URL clients hold stays valid).

        Not for a server whose credential sets were generated by setup steps (IAM users):
        a new server would generate other keys than the ones the run's clients hold.
        """
        generated = [s.iam_user.credential for s in self.spec.setup if s.iam_user]
        if generated:
            raise EndpointError(
                f"vendor '{self.profile.name}' cannot be restarted in place: its credential "
                f"sets {', '.join(generated)} were generated at launch"
            )
        self.stop()
        self._spawn(reuse_ports=True)
        self._wait_ready()
        self._run_setup()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _spawn(self, reuse_ports: bool = False) -> None:
        names = self.spec.ports
        if not (reuse_ports and self.port):
            picked = free_ports(1 + len(names))
            self.port, self.ports = picked[0], dict(zip(names, picked[1:], strict=True))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for name, content in self.spec.files.items():
            path = self.workdir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self._expand(content, secrets=True))
            path.chmod(0o600)
        if not self._prepared:  # once: its effects live in the data dir across restarts
            self._run_prepare()
            self._prepared = True
        argv = [self._expand(arg, secrets=False) for arg in self.spec.command]
        exe = find_executable(argv[0], self.spec, self.profile.name)
        assert exe is not None  # check_installed ran
        argv[0] = exe
        argv = _with_parent_death_signal(argv)
        env = dict(os.environ)
        env.update({k: self._expand(v, secrets=True) for k, v in self.spec.env.items()})
        with self.log_path.open("ab") as log:
            log.write(f"s3tester: starting {' '.join(argv)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                argv,
                cwd=self.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        (self.workdir / PID_NAME).write_text(f"{self.proc.pid}\n")
        if self.spec.version_command and self._version_proc is None:
            vargv = [self._expand(a, secrets=False) for a in self.spec.version_command]
            vexe = find_executable(vargv[0], self.spec, self.profile.name)
            if vexe is not None:
                vargv[0] = vexe
                with contextlib.suppress(OSError):
                    self._version_proc = subprocess.Popen(
                        vargv,
                        cwd=self.workdir,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                    )

    def _wait_ready(self) -> None:
        assert self.proc is not None
        cred = self.credentials.get(self.spec.probe_credential)
        if cred is None:
            raise ConfigError(
                f"vendor '{self.profile.name}': probe credential '{self.spec.probe_credential}' is not set"
            )
        client = self._client("s3", cred, read_timeout=5)
        deadline = time.monotonic() + self.spec.ready_timeout
        last = "no answer yet"
        while True:
            code = self.proc.poll()
            if code is not None:
                cls = _PortTaken if PORT_TAKEN_RE.search(self.log_tail(50)) else EndpointError
                raise cls(
                    f"vendor '{self.profile.name}': the server exited with code {code} "
                    f"during startup; work dir kept at {self.workdir}; last log lines:\n"
                    f"{self.log_tail()}"
                )
            try:
                client.list_buckets()
                return
            except botocore.exceptions.ClientError as exc:
                error = exc.response.get("Error", {})
                status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                last = f"HTTP {status} {error.get('Code', '')}: {error.get('Message', '')}"
            except (botocore.exceptions.BotoCoreError, urllib3.exceptions.HTTPError) as exc:
                last = type(exc).__name__
            if time.monotonic() >= deadline:
                raise EndpointError(
                    f"vendor '{self.profile.name}': no signed ListBuckets succeeded at "
                    f"{self.url} within {self.spec.ready_timeout:g}s (last: {self._mask(last)}); "
                    f"work dir kept at {self.workdir}; last log lines:\n{self.log_tail()}"
                )
            time.sleep(POLL_INTERVAL)

    def _run_prepare(self) -> None:
        """Run `launch.prepare` commands; a step with `credential` adds that set from the
        JSON it prints. Output goes to the log (secrets masked)."""
        for index, step in enumerate(self.spec.prepare):
            argv = [self._expand(arg, secrets=False) for arg in step.command]
            exe = find_executable(argv[0], self.spec, self.profile.name)
            if exe is None:
                raise VendorNotInstalled(
                    f"vendor '{self.profile.name}': launch.prepare[{index}] program "
                    f"'{argv[0]}' missing; install it with: {self.spec.install}"
                )
            argv[0] = exe
            env = dict(os.environ)
            env.update({k: self._expand(v, secrets=True) for k, v in self.spec.env.items()})
            try:
                done = subprocess.run(
                    argv,
                    cwd=self.workdir,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=step.timeout,
                    check=False,
                )
                failure = None if done.returncode == 0 else f"exit code {done.returncode}"
            except subprocess.TimeoutExpired as exc:
                done = subprocess.CompletedProcess(argv, -1, exc.stdout or b"", exc.stderr or b"")
                failure = f"no answer within {step.timeout:g}s"
            out = done.stdout.decode(errors="replace")
            created: Credential | None = None
            if failure is None and step.credential is not None:
                try:
                    doc = json.loads(out)
                    access = jmespath.search(step.access_key, doc)
                    secret = jmespath.search(step.secret_key, doc)
                    if not (isinstance(access, str) and isinstance(secret, str)):
                        raise ValueError("no key pair at the given expressions")
                    created = Credential(access_key=access, secret_key=SecretStr(secret))
                except ValueError as exc:  # json.JSONDecodeError is a ValueError
                    failure = f"cannot read a key pair from its output ({exc})"
            if created is not None and step.credential is not None:
                self.credentials[step.credential] = created
            with self.log_path.open("a") as log:
                log.write(self._mask(f"s3tester: prepare[{index}] {' '.join(argv)}\n"))
                log.write(self._mask(out + done.stderr.decode(errors="replace")))
            if failure is not None:
                raise EndpointError(
                    f"vendor '{self.profile.name}': launch.prepare[{index}] failed: {failure}; "
                    f"work dir kept at {self.workdir}; last log lines:\n{self.log_tail()}"
                )

    def _run_setup(self) -> dict[str, Credential]:
        created: dict[str, Credential] = {}
        for index, step in enumerate(self.spec.setup):
            try:
                if step.iam_user is not None:
                    user = step.iam_user
                    caller_name = user.as_ or self.spec.probe_credential
                    caller = {**self.credentials, **created}[caller_name]
                    iam = self._client("iam", caller, read_timeout=10)
                    iam.create_user(UserName=user.user)
                    key = iam.create_access_key(UserName=user.user)["AccessKey"]
                    if user.policy is not None:
                        iam.put_user_policy(
                            UserName=user.user,
                            PolicyName="s3tester",
                            PolicyDocument=json.dumps(user.policy),
                        )
                    created[user.credential] = Credential(
                        access_key=key["AccessKeyId"],
                        secret_key=SecretStr(key["SecretAccessKey"]),
                    )
                elif step.http is not None:
                    http = step.http
                    pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2, read=10))
                    resp = pool.request(
                        http.method,
                        self.url + http.path,
                        body=http.body.encode(),
                        headers=http.headers,
                        retries=False,
                    )
                    if resp.status >= 300:
                        raise EndpointError(f"HTTP {resp.status} from {http.method} {http.path}")
            except (
                botocore.exceptions.BotoCoreError,
                botocore.exceptions.ClientError,
                urllib3.exceptions.HTTPError,
                EndpointError,
            ) as exc:
                raise EndpointError(
                    f"vendor '{self.profile.name}': launch.setup[{index}] failed: "
                    f"{self._mask(str(exc))}; work dir kept at {self.workdir}; last log "
                    f"lines:\n{self.log_tail()}"
                ) from None
        return created

    def _collect_version(self) -> str | None:
        proc, self._version_proc = self._version_proc, None
        if proc is None:
            return None
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return None
        match = re.search(self.spec.version_regex, out.decode(errors="replace"))
        if match is None:
            return None
        return match.group(1) if match.groups() else match.group(0)

    def _stop_version_proc(self) -> None:
        proc, self._version_proc = self._version_proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()

    # ------------------------------------------------------------------ helpers

    def _client(self, service: str, cred: Credential, read_timeout: float) -> Any:
        config = botocore.config.Config(
            connect_timeout=1,
            read_timeout=read_timeout,
            retries={"max_attempts": 1, "mode": "standard"},
            s3={"addressing_style": "path"},
        )
        return boto3.session.Session().client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.url,
            region_name=resolve_region(self.profile),
            aws_access_key_id=cred.access_key,
            aws_secret_access_key=cred.secret_key.get_secret_value(),
            aws_session_token=(cred.session_token.get_secret_value() if cred.session_token else None),
            config=config,
        )

    def _expand(self, text: str, secrets: bool) -> str:
        def one(match: re.Match[str]) -> str:
            token = match.group(1)
            if token == "port":
                return str(self.port)
            if token == "host":
                return HOST
            if token == "data_dir":
                return str(self.data_dir)
            if token == "workdir":
                return str(self.workdir)
            if token == "tools":
                return str(tools_dir())
            if token.startswith("ports."):
                return str(self.ports.get(token[6:], 0))
            name, _, part = token[5:].rpartition(".")
            cred = self.credentials[name]
            if part == "access_key":
                return cred.access_key
            if not secrets:  # pragma: no cover - profile validation forbids it
                raise ConfigError("secrets may not appear on a command line")
            return cred.secret_key.get_secret_value()

        return PLACEHOLDER_RE.sub(one, text)

    def _mask(self, text: str) -> str:
        for cred in self.credentials.values():
            secret = cred.secret_key.get_secret_value()
            if len(secret) >= 4:
                text = text.replace(secret, "**********")
        return text


# Servers this process launched, by URL: the engine revives one that crashed mid-run.
_RUNNING: dict[str, LocalServer] = {}


_REVIVE_LOCK = threading.Lock()


def is_launched(url: str) -> bool:
    """Whether `url` is a server this process started (its data goes when it stops)."""
    return url in _RUNNING


def revive(url: str, hung_pid: int | None = None) -> bool:
    """Restart the launched server at `url` if it died; False if we did not launch it.

    `hung_pid`: the server is alive but stopped answering (s3rver wedges on some
    requests): restart it too, unless it was already restarted (its pid changed).
    Several workers may notice the same crash: the lock makes one of them restart it.
    """
    server = _RUNNING.get(url)
    if server is None:
        return False
    with _REVIVE_LOCK:
        if not server.alive() or (hung_pid is not None and server.pid == hung_pid):
            server.restart()
    return True


def server_pid(url: str) -> int | None:
    """The pid of the server this process launched at `url` (for `revive(hung_pid=)`)."""
    server = _RUNNING.get(url)
    return server.pid if server is not None else None


def _with_parent_death_signal(argv: list[str]) -> list[str]:
    """On Linux, have the kernel send SIGTERM to the server if the thread that started
    it dies (e.g. s3tester is SIGKILLed), so no server outlives its run.

    `setpriv` (util-linux) sets the flag and execs the command, so the pid stays the
    server's. Only from the main thread: the signal follows the starting *thread*, and a
    worker thread may end before the run does.
    """
    if (
        sys.platform != "linux"
        or threading.current_thread() is not threading.main_thread()
        or os.environ.get("S3TESTER_NO_PDEATHSIG")
    ):
        return argv
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return argv
    return [setpriv, "--pdeathsig", "TERM", "--", *argv]


class _SigtermRaises:
    """While a launched server runs, SIGTERM to s3tester raises SystemExit (exit 143) in
    the main thread, so `finally:` blocks stop the server, instead of s3tester dying at
    once and leaving the server running in its own process group. Only when SIGTERM has
    its default action: an application's own handler is left alone."""

    def __init__(self) -> None:
        self.active = False

    def __enter__(self) -> _SigtermRaises:
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


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


@contextlib.contextmanager
def launched(profile: VendorProfile, workdir: Path | None = None) -> Iterator[EndpointConfig]:
    """Start the server on free 127.0.0.1 ports, wait until a signed ListBuckets succeeds
    (bounded by `launch.ready_timeout`), yield the endpoint, and stop it on exit.

    With no `workdir`, a temporary one is made and removed after a clean stop; it is kept
    when startup failed. A given `workdir` is created if needed and always kept.
    Raises VendorNotInstalled / EndpointError (exit 3) when the server cannot start.
    """
    if profile.launch is None:
        raise ConfigError(
            f"vendor '{profile.name}' has no 'launch' section: it cannot be started "
            "here; give its endpoint with --endpoint"
        )
    own = workdir is None
    wd = Path(tempfile.mkdtemp(prefix=f"s3tester-{profile.name}-")) if workdir is None else workdir
    wd.mkdir(parents=True, exist_ok=True)
    server = LocalServer(profile, wd)
    started = False
    sigterm = _SigtermRaises()
    try:
        sigterm.__enter__()
        endpoint = server.start()
        started = True
        _RUNNING[endpoint.url] = server
        yield endpoint
    finally:
        _RUNNING.pop(server.url, None)
        sigterm.stopping()
        server.stop()
        if own and started:
            shutil.rmtree(wd, ignore_errors=True)
        elif own and not started and not any(wd.iterdir()):
            wd.rmdir()  # nothing to look at (e.g. not installed)
        sigterm.__exit__()
