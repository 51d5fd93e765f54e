"""The engine against a real moto server process: statuses, parallelism, cleanup."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_suite

from s3tester.run.engine import Engine
from s3tester.run.plan import make_plan
from s3tester.servers.endpoint import Endpoint
from s3tester.suite.loader import load_suite
from s3tester.suite.models import EndpointConfig

ROOT = Path(__file__).resolve().parents[1]
BASIC = ROOT / "tests" / "suites" / "basic"


@pytest.fixture(scope="module")
def basic_run(moto_endpoint: EndpointConfig):  # type: ignore[no-untyped-def]
    suite = load_suite(BASIC)
    engine = Engine(Endpoint(moto_endpoint), parallel=4, timeout=20)
    return engine, engine.run(make_plan(suite, suite.cases))


def test_statuses_are_what_each_case_deserves(basic_run) -> None:  # type: ignore[no-untyped-def]
    _, result = basic_run
    status = {c.id: c.status for c in result.cases}
    assert status == {
        "smoke/put-get-roundtrip": "passed",
        "smoke/file-body": "passed",
        "smoke/generated-body": "passed",
        "smoke/missing-key": "passed",
        "smoke/listing-order": "passed",
        "smoke/raw-http-error-shape": "passed",
        "smoke/raw-put-file-body": "passed",
        "smoke/presigned-get": "passed",
        "smoke/fail-wrong-body": "failed",
        "smoke/fail-setup": "errored",
        "smoke/skipped-case": "skipped",
    }
    assert result.summary.passed == 8 and result.parallel == 4
    assert not result.ok


def test_a_failure_reports_every_mismatch_with_expected_and_actual(basic_run) -> None:  # type: ignore[no-untyped-def]
    _, result = basic_run
    case = next(c for c in result.cases if c.id == "smoke/fail-wrong-body")
    assert case.step == "test[0]" and case.operation == "GetObject"
    assert case.expected == "expected" and case.actual == "actual"
    assert [m.message for m in case.mismatches] == ["Body: expected 'expected', got 'actual'", "ContentLength: expected 99, got 6"]
    assert [(m.check, m.matcher, m.expected, m.actual) for m in case.mismatches] == [("Body", "eq", "expected", "actual"), ("ContentLength", "eq", 99, 6)]
    errored = next(c for c in result.cases if c.id == "smoke/fail-setup")
    assert errored.reason and errored.reason.startswith("before[1] GetObject: error: expected None, got 'NoSuchKey'")


def test_every_bucket_the_run_created_is_gone(basic_run, s3) -> None:  # type: ignore[no-untyped-def]
    engine, result = basic_run
    assert engine.cases.created, "the run should have named buckets"
    remaining = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    assert not (remaining & engine.cases.created)
    assert all(not c.leftovers for c in result.cases)


def test_performance_statistics_per_operation(basic_run) -> None:  # type: ignore[no-untyped-def]
    _, result = basic_run
    stats = result.performance
    assert stats["CreateBucket"].count >= 8
    assert stats["GetObject"].errors >= 1
    assert 0 < stats["PutObject"].p50_ms <= stats["PutObject"].p95_ms <= stats["PutObject"].max_ms


def test_unsupported_when_the_server_answers_501(tmp_path: Path, moto_endpoint: EndpointConfig) -> None:
    """A raw request answered 501 makes the case unsupported, not failed."""
    import http.server
    import threading

    class NotImplementedHandler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<Error><Code>NotImplemented</Code><Message>no</Message></Error>"
            self.send_response(501)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotImplementedHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        (tmp_path / "suite.yaml").write_text("name: t\nversion: '1'\n")
        (tmp_path / "a.yaml").write_text("groups:\n  - name: x\n    test:\n      - op: GetBucketLogging\n        params: {Bucket: b}\n")
        endpoint = moto_endpoint.model_copy(update={"url": f"http://127.0.0.1:{server.server_address[1]}"})
        result = run_suite(load_suite(tmp_path), endpoint, parallel=1)
        assert result.cases[0].status == "unsupported"
        assert "not implemented" in (result.cases[0].reason or "")
    finally:
        server.shutdown()


def test_parallel_run_gives_the_same_outcome_as_serial(moto_endpoint: EndpointConfig) -> None:
    suite = load_suite(BASIC)
    serial = run_suite(suite, moto_endpoint, parallel=1)
    parallel = run_suite(suite, moto_endpoint, parallel=8)
    assert [c.status for c in serial.cases] == [c.status for c in parallel.cases]
    assert [c.id for c in serial.cases] == [c.id for c in parallel.cases]


def test_cases_needing_a_missing_credential_set_are_skipped(moto_endpoint: EndpointConfig, tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text("name: t\nversion: '1'\ncredentials: [main, alt]\n")
    (tmp_path / "a.yaml").write_text(
        "groups:\n  - name: main-only\n    test: [{op: ListBuckets}]\n"
        "  - name: needs-alt\n    test: [{op: ListBuckets, as: alt}]\n"
    )
    only_main = moto_endpoint.model_copy(update={"credentials": {"main": moto_endpoint.credentials["main"]}})
    result = run_suite(load_suite(tmp_path), only_main, parallel=1)
    assert [(c.id, c.status) for c in result.cases] == [("a/main-only", "passed"), ("a/needs-alt", "skipped")]
    assert "needs credential set alt" in (result.cases[1].reason or "")


def test_create_bucket_names_the_region_outside_us_east_1(moto_endpoint: EndpointConfig, tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text("name: t\nversion: '1'\n")
    (tmp_path / "a.yaml").write_text(
        "groups:\n  - name: regional\n    before:\n      - op: CreateBucket\n        params: {Bucket: '${bucket}'}\n"
        "    test:\n      - op: GetBucketLocation\n        params: {Bucket: '${bucket}'}\n        expect: {LocationConstraint: eu-west-3}\n"
    )
    regional = moto_endpoint.model_copy(update={"region": "eu-west-3"})
    result = run_suite(load_suite(tmp_path), regional, parallel=1)
    assert result.cases[0].status == "passed", result.cases[0].reason
