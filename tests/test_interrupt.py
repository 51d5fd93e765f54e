"""Ctrl-C / SIGTERM mid-run, a second Ctrl-C, a killed run, and `s3tester clean`.

Each test runs the real CLI as a subprocess against the session's moto server, with a
suite whose cases hold a bucket (with an object) while they sleep, and signals it once
its buckets exist.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from s3tester.cli import cli
from s3tester.run.interrupt import HardStop, Interrupt
from s3tester.suite.models import EndpointConfig

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def slow_suite(tmp_path: Path) -> Path:
    root = tmp_path / "slow"
    root.mkdir()
    (root / "suite.yaml").write_text('name: slow\nversion: "1"\n', encoding="utf-8")
    groups = "".join(
        f"""  - name: case-{i}
    before:
      - op: CreateBucket
        params: {{Bucket: "${{bucket}}"}}
      - op: PutObject
        params: {{Bucket: "${{bucket}}", Key: k, Body: hello}}
    test:
      - sleep: 4
      - op: HeadObject
        params: {{Bucket: "${{bucket}}", Key: k}}
"""
        for i in range(12)
    )
    (root / "slow.yaml").write_text("groups:\n" + groups, encoding="utf-8")
    return root


def _client(endpoint: EndpointConfig) -> Any:
    import boto3

    cred = endpoint.credentials["main"]
    return boto3.client(
        "s3", endpoint_url=endpoint.url, region_name="us-east-1",
        aws_access_key_id=cred.access_key, aws_secret_access_key=cred.secret_key.get_secret_value(),
    )


def _env(endpoint: EndpointConfig) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S3TESTER_", "S3_", "AWS_"))}
    main, alt = endpoint.credentials["main"], endpoint.credentials["alt"]
    env.update({
        "S3_ACCESS_KEY": main.access_key, "S3_SECRET_KEY": main.secret_key.get_secret_value(),
        "S3_ALT_ACCESS_KEY": alt.access_key, "S3_ALT_SECRET_KEY": alt.secret_key.get_secret_value(),
    })
    return env


def _names(s3: Any) -> set[str]:
    return {b["Name"] for b in s3.list_buckets().get("Buckets", [])}


def _start(endpoint: EndpointConfig, suite: Path, results: Path) -> tuple[subprocess.Popen[str], set[str]]:
    """Start a run; return once it holds buckets (so a signal lands mid-run)."""
    s3 = _client(endpoint)
    before = _names(s3)
    proc = subprocess.Popen(
        [sys.executable, "-m", "s3tester", "run", str(suite), "--endpoint", endpoint.url, "-j", "3",
         "--results", str(results)],
        cwd=ROOT, env=_env(endpoint), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = {n for n in _names(s3) - before if n.startswith("s3t-")}
        if len(new) >= 3:
            time.sleep(0.3)  # let the PutObjects land too
            return proc, before
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("the run never created its buckets")


@pytest.fixture
def foreign(moto_endpoint: EndpointConfig) -> Any:
    """A bucket that is not the run's, with data, that must survive everything below."""
    s3 = _client(moto_endpoint)
    s3.create_bucket(Bucket="s3t-foreign-keep")
    s3.put_object(Bucket="s3t-foreign-keep", Key="data", Body=b"precious")
    yield s3
    assert s3.get_object(Bucket="s3t-foreign-keep", Key="data")["Body"].read() == b"precious"
    s3.delete_object(Bucket="s3t-foreign-keep", Key="data")
    s3.delete_bucket(Bucket="s3t-foreign-keep")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_cleans_up_and_writes_partial_results(
    sig: signal.Signals, code: int, slow_suite: Path, tmp_path: Path, moto_endpoint: EndpointConfig, foreign: Any,
) -> None:
    results = tmp_path / "results.json"
    proc, before = _start(moto_endpoint, slow_suite, results)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)  # a guard against a hang, not a measurement
    assert proc.returncode == code, err
    assert "Traceback" not in err and f"{sig.name}: stopping" in err
    result = json.loads(results.read_text())
    assert result["complete"] is False
    assert "INCOMPLETE" in out
    assert result["summary"]["passed"] < 12
    # in-flight steps finish, nothing new starts: the cases not begun are skipped as interrupted
    assert any(c["status"] == "skipped" and c["reason"] == "interrupted" for c in result["cases"])
    left = {n for n in _names(foreign) - before if n.startswith(f"s3t-{result['run_id']}-")}
    assert left == set(), f"buckets left behind: {sorted(left)}"


