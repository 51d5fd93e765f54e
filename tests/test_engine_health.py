"""A server that dies mid-run: a launched one is restarted, an external one ends the run fast."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from s3tester.embedded import PROCESSES, moto_server
from s3tester.vendors import load_profile

from s3tester.api import run_suite
from s3tester.run.engine import Engine
from s3tester.servers.launch import _RUNNING, launched
from s3tester.suite.loader import load_suite

SUITE = """groups:
  - name: a-kill
    description: the first case kills the server between two requests
    before:
      - op: CreateBucket
        params: {Bucket: "${bucket}"}
    test:
      - sleep: 0.1
      - op: ListObjectsV2
        params: {Bucket: "${bucket}"}
"""


def make_suite(tmp: Path, later: int = 5) -> Path:
    (tmp / "suite.yaml").write_text("name: t\nversion: '1'\n")
    more = "".join(
        f"  - name: b-later-{i}\n    test:\n      - op: ListBuckets\n" for i in range(later)
    )
    (tmp / "a.yaml").write_text(SUITE + more)
    return tmp


def kill_soon(pid_of, delay: float = 0.05) -> None:  # type: ignore[no-untyped-def]
    import threading

    def kill() -> None:
        time.sleep(delay)
        os.killpg(pid_of(), signal.SIGKILL)

    threading.Thread(target=kill, daemon=True).start()


def test_a_launched_server_that_dies_is_restarted(tmp_path: Path) -> None:
    suite = load_suite(make_suite(tmp_path))
    with launched(load_profile("moto")) as endpoint:
        server = _RUNNING[endpoint.url]
        engine = Engine(endpoint, parallel=1, timeout=10)
        kill_soon(lambda: server.pid)
        result = run_suite(suite, endpoint, engine=engine)
        assert engine.restarts == 1
        assert server.alive()
    status = {c.id: c.status for c in result.cases}
    assert status["a/a-kill"] == "errored"
    assert "restarted" in (result.cases[0].reason or "")
    assert all(status[f"a/b-later-{i}"] == "passed" for i in range(5))


def test_an_external_server_that_dies_ends_the_run_quickly(tmp_path: Path) -> None:
    suite = load_suite(make_suite(tmp_path, later=20))
    with moto_server() as endpoint:
        engine = Engine(endpoint, parallel=1, timeout=10)
        kill_soon(lambda: PROCESSES[endpoint.url].pid)
        started = time.monotonic()
        result = run_suite(suite, endpoint, engine=engine)
        elapsed = time.monotonic() - started
    assert result.cases[0].status == "errored"
    assert all(c.status == "errored" and "stopped answering" in (c.reason or "") for c in result.cases[1:])
    assert elapsed < 10
