"""Golden snapshots: the deterministic part of a run, compared with the next run.

`normalize` turns a RunResult into a `Golden`: cases sorted by id, each with its status
and, when it did not pass, a reason signature (step, operation and the checks that
failed, expected vs actual) with every volatile value scrubbed: bucket names, run ids,
UUIDs, long hex and opaque ids, times, ports, temp paths and server error messages.
Two runs of a deterministic server give byte-identical golden files.

`compare` sorts the differences into regressions (passed -> not passed), fixes
(not passed -> passed), changed failures, new and removed cases. `merge` builds the
file `--update-golden` writes: hand-written `note` and `flaky` fields of the old file
are kept. `diff_lines` renders a Diff as text lines; the CLI prints them.

File layout: `<golden dir>/<vendor>/v<suite version>.json`, e.g. `golden/moto/v1.0.json`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from s3tester.errors import ConfigError, Location, Problem
from s3tester.models import Suite
from s3tester.results import CaseResult, RunResult, Status, Summary, summarize, write_atomic

FORMAT = 1
MAX_CHECKS = 6
MAX_CHECK_CHARS = 160

Kind = Literal["regression", "fix", "changed", "new", "removed", "flaky"]
KINDS: tuple[Kind, ...] = ("regression", "fix", "changed", "new", "removed", "flaky")
NOT_PASSED = ("failed", "errored", "unsupported")


class GoldenCase(BaseModel):
    """One case in a golden file. `note` and `flaky` are written by hand and kept on update."""

    model_config = ConfigDict(extra="forbid")

    status: Status
    step: str | None = None
    operation: str | None = None
    checks: list[str] = Field(default_factory=list)
    note: str | None = Field(default=None, description="hand-written, e.g. an issue link")
    flaky: bool = Field(default=False, description="hand-written: status may vary between runs")
    skip: str | None = Field(default=None, description="hand-written: never run on this vendor, and why")

    @property
    def signature(self) -> tuple[Any, ...]:
        """What must match for two runs to count as the same outcome: status, step,
        operation, and per check its key, expectation and error code or status; for
        other checks only whether the actual value was missing (counts and values that
        depend on timing or on other cases running alongside are not compared)."""
        return (self.status, self.step, self.operation, tuple(_coarse(c) for c in self.checks))

    @property
    def reason(self) -> str:
        """One line: `test[1] GetObject: error: expected 'NoSuchKey', got None (succeeded with 200)`."""
        where = " ".join(p for p in (self.step, self.operation) if p)
        text = "; ".join(self.checks)
        return f"{where}: {text}" if where and text else where or text

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        for key in ("step", "operation"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.checks:
            out["checks"] = list(self.checks)
        if self.note:
            out["note"] = self.note
        if self.flaky:
            out["flaky"] = True
        if self.skip:
            out["skip"] = self.skip
        return out


class Golden(BaseModel):
    """A golden file: what one vendor did with one suite version."""

    model_config = ConfigDict(extra="forbid")

    format: int = FORMAT
    suite: str
    suite_version: str
    vendor: str
    vendor_version: str | None = None
    summary: Summary
    cases: dict[str, GoldenCase]

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "format": self.format,
            "suite": self.suite,
            "suite_version": self.suite_version,
            "vendor": self.vendor,
            "vendor_version": self.vendor_version,
            "summary": self.summary.model_dump(),
            "cases": {cid: self.cases[cid].to_dict() for cid in sorted(self.cases)},
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def read(cls, path: str | Path) -> Golden:
        return read_golden(path)


# -- scrubbing volatile values ---------------------------------------------------------
_SCRUBS: list[tuple[re.Pattern[str], str]] = [
    # bucket names s3tester hands out: s3t-<run id>-<case index>[-hint]
    (re.compile(r"\bs3t-[a-z][a-z0-9]{7}-\d{4}(?:-[a-z0-9-]*[a-z0-9])?"), "<bucket>"),
    (re.compile(r"\bs3t-[a-z][a-z0-9]{7}-"), "<run>-"),
    (re.compile(r"\x1b\[[0-9;]*[A-Za-z]"), ""),  # terminal colours in server logs
    (re.compile(r"(last log lines:).*", re.S), r"\1 ..."),
    (re.compile(r"/tmp/[^\s'\";]*"), "<tmp>"),
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"), "<uuid>"),
    (re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?"), "<time>"),
    (re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\b"), "<time>"),
    (re.compile(r"datetime\.datetime\([^()]*(?:\([^()]*\))?[^()]*\)"), "<time>"),
    (re.compile(r"(?<![0-9a-zA-Z])[0-9a-fA-F]{16,}(?![0-9a-zA-Z])"), "<hex>"),
    # opaque tokens (upload ids, continuation tokens, version ids): 28+ characters of
    # base64/url-safe alphabet mixing digits, lower and upper case; no dots, so JMESPath
    # keys, host names and file names stay readable
    (re.compile(r"(?<![\w.])(?=[\w+/=-]*\d)(?=[\w+/=-]*[a-z])(?=[\w+/=-]*[A-Z])[A-Za-z0-9+/=_-]{28,}(?![\w.])"), "<id>"),
    (re.compile(r"\b\d{10,}\b"), "<n>"),
    (re.compile(r"://(?:\[[0-9a-fA-F:]+\]|[\w.-]+):\d+"), "://<host>"),
    (re.compile(r"\b(?:127\.0\.0\.1|localhost|\[::1\]):\d+"), "<host>"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|s|seconds)\b"), "<duration>"),
]
_MISMATCH = re.compile(r"^(?P<key>.+?): expected (?P<exp>.*?), got (?P<rest>.*)$", re.S)
_NOTE = re.compile(r"^(?P<act>.*?) \((?P<note>.*)\)$", re.S)
_STABLE_ERROR_NOTE = re.compile(r"^(?:succeeded with|status) \d+$")


def scrub(text: str, run_id: str | None = None) -> str:
    """`text` with run-specific values replaced by placeholders, on one line."""
    for pattern, placeholder in _SCRUBS[:2]:  # bucket names, before the run id goes
        text = pattern.sub(placeholder, text)
    if run_id:
        text = text.replace(run_id, "<run>")
    for pattern, placeholder in _SCRUBS[2:]:
        text = pattern.sub(placeholder, text)
    return " ".join(text.split())


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CHECK_CHARS else text[: MAX_CHECK_CHARS - 3] + "..."


def check_signature(mismatch: str, run_id: str | None = None) -> str:
    """One mismatch line, scrubbed; a server's free-text error message is dropped."""
    m = _MISMATCH.match(mismatch)
    if not m:
        return _clip(scrub(mismatch, run_id))
    key, expected, rest = m["key"], m["exp"], m["rest"]
    note = ""
    n = _NOTE.match(rest)
    if n:
        rest, note = n["act"], n["note"]
    if key == "error" and note and not _STABLE_ERROR_NOTE.match(note):
        note = ""  # the server's error message: wording varies, the code is what counts
    text = f"{_clip(scrub(key, run_id))}: expected {_clip(scrub(expected, run_id))}, got {_clip(scrub(rest, run_id))}"
    if note:
        text += f" ({_clip(scrub(note, run_id))})"
    return text