def test_second_interrupt_stops_at_once_and_clean_removes_the_rest(
    slow_suite: Path, tmp_path: Path, moto_endpoint: EndpointConfig, foreign: Any,
) -> None:
    proc, before = _start(moto_endpoint, slow_suite, tmp_path / "results.json")
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)  # a guard against a hang, not a measurement
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "s3tester clean --run-id " in err
    run_id = err.split("--run-id ", 1)[1].split()[0]
    ours = {n for n in _names(foreign) - before if n.startswith(f"s3t-{run_id}-")}
    clean = subprocess.run(
        [sys.executable, "-m", "s3tester", "clean", "--run-id", run_id, "--endpoint", moto_endpoint.url],
        cwd=ROOT, env=_env(moto_endpoint), capture_output=True, text=True, timeout=60, check=False,
    )
    assert clean.returncode == 0, clean.stderr
    assert f"{len(ours)} bucket(s) removed" in clean.stdout
    assert not {n for n in _names(foreign) if n.startswith(f"s3t-{run_id}-")}


def test_clean_after_a_killed_run_removes_only_that_run(
    slow_suite: Path, tmp_path: Path, moto_endpoint: EndpointConfig, foreign: Any,
) -> None:
    proc, before = _start(moto_endpoint, slow_suite, tmp_path / "results.json")
    proc.kill()
    proc.communicate(timeout=30)
    left = sorted(n for n in _names(foreign) - before if n.startswith("s3t-"))
    assert left, "a killed run leaves its buckets"
    run_id = left[0].split("-")[1]
    foreign.create_bucket(Bucket=f"s3t-{run_id}x-0000")  # same start, another run: kept
    runner = CliRunner()
    dry = runner.invoke(cli, ["clean", "--run-id", run_id, "--endpoint", moto_endpoint.url, "--dry-run"],
                        env=_env(moto_endpoint))
    assert dry.exit_code == 0, dry.output
    assert sorted(line.split()[-1] for line in dry.stdout.splitlines() if line.startswith("would remove")) == left
    assert set(left) <= _names(foreign)
    done = runner.invoke(cli, ["clean", "--run-id", run_id, "--endpoint", moto_endpoint.url], env=_env(moto_endpoint))
    assert done.exit_code == 0, done.output
    assert not set(left) & _names(foreign)
    assert f"s3t-{run_id}x-0000" in _names(foreign)
    foreign.delete_bucket(Bucket=f"s3t-{run_id}x-0000")


def test_clean_object_lock_governance_removed_compliance_reported(
    moto_endpoint: EndpointConfig, foreign: Any,
) -> None:
    s3 = foreign
    s3.create_bucket(Bucket="s3t-locktest-0000", ObjectLockEnabledForBucket=True)
    s3.put_object(Bucket="s3t-locktest-0000", Key="g", Body=b"g", ObjectLockMode="GOVERNANCE",
                  ObjectLockRetainUntilDate="2099-01-01T00:00:00Z")
    s3.create_bucket(Bucket="s3t-locktest-0001", ObjectLockEnabledForBucket=True)
    s3.put_object(Bucket="s3t-locktest-0001", Key="h", Body=b"h", ObjectLockLegalHoldStatus="ON")
    s3.create_bucket(Bucket="s3t-locktest-0002", ObjectLockEnabledForBucket=True)
    s3.put_object(Bucket="s3t-locktest-0002", Key="c", Body=b"c", ObjectLockMode="COMPLIANCE",
                  ObjectLockRetainUntilDate="2099-01-01T00:00:00Z")
    result = CliRunner().invoke(cli, ["clean", "--prefix", "s3t-locktest-", "--endpoint", moto_endpoint.url],
                                env=_env(moto_endpoint))
    assert result.exit_code == 1, result.output
    assert "s3t-locktest-0002: BucketNotEmpty" in result.stderr
    assert "COMPLIANCE" in result.stderr
    names = _names(s3)
    assert "s3t-locktest-0000" not in names and "s3t-locktest-0001" not in names
    assert "s3t-locktest-0002" in names  # moto has no way to lift COMPLIANCE: it stays


