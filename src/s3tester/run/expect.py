"""Judging a response: JMESPath keys, literal values or matchers, body and error checks.

`check` collects every mismatch of a step before reporting (the tavern habit), so one
run shows all that is wrong with a response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from s3tester.run.bodies import Digest, generated_digest
from s3tester.suite.bodyspec import parse_size
from s3tester.suite.matchers import compile_path, is_matcher

# HEAD and 304 responses carry no error body: botocore reports the status as the code.
# For those we accept a named code when its documented status matches.
CODE_STATUS = {
    "NoSuchKey": 404, "NoSuchBucket": 404, "NoSuchVersion": 404, "NoSuchUpload": 404,
    "NotFound": 404, "AccessDenied": 403, "Forbidden": 403, "InvalidAccessKeyId": 403,
    "SignatureDoesNotMatch": 403, "PreconditionFailed": 412, "NotModified": 304,
    "MethodNotAllowed": 405, "InvalidRange": 416, "BadRequest": 400, "InvalidRequest": 400,
    "InvalidArgument": 400, "InvalidBucketName": 400, "RequestTimeTooSkewed": 403,
    "InvalidObjectState": 403, "ObjectLockConfigurationNotFoundError": 404,
}


@dataclass
class Mismatch:
    key: str
    expected: Any
    actual: Any
    note: str = ""

    def __str__(self) -> str:
        text = f"{self.key}: expected {_show(self.expected)}, got {_show(self.actual)}"
        return f"{text} ({self.note})" if self.note else text

    @property
    def matcher(self) -> str:
        """The matcher that judged: `eq` for a literal, else the matcher's name."""
        if self.key.startswith("save "):
            return "save"
        if is_matcher(self.expected):
            return str(next(iter(self.expected)))
        return "one_of" if self.key == "error" and isinstance(self.expected, list) else "eq"

    @property
    def kind(self) -> str:
        """For verdicts: `error`/`status` checks by the code got; others missing or value."""
        if self.key == "error":
            return f"error={self.actual if self.actual is not None else 'none'}"
        if self.key == "status":
            return f"status={self.actual}"
        return "missing" if self.actual is None else "value"

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.key, "matcher": self.matcher, "kind": self.kind, "expected": _jsonable(self.expected),
                "actual": _jsonable(self.actual), "note": self.note, "message": str(self)}


@dataclass
class Outcome:
    """A step's response as expectations see it."""

    doc: dict[str, Any]
    status: int
    error_code: str | None = None
    error_message: str | None = None
    body: Digest | None = None


def _jsonable(value: Any) -> Any:
    import json

    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def _show(value: Any) -> str:
    return repr(value)  # whole: the case result masks secrets, then cuts (run/case.py `_masked`)


def match(expected: Any, actual: Any) -> str | None:
    """None if `actual` satisfies `expected` (literal or matcher), else a short note."""
    if not is_matcher(expected):
        return None if _equal(expected, actual) else ""
    name, arg = next(iter(expected.items()))
    if name == "exists":
        return None if (actual is not None) == bool(arg) else ""
    if name == "eq":
        return None if _equal(arg, actual) else ""
    if name == "ne":
        return None if not _equal(arg, actual) else ""
    if name == "one_of":
        return None if any(_equal(a, actual) for a in arg) else ""
    if actual is None:
        return "missing"
    if name == "regex":
        return None if re.search(arg, _as_text(actual)) else ""
    if name in ("gt", "gte", "lt", "lte"):
        try:
            number = float(actual)
            limit = float(arg)
        except (TypeError, ValueError):
            return "not a number"
        ok = {"gt": number > limit, "gte": number >= limit,
              "lt": number < limit, "lte": number <= limit}[name]
        return None if ok else ""
    if name == "len":
        try:
            length = len(actual)
        except TypeError:
            return "has no length"
        note = match(arg, length)
        return None if note is None else f"length is {length}"
    if name == "contains":
        if isinstance(actual, str):
            return None if str(arg) in actual else ""
        if isinstance(actual, dict):
            return None if arg in actual else ""
        if isinstance(actual, list):
            return None if any(_equal(arg, item) or _sub(arg, item) for item in actual) else ""
        return "not a list, string or mapping"
    return f"unknown matcher {name}"