def _coarse(check: str) -> str:
    m = _MISMATCH.match(check)
    if not m or m["key"] in ("error", "status"):
        return check
    missing = m["rest"].startswith("None")
    return f"{m['key']}: expected {m['exp']}, got {'None' if missing else '...'}"


def case_signature(case: CaseResult, run_id: str | None = None) -> GoldenCase:
    if case.status == "passed":
        return GoldenCase(status="passed")
    if case.mismatches:
        checks = [check_signature(m, run_id) for m in case.mismatches[:MAX_CHECKS]]
        if len(case.mismatches) > MAX_CHECKS:
            checks.append(f"(+{len(case.mismatches) - MAX_CHECKS} more)")
    else:
        reason = case.reason or ""
        prefix = " ".join(p for p in (case.step, case.operation) if p)
        if prefix and reason.startswith(prefix + ": "):
            reason = reason[len(prefix) + 2 :]
        checks = [_clip(scrub(reason, run_id))] if reason else []
    return GoldenCase(status=case.status, step=case.step, operation=case.operation, checks=checks)


def normalize(result: RunResult) -> Golden:
    """The deterministic part of `result`: sorted, scrubbed, no times or ids."""
    cases = {c.id: case_signature(c, result.run_id) for c in sorted(result.cases, key=lambda c: c.id)}
    return Golden(
        suite=result.suite,
        suite_version=result.suite_version,
        vendor=result.vendor,
        vendor_version=result.vendor_version,
        summary=_summary(cases),
        cases=cases,
    )


def _summary(cases: dict[str, GoldenCase]) -> Summary:
    stand_ins = [CaseResult(id=cid, area=cid.split("/", 1)[0], status=c.status) for cid, c in cases.items()]
    return summarize(stand_ins)


# -- files ----------------------------------------------------------------------------
def golden_path(golden: str | Path, vendor: str, suite_version: str) -> Path:
    """A `.json` path is the file itself; a directory holds `<vendor>/v<version>.json`."""
    path = Path(golden)
    if path.suffix == ".json":
        return path
    return path / vendor / f"v{suite_version}.json"


