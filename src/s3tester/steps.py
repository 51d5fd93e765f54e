"""Run one step: an S3 operation through botocore's model, a raw HTTP request, a
presigned URL or POST form, or a sleep. Returns what expectations need to judge it.
"""

from __future__ import annotations

import datetime as _dt
import queue
import threading
import time
import weakref
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from s3tester import operations
from s3tester.bodies import Digest, body_spec, drain
from s3tester.clients import ANONYMOUS, Clients
from s3tester.expect import Mismatch, Outcome, check, compile_path
from s3tester.models import Step
from s3tester.variables import Scope

Recorder = Callable[[str, float, bool], None]
RETRY_CODES = {"Throttling", "ThrottlingException", "SlowDown", "RequestLimitExceeded", "TooManyRequests"}


T = TypeVar("T")
DEADLINE_SLACK = 0.5  # past the socket timeout, so a silent server gets botocore's own message


def with_deadline(fn: Callable[[], T], seconds: float, what: str) -> T:
    """`fn()`, or StepBroken(timed_out) if it has not returned within `seconds` wall-clock.

    Socket timeouts bound each read, not the whole exchange: a server that trickles a byte
    every few seconds would hold a step forever. `fn` runs in a daemon thread that is
    abandoned (not killed) on expiry; it ends when the server gives up or the process exits.
    """
    owner = getattr(_deadline_local, "owner", None)
    if owner is None:  # one helper thread per calling thread, reused: a thread per step cost
        owner = _deadline_local.owner = _HelperOwner()  # ~0.3 ms CPU (bench/overhead.py)
    box: dict[str, Any] = {}
    done = threading.Event()
    owner.jobs.put((fn, box, done))
    if not done.wait(seconds):
        _deadline_local.owner = None  # the helper is stuck with this job: abandon it
        raise StepBroken(f"{what}: no complete answer within {seconds:g}s", timed_out=True)
    if "error" in box:
        raise box["error"]
    return box["value"]


_deadline_local = threading.local()


class _HelperOwner:
    """Held in the calling thread's locals; when that thread ends (or abandons the helper)
    this object goes away and the helper thread is told to stop after its current job."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        threading.Thread(target=_helper_loop, args=(self.jobs,), name="deadline", daemon=True).start()
        weakref.finalize(self, self.jobs.put, None)


def _helper_loop(jobs: queue.SimpleQueue[Any]) -> None:
    while (job := jobs.get()) is not None:
        fn, box, done = job
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc
        finally:
            done.set()
        del job, fn, box, done  # hold nothing of a finished step while idle


class StepBroken(Exception):
    """The step could not be judged: the endpoint did not answer (timeout, connection)."""

    def __init__(self, message: str, connection: bool = False, timed_out: bool = False) -> None:
        super().__init__(message)
        self.connection = connection  # refused/reset: the server may have died
        self.timed_out = timed_out  # no (complete) answer in time: the server may hang


@dataclass
class StepResult:
    label: str
    outcome: Outcome | None
    mismatches: list[Mismatch] = field(default_factory=list)
    unsupported: bool = False
    saved: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.unsupported


def _plain(value: Any) -> Any:
    """botocore output -> JSON-like: datetimes to ISO text, bytes to text."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
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


