"""op steps through botocore: outcomes of answers and errors, region, one retry on throttling or a lost connection."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from loopback import QuietHandler, serve

from s3tester.deadline import NoAnswer
from s3tester.run.clients import Clients
from s3tester.run.op import OperationSender, plain
from s3tester.suite.models import Credential, EndpointConfig, Step
from s3tester.suite.variables import Scope

CREDS = {"main": Credential.of("ak", "sk")}
Record = list[tuple[str, bool]]


def op(name: str, **params: Any) -> Step:
    return Step.model_validate({"op": name, "params": params})


def sender(config: EndpointConfig, timeout: float = 10) -> tuple[OperationSender, Record]:
    recorded: Record = []
    return OperationSender(Clients(config, timeout), lambda o, secs, err: recorded.append((o, err))), recorded


SCOPE = Scope({"key": "k.txt"}, lambda hint: "unused", lambda ref: "")


def test_plain_turns_botocore_output_into_json() -> None:
    when = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert plain({"a": [when, b"by\xfftes"], "n": 1}) == {"a": ["2024-01-02T03:04:05+00:00", "by\ufffdtes"], "n": 1}


def test_an_answer_becomes_doc_status_headers_and_body(moto_endpoint: EndpointConfig, bucket: str) -> None:
    send, recorded = sender(moto_endpoint)
    put = send.send(op("PutObject", Bucket=bucket, Key="${key}", Body="héllo"), SCOPE)
    assert put.status == 200 and put.error_code is None and put.doc["ETag"].startswith('"')
    got = send.send(op("GetObject", Bucket=bucket, Key="k.txt"), SCOPE)
    assert got.doc["Body"] == "héllo" and got.body is not None and got.body.size == len("héllo".encode())
    assert got.doc["ContentLength"] == 6 and got.doc["headers"]["content-length"] == "6"
    assert isinstance(got.doc["LastModified"], str)
    assert recorded == [("PutObject", False), ("GetObject", False)]


def test_an_error_becomes_code_message_and_status(moto_endpoint: EndpointConfig, bucket: str) -> None:
    send, recorded = sender(moto_endpoint)
    outcome = send.send(op("GetObject", Bucket=bucket, Key="missing"), SCOPE)
    assert outcome.status == 404 and outcome.error_code == "NoSuchKey" and outcome.error_message
    assert outcome.doc["Error"]["Code"] == "NoSuchKey" and outcome.doc["status"] == 404
    assert recorded == [("GetObject", True)], "an S3 error is not retried"


def test_outside_us_east_1_create_bucket_names_the_region(moto_endpoint: EndpointConfig, s3: Any) -> None:
    send, _ = sender(moto_endpoint.model_copy(update={"region": "eu-west-1"}))
    name = f"s3t-test-{uuid.uuid4().hex[:12]}"
    assert send.send(op("CreateBucket", Bucket=name), SCOPE).status == 200
    try:
        assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    finally:
        s3.delete_bucket(Bucket=name)


@pytest.fixture
def slow_down_once() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback server answering the first PUT 503 SlowDown and later ones 200; records the bodies."""
    bodies: list[bytes] = []

    class Handler(QuietHandler):
        def do_PUT(self) -> None:
            bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            first = len(bodies) == 1
            body = b"<Error><Code>SlowDown</Code><Message>slow</Message></Error>" if first else b""
            self.send_response(503 if first else 200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serve(Handler) as url:
        yield url, bodies


def test_throttling_is_retried_once(slow_down_once: Any) -> None:
    url, bodies = slow_down_once
    send, recorded = sender(EndpointConfig(url=url, credentials=CREDS))
    outcome = send.send(op("PutObject", Bucket="b", Key="k", Body="plain"), SCOPE)
    assert outcome.status == 200 and outcome.error_code is None
    assert recorded == [("PutObject", True), ("PutObject", False)] and bodies == [b"plain", b"plain"]


@pytest.mark.parametrize("body", ["héllo", {"size": 10, "seed": 1}])
def test_the_retry_sends_the_same_body(slow_down_once: Any, body: Any) -> None:
    url, bodies = slow_down_once
    send, _ = sender(EndpointConfig(url=url, credentials=CREDS))
    assert send.send(op("PutObject", Bucket="b", Key="k", Body=body), SCOPE).status == 200
    assert len(bodies) == 2 and bodies[0] == bodies[1]


def test_a_refused_connection_is_retried_once_then_no_answer() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    send, recorded = sender(EndpointConfig(url=f"http://127.0.0.1:{port}", credentials=CREDS), timeout=2)
    with pytest.raises(NoAnswer, match="ListBuckets: connection failed") as caught:
        send.send(op("ListBuckets"), SCOPE)
    assert caught.value.connection and not caught.value.timed_out
    assert recorded == [("ListBuckets", True), ("ListBuckets", True)]


def test_a_silent_server_times_out_without_a_retry() -> None:
    done = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))

    def hold() -> None:
        conn, _ = listener.accept()
        done.wait(10)
        conn.close()

    threading.Thread(target=hold, daemon=True).start()
    try:
        send, recorded = sender(EndpointConfig(url=f"http://127.0.0.1:{listener.getsockname()[1]}", credentials=CREDS), 0.3)
        with pytest.raises(NoAnswer, match="ListBuckets: timed out") as caught:
            send.send(op("ListBuckets"), SCOPE)
        assert caught.value.timed_out and recorded == [("ListBuckets", True)]
    finally:
        done.set()
        listener.close()
