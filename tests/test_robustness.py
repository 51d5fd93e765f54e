"""Dead, hung and slow endpoints; foreign data; concurrent runs; atomic files.

Real processes throughout: the `s3tester` CLI as a subprocess, loopback sockets that
refuse, hang or trickle, and a moto server for the data-safety and concurrency checks.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from s3tester.deadline import NoAnswer, with_deadline
from s3tester.output import write_atomic
from s3tester.servers.process import free_ports
from s3tester.suite.models import EndpointConfig

ROOT = Path(__file__).resolve().parent.parent
BASIC = ROOT / "tests" / "suites" / "basic"
TIMEOUT = 1.0


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> tuple[int, str, str, float]:
    """Run the real entry point; (exit code, stdout, stderr, seconds)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("S3TESTER_", "S3_", "AWS_"))}
    full.update({"S3_ACCESS_KEY": "robust-access", "S3_SECRET_KEY": "robust-secret"})
    full.update(env or {})
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "s3tester", *args], cwd=ROOT, env=full, capture_output=True,
        text=True, timeout=timeout, check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started


# -- loopback servers that misbehave ---------------------------------------------------------

class BadServer:
    """A loopback TCP server: `hang` accepts and never replies; `drip` answers one byte
    every `every` seconds, forever (a read timeout never fires)."""

    def __init__(self, mode: str, every: float = 0.2) -> None:
        self.mode, self.every = mode, every
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            if self.mode == "drip":
                threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        reply = b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 1000000\r\n\r\n"
        try:
            conn.recv(65536)
            for byte in reply + b" " * 1_000_000:
                if self.closed.wait(self.every):
                    return
                conn.sendall(bytes([byte]))
        except OSError:
            return

    def close(self) -> None:
        self.closed.set()
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def hung() -> Iterator[BadServer]:
    server = BadServer("hang")
    yield server
    server.close()


@pytest.fixture
def drip() -> Iterator[BadServer]:
    server = BadServer("drip")
    yield server
    server.close()


# -- dead endpoints: exit 3, fast, naming the endpoint ----------------------------------------

def test_connection_refused_is_exit_3_fast() -> None:
    url = f"http://127.0.0.1:{free_ports(1)[0]}"
    code, _, err, seconds = cli("run", str(BASIC), "--endpoint", url)
    assert code == 3, err
    assert url in err and "Traceback" not in err
    assert seconds < 5, f"took {seconds:.1f}s"


def test_dns_failure_is_exit_3_fast() -> None:
    url = "http://nonexistent.invalid:9000"
    code, _, err, seconds = cli("run", str(BASIC), "--endpoint", url)
    assert code == 3, err
    assert url in err and "Traceback" not in err
    assert seconds < 5, f"took {seconds:.1f}s"


def test_port_9_discard_is_exit_3() -> None:
    code, _, err, seconds = cli("run", str(BASIC), "--endpoint", "http://127.0.0.1:9")
    assert code == 3 and "http://127.0.0.1:9" in err and seconds < 5


# -- hung and trickling endpoints: every step has a deadline ----------------------------------

def _hung_run(server: BadServer, tmp_path: Path) -> tuple[dict[str, object], float]:
    out = tmp_path / "results.json"
    code, stdout, err, seconds = cli(
        "run", str(BASIC), "--endpoint", server.url, "--timeout", str(TIMEOUT), "--results", str(out),
        "--parallel", "4",
    )
    assert code == 1, err + stdout
    assert "Traceback" not in err
    assert "were not removed" in err and "s3tester clean --run-id" in err  # what the hang left
    result = json.loads(out.read_text())
    statuses = {c["status"] for c in result["cases"]}
    assert statuses <= {"errored", "skipped"}, statuses
    for case in result["cases"]:
        if case["status"] == "errored":
            assert "timed out" in case["reason"] or "within" in case["reason"] or "stopped answering" in case["reason"]
    return result, seconds


# A step waits at most --timeout (+0.5 s); after 3 unanswered requests in a row the endpoint
# counts as down and the remaining cases error at once; a case's cleanup of a hung endpoint
# waits at most --timeout per credential set. So the run is bounded by a few --timeouts.
BOUND = 4 * TIMEOUT + 3


