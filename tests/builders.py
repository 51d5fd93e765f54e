"""Builders of results and golden files for the tests of `results/`: a run's record, its
cases, and golden files and cases, with the same made-up vendor (acme 2.1) throughout."""

from __future__ import annotations

from s3tester.results import golden
from s3tester.results.golden import Golden, GoldenCase
from s3tester.results.records import CaseResult, RunResult, summarize


def run_result(cases: list[CaseResult], run_id: str = "abcd1234", **kw: object) -> RunResult:
    base: dict[str, object] = dict(
        tool_version="0.1.0", suite="s3-conformance", suite_version="1.0", vendor="acme",
        vendor_version="2.1", endpoint="http://127.0.0.1:9000", run_id=run_id,
        started="2026-01-01T00:00:00Z", duration=1.0,
    )
    base.update(kw)
    return RunResult(summary=summarize(cases), cases=cases, **base)  # type: ignore[arg-type]


def failed(cid: str, *mismatches: str, step: str = "test[0]", op: str = "GetObject") -> CaseResult:
    return CaseResult(id=cid, area=cid.split("/")[0], status="failed", step=step, operation=op,
                      mismatches=list(mismatches), reason=f"{step} {op}: {mismatches[0]}", duration=0.3)


def passed(cid: str) -> CaseResult:
    return CaseResult(id=cid, area=cid.split("/")[0], status="passed", duration=0.1)


def gcase(status: str, *checks: str, note: str | None = None, flaky: bool = False,
          skip: str | None = None) -> GoldenCase:
    step, op = ("test[0]", "GetObject") if status != "passed" else (None, None)
    return GoldenCase(status=status, step=step, operation=op, checks=list(checks),  # type: ignore[arg-type]
                      note=note, flaky=flaky, skip=skip)


def gfile(cases: dict[str, GoldenCase], **kw: str) -> Golden:
    data = {"suite": "s3-conformance", "suite_version": "1.0", "vendor": "acme", "vendor_version": "2.1"}
    data.update(kw)
    return Golden(summary=golden.golden_summary(cases), cases=cases, **data)  # type: ignore[arg-type]
