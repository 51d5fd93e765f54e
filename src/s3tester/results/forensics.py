"""A failure as people act on it: the exchange in a few lines, the command that re-runs the
case, and a `curl --aws-sigv4` line that replays the request. Exchanges arrive masked (the
run masks them before anything is cut); credentials here are `$S3_ACCESS_KEY` and
`$S3_SECRET_KEY` references, never values.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from s3tester.masking import MASK
from s3tester.results.records import CaseResult, Failure

REPLAY_BODY = 1024  # longer request bodies are left to -v and the results JSON

KEY_HEADERS = ("content-type", "content-length", "content-md5", "range", "x-amz-copy-source", "x-amz-checksum-",
               "if-", "x-amz-server-side-encryption", "x-amz-acl", "x-amz-tagging", "x-amz-meta-",
               "x-amz-object-lock", "x-amz-bypass", "x-amz-expected-bucket-owner", "transfer-encoding",
               "x-amz-mfa", "x-amz-version-id", "x-amz-delete-marker", "etag", "location")
SIGNING = {"authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "user-agent",
           "amz-sdk-invocation-id", "amz-sdk-request", "content-length", "expect", "host", "accept-encoding",
           "connection", "x-amz-decoded-content-length"}
_CODE = re.compile(r"<Code>([^<]*)</Code>")
_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")
_SCOPE = re.compile(r"Credential=[^/,\s]*/\d{8}/([^/]+)/")


def _key_headers(headers: dict[str, str]) -> list[str]:
    return [f"{k}: {v}" for k, v in headers.items() if k.lower().startswith(KEY_HEADERS)]


def body_text(part: dict[str, Any] | None) -> str:
    return str(((part or {}).get("body") or {}).get("text") or "")


def answer_line(exchange: dict[str, Any]) -> str:
    """`<- 403 AccessDenied: Access Denied (request id ABC)` or what the body is instead."""
    response = exchange.get("response")
    if not response:
        return "<- no answer"
    text = body_text(response)
    size = (response.get("body") or {}).get("size", 0)
    code, message = _CODE.search(text), _MESSAGE.search(text)
    if code:
        what = code.group(1) + (f": {message.group(1)}" if message else "")
    elif not size:
        what = "(empty body)"
    elif text:
        kind = "HTML" if text.lstrip().lower().startswith(("<!doctype html", "<html")) else "body"
        what = f"({kind}, {size} bytes: {' '.join(text.split())[:100]!r})"
    else:
        what = f"({size} bytes, not text)"
    rid = f" (request id {exchange['request_id']})" if exchange.get("request_id") else ""
    return f"<- {response.get('status')} {what}{rid}"


def exchange_lines(exchange: dict[str, Any] | None) -> list[str]:
    """The request line, its key headers, the status, error code and message, request id."""
    if not exchange:
        return []
    request = exchange.get("request") or {}
    lines = [f"-> {request.get('method')} {request.get('url')}"]
    lines += [f"   {h}" for h in _key_headers(request.get("headers") or {})]
    body = request.get("body") or {}
    if body.get("size"):
        lines.append(f"   body: {body['size']} bytes" + (f" sha256 {body['sha256']}" if body.get("sha256") else ""))
    lines.append(answer_line(exchange))
    if exchange.get("response"):
        lines += [f"   {h}" for h in _key_headers(exchange["response"].get("headers") or {})]
    return lines


def key_vars(credential: str | None) -> tuple[str, str, str]:
    """The environment variables a replay reads a credential set's keys from: `main` is
    S3_ACCESS_KEY/S3_SECRET_KEY, any other set NAME is S3_NAME_ACCESS_KEY/... (as `alt`)."""
    infix = "" if credential in (None, "", "main") else f"{credential.upper().replace('-', '_')}_"
    return f"S3_{infix}ACCESS_KEY", f"S3_{infix}SECRET_KEY", f"S3_{infix}SESSION_TOKEN"


def curl_line(exchange: dict[str, Any] | None, region: str = "us-east-1", credential: str | None = None) -> str | None:
    """A curl command that replays the request, or None when curl cannot (a presigned URL
    whose signature is masked, a streamed, cut, masked or long body, an aws-chunked upload). The keys are
    `$S3_...` references to the step's credential set, never the values."""
    if not exchange:
        return None
    request = exchange.get("request") or {}
    url = str(request.get("url") or "")
    headers = {str(k): str(v) for k, v in (request.get("headers") or {}).items()}
    lower = {k.lower(): v for k, v in headers.items()}
    body = request.get("body") or {}
    if "X-Amz-Signature=" in url or "aws-chunked" in lower.get("content-encoding", "") or not url:
        return None
    if body.get("size") and (body.get("truncated") or "text" not in body):
        return None
    if MASK in str(body.get("text") or "") or len(str(body.get("text") or "")) > REPLAY_BODY:
        return None  # a form whose policy and signature are masked cannot be replayed; a long body reads better in -v
    auth = lower.get("authorization", "")
    scope = _SCOPE.search(auth)
    access, secret, token = key_vars(credential)
    parts = ["curl", "-sS", "-i", "-X", str(request.get("method") or "GET")]
    if auth:
        parts += ["--aws-sigv4", f"aws:amz:{scope.group(1) if scope else region}:s3",
                  "--user", f"${access}:${secret}"]
    if "x-amz-security-token" in lower:
        parts += ["-H", f"x-amz-security-token: ${token}"]
    for name, value in headers.items():
        if name.lower() not in SIGNING:
            parts += ["-H", f"{name}: {value}"]
    if body.get("size"):
        parts += ["--data-binary", str(body["text"])]
    parts.append(url)
    return " ".join(_quote(p) for p in parts)


def _quote(part: str) -> str:
    """Shell-quote, but leave `$S3_...` references expandable."""
    if "$S3_" in part:
        return '"' + part.replace('"', '\\"') + '"'
    return shlex.quote(part)


def failure_lines(failure: Failure) -> list[str]:
    """Every mismatch of one failing step, one line each."""
    if not failure.mismatches:
        return [failure.reason]
    head = f"{failure.step} {failure.operation}"
    return [f"{head}: {m.message}" for m in failure.mismatches]


def _refused(exchange: dict[str, Any] | None) -> bool:
    """An error answer: its code, message and request id are worth a line even without -v."""
    return int(((exchange or {}).get("response") or {}).get("status") or 0) >= 400


def case_lines(case: CaseResult, verbose: int = 0, repro: str = "", region: str = "us-east-1", clean: str = "") -> list[str]:
    """A not-passed case for the terminal: every mismatch of every failing step, the error
    answer (with `verbose`, the whole exchange), a curl line, and the command that re-runs it."""
    failures = case.failures or [Failure(step=case.step or "?", operation=case.operation, reason=case.reason or "",
                                         mismatches=case.mismatches, exchange=case.exchange)]
    lines = [f"{case.status.upper():<11} {case.id}"]
    for failure in failures:
        lines += [f"    {line}" for line in failure_lines(failure)]
        if verbose:
            lines += [f"      {line}" for line in exchange_lines(failure.exchange)]
        elif _refused(failure.exchange):
            lines.append(f"      {answer_line(failure.exchange)}")  # type: ignore[arg-type]
        curl = curl_line(failure.exchange, region, failure.credential)
        if curl:
            lines.append(f"      replay: {curl}")
    if repro:
        lines.append(f"    rerun: {repro} -g {shlex.quote(case.id)} --keep-buckets")
    if case.buckets:
        lines.append(f"    kept buckets: {', '.join(case.buckets)}" + (f" (remove with: {clean})" if clean else ""))
    return lines
