"""Start and stop a local S3 server described by a vendor profile's `launch:` section.

`launched(profile)` picks free 127.0.0.1 ports, writes the profile's config files, starts
the command in its own process group (output in `server.log`, pid in `server.pid`), waits
until a signed ListBuckets succeeds, runs the post-start setup (IAM users, ...) and
yields the EndpointConfig. On exit it stops the process group: SIGTERM, then SIGKILL
after `stop_timeout`. When startup fails it raises EndpointError (exit 3) with the last
log lines and keeps the work dir for a look.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import urllib3

from s3tester.errors import ConfigError, EndpointError
from s3tester.masking import Masker
from s3tester.servers.catalog import tools_dir
from s3tester.servers.process import (
    HOST,
    SigtermRaises,
    find_executable,
    free_ports,
    launch_command,
    signal_group,
    spawn,
)
from s3tester.servers.profile_env import resolve_credentials, resolve_region
from s3tester.servers.profiles import PLACEHOLDER_RE, LaunchSpec, VendorProfile
from s3tester.servers.provision import VendorNotInstalled, run_prepare, run_setup
from s3tester.servers.tls import CERT_NAME, make_cert
from s3tester.suite.models import Credential, EndpointConfig

LOG_NAME = "server.log"
PID_NAME = "server.pid"
LOG_TAIL_LINES = 25
POLL_INTERVAL = 0.05
#: Log phrases that mean "a port we picked was taken meanwhile": worth one more try.
PORT_TAKEN_RE = re.compile(r"address already in use|already in use|EADDRINUSE", re.IGNORECASE)


class _PortTaken(EndpointError):
    """The server exited because a port we picked was taken meanwhile: worth a retry."""


class LocalServer:
    """One launched server process; `start()` then `stop()` (or use `launched`).
    `restart()` brings it back on the same ports."""

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
        self._version_proc: subprocess.Popen[bytes] | None = None
        self._prepared = False
        self._setup_only = {n for n, c in profile.credentials.items() if c.setup_only}

    # ------------------------------------------------------------------ public

    @property
    def url(self) -> str:
        return f"{'https' if self.spec.tls else 'http'}://{HOST}:{self.port}"

    @property
    def ca_bundle(self) -> str | None:
        """The certificate a `tls: true` server serves (None: plain HTTP)."""
        return str(self.workdir / CERT_NAME) if self.spec.tls else None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> EndpointConfig:
        """Start, wait until ready, run setup; EndpointError on failure (process stopped)."""
        self.check_installed()
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
            extra = run_setup(self)
        except EndpointError:
            self.stop()
            raise
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
            ca_bundle=self.ca_bundle,
            principals=self.profile.principals([*self.credentials, *extra]),
        )

    def stop(self) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after the grace period."""
        self._stop_version_proc()
        proc, self.proc = self.proc, None
        if proc is None:
            return
        pgid = proc.pid  # start_new_session=True: the child leads its own group
        if proc.poll() is None:
            signal_group(pgid, signal.SIGTERM)
            try:
                proc.wait(timeout=self.spec.stop_timeout)
            except subprocess.TimeoutExpired:
                signal_group(pgid, signal.SIGKILL)
                proc.wait(timeout=10)
        # Children that outlived their leader (workers) still carry the group id.
        signal_group(pgid, signal.SIGKILL)

    def check_installed(self) -> None:
        missing: list[str] = []
        exe = self.spec.command[0]
        resolved = find_executable(self.expand(exe, secrets=False), self.spec, self.profile.name)
        if resolved is None:
            missing.append(f"program '{exe}'")
        for path in self.spec.requires:
            if not Path(self.expand(path, secrets=False)).exists():
                missing.append(f"file {self.expand(path, secrets=False)}")
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
        return self.mask(tail) or "(log is empty)"

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
        run_setup(self)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _spawn(self, reuse_ports: bool = False) -> None:
        names = self.spec.ports
        if not (reuse_ports and self.port):
            picked = free_ports(1 + len(names))
            self.port, self.ports = picked[0], dict(zip(names, picked[1:], strict=True))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.spec.tls:
            make_cert(self.workdir)
        for name, content in self.spec.files.items():
            path = self.workdir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.expand(content, secrets=True))
            path.chmod(0o600)
        if not self._prepared:  # once: its effects live in the data dir across restarts
            run_prepare(self)
            self._prepared = True
        found = launch_command(self.spec.command, self.spec, self.profile.name, self.workdir, self.expand)
        assert found is not None  # check_installed ran
        argv, keywords = found
        with self.log_path.open("ab") as log:
            log.write(f"s3tester: starting {' '.join(argv)}\n".encode())
            log.flush()
            self.proc = spawn(argv, **keywords, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        (self.workdir / PID_NAME).write_text(f"{self.proc.pid}\n")
        if self.spec.version_command and self._version_proc is None:
            version = launch_command(self.spec.version_command, self.spec, self.profile.name, self.workdir, self.expand)
            if version is not None:
                vargv, _ = version  # the version command keeps s3tester's own environment
                with contextlib.suppress(OSError):
                    self._version_proc = subprocess.Popen(
                        vargv, cwd=self.workdir, stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                    )

    def _wait_ready(self) -> None:
        assert self.proc is not None
        cred = self.credentials.get(self.spec.probe_credential)
        if cred is None:
            raise ConfigError(
                f"vendor '{self.profile.name}': probe credential '{self.spec.probe_credential}' is not set"
            )
        client = self.client("s3", cred, read_timeout=5)
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
                    f"{self.url} within {self.spec.ready_timeout:g}s (last: {self.mask(last)}); "
                    f"work dir kept at {self.workdir}; last log lines:\n{self.log_tail()}"
                )
            time.sleep(POLL_INTERVAL)

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

    def client(self, service: str, cred: Credential, read_timeout: float) -> Any:
        config = botocore.config.Config(
            connect_timeout=1,
            read_timeout=read_timeout,
            retries={"max_attempts": 1, "mode": "standard"},
            s3={"addressing_style": "path"},
        )
        return boto3.session.Session().client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.url,
            verify=self.ca_bundle,
            region_name=resolve_region(self.profile),
            aws_access_key_id=cred.access_key,
            aws_secret_access_key=cred.secret_key.get_secret_value(),
            aws_session_token=(cred.session_token.get_secret_value() if cred.session_token else None),
            config=config,
        )

    def expand(self, text: str, secrets: bool) -> str:
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

    def mask(self, text: str) -> str:
        """`text` with this server's secrets masked (its credential sets grow at prepare)."""
        return Masker.for_credentials(self.credentials.values()).mask(text)


@contextlib.contextmanager
def launched(profile: VendorProfile, workdir: Path | None = None) -> Iterator[tuple[LocalServer, EndpointConfig]]:
    """Start the server on free 127.0.0.1 ports, wait until a signed ListBuckets succeeds
    (bounded by `launch.ready_timeout`), yield the server and its endpoint config, and
    stop it on exit.

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
    sigterm = SigtermRaises()
    try:
        sigterm.__enter__()
        endpoint = server.start()
        started = True
        yield server, endpoint
    finally:
        sigterm.stopping()
        server.stop()
        if own and started:
            shutil.rmtree(wd, ignore_errors=True)
        elif own and not started and not any(wd.iterdir()):
            wd.rmdir()  # nothing to look at (e.g. not installed)
        sigterm.__exit__()
