"""Launching real local S3 servers: readiness, setup, denial of 'alt', stopping, failures.

Tests marked `vendor` start the real third-party servers (`pytest -m vendor`); they skip
with the install command when a server is not installed (scripts/install-vendor.sh).
The other tests start a tiny real HTTP server written by the test itself.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError
from conftest import require_vendor
from pydantic import SecretStr

from s3tester.errors import EXIT_ENDPOINT, ConfigError, EndpointError
from s3tester.servers.catalog import launchable_vendors as launchable
from s3tester.servers.catalog import load_profile
from s3tester.servers.launch import LocalServer, VendorNotInstalled, launched
from s3tester.servers.profiles import VendorProfile
from s3tester.suite.models import Credential, EndpointConfig

LAUNCHABLE = launchable()
#: Vendors whose 'alt' credential is really denied on 'main''s buckets.
ALT_DENIED = ["seaweedfs", "ministack", "ceph-dbstore", "moto-iam"]

# A real (tiny) S3-ish server: answers ListBuckets, optionally ignores SIGTERM.
FAKE_S3 = """\
import http.server, signal, sys
port, mode = int(sys.argv[1]), sys.argv[2]
if mode == "ignore-term":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
BODY = (b'<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult>'
        b'<Owner><ID>x</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>')
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if mode != "forbidden" else 403)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)
    def log_message(self, *a):
        pass
print("fake-s3 listening", flush=True)
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
"""


def fake_profile(mode: str = "ok", **launch: Any) -> VendorProfile:
    spec: dict[str, Any] = {
        "command": ["python", "{workdir}/fake_s3.py", "{port}", mode],
        "files": {"fake_s3.py": FAKE_S3},
        "ready_timeout": 10,
        **launch,
    }
    return VendorProfile.model_validate(
        {
            "name": "fake",
            "credentials": {"main": {"access_key": "k", "secret_key": "fake-secret-value"}},
            "launch": spec,
        }
    )


def s3(endpoint: EndpointConfig, cred: str = "main") -> Any:
    c: Credential = endpoint.credentials[cred]
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint.url,
        verify=endpoint.ca_bundle,  # a `launch.tls` profile's own certificate
        region_name=endpoint.region,
        aws_access_key_id=c.access_key,
        aws_secret_access_key=c.secret_key.get_secret_value(),
        config=botocore.config.Config(
            s3={"addressing_style": endpoint.addressing_style},
            retries={"max_attempts": 1},
            connect_timeout=2,
            read_timeout=10,
        ),
    )


def pid_of(workdir: Path) -> int:
    return int((workdir / "server.pid").read_text())


def assert_gone(pid: int, port: int) -> None:
    """The process and its whole group are gone and nothing listens on the port."""
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def group_members(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after "comm)": state, ppid, pgrp
            members.append(int(stat.parent.name))
    return members


def listening_sockets(pgid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket the process group listens on, from /proc."""
    inodes: set[str] = set()
    for pid in group_members(pgid):
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found: set[tuple[str, int]] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] != "0A" or cols[9] not in inodes:  # 0A: LISTEN
                continue
            addr_hex, port_hex = cols[1].split(":")
            if len(addr_hex) == 8:
                addr = ".".join(str(b) for b in reversed(bytes.fromhex(addr_hex)))
            else:
                addr = "::1" if addr_hex == "0" * 24 + "01000000" else addr_hex
            found.add((addr, int(port_hex, 16)))
    return found


def port_of(endpoint: EndpointConfig) -> int:
    return int(endpoint.url.rsplit(":", 1)[1])


@pytest.fixture
def bucket() -> str:
    return f"s3t-launch-{uuid.uuid4().hex[:12]}"


# --------------------------------------------------------------------------- real vendors


