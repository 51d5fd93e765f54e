"""Golden files as data: what one vendor did with one suite version, per case its status
and the signature of its outcome. `normalize` makes one from a run; `golden_diff` compares two.

`note`, `flaky` and `skip` are written by hand and kept when the file is updated.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from s3tester.results.records import CaseResult, Status, Summary, summarize

FORMAT = 2  # 2: `sig` and `cause` (the verdict's data); 1 (checks text only) is still read
FORMATS = (1, 2)
NOT_PASSED = ("failed", "errored", "unsupported")
NO_ANSWER = ("5xx", "timeout", "connection")  # causes that mean the server gave no real answer
_MISMATCH = re.compile(r"^(?P<key>.+?): expected (?P<exp>.*?), got (?P<rest>.*)$", re.S)
_UNSUPPORTED = re.compile(r"^not implemented \((?P<code>.*)\)$")


class GoldenCase(BaseModel):
    """One case in a golden file. `note` and `flaky` are written by hand and kept on update."""

    model_config = ConfigDict(extra="forbid")

    status: Status
    step: str | None = None
    operation: str | None = None
    checks: list[str] = Field(default_factory=list, description="for people: what failed, scrubbed; not compared")
    cause: str | None = Field(default=None, description="5xx, timeout, connection or error: no real answer")
    sig: list[str] = Field(default_factory=list, description="the compared outcome, from structured data")
    note: str | None = Field(default=None, description="hand-written, e.g. an issue link")
    flaky: bool = Field(default=False, description="hand-written: status may vary between runs")
    skip: str | None = Field(default=None, description="hand-written: never run on this vendor, and why")

    @property
    def signature(self) -> tuple[Any, ...]:
        """What must match for two runs to count as the same outcome: status, step,
        operation, cause, and per failing check its name and kind (the error code or
        status got, or whether the value was missing). Computed from structured data when
        the run recorded it (`sig`); a format-1 file's checks text is read as a fallback.
        Message wording, counts and values that depend on timing are not compared."""
        sig = self.sig if self.sig or self.status in ("passed", "skipped") else legacy_sig(self.checks)
        return (self.status, self.step, self.operation, self.no_answer, tuple(sig))

    @property
    def no_answer(self) -> str | None:
        """5xx, timeout or connection when the server gave no real answer (a format-1 file:
        read from its checks' status or error code)."""
        if self.cause in NO_ANSWER:
            return self.cause
        tokens = self.sig or legacy_sig(self.checks)
        return "5xx" if any(re.fullmatch(r"(?:status|error)=5\d\d", t.split(" ")[-1]) for t in tokens) else None

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
        if self.cause:
            out["cause"] = self.cause
        if self.sig:
            out["sig"] = list(self.sig)
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


def token(check: str, kind: str) -> str:
    """One failing check in a signature: `error=NoSuchKey`, `status=500`, `ETag:value`."""
    return kind if check in ("error", "status") else f"{check}:{kind}"


def legacy_token(text: str) -> str:
    """A format-1 check line (or an old results file's mismatch text) as a signature token."""
    u = _UNSUPPORTED.match(text)
    if u:
        return f"unsupported={u['code']}"
    m = _MISMATCH.match(text)
    if not m:
        return text
    key, rest = m["key"], m["rest"]
    got = rest.split(" (", 1)[0].strip()
    if key in ("error", "status"):
        value = "none" if got == "None" else got.strip("'\"")
        return f"{key}={value}"
    return token(key, "missing" if got.startswith("None") else "value")


def legacy_sig(checks: list[str]) -> list[str]:
    return [legacy_token(c) for c in checks if not c.startswith("(+")]


def golden_summary(cases: dict[str, GoldenCase]) -> Summary:
    """The summary counts of golden cases, as a run's summary would count them."""
    stand_ins = [CaseResult(id=cid, area=cid.split("/", 1)[0], status=c.status) for cid, c in cases.items()]
    return summarize(stand_ins)
