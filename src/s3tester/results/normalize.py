"""Normalise a run into its golden form: cases sorted by id, each with its status and,
when it did not pass, a reason signature (step, operation and the checks that failed,
expected vs actual) with every volatile value scrubbed: bucket names, run ids, UUIDs,
long hex and opaque ids, times, ports, temp paths and server error messages. Two runs of
a deterministic server give byte-identical golden files.
"""

from __future__ import annotations

import re

from s3tester.results.golden import _MISMATCH, Golden, GoldenCase, golden_summary, legacy_token, token
from s3tester.results.records import CaseResult, Failure, MismatchRecord, RunResult

MAX_CHECKS = 6
MAX_CHECK_CHARS = 160

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


def _tokens(mismatches: list[MismatchRecord], run_id: str | None = None) -> list[str]:
    # a check key may hold a substituted variable (`Buckets[?Name=='${bucket}']`): scrubbed too
    return [legacy_token(m.message) if m.check == "?" else token(scrub(m.check, run_id), m.kind) for m in mismatches]


def _failure_sig(failure: Failure, run_id: str | None = None) -> list[str]:
    """A failing step's part of the signature, from its structured outcome only."""
    if failure.cause == "unsupported":
        return [f"unsupported={failure.error_code or failure.http_status or 501}"]
    if failure.mismatches:
        return _tokens(failure.mismatches, run_id)
    code = failure.error_code or (str(failure.http_status) if failure.http_status else None)
    return [f"cause={failure.cause}" + (f" {code}" if code else "")]


def _cause(case: CaseResult) -> str | None:
    primary = next((f for f in case.failures if f.step == case.step), None)
    if primary is not None and primary.answer == "5xx" and primary.cause in ("mismatch", "error"):
        return "5xx"
    return case.cause if case.cause in ("timeout", "connection", "error") else None


def case_signature(case: CaseResult, run_id: str | None = None) -> GoldenCase:
    if case.status == "passed":
        return GoldenCase(status="passed")
    others = [f for f in case.failures if f.step != case.step]
    if case.mismatches:
        checks = [check_signature(m.message, run_id) for m in case.mismatches[:MAX_CHECKS]]
        if len(case.mismatches) > MAX_CHECKS:
            checks.append(f"(+{len(case.mismatches) - MAX_CHECKS} more)")
    else:
        reason = case.reason or ""
        prefix = " ".join(p for p in (case.step, case.operation) if p)
        if prefix and reason.startswith(prefix + ": "):
            reason = reason[len(prefix) + 2 :]
        reason = re.sub(r" \(\+\d+ more failing steps?\)$", "", reason)
        checks = [_clip(scrub(reason, run_id))] if reason else []
    for f in others[:MAX_CHECKS]:
        checks.append(_clip(scrub(f.reason, run_id)))
    sig: list[str] = []
    if case.status != "skipped":
        primary = next((f for f in case.failures if f.step == case.step), None)
        if primary is not None:
            sig = _failure_sig(primary, run_id)
        elif case.mismatches:
            sig = _tokens(case.mismatches, run_id)
        elif case.cause:
            sig = [f"cause={case.cause}"]
        sig += [f"{f.step} {f.operation} {t}" for f in others for t in _failure_sig(f, run_id)]
    return GoldenCase(status=case.status, step=case.step, operation=case.operation, checks=checks,
                      cause=_cause(case), sig=sig)


def normalize(result: RunResult) -> Golden:
    """The deterministic part of `result`: sorted, scrubbed, no times or ids."""
    # a case an s3tester bug ended says nothing about the server: never golden
    cases = {c.id: case_signature(c, result.run_id) for c in sorted(result.cases, key=lambda c: c.id) if not c.internal}
    return Golden(
        suite=result.suite,
        suite_version=result.suite_version,
        vendor=result.vendor,
        vendor_version=result.vendor_version,
        summary=golden_summary(cases),
        cases=cases,
    )