@pytest.mark.vendor
@pytest.mark.parametrize("name", LAUNCHABLE)
def test_vendor_launches_answers_and_stops(name: str, tmp_path: Path, bucket: str) -> None:
    profile = require_vendor(name)
    started = time.monotonic()
    with launched(profile, tmp_path) as (_server, endpoint):
        startup = time.monotonic() - started
        pid = pid_of(tmp_path)
        os.kill(pid, 0)  # running
        assert endpoint.vendor == name
        assert endpoint.url.startswith(("http://127.0.0.1:", "https://127.0.0.1:"))
        assert endpoint.vendor_version, "version_command gave no version"
        assert {"main", "alt"} <= set(endpoint.credentials)
        assert set(endpoint.credentials) == set(profile.credential_names())  # no setup_only
        # Only loopback, and no port beyond the ones the launcher picked (no fixed
        # defaults such as SeaweedFS's 8181/9101/7333 on all addresses).
        sockets = listening_sockets(pid)
        assert ("127.0.0.1", port_of(endpoint)) in sockets
        assert {addr for addr, _ in sockets} <= {"127.0.0.1", "::1"}, sockets
        assert profile.launch is not None
        assert len({port for _, port in sockets}) <= 1 + len(profile.launch.ports), sockets
        main = s3(endpoint)
        assert main.list_buckets()["ResponseMetadata"]["HTTPStatusCode"] == 200
        main.create_bucket(Bucket=bucket)
        main.put_object(Bucket=bucket, Key="k.txt", Body=b"hello")
        assert main.get_object(Bucket=bucket, Key="k.txt")["Body"].read() == b"hello"
        main.delete_object(Bucket=bucket, Key="k.txt")
        main.delete_bucket(Bucket=bucket)
        s3(endpoint, "alt").list_buckets()
    print(f"{name} {endpoint.vendor_version}: ready in {startup:.2f}s")
    assert_gone(pid, port_of(endpoint))
    assert "main-secret-s3t" not in (tmp_path / "server.log").read_text()


@pytest.mark.vendor
@pytest.mark.parametrize("name", ALT_DENIED)
def test_alt_is_denied_on_mains_bucket(name: str, tmp_path: Path, bucket: str) -> None:
    profile = require_vendor(name)
    with launched(profile, tmp_path) as (_server, endpoint):
        main, alt = s3(endpoint), s3(endpoint, "alt")
        main.create_bucket(Bucket=bucket)
        main.put_object(Bucket=bucket, Key="secret.txt", Body=b"main only")
        for call in (
            lambda: alt.get_object(Bucket=bucket, Key="secret.txt"),
            lambda: alt.put_object(Bucket=bucket, Key="x", Body=b"x"),
            lambda: alt.list_objects_v2(Bucket=bucket),
        ):
            with pytest.raises(ClientError) as info:
                call()
            assert info.value.response["Error"]["Code"] == "AccessDenied"
        own = f"alt-{bucket}"[:63]
        alt.create_bucket(Bucket=own)  # alt-* buckets are alt's own
        alt.put_object(Bucket=own, Key="k", Body=b"alt")
        wrong = dict(endpoint.credentials)
        wrong["main"] = Credential(access_key=wrong["main"].access_key, secret_key=SecretStr("wrong"))
        with pytest.raises(ClientError) as info:
            s3(endpoint.model_copy(update={"credentials": wrong})).list_buckets()
        assert info.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


# --------------------------------------------------------------------------- the launcher


def test_fake_server_launches_and_stops(tmp_path: Path) -> None:
    with launched(fake_profile(), tmp_path) as (_server, endpoint):
        pid = pid_of(tmp_path)
        assert s3(endpoint).list_buckets()["Buckets"] == []
        assert endpoint.vendor == "fake" and endpoint.vendor_version is None
        assert (tmp_path / "fake_s3.py").stat().st_mode & 0o777 == 0o600
    assert_gone(pid, port_of(endpoint))
    assert (tmp_path / "server.log").exists()  # a given workdir is kept


def test_own_workdir_is_removed_after_a_clean_stop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with launched(fake_profile()) as (_server, endpoint):
        (workdir,) = tmp_path.iterdir()
        assert workdir.name.startswith("s3tester-fake-")
        assert (workdir / "server.log").is_file()
        s3(endpoint).list_buckets()
    assert list(tmp_path.iterdir()) == []


