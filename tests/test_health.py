"""Health: timeouts in a row, lost connections, restarts; a server that dies mid-run, launched or external."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

from s3tester.errors import EndpointError
from s3tester.run.engine import Engine
from s3tester.run.health import Health
from s3tester.run.plan import make_plan
from s3tester.servers.endpoint import Endpoint, embedded, open_endpoint
from s3tester.suite.loader import load_suite
from s3tester.suite.models import Credential, EndpointConfig

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


def closed_url() -> str:
    """A loopback URL where nothing listens (the port was just free)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class FakeServer:
    """Stands in for a launched server: always dead; restart() may fail."""

    def __init__(self, fails: bool) -> None:
        self.fails = fails
        self.restarted = 0
        self.pid = 1

    def alive(self) -> bool:
        return False

    def restart(self) -> None:
        self.restarted += 1
        if self.fails:
            raise EndpointError("port in use")


def health_at(url: str, server: FakeServer | None = None) -> Health:
    config = EndpointConfig(url=url, credentials={"main": Credential.of("ak", "sk")})
    return Health(Endpoint(config, server), timeout=2)


def test_three_timeouts_in_a_row_mark_the_endpoint_down() -> None:
    health = health_at("http://127.0.0.1:9")
    assert [health.timed_out(f"t{i}") for i in range(2)] == ["t0", "t1"] and health.down is None
    assert health.timed_out("t2") == "t2"
    assert health.down and "3 requests in a row timed out" in health.down and "127.0.0.1:9" in health.down


def test_an_answer_resets_the_run_of_timeouts() -> None:
    health = health_at("http://127.0.0.1:9")
    health.timed_out("a")
    health.timed_out("b")
    health.answered()
    health.timed_out("c")
    health.timed_out("d")
    assert health.down is None
    health.timed_out("e")
    assert health.down is not None


def test_lost_with_the_server_still_answering_changes_nothing(moto_endpoint: EndpointConfig) -> None:
    health = Health(Endpoint(moto_endpoint), timeout=2)
    assert health.lost("reset by peer") == "reset by peer"
    assert health.down is None and health.restarts == 0


def test_lost_on_an_external_endpoint_marks_it_down() -> None:
    url = closed_url()
    health = health_at(url)
    first = health.lost("connection refused")
    assert health.down == f"endpoint {url} stopped answering"
    assert first == f"connection refused ({health.down})"
    assert health.lost("again") == "again (endpoint down)"
    assert health.restarts == 0


def test_lost_on_a_launched_server_restarts_it_or_gives_up() -> None:
    revived = health_at(closed_url(), FakeServer(fails=False))
    assert revived.lost("refused") == "refused (the server died; s3tester restarted it)"
    assert revived.restarts == 1 and revived.down is None
    broken = FakeServer(fails=True)
    dead = health_at(closed_url(), broken)
    assert "could not be restarted: port in use" in dead.lost("refused")
    assert broken.restarted == 1 and dead.down and "could not be restarted" in dead.down


class HungServer(FakeServer):
    """Alive but not answering: the hang a restart cures."""

    def alive(self) -> bool:
        return True

    def restart(self) -> None:
        super().restart()
        self.pid += 1


def test_a_launched_server_that_hangs_is_restarted_not_marked_down() -> None:
    server = HungServer(fails=False)
    health = health_at("http://127.0.0.1:9", server)  # type: ignore[arg-type]
    reasons = [health.timed_out(f"t{i}") for i in range(3)]
    assert server.restarted == 1 and health.down is None and "s3tester restarted it" in reasons[-1]
    for i in range(9):  # it keeps hanging: after 3 restarts it is down
        health.timed_out(f"again{i}")
    assert server.restarted == 3 and health.down is not None