@pytest.mark.parametrize(
    "argv",
    [
        ["clean", "--endpoint", "http://127.0.0.1:9"],
        ["clean", "--run-id", "abc", "--prefix", "s3t-", "--endpoint", "http://127.0.0.1:9"],
        ["clean", "--prefix", "precious", "--endpoint", "http://127.0.0.1:9"],
        ["clean", "--prefix", "s3t", "--endpoint", "http://127.0.0.1:9"],
        ["clean", "--run-id", "S3T-*", "--endpoint", "http://127.0.0.1:9"],
        ["clean", "--run-id", "abc"],
    ],
)
def test_clean_refuses_what_could_touch_foreign_buckets(argv: list[str]) -> None:
    result = CliRunner().invoke(cli, argv, env={"S3_ACCESS_KEY": "a", "S3_SECRET_KEY": "b"})
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_clean_against_a_dead_endpoint_is_exit_3() -> None:
    result = CliRunner().invoke(cli, ["clean", "--run-id", "abc", "--endpoint", "http://127.0.0.1:9",
                                      "--timeout", "1"], env={"S3_ACCESS_KEY": "a", "S3_SECRET_KEY": "b"})
    assert result.exit_code == 3, result.output


def test_interrupt_handler_two_stages() -> None:
    before = signal.getsignal(signal.SIGINT)  # default_int_handler, or SIG_IGN under `cmd &` in a script
    with Interrupt() as interrupt:
        assert signal.getsignal(signal.SIGINT) == interrupt._handle
        os.kill(os.getpid(), signal.SIGTERM)
        deadline = time.monotonic() + 2
        while not interrupt.stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert interrupt.stop.is_set() and interrupt.exit_code == 143
        with pytest.raises(HardStop) as info:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        assert info.value.code == 130
    assert signal.getsignal(signal.SIGINT) is before, "the previous handler is back"


def test_sighup_is_handled_like_sigterm() -> None:
    with Interrupt() as interrupt:
        os.kill(os.getpid(), signal.SIGHUP)
        deadline = time.monotonic() + 5
        while interrupt.exit_code is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert interrupt.exit_code == 129 and interrupt.stop.is_set()


def test_while_a_server_launches_the_first_signal_stops_at_once() -> None:
    with Interrupt() as interrupt:
        interrupt.immediate = True
        with pytest.raises(HardStop):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        assert interrupt.exit_code == 130


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(sys.platform != "linux", reason="/proc and the parent-death signal")
def test_kill_9_of_a_run_leaves_no_server(tmp_path: Path) -> None:
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "suite.yaml").write_text('name: slow\nversion: "1.0"\n', encoding="utf-8")
    (slow / "slow.yaml").write_text("groups:\n  - name: slow\n    test:\n      - sleep: 60\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S3TESTER_", "S3_", "AWS_"))}
    proc = subprocess.Popen([sys.executable, "-m", "s3tester", "run", str(slow)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    servers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not servers and time.monotonic() < deadline:
            time.sleep(0.2)
            servers = _children(proc.pid)
        assert servers, "no server was launched"
        time.sleep(1.0)
        proc.kill()
        proc.wait(10)
        deadline = time.monotonic() + 15
        while _alive(servers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(servers), f"server(s) {servers} outlived a SIGKILLed s3tester"
    finally:
        for pid in servers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


def _alive(pids: list[int]) -> list[int]:
    out = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.append(pid)
    return out
