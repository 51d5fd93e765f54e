"""Render a RunResult as a table, JSON, YAML or JUnit XML, and a plan as text. Builds text;
the pipeline prints it."""

from __future__ import annotations

import json
from collections import defaultdict
from xml.etree import ElementTree as ET

from s3tester.results.forensics import case_lines, exchange_lines, failure_lines
from s3tester.results.golden_diff import FAILING, Diff
from s3tester.results.records import STATUSES, CaseResult, RunResult
from s3tester.suite.models import Case

FORMATS = ("table", "json", "yaml", "junit")
PERF_ROWS = 8


def render(result: RunResult, fmt: str, diff: Diff | None = None, verbose: int = 0, repro: str = "",
           region: str = "us-east-1") -> str:
    """`diff`: the golden comparison, when there is one: known failures are counted, not listed
    (table), or `<skipped>` (JUnit). `repro`: the command that re-runs a case (without -g)."""
    if fmt == "table":
        return table(result, diff, verbose, repro, region)
    if fmt == "junit":
        return junit(result, diff)
    return {"json": as_json, "yaml": as_yaml}[fmt](result)


NOT_PASSED = ("failed", "errored", "unsupported")


def known_failures(result: RunResult, diff: Diff | None) -> tuple[list[CaseResult], list[CaseResult]]:
    """(cases to show, known failures): with a golden diff, a not-passed case the golden file
    records as it is now is known; without one, every not-passed case is shown."""
    bad = [c for c in result.cases if c.status in NOT_PASSED]
    if diff is None:
        return bad, []
    changed = {c.id for c in diff.changes}
    return [c for c in bad if c.id in changed], [c for c in bad if c.id not in changed]


def as_json(result: RunResult) -> str:
    return result.to_json()


def as_yaml(result: RunResult) -> str:
    import yaml

    return str(yaml.safe_dump(result.model_dump(mode="json"), sort_keys=False, allow_unicode=True))


def table(result: RunResult, diff: Diff | None = None, verbose: int = 0, repro: str = "", region: str = "us-east-1") -> str:
    from tabulate import tabulate

    per_area: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for case in result.cases:
        per_area[case.area][case.status] += 1
    rows = [[area, *counts.values(), sum(counts.values())] for area, counts in per_area.items()]
    s = result.summary
    rows.append(["TOTAL", s.passed, s.failed, s.errored, s.unsupported, s.skipped, s.total])
    lines = [
        f"s3tester {result.tool_version} - suite {result.suite} {result.suite_version} - "
        f"vendor {result.vendor}{' ' + result.vendor_version if result.vendor_version else ''} at {result.endpoint}",
        "",
        tabulate(rows, headers=["area", *STATUSES, "total"], tablefmt="github"),
    ]
    shown, known = known_failures(result, diff)
    clean = f"s3tester clean --run-id {result.run_id} {repro.split(' ', 3)[-1]}" if repro.count(" ") >= 3 else ""
    if shown:
        lines += ["", "Not passed:" if diff is None else "Not passed, and not as the golden file records:"]
        for case in shown:
            rerun = repro if case.status != "unsupported" else ""
            lines += [f"  {line}" for line in case_lines(case, verbose, rerun, region, clean)]
    if known:
        counts = {st: sum(c.status == st for c in known) for st in NOT_PASSED}
        what = ", ".join(f"{n} {st}" for st, n in counts.items() if n)
        lines += ["", f"Known failures (as the golden file records them): {len(known)} ({what})"]
    if result.performance:
        busiest = sorted(result.performance.items(), key=lambda kv: -kv[1].count)[:PERF_ROWS]
        perf = [[op, st.count, st.errors, st.p50_ms, st.p95_ms, st.max_ms] for op, st in busiest]
        lines += ["", "Latency (busiest operations):",
                  tabulate(perf, headers=["operation", "count", "errors", "p50 ms", "p95 ms", "max ms"], tablefmt="github")]
    state = "" if result.complete else " (INCOMPLETE: interrupted)"
    lines += [
        "",
        f"{s.passed} passed, {s.failed} failed, {s.errored} errored, {s.unsupported} unsupported, "
        f"{s.skipped} skipped in {result.duration:.2f}s (parallel {result.parallel}){state}",
    ]
    return "\n".join(lines) + "\n"


