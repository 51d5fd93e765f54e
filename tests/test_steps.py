"""StepRunner: dispatch by step kind, expectations, saves, 501 as unsupported, sleep and the step deadline."""

from __future__ import annotations

import http.server
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from s3tester.deadline import NoAnswer
from s3tester.run.clients import Clients
from s3tester.run.steps import StepRunner
from s3tester.suite.models import Credential, EndpointConfig, Step
from s3tester.suite.variables import Scope


def step(**spec: Any) -> Step:
    return Step.model_validate(spec)


@pytest.fixture
def bucket(s3: Any) -> Iterator[str]:
    name = f"s3t-test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"stored")
    yield name
    for obj in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=obj["Key"])
    s3.delete_bucket(Bucket=name)


@pytest.fixture
def runner(moto_endpoint: EndpointConfig) -> StepRunner:
    return StepRunner(Clients(moto_endpoint, timeout=10), lambda *args: None)


def scope(bucket: str) -> Scope:
    return Scope({"want": "stored"}, lambda hint: bucket, lambda ref: "")


def test_an_op_step_passes_and_saves(runner: StepRunner, bucket: str) -> None:
    get = step(op="GetObject", params={"Bucket": "${bucket}", "Key": "k"},
               expect={"Body": "${want}", "status": 200}, save={"etag": "ETag", "text": "Body", "all": "@"})
    result = runner.run(get, scope(bucket))
    assert result.ok and result.label == "GetObject" and result.mismatches == []
    assert result.saved["text"] == "stored" and result.saved["etag"].startswith('"')
    assert result.saved["all"]["ContentLength"] == 6


def test_a_mismatch_is_reported_and_nothing_is_saved(runner: StepRunner, bucket: str) -> None:
    get = step(op="GetObject", params={"Bucket": "${bucket}", "Key": "k"}, expect={"Body": "other"}, save={"e": "ETag"})
    result = runner.run(get, scope(bucket))
    # a mismatch does not end the case: what the step answered is still saved for later steps
    assert not result.ok and [m.key for m in result.mismatches] == ["Body"] and result.saved.get("e")


def test_saving_a_path_that_is_absent_is_a_mismatch(runner: StepRunner, bucket: str) -> None:
    result = runner.run(step(op="HeadObject", params={"Bucket": "${bucket}", "Key": "k"}, save={"v": "VersionId"}), scope(bucket))
    assert not result.ok and str(result.mismatches[0]).startswith("save v: expected 'a value at VersionId', got None")


def test_http_and_presign_steps_are_dispatched(runner: StepRunner, bucket: str) -> None:
    raw = runner.run(step(http={"path": "/${bucket}/k"}, expect={"Body": "stored"}), scope(bucket))
    assert raw.ok and raw.label == "http GET"
    signed = runner.run(step(presign={"op": "GetObject", "params": {"Bucket": "${bucket}", "Key": "k"}},
                             save={"url": "url"}), scope(bucket))
    assert signed.ok and signed.saved["url"].startswith(f"{runner.clients.endpoint.url}/{bucket}/k?")


def test_a_sleep_is_cut_short_by_a_stop(moto_endpoint: EndpointConfig) -> None:
    stop = threading.Event()
    runner = StepRunner(Clients(moto_endpoint), lambda *args: None, stop)
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(runner.run(step(sleep=600), scope("b"))))
    worker.start()
    stop.set()
    worker.join(30)
    assert not worker.is_alive() and results[0].label == "sleep" and results[0].ok


@pytest.fixture
def odd_server() -> Iterator[str]:
    """/501 answers NotImplemented; /trickle sends a byte every 0.1 s, never finishing in time."""
    done = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/501"):
                body = b"<Error><Code>NotImplemented</Code><Message>no</Message></Error>"
                self.send_response(501)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(100):
                if done.wait(0.1):
                    return
                self.wfile.write(b"x")
                self.wfile.flush()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    done.set()
    server.shutdown()
    server.server_close()


def odd_runner(url: str) -> StepRunner:
    return StepRunner(Clients(EndpointConfig(url=url, credentials={"main": Credential.of("a", "b")}), 5), lambda *a: None)


def test_501_is_unsupported_unless_expected(odd_server: str) -> None:
    runner = odd_runner(odd_server)
    plain = runner.run(step(http={"path": "/501"}), scope("b"))
    assert plain.unsupported and not plain.ok
    for expect in ({"status": 501}, {"error": "NotImplemented"}):
        wanted = runner.run(step(http={"path": "/501"}, expect=expect), scope("b"))
        assert wanted.ok and not wanted.unsupported, expect


def test_a_trickling_answer_hits_the_step_deadline(odd_server: str) -> None:
    with pytest.raises(NoAnswer, match=r"http GET: no complete answer within 0\.8s") as caught:
        odd_runner(odd_server).run(step(http={"path": "/trickle"}, timeout=0.3), scope("b"))
    assert caught.value.timed_out
