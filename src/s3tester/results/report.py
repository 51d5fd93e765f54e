"""Render a RunResult as a table, JSON, YAML or JUnit XML, and a plan as text. Builds text;
the pipeline prints it."""

from __future__ import annotations

import json
from collections import defaultdict
from xml.etree import ElementTree as ET

from s3tester.results.records import STATUSES, RunResult
from s3tester.suite.models import Case

FORMATS = ("table", "json", "yaml", "junit")
PERF_ROWS = 8


def render(result: RunResult, fmt: str) -> str:
    return {"table": table, "json": as_json, "yaml": as_yaml, "junit": junit}[fmt](result)


def as_json(result: RunResult) -> str:
    return result.to_json()


def as_yaml(result: RunResult) -> str:
    import yaml

    return str(yaml.safe_dump(result.model_dump(mode="json"), sort_keys=False, allow_unicode=True))


def table(result: RunResult) -> str:
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
    bad = [c for c in result.cases if c.status in ("failed", "errored", "unsupported")]
    if bad:
        lines += ["", "Not passed:"]
        lines += [f"  {c.status.upper():<11} {c.id}: {c.reason}" for c in bad]
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


def junit(result: RunResult) -> str:
    """Areas as testsuites, cases as testcases; failures carry expected vs actual."""
    root = ET.Element("testsuites", name=f"s3tester {result.suite} {result.suite_version}",
                      tests=str(result.summary.total), failures=str(result.summary.failed),
                      errors=str(result.summary.errored), skipped=str(result.summary.skipped + result.summary.unsupported),
                      time=f"{result.duration:.3f}")
    by_area: dict[str, list] = defaultdict(list)
    for case in result.cases:
        by_area[case.area].append(case)
    for area, cases in by_area.items():
        suite = ET.SubElement(
            root, "testsuite", name=area, tests=str(len(cases)),
            failures=str(sum(c.status == "failed" for c in cases)),
            errors=str(sum(c.status == "errored" for c in cases)),
            skipped=str(sum(c.status in ("skipped", "unsupported") for c in cases)),
            time=f"{sum(c.duration for c in cases):.3f}",
        )
        for case in cases:
            tc = ET.SubElement(suite, "testcase", classname=f"{result.vendor}.{area}", name=case.id.split("/", 1)[1], time=f"{case.duration:.3f}")
            detail = "\n".join(case.mismatches) or (case.reason or "")
            if case.status == "failed":
                el = ET.SubElement(tc, "failure", message=case.reason or "", type="mismatch")
                el.text = f"expected: {json.dumps(case.expected)}\nactual: {json.dumps(case.actual)}\n{detail}"
            elif case.status == "errored":
                ET.SubElement(tc, "error", message=case.reason or "", type="error").text = detail
            elif case.status in ("skipped", "unsupported"):
                ET.SubElement(tc, "skipped", message=f"{case.status}: {case.reason or ''}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


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