def read_golden(path: str | Path) -> Golden:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no golden file at {path}: create it with --update-golden") from None
    except OSError as exc:
        raise ConfigError(f"cannot read golden file: {exc.strerror}", Location(str(path))) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(exc.msg, Location(str(path), exc.lineno, exc.colno)) from None
    try:
        return Golden.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(Location(str(path)), f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}")
            for err in exc.errors()
        ]
        raise ConfigError(f"invalid golden file {path}", Location(str(path)), problems) from None


def load_any(path: str | Path, complete: bool = False) -> Golden:
    """A golden file or a results file, as a Golden (results are normalized). With
    `complete`, a results file of an interrupted run is refused."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(exc.msg, Location(str(path), exc.lineno, exc.colno)) from None
    if isinstance(data, dict) and isinstance(data.get("cases"), list):
        if complete and data.get("complete") is False:
            raise ConfigError(f"{path} is from an interrupted run: it cannot update a golden file")
        try:
            return normalize(RunResult.model_validate(data))
        except ValidationError as exc:
            raise ConfigError(f"{path}: not a valid results file ({exc.error_count()} problems)") from None
    return read_golden(path)


def write_golden(path: str | Path, golden: Golden) -> None:
    write_atomic(path, golden.to_json())


# -- comparing ------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    kind: Kind
    id: str
    before: GoldenCase | None
    after: GoldenCase | None


@dataclass
class Diff:
    """What differs between a golden file (`before`) and a run (`after`)."""

    before: Golden | None
    after: Golden
    changes: list[Change] = field(default_factory=list)

    def of(self, kind: Kind) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def regressions(self) -> list[Change]:
        return self.of("regression")

    @property
    def fixes(self) -> list[Change]:
        return self.of("fix")

    def counts(self) -> dict[Kind, int]:
        return {k: len(self.of(k)) for k in KINDS}

    def failed(self, strict: bool = False) -> bool:
        """Regressions fail; with `strict`, so does any fix, changed, new or removed case."""
        if self.regressions:
            return True
        return strict and any(c.kind not in ("flaky",) for c in self.changes)

    @property
    def empty(self) -> bool:
        return not self.changes


def _kind(before: GoldenCase, after: GoldenCase) -> Kind | None:
    if before.signature == after.signature:
        return None
    if before.flaky:
        return "flaky"
    if before.status == "passed" and after.status in NOT_PASSED:
        return "regression"
    if after.status == "passed" and before.status != "passed":
        return "fix"
    return "changed"


def compare(before: Golden | None, after: Golden, in_suite: Iterable[str] | None = None) -> Diff:
    """Differences from `before` (golden) to `after` (this run).

    `in_suite`, when given, is every case id of the suite that was run: golden cases that
    are in the suite but were filtered out of this run are not reported as removed.
    """
    diff = Diff(before, after)
    old = before.cases if before else {}
    suite_ids = set(in_suite) if in_suite is not None else None
    for cid in sorted(set(old) | set(after.cases)):
        was, now = old.get(cid), after.cases.get(cid)
        if was is None and now is not None:
            diff.changes.append(Change("new", cid, None, now))
        elif now is None and was is not None:
            if suite_ids is None or cid not in suite_ids:
                diff.changes.append(Change("removed", cid, was, None))
        elif was is not None and now is not None:
            kind = _kind(was, now)
            if kind:
                diff.changes.append(Change(kind, cid, was, now))
    diff.changes.sort(key=lambda c: (KINDS.index(c.kind), c.id))
    return diff


def check_same_suite(golden: Golden, current: Golden, where: str | Path) -> None:
    if golden.suite != current.suite or golden.suite_version != current.suite_version:
        raise ConfigError(
            f"golden file {where} is for suite {golden.suite} {golden.suite_version}, "
            f"this run is {current.suite} {current.suite_version}"
        )


def merge(before: Golden | None, after: Golden, in_suite: Iterable[str] | None = None) -> Golden:
    """The golden file to write: `after`, keeping hand-written notes and flaky marks of
    `before`, and the cases of `before` the run filtered out but the suite still has."""
    old = before.cases if before else {}
    suite_ids = set(in_suite) if in_suite is not None else set()
    cases: dict[str, GoldenCase] = {}
    for cid, case in after.cases.items():
        prior = old.get(cid)
        if prior is not None and prior.signature == case.signature:
            case = prior  # same outcome: keep the recorded wording, so files do not churn
        elif prior is not None and (prior.note or prior.flaky or prior.skip):
            case = case.model_copy(update={"note": prior.note, "flaky": prior.flaky, "skip": prior.skip})
        cases[cid] = case
    for cid, prior in old.items():
        if cid not in cases and cid in suite_ids:
            cases[cid] = prior
    cases = {cid: cases[cid] for cid in sorted(cases)}
    version = after.vendor_version or (before.vendor_version if before else None)
    return after.model_copy(update={"cases": cases, "summary": _summary(cases), "vendor_version": version})


# -- rendering ------------------------------------------------------------------------
_LABEL: dict[Kind, str] = {
    "regression": "REGRESSION",
    "fix": "FIX",
    "changed": "CHANGED",
    "new": "NEW",
    "removed": "REMOVED",
    "flaky": "FLAKY",
}


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    return f"{n} {word + 'es' if word.endswith('x') else word + 's'}"


def summary_line(diff: Diff) -> str:
    c = diff.counts()
    parts = [
        _plural(c["regression"], "regression"),
        _plural(c["fix"], "fix"),
        f"{c['changed']} changed",
        f"{c['new']} new",
        f"{c['removed']} removed",
    ]
    if c["flaky"]:
        parts.append(f"{c['flaky']} flaky")
    return ", ".join(parts)


def _describe(case: GoldenCase) -> str:
    reason = case.reason
    return f"{case.status}: {reason}" if reason else case.status


def diff_lines(diff: Diff, where: str | Path, strict: bool = False, updated: bool = False) -> list[str]:
    """The diff as text lines: a header, one line per change (two for a changed reason),
    and the verdict. `updated` words it as the change just written to the file."""
    g = diff.after
    version = f" {g.vendor_version}" if g.vendor_version else ""
    head = "updated" if updated else "golden"
    lines = [f"{head} {where} ({g.vendor}{version}, suite {g.suite} {g.suite_version}): {summary_line(diff)}"]
    before = diff.before
    if before is not None and g.vendor_version and before.vendor_version != g.vendor_version:
        lines.append(f"  vendor version {before.vendor_version or 'unknown'} -> {g.vendor_version or 'unknown'}")
    for change in diff.changes:
        label = f"  {_LABEL[change.kind]:<10} {change.id}"
        was, now = change.before, change.after
        if change.kind == "new" and now is not None:
            lines.append(f"{label}: {_describe(now)}")
        elif change.kind == "removed" and was is not None:
            lines.append(f"{label} (was {was.status})")
        elif was is not None and now is not None:
            if was.status != now.status:
                lines.append(f"{label}: {was.status} -> {_describe(now)}")
            else:
                lines.append(f"{label}: {_describe(now)}")
            if was.status != "passed" and was.reason and was.reason != now.reason:
                lines.append(f"{'':13}was: {was.reason}")
            if was.note:
                lines.append(f"{'':13}note: {was.note}")
    if updated:
        return lines
    regressions = [c.id for c in diff.regressions]
    if regressions:
        lines.append(f"FAIL: {_plural(len(regressions), 'regression')}: {', '.join(regressions)}")
    elif diff.failed(strict):
        lines.append("FAIL (--strict): the golden file is stale; update it with --update-golden")
    else:
        lines.append("OK: no regressions")
    return lines


def with_skips(suite: Suite, golden: str | Path, vendor: str) -> Suite:
    """`suite` with the cases the vendor's golden file marks `skip` set to be skipped
    (a case that hangs or crashes that server is never sent to it)."""
    path = golden_path(golden, vendor, suite.version)
    try:
        found = read_golden(path) if path.is_file() else None
    except ConfigError:
        return suite  # reported when the run is compared
    skips = {cid: case.skip for cid, case in (found.cases.items() if found else ()) if case.skip}
    if not skips:
        return suite
    cases = [
        c.model_copy(update={"group": c.group.model_copy(update={"skip": f"skipped on {vendor}: {skips[c.id]}"})})
        if c.id in skips and not c.group.skip else c
        for c in suite.cases
    ]
    return suite.model_copy(update={"cases": cases})


# -- the verdict the CLI reports --------------------------------------------------------
@dataclass
class Verdict:
    failed: bool
    lines: list[str]
    path: Path


def check(
    current: Golden,
    golden: str | Path,
    update: bool = False,
    strict: bool = False,
    in_suite: Iterable[str] | None = None,
) -> Verdict:
    """Compare `current` with its golden file under `golden` (a directory or a file);
    with `update`, write the merged file atomically and report what changed."""
    path = golden_path(golden, current.vendor, current.suite_version)
    if update:
        before = read_golden(path) if path.exists() else None
        if before is not None:
            check_same_suite(before, current, path)
        merged = merge(before, current, in_suite)
        diff = compare(before, merged)
        if before is None or before.to_json() != merged.to_json():
            write_golden(path, merged)
            if before is None:
                lines = [f"created {path} ({merged.summary.total} cases, {merged.summary.passed} passed)"]
            else:
                lines = diff_lines(diff, path, updated=True)
        else:
            lines = [f"golden {path} is up to date ({merged.summary.total} cases)"]
        return Verdict(False, lines, path)
    before = read_golden(path)
    check_same_suite(before, current, path)
    diff = compare(before, current, in_suite)
    return Verdict(diff.failed(strict), diff_lines(diff, path, strict), path)