class StepRunner:
    """Runs steps for one engine; shares clients and the raw HTTP pool across threads."""

    def __init__(self, clients: Clients, record: Recorder, stop: threading.Event | None = None) -> None:
        self.clients = clients
        self.record = record
        self.stop = stop or threading.Event()  # an interrupted run cuts `sleep` steps short
        self._http: Any = None

    # -- dispatch -------------------------------------------------------------------
    def run(self, step: Step, scope: Scope) -> StepResult:
        if step.sleep is not None:
            self.stop.wait(step.sleep)
            return StepResult("sleep", Outcome(doc={}, status=0))
        send = self._op if step.op is not None else self._raw if step.http is not None else self._presign
        seconds = (step.timeout or self.clients.timeout) + DEADLINE_SLACK
        outcome = with_deadline(lambda: send(step, scope), seconds, step.label)
        expect = scope.substitute(step.expect) if step.expect else None
        mismatches = check(expect, outcome)
        result = StepResult(step.label, outcome, mismatches)
        wanted = expect.get("error") if expect else None
        wanted_codes = set(wanted if isinstance(wanted, list) else [wanted] if wanted else [])
        if (outcome.status == 501 or outcome.error_code == "NotImplemented") and not (
            wanted_codes & {"NotImplemented", "501"} or (expect or {}).get("status") == 501
        ):
            result.unsupported = True
        if not mismatches:
            result.saved = self._save(step, outcome, result)
        return result

    def _save(self, step: Step, outcome: Outcome, result: StepResult) -> dict[str, Any]:
        saved: dict[str, Any] = {}
        for name, expression in step.save.items():
            if expression == "@":
                value: Any = outcome.doc
            elif expression == "Body":
                value = outcome.body.text if outcome.body else None
            else:
                value = compile_path(expression).search(outcome.doc)
            if value is None:
                result.mismatches.append(Mismatch(f"save {name}", f"a value at {expression}", None, "nothing to save"))
            saved[name] = value
        return saved

    # -- S3 operations through the service model -------------------------------------
    def _op(self, step: Step, scope: Scope) -> Outcome:
        from botocore.exceptions import ClientError

        assert step.op is not None
        params = scope.substitute(step.params)
        region = self.clients.endpoint.region
        if step.op == "CreateBucket" and region != "us-east-1" and "CreateBucketConfiguration" not in params:
            # Outside us-east-1 S3 needs the region named; suites are written region-free.
            params["CreateBucketConfiguration"] = {"LocationConstraint": region}
        client = self.clients.get(step.as_, step.timeout)
        method = getattr(client, operations.method_name(step.op))
        for attempt in (1, 2):
            if "Body" in params:
                params["Body"] = body_spec(params["Body"], None).open()
            started = time.perf_counter()
            try:
                response = method(**params)
            except ClientError as exc:
                elapsed = time.perf_counter() - started
                outcome = self._client_error(exc)
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
                raise StepBroken(f"{step.op}: connection failed: {exc}", connection=True) from None
            except _timeout_errors() as exc:
                self.record(step.op, time.perf_counter() - started, True)
                raise StepBroken(f"{step.op}: timed out: {exc}", timed_out=True) from None
            finally:
                body = params.get("Body")
                if hasattr(body, "close"):
                    body.close()
            digest = None
            stream = response.pop("Body", None) if isinstance(response, dict) else None
            if stream is not None and hasattr(stream, "read"):
                try:
                    digest = drain(stream)
                except _timeout_errors() as exc:
                    raise StepBroken(f"{step.op}: body read timed out: {exc}", timed_out=True) from None
            self.record(step.op, time.perf_counter() - started, False)
            doc = _plain(response)
            meta = doc.get("ResponseMetadata", {})
            doc["status"] = meta.get("HTTPStatusCode", 0)
            doc["headers"] = meta.get("HTTPHeaders", {})
            if digest is not None and digest.text is not None:
                doc["Body"] = digest.text
            return Outcome(doc=doc, status=doc["status"], body=digest)
        raise AssertionError("unreachable")

    @staticmethod
    def _client_error(exc: Any) -> Outcome:
        response = _plain(dict(exc.response))
        meta = response.get("ResponseMetadata", {})
        status = int(meta.get("HTTPStatusCode", 0))
        error = response.get("Error", {})
        doc = dict(response)
        doc["status"] = status
        doc["headers"] = meta.get("HTTPHeaders", {})
        code = str(error.get("Code") or status)
        return Outcome(doc=doc, status=status, error_code=code, error_message=error.get("Message"))

    # -- raw HTTP --------------------------------------------------------------------
    def _pool(self) -> Any:
        if self._http is None:
            import urllib3

            kwargs: dict[str, Any] = {"maxsize": self.clients.pool, "retries": False}
            if not self.clients.endpoint.verify_ssl:
                kwargs["cert_reqs"] = "CERT_NONE"
                urllib3.disable_warnings()
            elif self.clients.ca_bundle():
                kwargs["ca_certs"] = self.clients.ca_bundle()
            self._http = urllib3.PoolManager(**kwargs)
        return self._http

    def _raw(self, step: Step, scope: Scope) -> Outcome:
        assert step.http is not None
        spec = scope.substitute(step.http.model_dump())
        url = spec["url"] or self.clients.endpoint.url.rstrip("/") + "/" + spec["path"].lstrip("/")
        if spec["query"]:
            sep = "&" if "?" in url else "?"
            url += sep + "&".join(
                quote(str(k), safe="-_.~") + ("" if v is None or v == "" else "=" + quote(str(v), safe="-_.~"))
                for k, v in spec["query"].items()
            )
        headers = {str(k): str(v) for k, v in spec["headers"].items()}
        method = spec["method"].upper()
        body: Any = b""
        if spec["form"] is not None:
            import urllib3

            form = spec["form"]
            fields: list[tuple[str, Any]] = [(str(k), str(v)) for k, v in (form["fields"] or {}).items()]
            content = body_spec(form["file"], None).open()
            data = content if isinstance(content, bytes) else content.read()
            fields.append(("file", (form.get("filename") or "file", data)))
            body, content_type = urllib3.encode_multipart_formdata(fields)
            headers.setdefault("Content-Type", content_type)
        elif spec["body"] is not None:
            source = body_spec(spec["body"], None)
            body = source.open()
            if not any(k.lower() in ("content-length", "transfer-encoding") for k in headers):
                headers["Content-Length"] = str(source.length())  # a stream would go out chunked
        if spec["sign"] and step.as_ != ANONYMOUS:
            headers = self._sign(method, url, headers, body, step.as_, spec)
        for name, value in spec["raw_headers"].items():  # replace, whatever the case of the name
            for existing in [k for k in headers if k.lower() == str(name).lower()]:
                del headers[existing]
            if value is not None:
                headers[str(name)] = str(value)
        timeout = step.timeout or self.clients.timeout
        started = time.perf_counter()
        label = f"http {method}"
        import urllib3

        try:
            response = self._pool().request(
                method, url, body=body, headers=headers, preload_content=False,
                timeout=urllib3.Timeout(connect=min(timeout, 5.0), read=timeout), redirect=False,
            )
            digest = drain(response)
        except urllib3.exceptions.HTTPError as exc:
            self.record(label, time.perf_counter() - started, True)
            lost = not isinstance(exc, urllib3.exceptions.TimeoutError)
            raise StepBroken(
                f"{label} {url.split('?')[0]}: {type(exc).__name__}: {exc}", connection=lost, timed_out=not lost
            ) from None
        finally:
            if hasattr(body, "close"):
                body.close()
        self.record(label, time.perf_counter() - started, response.status >= 400)
        return _raw_outcome(response.status, dict(response.headers), digest)

    def _sign(self, method: str, url: str, headers: dict[str, str], body: Any, who: str, spec: dict[str, Any]) -> dict[str, str]:
        from botocore.auth import SIGV4_TIMESTAMP, S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        if spec.get("credentials"):
            given = spec["credentials"]
            creds = Credentials(given.get("access_key", ""), given.get("secret_key", ""), given.get("session_token"))
        else:
            cred = self.clients.credentials(who)
            token = cred.session_token.get_secret_value() if cred.session_token else None
            creds = Credentials(cred.access_key, cred.secret_key.get_secret_value(), token)
        offset = int(spec.get("time_offset") or 0)

        class _Auth(S3SigV4Auth):
            def add_auth(self, request: Any) -> None:
                when = _dt.datetime.now(_dt.UTC) + _dt.timedelta(seconds=offset)
                request.context["timestamp"] = when.strftime(SIGV4_TIMESTAMP)
                self._modify_request_before_signing(request)  # type: ignore[attr-defined]
                canonical = self.canonical_request(request)
                string_to_sign = self.string_to_sign(request, canonical)
                self._inject_signature_to_request(request, self.signature(string_to_sign, request))  # type: ignore[attr-defined]

        request = AWSRequest(method=method, url=url, data=body, headers=headers)
        _Auth(creds, "s3", self.clients.endpoint.region).add_auth(request)
        if hasattr(body, "seek"):
            body.seek(0)
        return {k: str(v) for k, v in request.headers.items()}

    # -- presigned URLs and POST forms ------------------------------------------------
    def _presign(self, step: Step, scope: Scope) -> Outcome:
        assert step.presign is not None
        spec = step.presign
        client = self.clients.get(step.as_ if step.as_ != ANONYMOUS else "main")
        if spec.op is not None:
            params = scope.substitute(spec.params)
            kwargs: dict[str, Any] = {"Params": params, "ExpiresIn": spec.expires}
            if spec.method:
                kwargs["HttpMethod"] = spec.method
            url = client.generate_presigned_url(operations.method_name(spec.op), **kwargs)
            doc: dict[str, Any] = {"url": url}
        else:
            assert spec.post is not None
            post = scope.substitute(spec.post.model_dump())
            doc = dict(
                client.generate_presigned_post(
                    post["Bucket"], post["Key"], Fields=post["fields"] or None,
                    Conditions=post["conditions"] or None, ExpiresIn=spec.expires,
                )
            )
        return Outcome(doc=doc, status=0)


def _raw_outcome(status: int, headers: dict[str, str], digest: Digest) -> Outcome:
    lower = {k.lower(): v for k, v in headers.items()}
    doc: dict[str, Any] = {"status": status, "headers": lower, "Body": digest.text}
    error = _parse_error(digest.text) if digest.text else None
    code = None
    message = None
    if error is not None:
        doc["Error"] = error
        code = error.get("Code")
        message = error.get("Message")
    if status >= 400 and not code:
        code = str(status)
    return Outcome(doc=doc, status=status, error_code=code if status >= 300 else None, error_message=message, body=digest)


def _parse_error(text: str) -> dict[str, str] | None:
    if "<Error" not in text[:512]:
        return None
    try:
        root = ET.fromstring(text.encode())
    except ET.ParseError:
        return None
    if root.tag.split("}")[-1] != "Error":
        return None
    return {child.tag.split("}")[-1]: (child.text or "") for child in root}
