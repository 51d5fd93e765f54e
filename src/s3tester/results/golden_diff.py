"""Compare a golden file with a run: regressions (passed -> not passed), worsened (failed
-> errored, or an answer -> 5xx, timeout or connection error), fixes (not passed ->
passed), changed failures, new and removed cases (docs/golden.md); `merge` builds the file
`--update-golden` writes (hand-written `note`, `flaky` and `skip` kept); `diff_lines`
renders a diff as text lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from s3tester.results.golden import NOT_PASSED, Golden, GoldenCase, golden_summary

Kind = Literal["regression", "worsened", "fix", "changed", "new", "removed", "flaky"]
KINDS: tuple[Kind, ...] = ("regression", "worsened", "fix", "changed", "new", "removed", "flaky")
FAILING: frozenset[str] = frozenset({"regression", "worsened"})  # always fail the run
FAIL_ON_CHOICES = ("changed", "new", "removed", "fix")


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

    def counts(self) -> dict[Kind, int]:
        return {k: len(self.of(k)) for k in KINDS}

    @property
    def worsened(self) -> list[Change]:
        return self.of("worsened")

    def failed(self, strict: bool = False, fail_on: Iterable[str] = ()) -> bool:
        """Regressions and worsened cases fail; `fail_on` kinds too (`--fail-on changed,new`);
        with `strict`, so does any fix, changed, new or removed case."""
        if self.failing(fail_on):
            return True
        return strict and any(c.kind not in ("flaky",) for c in self.changes)

    def failing(self, fail_on: Iterable[str] = ()) -> list[Change]:
        kinds = FAILING | set(fail_on)
        return [c for c in self.changes if c.kind in kinds]


def _kind(before: GoldenCase, after: GoldenCase) -> Kind | None:
    if before.signature == after.signature:
        return None
    if before.flaky:
        return "flaky"
    if before.status == "passed" and after.status in NOT_PASSED:
        return "regression"
    if after.status == "passed" and before.status != "passed":
        return "fix"
    if before.status == "failed" and after.status == "errored":
        return "worsened"
    if before.status in NOT_PASSED and before.no_answer is None and after.no_answer is not None:
        return "worsened"
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


def merge(before: Golden | None, after: Golden, in_suite: Iterable[str] | None = None) -> Golden:
    """The golden file to write: `after`, keeping hand-written notes and flaky marks of
    `before`, and the cases of `before` the run filtered out but the suite still has."""
    old = before.cases if before else {}
    suite_ids = set(in_suite) if in_suite is not None else set()
    cases: dict[str, GoldenCase] = {}
    for cid, case in after.cases.items():
        prior = old.get(cid)
        if prior is not None and (prior.signature == case.signature or (prior.flaky and prior.status == case.status)):
            # same outcome (or a flaky one's usual variation): keep the recorded wording, with the
            # structured signature of this run (a format-1 file gains its `sig` on update)
            case = prior.model_copy(update={"sig": case.sig, "cause": case.cause}) if prior.status == case.status else prior
        elif prior is not None and (prior.note or prior.flaky or prior.skip):
            case = case.model_copy(update={"note": prior.note, "flaky": prior.flaky, "skip": prior.skip})
        cases[cid] = case
    for cid, prior in old.items():
        if cid not in cases and cid in suite_ids:
            cases[cid] = prior
    cases = {cid: cases[cid] for cid in sorted(cases)}
    version = after.vendor_version or (before.vendor_version if before else None)
    return after.model_copy(update={"cases": cases, "summary": golden_summary(cases), "vendor_version": version})


_LABEL: dict[Kind, str] = {
    "regression": "REGRESSION",
    "worsened": "WORSENED",
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
        f"{c['worsened']} worsened",
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


def diff_lines(
    diff: Diff, where: str | Path, strict: bool = False, updated: bool = False,
    fail_on: Iterable[str] = (), actual: dict[str, str] | None = None,
) -> list[str]:
    """The diff as text lines: a header, one line per change (two for a changed reason),
    and the verdict, last, with the run's real (unscrubbed) reasons from `actual`.
    `updated` words it as the change just written to the file."""
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
    failing = diff.failing(fail_on)
    if failing:
        counts: dict[str, int] = {}
        for c in failing:
            counts[c.kind] = counts.get(c.kind, 0) + 1
        what = ", ".join(_plural(n, k) if k == "regression" else f"{n} {k}" for k, n in counts.items())
        lines.append("verdict:")
        for c in failing:
            old = c.before.status if c.before else "absent"
            new = c.after.status if c.after else "absent"
            real = (actual or {}).get(c.id) or (c.after.reason if c.after else "")
            lines.append(f"  {_LABEL[c.kind]:<10} {c.id}: {old} -> {new}: {real}")
        lines.append(f"FAIL: {what}: {', '.join(c.id for c in failing)}")
    elif diff.failed(strict):
        lines.append("FAIL (--strict): the golden file is stale; update it with --update-golden")
    else:
        lines.append("OK: no regressions")
    return lines
