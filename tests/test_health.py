"""A server that dies mid-run: a launched one is restarted, an external one ends the run fast."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from s3tester.run.engine import Engine
from s3tester.run.plan import make_plan
from s3tester.servers.endpoint import Endpoint, embedded, open_endpoint
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
    with open_endpoint(embedded()) as endpoint:
        server = endpoint.server
        assert server is not None
        engine = Engine(endpoint, parallel=1, timeout=10)
        kill_soon(lambda: server.pid)
        result = engine.run(make_plan(suite, suite.cases))
        assert engine.health.restarts == 1
        assert server.alive()
    status = {c.id: c.status for c in result.cases}
    assert status["a/a-kill"] == "errored"
    assert "restarted" in (result.cases[0].reason or "")
    assert all(status[f"a/b-later-{i}"] == "passed" for i in range(5))


def test_an_external_server_that_dies_ends_the_run_quickly(tmp_path: Path) -> None:
    suite = load_suite(make_suite(tmp_path, later=20))
    with open_endpoint(embedded()) as launched:
        external = Endpoint(launched.config)  # the run did not start it: nothing to revive
        engine = Engine(external, parallel=1, timeout=10)
        kill_soon(lambda: launched.pid)
        result = engine.run(make_plan(suite, suite.cases))
    assert result.cases[0].status == "errored"
    # the run ends at once: later cases are never sent (no request, no timeout to wait for)
    assert all(c.status == "errored" and "stopped answering" in (c.reason or "") and not c.step for c in result.cases[1:])
    assert "ListBuckets" not in result.performance
