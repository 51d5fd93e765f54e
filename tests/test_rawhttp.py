"""http steps: URL and query building, SigV4 signing, raw headers, bodies and forms; S3 error parsing."""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from s3tester.deadline import NoAnswer
from s3tester.run.bodies import Digest
from s3tester.run.clients import Clients
from s3tester.run.rawhttp import RawSender, parse_error, raw_outcome
from s3tester.suite.models import Credential, EndpointConfig, Step
from s3tester.suite.variables import Scope

SCOPE = Scope({"b": "bkt"}, lambda hint: "bkt", lambda ref: "")
ERROR = '<?xml version="1.0"?><Error xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Code>NoSuchKey</Code><Message>gone</Message></Error>'


@pytest.fixture
def echo() -> Iterator[tuple[RawSender, list[dict[str, Any]]]]:
    """A sender pointed at a loopback server that records each request and answers 200 'ok'."""
    seen: list[dict[str, Any]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append({"method": self.command, "path": self.path, "body": body,
                         "headers": {k.lower(): v for k, v in self.headers.items()}})
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_GET = do_PUT = do_POST = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = EndpointConfig(url=f"http://127.0.0.1:{server.server_port}/", credentials={"main": Credential.of("AK", "SK")})
    yield RawSender(Clients(config, timeout=5), lambda *args: None), seen
    server.shutdown()
    server.server_close()


def http_step(spec: dict[str, Any], who: str = "main") -> Step:
    return Step.model_validate({"http": spec, "as": who})


def test_path_query_and_signature(echo: Any) -> None:
    sender, seen = echo
    outcome = sender.send(http_step({"path": "/${b}/a key", "query": {"uploads": "", "prefix": "x y/z"}}), SCOPE)
    assert outcome.status == 200 and outcome.doc["Body"] == "ok" and outcome.error_code is None
    request = seen[0]
    assert request["path"] == "/bkt/a%20key?uploads&prefix=x%20y%2Fz"
    assert request["headers"]["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AK/")
    assert "x-amz-date" in request["headers"] and "x-amz-content-sha256" in request["headers"]


def test_unsigned_anonymous_and_raw_headers(echo: Any) -> None:
    sender, seen = echo
    sender.send(http_step({"path": "/", "sign": False}), SCOPE)
    sender.send(http_step({"path": "/"}, "anonymous"), SCOPE)
    sender.send(http_step({"path": "/", "raw_headers": {"AUTHORIZATION": "broken", "X-Amz-Date": None}}), SCOPE)
    assert "authorization" not in seen[0]["headers"] and "authorization" not in seen[1]["headers"]
    assert seen[2]["headers"]["authorization"] == "broken" and "x-amz-date" not in seen[2]["headers"]


def test_given_credentials_and_a_clock_offset_are_signed_with(echo: Any) -> None:
    sender, seen = echo
    spec = {"path": "/", "credentials": {"access_key": "OTHER", "secret_key": "s"}, "time_offset": -86400 * 400}
    days = {(dt.datetime.now(dt.UTC) - dt.timedelta(days=400)).strftime("%Y%m%d")}
    sender.send(http_step(spec), SCOPE)
    days.add((dt.datetime.now(dt.UTC) - dt.timedelta(days=400)).strftime("%Y%m%d"))  # in case midnight passed
    headers = seen[0]["headers"]
    assert "Credential=OTHER/" in headers["authorization"]
    signed_day = headers["x-amz-date"][:8]
    assert signed_day in days and f"/{signed_day}/us-east-1/s3/" in headers["authorization"]


def test_a_body_goes_with_its_length_and_a_form_as_multipart(echo: Any) -> None:
    sender, seen = echo
    sender.send(http_step({"method": "put", "path": "/k", "body": "héllo"}), SCOPE)
    assert seen[0]["method"] == "PUT" and seen[0]["body"] == "héllo".encode()
    assert seen[0]["headers"]["content-length"] == str(len("héllo".encode()))
    form = {"fields": {"key": "${b}.txt"}, "file": "content", "filename": "f.txt"}
    sender.send(http_step({"method": "POST", "path": "/", "form": form}), SCOPE)
    posted = seen[1]
    assert posted["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="key"\r\n\r\nbkt.txt' in posted["body"] and b'filename="f.txt"' in posted["body"]
    assert b"\r\n\r\ncontent\r\n" in posted["body"]


def test_an_s3_error_from_moto_is_parsed(moto_endpoint: EndpointConfig, s3: Any) -> None:
    name = f"s3t-test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    try:
        sender = RawSender(Clients(moto_endpoint, timeout=10), lambda *args: None)
        outcome = sender.send(http_step({"path": f"/{name}/missing"}), SCOPE)
        assert outcome.status == 404 and outcome.error_code == "NoSuchKey"
        assert outcome.doc["Error"]["Code"] == "NoSuchKey" and outcome.doc["headers"]["content-type"]
    finally:
        s3.delete_bucket(Bucket=name)


def refused(recorded: list[tuple[str, bool]]) -> NoAnswer:
    """What sending to a loopback port where nothing listens raises."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = EndpointConfig(url=f"http://127.0.0.1:{port}", credentials={"main": Credential.of("AK", "SK")})
    sender = RawSender(Clients(config, timeout=2), lambda op, secs, err: recorded.append((op, err)))
    with pytest.raises(NoAnswer) as caught:
        sender.send(http_step({"path": "/"}), SCOPE)
    return caught.value


def test_a_closed_port_is_no_answer_and_recorded_as_an_error() -> None:
    recorded: list[tuple[str, bool]] = []
    error = refused(recorded)
    assert "Connection refused" in str(error) and "http GET http://127.0.0.1:" in str(error)
    assert recorded == [("http GET", True)]


def test_a_refused_connection_counts_as_lost_not_timed_out() -> None:
    error = refused([])
    assert error.connection and not error.timed_out


def test_parse_error_and_raw_outcome() -> None:
    assert parse_error(ERROR) == {"Code": "NoSuchKey", "Message": "gone"}
    assert parse_error("<Error><Code>X") is None and parse_error("<ListBucketResult/>") is None
    assert parse_error("<NotError><Error/></NotError>") is None
    text = Digest(size=0, sha256="", text="")
    assert raw_outcome(403, {"X-A": "1"}, text).error_code == "403"
    ok = raw_outcome(200, {"X-A": "1"}, text)
    assert ok.error_code is None and ok.doc["headers"] == {"x-a": "1"}
    moved = raw_outcome(301, {}, Digest(size=len(ERROR), sha256="", text=ERROR.replace("NoSuchKey", "PermanentRedirect")))
    assert moved.error_code == "PermanentRedirect" and moved.error_message == "gone"


def test_an_encoded_body_is_framed_and_signed_chunk_by_chunk(echo: Any) -> None:
    from s3tester.run import chunked

    sender, seen = echo
    encoding = {"payload": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "chunk_size": 4}
    sender.send(http_step({"method": "PUT", "path": "/k", "body": "hello world", "encoding": encoding}), SCOPE)
    headers, body = seen[0]["headers"], seen[0]["body"]
    assert headers["x-amz-content-sha256"] == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
    assert headers["x-amz-decoded-content-length"] == "11" and headers["content-encoding"] == "aws-chunked"
    assert headers["content-length"] == str(len(body))
    assert "x-amz-decoded-content-length" in headers["authorization"]  # signed with the request
    payload, trailers, signatures = chunked.decode(body)
    assert payload == b"hello world" and trailers["x-amz-checksum-crc32"] == chunked.checksum("crc32", payload)
    seed = headers["authorization"].rsplit("Signature=", 1)[1]
    stamp = headers["x-amz-date"]
    scope = f"{stamp[:8]}/us-east-1/s3/aws4_request"
    key = chunked.signing_key("SK", stamp[:8], "us-east-1")
    assert signatures[0] == chunked.chunk_signature(key, stamp, scope, seed, b"hell")


def test_an_encoded_body_unsigned_keeps_placeholder_signatures(echo: Any) -> None:
    sender, seen = echo
    encoding = {"payload": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "checksum": "sha256"}
    sender.send(http_step({"method": "PUT", "path": "/k", "body": "abc", "encoding": encoding}, "anonymous"), SCOPE)
    assert "authorization" not in seen[0]["headers"]
    assert seen[0]["body"].startswith(b"3\r\nabc\r\n0\r\nx-amz-checksum-sha256:")