def _sub(expected: Any, actual: Any) -> bool:
    """A mapping in `contains` matches an item that has at least those keys and values."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(k in actual and match(v, actual[k]) is None for k, v in expected.items())
    return False


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _equal(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual or (
            isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
        )
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    if isinstance(expected, dict) and isinstance(actual, dict):
        return set(expected) == set(actual) and all(
            match(v, actual[k]) is None for k, v in expected.items()
        )
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            match(e, a) is None for e, a in zip(expected, actual, strict=True)
        )
    return bool(expected == actual)


def _code_matches(wanted: str, outcome: Outcome) -> bool:
    code = outcome.error_code
    if code == wanted:
        return True
    bodiless = code is not None and code.isdigit() and int(code) == outcome.status
    return bodiless and CODE_STATUS.get(wanted) == outcome.status


def check(expect: dict[str, Any] | None, outcome: Outcome) -> list[Mismatch]:
    """Every way `outcome` differs from `expect`. No expect means "must succeed"."""
    expect = expect or {}
    mismatches: list[Mismatch] = []
    wanted_error = expect.get("error")
    if wanted_error is not None:
        codes = wanted_error if isinstance(wanted_error, list) else [wanted_error]
        if outcome.error_code is None:
            mismatches.append(Mismatch("error", wanted_error, None, f"succeeded with {outcome.status}"))
        elif not any(_code_matches(str(c), outcome) for c in codes):
            mismatches.append(Mismatch("error", wanted_error, outcome.error_code, outcome.error_message or ""))
    if "status" in expect:
        note = match(expect["status"], outcome.status)
        if note is not None:
            detail = f"error {outcome.error_code}" if outcome.error_code else note
            mismatches.append(Mismatch("status", expect["status"], outcome.status, detail))
    elif wanted_error is None and outcome.error_code is not None:
        mismatches.append(
            Mismatch("error", None, outcome.error_code, outcome.error_message or f"status {outcome.status}")
        )
        return mismatches
    for key, expected in expect.items():
        if key in ("error", "status"):
            continue
        if key == "Body":
            mismatches.extend(_check_body(expected, outcome.body))
            continue
        try:
            actual = compile_path(key).search(outcome.doc)
        except Exception as exc:  # a JMESPath runtime type error is a mismatch, not a crash
            mismatches.append(Mismatch(key, expected, None, f"JMESPath error: {exc}"))
            continue
        note = match(expected, actual)
        if note is not None:
            mismatches.append(Mismatch(key, expected, actual, note))
    return mismatches


def _check_body(expected: Any, body: Digest | None) -> list[Mismatch]:
    if body is None:
        return [Mismatch("Body", expected, None, "the response has no body")]
    if isinstance(expected, dict) and not is_matcher(expected):
        out: list[Mismatch] = []
        if "size" in expected:
            note = match(parse_size(expected["size"]) if not is_matcher(expected["size"]) else expected["size"], body.size)
            if note is not None:
                out.append(Mismatch("Body.size", expected["size"], body.size))
        if "sha256" in expected and str(expected["sha256"]).lower() != body.sha256:
            out.append(Mismatch("Body.sha256", expected["sha256"], body.sha256))
        if "generated" in expected:
            spec = expected["generated"]
            size, seed = parse_size(spec["size"]), int(spec.get("seed", 0))
            want = generated_digest(size, seed)
            if body.size != size or body.sha256 != want:
                out.append(
                    Mismatch("Body", f"generated {size} bytes seed {seed}", f"{body.size} bytes sha256 {body.sha256[:16]}...")
                )
        return out
    if body.text is None:
        return [Mismatch("Body", expected, f"<{body.size} bytes>", "too large to compare as text")]
    note = match(expected, body.text)
    return [] if note is None else [Mismatch("Body", expected, body.text, note)]


