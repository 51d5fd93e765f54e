"""report: the table, JUnit XML, JSON and YAML renderings of a run, and the dry-run plan text."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

from s3tester.results import report
from s3tester.results.records import CaseResult, OpStats, RunResult, summarize
from s3tester.suite.loader import load_suite

NOT_PASSED = ("failed", "errored", "unsupported")


def cases() -> list[CaseResult]:
    return [
        CaseResult(id="objects/put-get", area="objects", status="passed", duration=0.25),
        CaseResult(id="objects/wrong-body", area="objects", status="failed", duration=0.5, step="test[1]",
                   operation="GetObject", reason="test[1] GetObject: Body: expected 'a', got 'b'", expected="a",
                   actual="b", mismatches=["Body: expected 'a', got 'b'", "ContentLength: expected 1, got 2"]),
        CaseResult(id="objects/missing", area="objects", status="failed", reason="test[0] HeadObject: status: expected 404, got 200",
                   mismatches=["status: expected 404, got 200"]),
        CaseResult(id="listing/setup", area="listing", status="errored", duration=1.0,
                   reason="before[0] CreateBucket: timed out"),
        CaseResult(id="listing/uploads", area="listing", status="unsupported",
                   reason="test[0] ListMultipartUploads: not implemented (501)"),
        CaseResult(id="listing/skip", area="listing", status="skipped", reason="demonstrates skip"),
        CaseResult(id="buckets/list", area="buckets", status="passed"),
    ]


def run(case_list: list[CaseResult] | None = None, **kw: object) -> RunResult:
    found = cases() if case_list is None else case_list
    base: dict[str, object] = dict(
        tool_version="9.9.9", suite="demo", suite_version="1.0", vendor="acme", vendor_version="2.1",
        endpoint="http://127.0.0.1:9000", run_id="abcd1234", started="2026-01-01T00:00:00Z", duration=3.25, parallel=4,
    )
    base.update(kw)
    return RunResult(summary=summarize(found), cases=found, **base)  # type: ignore[arg-type]


# -- table -----------------------------------------------------------------------------
def test_table_lists_every_not_passed_case_and_only_those() -> None:
    result = run()
    lines = report.table(result).splitlines()
    start = lines.index("Not passed:")
    listed = [line for line in lines[start + 1:] if line.startswith("  ") and not line.startswith("   ")]
    expected = [c for c in result.cases if c.status in NOT_PASSED]
    assert len(listed) == len(expected) == 4
    for line, case in zip(listed, expected, strict=True):
        assert line.split() == [case.status.upper(), case.id]
    text = "\n".join(lines)
    for case in expected:  # every mismatch, none hidden behind "(+1 more)"
        for m in case.mismatches or []:
            assert m.message in text
        if not case.mismatches:
            assert str(case.reason) in text
    assert not any("objects/put-get" in line or "listing/skip" in line for line in lines)


def test_table_counts_per_area_and_in_total() -> None:
    text = report.table(run())
    assert text.splitlines()[0] == "s3tester 9.9.9 - suite demo 1.0 - vendor acme 2.1 at http://127.0.0.1:9000"
    rows = {cells[0]: cells[1:] for line in text.splitlines()
            if line.startswith("|") and (cells := [c.strip() for c in line.strip("|").split("|")])}
    assert rows["area"] == ["passed", "failed", "errored", "unsupported", "skipped", "total"]
    assert rows["objects"] == ["1", "2", "0", "0", "0", "3"]
    assert rows["listing"] == ["0", "0", "1", "1", "1", "3"]
    assert rows["buckets"] == ["1", "0", "0", "0", "0", "1"]
    assert rows["TOTAL"] == ["2", "2", "1", "1", "1", "7"]
    assert text.endswith("2 passed, 2 failed, 1 errored, 1 unsupported, 1 skipped in 3.25s (parallel 4)\n")


def test_table_of_an_all_green_interrupted_run() -> None:
    text = report.table(run([CaseResult(id="a/x", area="a", status="passed")], complete=False, vendor_version=None))
    assert "Not passed:" not in text and "Latency" not in text
    assert text.splitlines()[0].endswith("vendor acme at http://127.0.0.1:9000")
    assert text.rstrip().endswith("(INCOMPLETE: interrupted)")


def test_table_shows_the_busiest_operations_only() -> None:
    perf = {f"Op{i:02d}": OpStats(count=i, errors=0, p50_ms=1.0, p95_ms=2.0, max_ms=3.0) for i in range(1, 12)}
    lines = report.table(run(performance=perf)).splitlines()
    shown = [line.split("|")[1].strip() for line in lines[lines.index("Latency (busiest operations):"):]
             if line.startswith("| Op")]
    assert shown == [f"Op{i:02d}" for i in range(11, 11 - report.PERF_ROWS, -1)]


# -- JUnit -----------------------------------------------------------------------------
def test_junit_counts_failures_errors_and_skips() -> None:
    text = report.junit(run())
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    root = ET.fromstring(text.split("\n", 1)[1])
    assert root.tag == "testsuites" and root.get("name") == "s3tester demo 1.0"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped", "time")} == {
        "tests": "7", "failures": "2", "errors": "1", "skipped": "2", "time": "3.250"}
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["objects", "listing", "buckets"]
    assert {k: suites["objects"].get(k) for k in ("tests", "failures", "errors", "skipped", "time")} == {
        "tests": "3", "failures": "2", "errors": "0", "skipped": "0", "time": "0.750"}
    assert {k: suites["listing"].get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "3", "failures": "0", "errors": "1", "skipped": "2"}
    assert len(root.findall(".//failure")) == 2 and len(root.findall(".//error")) == 1
    assert len(root.findall(".//skipped")) == 2
    assert sum(len(s.findall("testcase")) for s in suites.values()) == 7


def test_junit_testcases_carry_expected_actual_and_reasons() -> None:
    root = ET.fromstring(report.junit(run()).split("\n", 1)[1])
    by_name = {tc.get("name"): tc for tc in root.iter("testcase")}
    assert by_name["put-get"].get("classname") == "acme.objects" and list(by_name["put-get"]) == []
    failure = by_name["wrong-body"].find("failure")
    assert failure is not None and failure.get("message") == "test[1] GetObject: Body: expected 'a', got 'b'"
    assert failure.text == ('expected: "a"\nactual: "b"\n'
                            "Body: expected 'a', got 'b'\nContentLength: expected 1, got 2")
    error = by_name["setup"].find("error")
    assert error is not None and error.text == "before[0] CreateBucket: timed out"
    skips = {name: by_name[name].find("skipped") for name in ("uploads", "skip")}
    assert skips["uploads"] is not None and skips["uploads"].get("message", "").startswith("unsupported: ")
    assert skips["skip"] is not None and skips["skip"].get("message") == "skipped: demonstrates skip"


# -- render ----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", report.FORMATS)
def test_render_dispatches_on_the_format(fmt: str) -> None:
    result = run()
    text = report.render(result, fmt)
    if fmt == "json":
        assert RunResult.model_validate(json.loads(text)) == result
    elif fmt == "yaml":
        assert RunResult.model_validate(yaml.safe_load(text)) == result
    elif fmt == "junit":
        assert text == report.junit(result)
    else:
        assert text == report.table(result)


# -- plan ------------------------------------------------------------------------------
PLAN_SUITE = """\
groups:
  - name: roundtrip
    before:
      - op: CreateBucket
        params: {Bucket: "${bucket}"}
    test:
      - op: PutObject
        params: {Bucket: "${bucket}", Key: k, Body: x}
      - http: {method: GET, path: "/${bucket}/k"}
        as: alt
    after:
      - op: DeleteObject
        params: {Bucket: "${bucket}", Key: k}
  - name: later
    skip: not yet
    test:
      - op: ListBuckets
"""


def test_plan_text_lists_every_case_and_step(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text('name: p\nversion: "1"\ncredentials: [main, alt]\n')
    (tmp_path / "plan.yaml").write_text(PLAN_SUITE)
    suite = load_suite(tmp_path)
    assert report.plan_text(suite.cases).splitlines() == [
        "plan/roundtrip",
        "    before[0] CreateBucket",
        "    test[0] PutObject",
        "    test[1] http GET as alt",
        "    after[0] DeleteObject",
        "plan/later  [skip: not yet]",
        "    test[0] ListBuckets",
        "2 cases planned",
    ]
    assert report.plan_text([]) == "0 cases planned\n"
