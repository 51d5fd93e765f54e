"""normalize: scrubbing volatile values, check signatures, and a run's deterministic golden form."""

from __future__ import annotations

import json
import random

import pytest
from builders import failed, passed, run_result

from s3tester.results import normalize
from s3tester.results.records import CaseResult, RunResult


# -- scrubbing ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Prefix: expected 's3t-abcd1234-0047-src', got None", "Prefix: expected '<bucket>', got None"),
        ("Prefix: expected 's3t-abcd1234-', got None", "Prefix: expected '<run>-', got None"),
        ("key run-abcd1234/x", "key run-<run>/x"),
        ("VersionId: expected '4a7d2cc7-96fe-4410-9c17-3c71037de420'", "VersionId: expected '<uuid>'"),
        ("ETag: got '\"9b2cf535f27731c974343645a3985328\"'", "ETag: got '\"<hex>\"'"),
        ("LastModified: 2026-11-30T20:39:29.123+00:00 or 2026-11-30 20:39:29", "LastModified: <time> or <time>"),
        ("Date: Mon, 30 Nov 2026 20:39:29 GMT", "Date: <time>"),
        ("got datetime.datetime(2026, 12, 1, 20, 39, tzinfo=tzutc())", "got <time>"),
        ("could not connect to http://127.0.0.1:34545/bucket", "could not connect to http://<host>/bucket"),
        ("UploadId: 'VXBsb2FkSWQ6IDEyMzQ1Njc4OTAxMjM0NTY3ODkw'", "UploadId: '<id>'"),
        ("log in /tmp/s3t-x/weed.log", "log in <tmp>"),
        ("Read timeout after 30.0 s", "Read timeout after <duration>"),
        ("status: expected 403, got 200", "status: expected 403, got 200"),
        ("ContentType: expected 'image/png', got 'text/plain'", "ContentType: expected 'image/png', got 'text/plain'"),
    ],
)
def test_scrub(raw: str, clean: str) -> None:
    assert normalize.scrub(raw, "abcd1234") == clean


def test_check_signature_drops_server_messages_keeps_stable_notes() -> None:
    sig = normalize.check_signature
    assert sig("error: expected 'NoSuchKey', got 'AccessDenied' (Access Denied for req 7F3A)") == \
        "error: expected 'NoSuchKey', got 'AccessDenied'"
    assert sig("error: expected 'NoSuchKey', got None (succeeded with 200)") == \
        "error: expected 'NoSuchKey', got None (succeeded with 200)"
    assert sig("status: expected 404, got 500 (error InternalError)") == "status: expected 404, got 500 (error InternalError)"
    assert sig("Retention.Mode: expected 'GOVERNANCE', got None (missing)") == \
        "Retention.Mode: expected 'GOVERNANCE', got None (missing)"
    long = "Body: expected 'x', got '" + "y" * 400 + "'"
    assert len(sig(long)) < 400


def test_normalize_is_deterministic_across_runs() -> None:
    """Two runs that differ only in run id, times, order, bucket names and server messages
    give byte-identical golden files."""
    def one(run_id: str, port: int, seed: int) -> RunResult:
        cases = [
            passed("objects/a"),
            failed("objects/b", f"Prefix: expected 's3t-{run_id}-0003', got None"),
            failed("versioning/c", f"VersionId: expected '{seed:08x}-96fe-4410-9c17-3c71037de420', got None"),
            failed("errors/d", f"error: expected 'NoSuchKey', got 'InternalError' (request {seed} failed)",
                   "status: expected 404, got 500 (error InternalError)"),
            CaseResult(id="buckets/e", area="buckets", status="errored", step="before[0]", operation="CreateBucket",
                       reason=f"before[0] CreateBucket: EndpointConnectionError: http://127.0.0.1:{port}/s3t-{run_id}-0004"),
        ]
        random.Random(seed).shuffle(cases)
        return run_result(cases, run_id=run_id, started=f"2026-01-0{seed % 9 + 1}T00:00:00Z", duration=seed / 7)

    first = normalize.normalize(one("abcd1234", 9000, 1)).to_json()
    second = normalize.normalize(one("zyxw9876", 9555, 77)).to_json()
    assert first == second
    data = json.loads(first)
    assert list(data["cases"]) == sorted(data["cases"])
    assert "abcd1234" not in first and "9000" not in first
    assert data["cases"]["objects/a"] == {"status": "passed"}
    assert data["cases"]["errors/d"]["checks"] == [
        "error: expected 'NoSuchKey', got 'InternalError'", "status: expected 404, got 500 (error InternalError)"]
    assert data["cases"]["buckets/e"]["checks"] == ["EndpointConnectionError: http://<host>/<bucket>"]
    assert data["summary"] == {"total": 5, "passed": 1, "failed": 3, "errored": 1, "unsupported": 0, "skipped": 0}
    assert data["vendor_version"] == "2.1"


def test_case_signature_caps_checks_and_strips_the_reason_prefix() -> None:
    many = failed("a/x", *[f"K{i}: expected {i}, got None" for i in range(normalize.MAX_CHECKS + 2)])
    sig = normalize.case_signature(many)
    assert sig.checks[:-1] == [f"K{i}: expected {i}, got None" for i in range(normalize.MAX_CHECKS)]
    assert sig.checks[-1] == "(+2 more)"
    errored = CaseResult(id="a/y", area="a", status="errored", step="before[0]", operation="CreateBucket",
                         reason="before[0] CreateBucket: ReadTimeoutError after 30 s")
    assert normalize.case_signature(errored).checks == ["ReadTimeoutError after <duration>"]
    assert normalize.case_signature(errored).step == "before[0]"
    bare = CaseResult(id="a/z", area="a", status="unsupported")
    assert normalize.case_signature(bare).checks == []
    long = normalize.case_signature(failed("a/w", "Body: expected 'x', got '" + "y" * 400 + "'"))
    assert long.checks == ["Body: expected 'x', got '" + "y" * (normalize.MAX_CHECK_CHARS - 4) + "..."]
