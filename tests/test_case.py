"""CaseRunner: phase verdicts, `after` always running, bucket naming and cleanup, ${cred:...}, masking."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
import yaml

from s3tester.masking import Masker
from s3tester.run.case import CaseRunner
from s3tester.run.clients import Clients
from s3tester.run.health import Health
from s3tester.run.steps import StepRunner
from s3tester.servers.endpoint import Endpoint
from s3tester.suite.models import Case, EndpointConfig, Group

MAKE = '      - op: CreateBucket\n        params: {Bucket: "${bucket}"}\n'
SECRET = "very-secret-value-42"
GROUPS = f"""groups:
  - name: passes
    before:
{MAKE}      - op: CreateBucket
        params: {{Bucket: "${{bucket:second}}"}}
    test:
      - op: PutObject
        params: {{Bucket: "${{bucket:second}}", Key: k, Body: hi}}
      - op: ListBuckets
        expect: {{Owner.ID: "${{cred:main.canonical_id}}"}}
  - name: before-fails
    before:
      - op: HeadBucket
        params: {{Bucket: "${{bucket}}"}}
    test:
      - op: ListBuckets
  - name: test-fails
    before:
{MAKE}    test:
      - op: HeadBucket
        params: {{Bucket: "${{bucket}}"}}
        expect: {{status: 201, ContentLength: 1}}
    after:
      - op: PutObject
        params: {{Bucket: "${{env:S3T_TEST_WITNESS}}", Key: "${{cred:main.access_key}}", Body: x}}
  - name: after-fails
    test:
{MAKE}    after:
      - op: GetObject
        params: {{Bucket: "${{bucket}}", Key: nope}}
  - name: undefined
    test:
      - op: HeadBucket
        params: {{Bucket: "${{nowhere}}"}}
  - name: leaks
    test:
      - op: ListBuckets
        expect: {{Owner.ID: "{SECRET}"}}
"""


@pytest.fixture(scope="module")
def cases() -> dict[str, Case]:
    """Built without the loader, whose checks would refuse the undefined variable on purpose."""
    groups = [Group.model_validate(g) for g in yaml.safe_load(GROUPS)["groups"]]
    return {g.name: Case(id=f"c/{g.name}", area="c", group=g, source="c.yaml") for g in groups}


def make_runner(endpoint: EndpointConfig, stop: threading.Event | None = None) -> CaseRunner:
    clients = Clients(endpoint, timeout=10)
    health = Health(Endpoint(endpoint), timeout=10)
    return CaseRunner(clients, StepRunner(clients, lambda *a: None), health, Masker([SECRET]),
                      "run" + uuid.uuid4().hex[:5], stop or threading.Event())


def names(s3: Any) -> set[str]:
    return {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_a_passing_case_names_its_buckets_and_removes_them(moto_endpoint: EndpointConfig, s3: Any, cases: Any) -> None:
    runner = make_runner(moto_endpoint)
    result = runner.run(cases["passes"], 7)
    assert result.status == "passed", result.reason
    assert result.leftovers == [] and result.duration > 0
    prefix = f"s3t-{runner.run_id}-0007"
    assert runner.created == {prefix, f"{prefix}-second"} == runner.removed
    assert not runner.created & names(s3)


def test_verdicts_by_phase(moto_endpoint: EndpointConfig, s3: Any, cases: Any) -> None:
    runner = make_runner(moto_endpoint)
    before = runner.run(cases["before-fails"], 1)
    assert before.status == "errored" and before.step == "before[0]" and before.operation == "HeadBucket"
    after = runner.run(cases["after-fails"], 2)
    assert after.status == "errored" and after.step == "after[0]" and "NoSuchKey" in (after.reason or "")
    undefined = runner.run(cases["undefined"], 3)
    assert undefined.status == "errored" and "nowhere" in (undefined.reason or "")
    assert not runner.created & names(s3)


def test_a_failing_test_reports_mismatches_and_after_still_runs(
    moto_endpoint: EndpointConfig, s3: Any, cases: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    witness = f"s3t-test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=witness)
    monkeypatch.setenv("S3T_TEST_WITNESS", witness)
    try:
        result = make_runner(moto_endpoint).run(cases["test-fails"], 4)
        assert result.status == "failed" and result.step == "test[0]"
        assert result.expected == 201 and result.actual == 200 and len(result.mismatches) == 2
        assert result.reason and "; ContentLength: expected 1, got None" in result.reason  # every mismatch, none hidden
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=witness).get("Contents", [])]
        assert keys == ["s3tester-main"], "the after step ran, with ${cred:main.access_key}"
    finally:
        s3.delete_object(Bucket=witness, Key="s3tester-main")
        s3.delete_bucket(Bucket=witness)


def test_skips_stops_and_a_down_endpoint_send_nothing(moto_endpoint: EndpointConfig, cases: Any) -> None:
    runner = make_runner(moto_endpoint)
    assert runner.run(cases["passes"], 0, skip="golden says so").model_dump(include={"status", "reason"}) == {
        "status": "skipped", "reason": "golden says so"}
    runner.health.down = "endpoint gone"
    assert runner.run(cases["passes"], 0).reason == "endpoint gone"
    stopped = make_runner(moto_endpoint, threading.Event())
    stopped.stop.set()
    assert stopped.run(cases["passes"], 0).reason == "interrupted"
    assert runner.created == set() == stopped.created


def test_secrets_are_masked_in_the_result(moto_endpoint: EndpointConfig, cases: Any) -> None:
    result = make_runner(moto_endpoint).run(cases["leaks"], 5)
    assert result.status == "failed" and result.expected == "***"
    assert SECRET not in result.model_dump_json()


def test_principal_comes_from_the_endpoint(moto_endpoint: EndpointConfig) -> None:
    endpoint = moto_endpoint.model_copy(update={"principals": {"alt": '{"CanonicalUser": "{canonical_id}", "K": "{access_key}"}'}})
    runner = make_runner(endpoint)
    assert runner._cred("main.principal") == '{"AWS": "arn:aws:iam::123456789012:user/main"}'
    alt = runner._cred("alt.principal")
    assert alt.startswith('{"CanonicalUser": "') and "{canonical_id}" not in alt
    assert f'"K": "{endpoint.credentials["alt"].access_key}"' in alt


# -- issue 13: tolerated setup steps, and a mismatch that does not end the case -------------
MORE = """groups:
  - name: tolerated
    before:
      - op: CreateBucket
        params: {Bucket: "${bucket}"}
      - op: GetBucketPolicy
        params: {Bucket: "${bucket}"}
        tolerate: [NoSuchBucketPolicy, NotImplemented, "501"]
    test:
      - op: HeadBucket
        params: {Bucket: "${bucket}"}
  - name: goes-on
    before:
      - op: CreateBucket
        params: {Bucket: "${bucket}"}
    test:
      - op: PutObject
        params: {Bucket: "${bucket}", Key: k, Body: hi}
        expect: {ContentLength: 99}
        save: {etag: ETag}
      - op: HeadObject
        params: {Bucket: "${bucket}", Key: k}
        expect: {ETag: "${etag}"}
      - op: HeadObject
        params: {Bucket: "${bucket}", Key: k}
        expect: {ContentLength: 3}
  - name: bug
    test:
      - op: ListBuckets
