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

FORMAT = 1
NOT_PASSED = ("failed", "errored", "unsupported")
_MISMATCH = re.compile(r"^(?P<key>.+?): expected (?P<exp>.*?), got (?P<rest>.*)$", re.S)


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


def _coarse(check: str) -> str:
    m = _MISMATCH.match(check)
    if not m or m["key"] in ("error", "status"):
        return check
    missing = m["rest"].startswith("None")
    return f"{m['key']}: expected {m['exp']}, got {'None' if missing else '...'}"


def golden_summary(cases: dict[str, GoldenCase]) -> Summary:
    """The summary counts of golden cases, as a run's summary would count them."""
    stand_ins = [CaseResult(id=cid, area=cid.split("/", 1)[0], status=c.status) for cid, c in cases.items()]
    return summarize(stand_ins)