def test_own_workdir_is_kept_when_startup_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    profile = fake_profile(command=["python", "-c", "print('boom'); raise SystemExit(7)"])
    with pytest.raises(EndpointError) as info, launched(profile):
        pass
    (workdir,) = tmp_path.iterdir()
    assert f"work dir kept at {workdir}" in str(info.value)
    assert "boom" in (workdir / "server.log").read_text()


def test_sigterm_ignored_is_escalated_to_sigkill(tmp_path: Path) -> None:
    profile = fake_profile("ignore-term", stop_timeout=0.5)
    with launched(profile, tmp_path) as (server, endpoint):
        pid = pid_of(tmp_path)
        proc = server.proc
    assert_gone(pid, port_of(endpoint))
    assert proc is not None and proc.returncode == -signal.SIGKILL  # SIGTERM ignored, then killed


def test_startup_failure_raises_with_log_tail(tmp_path: Path) -> None:
    profile = fake_profile(
        command=["python", "-c", "print('boom: cannot open data dir'); raise SystemExit(7)"],
        files={},
    )
    with pytest.raises(EndpointError) as info, launched(profile, tmp_path):
        pass
    message = str(info.value)
    assert info.value.exit_code == EXIT_ENDPOINT
    assert "vendor 'fake': the server exited with code 7 during startup" in message
    assert message.rstrip().endswith("boom: cannot open data dir")


def test_not_ready_in_time_is_an_endpoint_error_and_the_process_is_stopped(
    tmp_path: Path,
) -> None:
    profile = fake_profile("forbidden", ready_timeout=1)
    with (
        pytest.raises(
            EndpointError,
            match=r"no signed ListBuckets succeeded .* within 1s "
            r"\(last: HTTP 403",
        ),
        launched(profile, tmp_path),
    ):
        pass
    pid = pid_of(tmp_path)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_secrets_are_masked_in_the_log_tail(tmp_path: Path) -> None:
    profile = fake_profile(
        command=["python", "-c", "import os; print('key is', os.environ['SECRET']); exit(1)"],
        env={"SECRET": "{cred.main.secret_key}"},
        files={},
    )
    with pytest.raises(EndpointError) as info, launched(profile, tmp_path):
        pass
    assert "key is ***" in str(info.value)
    assert "fake-secret-value" not in str(info.value)


def test_missing_program_is_not_installed_with_hint() -> None:
    profile = fake_profile(command=["s3tester-no-such-server"], files={}, install="make it")
    with (
        pytest.raises(
            VendorNotInstalled,
            match="program 's3tester-no-such-server' missing; install it with: make it",
        ) as info,
        launched(profile),
    ):
        pass
    assert info.value.exit_code == EXIT_ENDPOINT


def test_missing_required_file_is_not_installed(tmp_path: Path) -> None:
    profile = fake_profile(requires=["{tools}/nowhere/server.js"])
    with (
        pytest.raises(VendorNotInstalled, match=r"nowhere/server\.js"),
        launched(profile, tmp_path),
    ):
        pass


def test_profile_without_launch_cannot_be_launched() -> None:
    with (
        pytest.raises(ConfigError, match="cannot be started here"),
        launched(load_profile("minio")),
    ):
        pass


def test_restart_refuses_when_setup_generated_the_keys(tmp_path: Path) -> None:
    profile = fake_profile(setup=[{"iam_user": {"user": "u", "credential": "made"}}])
    with pytest.raises(EndpointError, match="credential sets made were generated at launch"):
        LocalServer(profile, tmp_path).restart()


PRINT_KEYS = "import json; print(json.dumps({'keys': [{'access_key': 'gen-ak', 'secret_key': 'gen-sk-1'}]}))"


