"""api: the run pipeline against the session's moto server: exit codes, dry run, results, golden, selection."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from s3tester import api
from s3tester.errors import ConfigError, EndpointError
from s3tester.servers.endpoint import Endpoint

ROOT = Path(__file__).resolve().parents[1]
BASIC = str(ROOT / "tests" / "suites" / "basic")
GOOD = ("smoke/put-get-roundtrip", "smoke/missing-key")
BAD = "smoke/fail-wrong-body"


def run(endpoint: Endpoint, **options: object) -> tuple[api.RunOutcome, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    outcome = api.run(api.RunOptions(path=BASIC, **options), endpoint=endpoint,  # type: ignore[arg-type]
                      stdout=stdout, stderr=stderr)
    return outcome, stdout.getvalue(), stderr.getvalue()


def dead(moto: Endpoint) -> Endpoint:
    """An endpoint nothing answers at: a run that sent a request would fail."""
    return Endpoint(moto.config.model_copy(update={"url": "http://127.0.0.1:9"}))


def test_exit_0_when_every_case_passes(moto: Endpoint) -> None:
    outcome, out, _ = run(moto, groups=GOOD)
    assert outcome.exit_code == 0 and outcome.result is not None
    assert sorted(c.id for c in outcome.result.cases) == sorted(GOOD)
    assert {c.status for c in outcome.result.cases} == {"passed"}
    assert out == outcome.report and "2 passed, 0 failed" in out
    assert outcome.verdict is None


def test_exit_1_when_a_case_fails_and_results_are_written(moto: Endpoint, tmp_path: Path) -> None:
    results = tmp_path / "out" / "results.json"
    outcome, out, _ = run(moto, groups=(GOOD[0], BAD), results=str(results), fmt="json")
    assert outcome.exit_code == 1 and outcome.result is not None
    data = json.loads(results.read_text())
    assert {c["id"]: c["status"] for c in data["cases"]} == {GOOD[0]: "passed", BAD: "failed"}
    assert data["summary"]["failed"] == 1 and data["vendor"] == moto.config.vendor
    assert json.loads(out) == data  # the json report is the results file


def test_dry_run_emits_the_plan_and_sends_nothing(moto: Endpoint, tmp_path: Path) -> None:
    outcome, out, err = run(dead(moto), dry_run=True, groups=("smoke/put-*",))
    assert outcome.exit_code == 0 and outcome.result is None and err == ""
    assert out.splitlines() == ["smoke/put-get-roundtrip", "    before[0] CreateBucket", "    test[0] PutObject",
                                "    test[1] GetObject", "1 cases planned"]
    plan = tmp_path / "plan.txt"
    outcome, out, _ = run(dead(moto), dry_run=True, groups=("smoke/put-*",), output=str(plan))
    assert out == "" and plan.read_text().endswith("1 cases planned\n")
    with pytest.raises(EndpointError):  # the same run, not dry, does try the endpoint
        run(dead(moto), groups=("smoke/put-*",))


def test_unwritable_results_path_is_refused_before_the_run(moto: Endpoint, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        run(dead(moto), results=str(tmp_path))


def test_selection_by_groups_and_tags(moto: Endpoint) -> None:
    def planned(**options: object) -> list[str]:
        _, out, _ = run(dead(moto), dry_run=True, **options)
        return [line for line in out.splitlines() if line.startswith("smoke/")]

    assert planned(tags=("must-fail",)) == ["smoke/fail-wrong-body", "smoke/fail-setup"]
    assert planned(tags=("core",)) == ["smoke/put-get-roundtrip"]
    assert planned(groups=("smoke/missing-*", "smoke/file-body")) == ["smoke/file-body", "smoke/missing-key"]
    assert len(planned()) == 11
    outcome, _, _ = run(moto, tags=("must-fail",))
    assert outcome.exit_code == 1 and outcome.result is not None
    assert {c.id: c.status for c in outcome.result.cases} == {"smoke/fail-wrong-body": "failed",
                                                              "smoke/fail-setup": "errored"}


def test_golden_is_created_then_compared(moto: Endpoint, tmp_path: Path) -> None:
    """update_golden writes the file (exit 0 although a case fails), the next run compares
    with it, and a golden file that says the failing case passed makes the run exit 1."""
    groups = (GOOD[0], BAD)
    path = tmp_path / moto.config.vendor / "v0.1.json"
    created, out, _ = run(moto, groups=groups, golden=str(tmp_path), update_golden=True)
    assert created.exit_code == 0 and created.verdict is not None
    assert created.verdict.lines == [f"created {path} (2 cases, 1 passed)"] and f"created {path}" in out
    recorded = json.loads(path.read_text())
    assert {cid: c["status"] for cid, c in recorded["cases"].items()} == {GOOD[0]: "passed", BAD: "failed"}

    again, out, _ = run(moto, groups=groups, golden=str(tmp_path))
    assert again.exit_code == 0 and again.verdict is not None and not again.verdict.failed
    assert again.verdict.lines[-1] == "OK: no regressions" and "OK: no regressions" in out

    recorded["cases"][BAD] = {"status": "passed"}
    path.write_text(json.dumps(recorded))
    worse, out, err = run(moto, groups=groups, golden=str(tmp_path), fmt="json")
    assert worse.exit_code == 1 and worse.verdict is not None and worse.verdict.failed
    assert f"FAIL: 1 regression: {BAD}" in err  # not table: the verdict goes to stderr
    assert json.loads(out)["summary"]["failed"] == 1


def test_golden_skip_keeps_a_case_from_being_sent(moto: Endpoint, tmp_path: Path) -> None:
    path = tmp_path / moto.config.vendor / "v0.1.json"
    run(moto, groups=(BAD,), golden=str(tmp_path), update_golden=True)
    recorded = json.loads(path.read_text())
    recorded["cases"][BAD]["skip"] = "breaks this server"
    path.write_text(json.dumps(recorded))
    outcome, _, _ = run(moto, groups=(BAD,), golden=str(tmp_path))
    assert outcome.result is not None
    [case] = outcome.result.cases
    assert case.status == "skipped" and case.reason == f"skipped on {moto.config.vendor}: breaks this server"


# -- issue 11: verdicts CI can trust ----------------------------------------------------
def test_a_selection_of_zero_cases_is_exit_2_naming_the_pattern(moto: Endpoint) -> None:
    with pytest.raises(ConfigError, match=r"no case matches --group 'smok/\*' \(did you mean 'smoke'\?\)"):
        run(dead(moto), groups=("smok/*",))
    with pytest.raises(ConfigError, match="--tag 'nope'"):
        run(dead(moto), tags=("nope",))


def test_wrong_keys_are_exit_3_before_any_case(moto: Endpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    from s3tester.run.clients import Clients

    class Refused:  # moto accepts any key: the server's refusal, as botocore raises it
        def list_buckets(self) -> None:
            raise ClientError({"Error": {"Code": "InvalidAccessKeyId", "Message": "no such key"}}, "ListBuckets")

    monkeypatch.setattr(Clients, "get", lambda self, name, timeout=None: Refused())
    with pytest.raises(EndpointError, match=r"credential set 'main' was refused .*: InvalidAccessKeyId: no such key") as info:
        run(moto, groups=GOOD)
    assert info.value.exit_code == 3


def test_junit_with_golden_holds_no_failure_for_known_failures(moto: Endpoint, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    first, _, _ = run(moto, groups=(*GOOD, BAD), golden=str(tmp_path), update_golden=True)
    assert first.exit_code == 0
    again, out, err = run(moto, groups=(*GOOD, BAD), golden=str(tmp_path), fmt="junit")
    assert again.exit_code == 0, err
    root = ET.fromstring(out.split("\n", 1)[1])
    assert root.findall(".//failure") == [] and root.get("failures") == "0"
    skipped = [s.get("message", "") for s in root.findall(".//skipped")]
    assert any(m.startswith("known failure (golden): failed:") for m in skipped)
    quiet, out, _ = run(moto, groups=(*GOOD, BAD), golden=str(tmp_path), quiet=True)
    assert out.strip().splitlines()[-1] == "OK: no regressions" and "Latency" not in out and quiet.exit_code == 0


def test_an_s3tester_bug_is_exit_4_and_never_a_verdict(moto: Endpoint, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from s3tester.run import steps

    def broken(*_: object) -> object:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(steps, "check", broken)
    outcome, _, err = run(moto, groups=GOOD, golden=str(tmp_path), update_golden=True)
    assert outcome.exit_code == 4 and "s3tester bug:" in err
    assert outcome.result is not None and all(c.cause == "internal" for c in outcome.result.cases)
    written = json.loads(next(tmp_path.rglob("*.json")).read_text()) if list(tmp_path.rglob("*.json")) else {"cases": {}}
    assert written["cases"] == {}


def test_trace_keeps_every_steps_exchange(moto: Endpoint) -> None:
    outcome, _, _ = run(moto, groups=GOOD[:1], trace=True)
    assert outcome.result is not None
    trace = outcome.result.cases[0].trace
    assert trace and all(t["exchange"]["request"]["method"] for t in trace if t["exchange"])
    assert "Signature=***" in str(trace) and outcome.result.cases[0].exchange is None