def junit(result: RunResult, diff: Diff | None = None) -> str:
    """Areas as testsuites, cases as testcases. With a golden `diff`, only regressions,
    worsened and new failures are `<failure>`/`<error>`; known (and merely changed)
    failures are `<skipped>` with their reason, so the CI test tab is red only for news."""
    failing: dict[str, str] | None = (
        {c.id: str(c.kind) for c in diff.changes if c.kind in FAILING or c.kind == "new"} if diff else None
    )
    verdicts = [_junit_kind(c, failing) for c in result.cases]
    count = {k: verdicts.count(k) for k in ("failure", "error", "skipped")}
    root = ET.Element("testsuites", name=f"s3tester {result.suite} {result.suite_version}",
                      tests=str(result.summary.total), failures=str(count["failure"]),
                      errors=str(count["error"]), skipped=str(count["skipped"]), time=f"{result.duration:.3f}")
    by_area: dict[str, list[tuple[CaseResult, str | None]]] = defaultdict(list)
    for case, kind in zip(result.cases, verdicts, strict=True):
        by_area[case.area].append((case, kind))
    for area, cases in by_area.items():
        suite = ET.SubElement(
            root, "testsuite", name=area, tests=str(len(cases)),
            failures=str(sum(k == "failure" for _, k in cases)),
            errors=str(sum(k == "error" for _, k in cases)),
            skipped=str(sum(k == "skipped" for _, k in cases)),
            time=f"{sum(c.duration for c, _ in cases):.3f}",
        )
        for case, kind in cases:
            tc = ET.SubElement(suite, "testcase", classname=f"{result.vendor}.{area}", name=case.id.split("/", 1)[1], time=f"{case.duration:.3f}")
            detail = ("\n".join(line for f in case.failures for line in failure_lines(f))
                      or "\n".join(m.message for m in case.mismatches) or (case.reason or ""))
            label = f"{failing[case.id]}: " if failing and case.id in failing else ""
            if kind == "failure":
                el = ET.SubElement(tc, "failure", message=label + (case.reason or ""), type="mismatch")
                el.text = f"expected: {json.dumps(case.expected)}\nactual: {json.dumps(case.actual)}\n{detail}"
            elif kind == "error":
                ET.SubElement(tc, "error", message=label + (case.reason or ""), type=case.cause or "error").text = detail
            elif kind == "skipped":
                known = "known failure (golden): " if failing is not None and case.status in ("failed", "errored") else ""
                ET.SubElement(tc, "skipped", message=f"{known}{case.status}: {case.reason or ''}")
            if kind in ("failure", "error") and case.exchange:
                ET.SubElement(tc, "system-out").text = "\n".join(exchange_lines(case.exchange)) + "\n" + json.dumps(case.exchange, indent=2)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _junit_kind(case: CaseResult, failing: dict[str, str] | None) -> str | None:
    if case.status in ("skipped", "unsupported"):
        return "skipped"
    if case.status == "passed":
        return None
    if failing is not None and case.id not in failing:
        return "skipped"  # a known failure
    return "failure" if case.status == "failed" else "error"


def plan_text(cases: list[Case]) -> str:
    """`--dry-run`: every case and its steps, as they would be sent."""
    lines = []
    for case in cases:
        lines.append(f"{case.id}{'  [skip: ' + case.group.skip + ']' if case.group.skip else ''}")
        for phase in ("before", "test", "after"):
            for i, step in enumerate(getattr(case.group, phase)):
                who = f" as {step.as_}" if step.as_ != "main" else ""
                lines.append(f"    {phase}[{i}] {step.label}{who}")
    lines.append(f"{len(cases)} cases planned")
    return "\n".join(lines) + "\n"
