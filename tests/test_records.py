"""records: case truthiness, summary counts, a run's ok verdict and its JSON form."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from s3tester.results.records import STATUSES, CaseResult, OpStats, RunResult, Summary, summarize


def case(cid: str, status: str) -> CaseResult:
    return CaseResult(id=cid, area=cid.split("/")[0], status=status)  # type: ignore[arg-type]


def result(cases: list[CaseResult], **kw: object) -> RunResult:
    return RunResult(tool_version="0.1.0", suite="s", suite_version="1", vendor="v", endpoint="http://127.0.0.1:1",
                     run_id="abcd1234", started="2026-01-01T00:00:00Z", duration=2.5, summary=summarize(cases),
                     cases=cases, **kw)  # type: ignore[arg-type]


def test_a_case_is_true_when_passed_or_skipped() -> None:
    assert {s: bool(case("a/x", s)) for s in STATUSES} == {
        "passed": True, "failed": False, "errored": False, "unsupported": False, "skipped": True}


def test_summarize_counts_every_status() -> None:
    cases = [case("a/1", "passed"), case("a/2", "passed"), case("a/3", "failed"), case("b/4", "errored"),
             case("b/5", "unsupported"), case("b/6", "skipped")]
    assert summarize(cases) == Summary(total=6, passed=2, failed=1, errored=1, unsupported=1, skipped=1)
    assert summarize([]) == Summary()


@pytest.mark.parametrize(
    ("statuses", "complete", "ok"),
    [
        (["passed", "skipped", "unsupported"], True, True),
        (["passed", "failed"], True, False),
        (["passed", "errored"], True, False),
        (["passed"], False, False),
        ([], True, True),
    ],
)
def test_ok_means_complete_with_no_failure_or_error(statuses: list[str], complete: bool, ok: bool) -> None:
    assert result([case(f"a/{i}", s) for i, s in enumerate(statuses)], complete=complete).ok is ok


def test_to_json_round_trips() -> None:
    cases = [CaseResult(id="a/x", area="a", status="failed", expected={"k": [1]}, actual=None,
                        mismatches=["k: expected [1], got None"], tags=["core"])]
    run = result(cases, performance={"GetObject": OpStats(count=3, errors=1, p50_ms=1.5, p95_ms=2.0, max_ms=9.0)})
    text = run.to_json()
    assert text.endswith("}\n")
    data = json.loads(text)
    assert data["tool"] == "s3tester" and data["parallel"] == 1 and data["complete"] is True
    assert data["cases"][0]["expected"] == {"k": [1]} and data["performance"]["GetObject"]["errors"] == 1
    assert RunResult.model_validate(data) == run


def test_unknown_fields_and_statuses_are_refused() -> None:
    with pytest.raises(ValidationError):
        CaseResult.model_validate({"id": "a/x", "area": "a", "status": "passed", "extra": 1})
    with pytest.raises(ValidationError):
        CaseResult.model_validate({"id": "a/x", "area": "a", "status": "great"})
