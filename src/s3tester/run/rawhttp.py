"""Send an `http:` step: a raw request, signed with SigV4 unless told not to, for what an
SDK refuses to send (malformed XML, broken auth, odd headers, POST forms)."""

from __future__ import annotations

import datetime as _dt
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from s3tester.deadline import NoAnswer
from s3tester.run.bodies import Digest, drain, open_body
from s3tester.run.clients import ANONYMOUS, Clients
from s3tester.run.exchange import SECRET_FIELDS, Exchange, record
from s3tester.run.expect import Outcome
from s3tester.suite.bodyspec import body_spec
from s3tester.suite.models import Step
from s3tester.suite.variables import Scope


class RawSender:
    """Sends `http:` steps over one urllib3 pool shared by the run's threads."""

    def __init__(self, clients: Clients, record: Callable[[str, float, bool], None]) -> None:
        self.clients = clients
        self.record = record
        self._http: Any = None

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

    def send(self, step: Step, scope: Scope) -> Outcome:
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
        secrets: list[str] = []
        if spec["form"] is not None:
            import urllib3

            form = spec["form"]
            fields: list[tuple[str, Any]] = [(str(k), str(v)) for k, v in (form["fields"] or {}).items()]
            secrets = [v for k, v in fields if k.lower() in SECRET_FIELDS]
            content = open_body(body_spec(form["file"], None))
            data = content if isinstance(content, bytes) else content.read()
            fields.append(("file", (form.get("filename") or "file", data)))
            body, content_type = urllib3.encode_multipart_formdata(fields)
            headers.setdefault("Content-Type", content_type)
        elif spec["body"] is not None:
            source = body_spec(spec["body"], None)
            body = open_body(source)
            if not any(k.lower() in ("content-length", "transfer-encoding") for k in headers):
                headers["Content-Length"] = str(source.length())  # a stream would go out chunked
        signed = spec["sign"] and step.as_ != ANONYMOUS
        if spec.get("encoding"):  # aws-chunked framing, signed chunk by chunk (run.chunked)
            body, headers = self._chunked(method, url, headers, body, step.as_, spec, signed)
        elif signed:
            headers = self._sign(method, url, headers, body, step.as_, spec)
        for name, value in spec["raw_headers"].items():  # replace, whatever the case of the name
            for existing in [k for k in headers if k.lower() == str(name).lower()]:
                del headers[existing]
            if value is not None:
                headers[str(name)] = str(value)
        timeout = step.timeout or self.clients.timeout
        data = body if isinstance(body, bytes) else None
        length = next((v for k, v in headers.items() if k.lower() == "content-length"), None)
        size = len(data) if data is not None else int(length) if length and length.isdigit() else None
        exchange = record(Exchange(method, url, dict(headers), data, size, secrets=secrets))
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
            # NewConnectionError subclasses ConnectTimeoutError, but a refusal is a lost server
            refused = isinstance(exc, urllib3.exceptions.NewConnectionError)
            lost = refused or not isinstance(exc, urllib3.exceptions.TimeoutError)
            raise NoAnswer(
                f"{label} {url.split('?')[0]}: {type(exc).__name__}: {exc}", connection=lost, timed_out=not lost
            ) from None
        finally:
            if hasattr(body, "close"):
                body.close()
        self.record(label, time.perf_counter() - started, response.status >= 400)
        exchange.answered(response.status, dict(response.headers), None)
        exchange.streamed(digest.size, digest.text)
        return raw_outcome(response.status, dict(response.headers), digest)

    def _chunked(self, method: str, url: str, headers: dict[str, str], body: Any, who: str, spec: dict[str, Any], signed: bool) -> tuple[bytes, dict[str, str]]:
        from s3tester.run import chunked

        payload = body if isinstance(body, bytes) else body.read()
        if hasattr(body, "close"):
            body.close()
        creds = self._credentials(who, spec) if signed else None
        sign = (lambda h, sha: self._sign(method, url, h, b"", who, spec, sha)) if signed else None
        return chunked.encode(spec["encoding"], payload, headers, sign, creds.secret_key if creds else None)

    def _credentials(self, who: str, spec: dict[str, Any]) -> Any:
        from botocore.credentials import Credentials

        if spec.get("credentials"):
            given = spec["credentials"]
            return Credentials(given.get("access_key", ""), given.get("secret_key", ""), given.get("session_token"))
        cred = self.clients.credentials(who)
        token = cred.session_token.get_secret_value() if cred.session_token else None
        return Credentials(cred.access_key, cred.secret_key.get_secret_value(), token)

    def _sign(self, method: str, url: str, headers: dict[str, str], body: Any, who: str, spec: dict[str, Any], content_sha256: str | None = None) -> dict[str, str]:
        from botocore.auth import SIGV4_TIMESTAMP, S3SigV4Auth
        from botocore.awsrequest import AWSRequest

        creds = self._credentials(who, spec)
        offset = int(spec.get("time_offset") or 0)

        class _Auth(S3SigV4Auth):
            def payload(self, request: Any) -> str:
                return content_sha256 or str(super().payload(request))

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


def raw_outcome(status: int, headers: dict[str, str], digest: Digest) -> Outcome:
    """A raw answer as an Outcome: lower-case headers, the body, and an S3 error if it is one."""
    lower = {k.lower(): v for k, v in headers.items()}
    doc: dict[str, Any] = {"status": status, "headers": lower, "Body": digest.text}
    error = parse_error(digest.text) if digest.text else None
    code = None
    message = None
    if error is not None:
        doc["Error"] = error
        code = error.get("Code")
        message = error.get("Message")
    if status >= 400 and not code:
        code = str(status)
    return Outcome(doc=doc, status=status, error_code=code if status >= 300 else None, error_message=message, body=digest)


def parse_error(text: str) -> dict[str, str] | None:
    """The fields of an S3 `<Error>` document, or None if `text` is not one."""
    if "<Error" not in text[:512]:
        return None
    try:
        root = ET.fromstring(text.encode())
    except ET.ParseError:
        return None
    if root.tag.split("}")[-1] != "Error":
        return None
    return {child.tag.split("}")[-1]: (child.text or "") for child in root}
