"""Send an S3 operation through botocore's service model and turn its answer into an
`Outcome`: any operation botocore knows, by name, with streamed and hashed bodies."""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable
from typing import Any

from s3tester.deadline import NoAnswer
from s3tester.run.bodies import drain, open_body
from s3tester.run.clients import Clients
from s3tester.run.exchange import current
from s3tester.run.expect import Outcome
from s3tester.suite import operations
from s3tester.suite.bodyspec import body_spec
from s3tester.suite.models import Step
from s3tester.suite.variables import Scope

RETRY_CODES = {"Throttling", "ThrottlingException", "SlowDown", "RequestLimitExceeded", "TooManyRequests"}


def plain(value: Any) -> Any:
    """botocore output -> JSON-like: datetimes to ISO text, bytes to text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def _connection_errors() -> tuple[type[Exception], ...]:
    from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

    return (EndpointConnectionError, ConnectionClosedError)


def _timeout_errors() -> tuple[type[Exception], ...]:
    from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

    return (ReadTimeoutError, ConnectTimeoutError)


class OperationSender:
    """Sends `op:` steps; retries once on throttling or a dropped connection, never more."""

    def __init__(self, clients: Clients, record: Callable[[str, float, bool], None]) -> None:
        self.clients = clients
        self.record = record

    def send(self, step: Step, scope: Scope) -> Outcome:
        from botocore.exceptions import ClientError

        assert step.op is not None
        params = scope.substitute(step.params)
        region = self.clients.endpoint.region
        if step.op == "CreateBucket" and region != "us-east-1" and "CreateBucketConfiguration" not in params:
            # Outside us-east-1 S3 needs the region named; suites are written region-free.
            params["CreateBucketConfiguration"] = {"LocationConstraint": region}
        client = self.clients.get(step.as_, step.timeout, sdk_defaults=bool(step.sdk_defaults))
        method = getattr(client, operations.method_name(step.op))
        body = body_spec(params["Body"], None) if "Body" in params else None
        for attempt in (1, 2):
            if body is not None:  # a fresh readable per attempt, from the spec (never the last attempt's)
                params["Body"] = open_body(body)
            started = time.perf_counter()
            try:
                response = method(**params)
            except ClientError as exc:
                elapsed = time.perf_counter() - started
                outcome = client_error(exc)
                self.record(step.op, elapsed, True)
                if attempt == 1 and outcome.error_code in RETRY_CODES:
                    time.sleep(0.5)
                    continue
                return outcome
            except _connection_errors() as exc:
                self.record(step.op, time.perf_counter() - started, True)
                if attempt == 1:
                    time.sleep(0.2)
                    continue
                raise NoAnswer(f"{step.op}: connection failed: {exc}", connection=True) from None
            except _timeout_errors() as exc:
                self.record(step.op, time.perf_counter() - started, True)
                raise NoAnswer(f"{step.op}: timed out: {exc}", timed_out=True) from None
            finally:
                sent = params.get("Body")
                if hasattr(sent, "close"):
                    sent.close()
            digest = None
            stream = response.pop("Body", None) if isinstance(response, dict) else None
            if stream is not None and hasattr(stream, "read"):
                try:
                    digest = drain(stream)
                except _timeout_errors() as exc:
                    raise NoAnswer(f"{step.op}: body read timed out: {exc}", timed_out=True) from None
                capture = current()
                if capture is not None and capture.last is not None:
                    capture.last.streamed(digest.size, digest.text)
            self.record(step.op, time.perf_counter() - started, False)
            doc = plain(response)
            meta = doc.get("ResponseMetadata", {})
            doc["status"] = meta.get("HTTPStatusCode", 0)
            doc["headers"] = meta.get("HTTPHeaders", {})
            if digest is not None and digest.text is not None:
                doc["Body"] = digest.text
            return Outcome(doc=doc, status=doc["status"], body=digest)
        raise AssertionError("unreachable")


def client_error(exc: Any) -> Outcome:
    """A botocore ClientError as an Outcome: status, headers, error code and message."""
    response = plain(dict(exc.response))
    meta = response.get("ResponseMetadata", {})
    status = int(meta.get("HTTPStatusCode", 0))
    error = response.get("Error", {})
    doc = dict(response)
    doc["status"] = status
    doc["headers"] = meta.get("HTTPHeaders", {})
    code = str(error.get("Code") or status)
    return Outcome(doc=doc, status=status, error_code=code, error_message=error.get("Message"))