"""


@pytest.fixture(scope="module")
def more() -> dict[str, Case]:
    groups = [Group.model_validate(g) for g in yaml.safe_load(MORE)["groups"]]
    return {g.name: Case(id=f"c/{g.name}", area="c", group=g, source="c.yaml") for g in groups}


def test_a_tolerated_setup_step_does_not_make_the_case_unsupported(moto_endpoint: EndpointConfig, more: Any) -> None:
    result = make_runner(moto_endpoint).run(more["tolerated"], 20)
    assert result.status == "passed", result.reason


def test_later_test_steps_run_after_a_mismatch_and_every_failure_is_recorded(moto_endpoint: EndpointConfig, more: Any) -> None:
    result = make_runner(moto_endpoint).run(more["goes-on"], 21)
    assert result.status == "failed" and [f.step for f in result.failures] == ["test[0]", "test[2]"]
    assert result.failures[1].mismatches[0].check == "ContentLength" and result.failures[1].mismatches[0].actual == 2
    first = result.failures[0]
    assert first.exchange is not None and first.exchange["request"]["method"] == "PUT"
    assert first.exchange["response"]["status"] == 200 and "Signature=***" in first.exchange["request"]["headers"]["Authorization"]
    assert result.exchange == first.exchange and "+1 more failing step" in (result.reason or "")


def test_an_exception_in_s3testers_own_code_is_internal_not_a_verdict(
    moto_endpoint: EndpointConfig, more: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from s3tester.run import steps

    def broken(*_: Any) -> Any:
        raise KeyError("oops")

    monkeypatch.setattr(steps, "check", broken)
    result = make_runner(moto_endpoint).run(more["bug"], 22)
    assert result.status == "errored" and result.cause == "internal" and result.internal
    assert "s3tester bug: KeyError" in (result.reason or "")
    from s3tester.results.golden import Golden
    from s3tester.results.normalize import normalize
    from s3tester.results.records import RunResult, summarize

    run = RunResult(tool_version="0", suite="s", suite_version="1.0", vendor="moto", endpoint="e", run_id="r",
                    started="t", duration=0, summary=summarize([result]), cases=[result])
    assert isinstance(normalize(run), Golden) and normalize(run).cases == {}  # never golden