def test_prepare_makes_credentials_from_json_output(tmp_path: Path) -> None:
    profile = fake_profile(
        prepare=[{"command": ["python", "-c", PRINT_KEYS], "credential": "made"}],
    )
    assert "made" in profile.credential_names()
    with launched(profile, tmp_path) as (_server, endpoint):
        made = endpoint.credentials["made"]
        assert (made.access_key, made.secret_key.get_secret_value()) == ("gen-ak", "gen-sk-1")
    log = (tmp_path / "server.log").read_text()
    assert "prepare[0]" in log and "gen-ak" in log
    assert "gen-sk-1" not in log  # generated secrets are masked in the log too


def test_prepare_failure_is_an_endpoint_error_before_the_server_starts(tmp_path: Path) -> None:
    profile = fake_profile(
        prepare=[{"command": ["python", "-c", "print('no such user'); exit(5)"]}],
    )
    expected = r"launch.prepare\[0\] failed: exit code 5"
    with pytest.raises(EndpointError, match=expected) as info, launched(profile, tmp_path):
        pass
    assert "no such user" in str(info.value)
    assert not (tmp_path / "server.pid").exists()


def test_prepare_timeout_and_unreadable_output(tmp_path: Path) -> None:
    slow = fake_profile(prepare=[{"command": ["python", "-c", "import time; time.sleep(30)"], "timeout": 0.5}])
    with pytest.raises(EndpointError, match=r"no answer within 0.5s"), launched(slow, tmp_path):
        pass  # the message says it gave up at 0.5 s; unbounded, it would wait the 30 s out
    garbled = fake_profile(prepare=[{"command": ["python", "-c", "print('not json')"], "credential": "made"}])
    with pytest.raises(EndpointError, match="cannot read a key pair"), launched(garbled, tmp_path):
        pass


def test_files_and_ports_are_filled_in(tmp_path: Path) -> None:
    profile = fake_profile(
        ports=["extra"],
        files={
            "fake_s3.py": FAKE_S3,
            "conf.json": ('{"port": {port}, "extra": {ports.extra}, "key": "{cred.main.access_key}"}'),
        },
    )
    with launched(profile, tmp_path) as (_server, endpoint):
        conf = (tmp_path / "conf.json").read_text()
    assert f'"port": {port_of(endpoint)}, "extra": ' in conf
    assert '"key": "k"' in conf
    assert "{ports.extra}" not in conf


CHILD = """\
import json, sys, time
from s3tester.servers.launch import launched
from s3tester.servers.profiles import VendorProfile
profile = VendorProfile.model_validate(json.loads(sys.argv[1]))
with launched(profile) as (server, endpoint):
    print("ready", flush=True)
    time.sleep(60)
"""


def gone(pid: int) -> bool:
    """No such process, or only a zombie waiting for a reaper that is not us."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_server_does_not_outlive_a_killed_s3tester(sig: signal.Signals, tmp_path: Path) -> None:
    """SIGTERM: s3tester stops the server itself (exit 143). SIGKILL: the kernel sends the
    server SIGTERM because its parent died (Linux, setpriv)."""
    if sig == signal.SIGKILL and (sys.platform != "linux" or not shutil.which("setpriv")):
        pytest.skip("parent-death signal needs Linux and setpriv (util-linux)")
    profile = fake_profile()
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, profile.model_dump_json(by_alias=True)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    pid = 0
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        (workdir,) = tmp_path.iterdir()
        pid = pid_of(workdir)
        assert not gone(pid)
        child.send_signal(sig)
        assert child.wait(timeout=10) == (143 if sig == signal.SIGTERM else -signal.SIGKILL)
        deadline = time.monotonic() + 5
        while not gone(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gone(pid)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if pid and not gone(pid):  # the test failed: do not leak the server
            os.killpg(pid, signal.SIGKILL)


def _children() -> set[str]:
    path = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    return set(path.read_text().split()) if path.exists() else set()


@pytest.fixture(autouse=True)
def _no_leftover_children() -> Iterator[None]:
    """Every test stops what it starts: no new child of this process is left running
    (session fixtures such as conftest's moto server may have started before)."""
    before = _children()
    yield
    assert _children() - before == set()