def test_hung_endpoint_run_is_bounded_and_writes_results(hung: BadServer, tmp_path: Path) -> None:
    result, seconds = _hung_run(hung, tmp_path)
    assert float(result["duration"]) < BOUND, result["duration"]  # type: ignore[arg-type]
    assert seconds < BOUND + 5, f"took {seconds:.1f}s"
    assert any("stopped answering" in str(c["reason"]) for c in result["cases"])  # type: ignore[union-attr]


def test_trickling_endpoint_hits_the_wall_clock_deadline(drip: BadServer, tmp_path: Path) -> None:
    result, seconds = _hung_run(drip, tmp_path)
    assert float(result["duration"]) < BOUND, result["duration"]  # type: ignore[arg-type]
    assert seconds < BOUND + 5, f"took {seconds:.1f}s"
    reasons = " ".join(str(c["reason"]) for c in result["cases"])  # type: ignore[union-attr]
    assert "no complete answer within" in reasons


def test_with_deadline_returns_raises_and_abandons() -> None:
    assert with_deadline(lambda: 42, 1, "quick") == 42
    with pytest.raises(ZeroDivisionError):
        with_deadline(lambda: 1 // 0, 1, "broken")
    release, finished = threading.Event(), threading.Event()

    def blocked() -> None:
        release.wait(30)
        finished.set()

    with pytest.raises(NoAnswer) as info:
        with_deadline(blocked, 0.2, "slow")
    assert info.value.timed_out and not finished.is_set()  # gave up while the call still hung
    release.set()


# -- never touch foreign data -----------------------------------------------------------------

def _s3(endpoint: EndpointConfig):  # type: ignore[no-untyped-def]
    import boto3

    cred = endpoint.credentials["main"]
    return boto3.client(
        "s3", endpoint_url=endpoint.url, region_name="us-east-1",
        aws_access_key_id=cred.access_key, aws_secret_access_key=cred.secret_key.get_secret_value(),
    )


def _moto_env(endpoint: EndpointConfig) -> dict[str, str]:
    main, alt = endpoint.credentials["main"], endpoint.credentials["alt"]
    return {
        "S3_ACCESS_KEY": main.access_key, "S3_SECRET_KEY": main.secret_key.get_secret_value(),
        "S3_ALT_ACCESS_KEY": alt.access_key, "S3_ALT_SECRET_KEY": alt.secret_key.get_secret_value(),
    }


def _our_buckets(s3, run_id: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    prefix = f"s3t-{run_id}-" if run_id else "s3t-"
    return [b["Name"] for b in s3.list_buckets().get("Buckets", []) if b["Name"].startswith(prefix)]


def test_foreign_buckets_are_never_touched(moto_endpoint: EndpointConfig, tmp_path: Path) -> None:
    """Buckets that existed before the run, even ones that look like ours, stay whole."""
    s3 = _s3(moto_endpoint)
    foreign = ["precious-data", "s3t-zzzzzzzz-0000", "s3t-notarun"]
    for name in foreign:
        s3.create_bucket(Bucket=name)
        for i in range(3):
            s3.put_object(Bucket=name, Key=f"keep/{i}.txt", Body=f"keep {i}".encode())
    before = {n: sorted(o["Key"] for o in s3.list_objects_v2(Bucket=n)["Contents"]) for n in foreign}
    out = tmp_path / "results.json"
    code, _, err, _ = cli("run", str(BASIC), "--endpoint", moto_endpoint.url, "--results", str(out),
                          env=_moto_env(moto_endpoint))
    assert code in (0, 1), err
    run_id = json.loads(out.read_text())["run_id"]
    assert not _our_buckets(s3, run_id), "the run left buckets behind"
    after = {n: sorted(o["Key"] for o in s3.list_objects_v2(Bucket=n)["Contents"]) for n in foreign}
    assert after == before
    for name in foreign:
        assert s3.get_object(Bucket=name, Key="keep/0.txt")["Body"].read() == b"keep 0"
        s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": k} for k in before[name]]})
        s3.delete_bucket(Bucket=name)


# -- concurrency ------------------------------------------------------------------------------

def test_two_runs_at_once_do_not_interfere(moto_endpoint: EndpointConfig, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S3TESTER_", "S3_", "AWS_"))}
    env.update(_moto_env(moto_endpoint))
    procs = []
    for i in range(2):
        out = tmp_path / f"r{i}.json"
        procs.append((out, subprocess.Popen(
            [sys.executable, "-m", "s3tester", "run", str(BASIC), "--endpoint", moto_endpoint.url,
             "--results", str(out), "--parallel", "4"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )))
    results = []
    for out, proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 1, err  # basic has one deliberate failure and one errored case
        results.append(json.loads(out.read_text()))
    assert results[0]["run_id"] != results[1]["run_id"]
    statuses = [{c["id"]: c["status"] for c in result["cases"]} for result in results]
    assert statuses[0] == statuses[1]
    assert statuses[0]["smoke/put-get-roundtrip"] == "passed"
    assert statuses[0]["smoke/fail-wrong-body"] == "failed"
    for result in results:
        assert all(not c["leftovers"] for c in result["cases"])
    assert not _our_buckets(_s3(moto_endpoint), results[0]["run_id"])
    assert not _our_buckets(_s3(moto_endpoint), results[1]["run_id"])


# -- atomic files -----------------------------------------------------------------------------

def test_failed_write_leaves_the_old_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "results.json"
    write_atomic(target, '{"old": true}\n')

    def boom(*_: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C between writing the temp file and renaming it

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, '{"new": true}\n' * 1000)
    assert target.read_text() == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]  # no temp file left


def test_killed_writer_leaves_the_old_file_whole(tmp_path: Path) -> None:
    """SIGKILL in the middle of writing a big file: the target is the old one, whole."""
    target = tmp_path / "golden.json"
    write_atomic(target, '{"old": true}\n')
    code = (
        "import os\n"
        "from s3tester import output\n"
        "def slow_fsync(fd):\n"
        "    print('writing', flush=True)\n"
        "    import time; time.sleep(30)\n"
        "os.fsync = slow_fsync\n"
        f"output.write_atomic({str(target)!r}, 'x' * 50_000_000)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"  # temp file written, not yet renamed
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert target.read_text() == '{"old": true}\n'


def test_golden_files_are_written_through_write_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A golden write that fails at the rename leaves the old file whole and no temp file:
    golden files go through the temp+rename writer tested above."""
    from s3tester import output
    from s3tester.results.golden import Golden
    from s3tester.results.golden_files import read_golden, write_golden
    from s3tester.results.records import Summary

    target = tmp_path / "v1.0.json"
    old = Golden(suite="s", suite_version="1.0", vendor="v", summary=Summary(), cases={})
    write_golden(target, old)

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(output.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_golden(target, old.model_copy(update={"vendor": "other"}))
    assert read_golden(target).vendor == "v"
    assert [p.name for p in tmp_path.iterdir()] == ["v1.0.json"]


def test_slow_name_resolution_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A resolver that never answers: check_reachable gives up within its limit (exit 3)."""
    from s3tester.errors import EndpointError
    from s3tester.servers.probe import check_reachable

    def stuck(*_: object, **__: object) -> socket.socket:
        time.sleep(30)
        raise OSError("unreachable")

    monkeypatch.setattr(socket, "create_connection", stuck)
    # unbounded, the call would end after 30 s with "unreachable"; bounded, it says so at once
    with pytest.raises(EndpointError, match=r"slow-dns\.invalid:9000: no answer within 2s"):
        check_reachable("http://slow-dns.invalid:9000", timeout=1.0)


def test_sweep_removes_what_cases_left_and_only_that(moto_endpoint: EndpointConfig) -> None:
    from s3tester.run.engine import Engine
    from s3tester.servers.endpoint import Endpoint

    s3 = _s3(moto_endpoint)
    engine = Engine(Endpoint(moto_endpoint), timeout=5)
    mine, done = f"s3t-{engine.run_id}-0000", f"s3t-{engine.run_id}-0001"
    s3.create_bucket(Bucket=mine)
    s3.put_object(Bucket=mine, Key="k", Body=b"v")
    s3.create_bucket(Bucket="s3t-sweep-foreign")
    engine.cases.created |= {mine, done}
    engine.cases.removed.add(done)
    assert engine.sweep() == []
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert mine not in names and "s3t-sweep-foreign" in names
    s3.delete_bucket(Bucket="s3t-sweep-foreign")
