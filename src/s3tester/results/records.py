"""The record of a run: statuses, per-case details, per-operation latency figures.

The schema in `schema/results.schema.json` is generated from these models.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Status = Literal["passed", "failed", "errored", "unsupported", "skipped"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "errored", "unsupported", "skipped")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: Why a step did not pass. `internal`: an exception in s3tester's own code, never a verdict.
CAUSES = ("mismatch", "unsupported", "timeout", "connection", "error", "internal", "interrupted")


class MismatchRecord(Model):
    """One check that failed, as data: the verdict is computed from this, never from `message`."""

    check: str
    matcher: str = "eq"
    kind: str = "value"  # error=<code>, status=<n>, missing or value
    expected: Any = None
    actual: Any = None
    note: str = ""
    message: str = ""  # for people; wording may change


def _mismatch_list(value: Any) -> Any:
    """Results files written before mismatches were data held one text line each."""
    if isinstance(value, list):
        return [{"check": "?", "message": v} if isinstance(v, str) else v for v in value]
    return value


class Failure(Model):
    """One step that did not pass: where, why, what was checked, and the wire exchange."""

    step: str
    operation: str | None = None
    cause: str = "mismatch"
    reason: str = ""
    mismatches: list[MismatchRecord] = Field(default_factory=list)
    answer: str = "answer"  # answer | 5xx | none (timeout, connection error, not sent)
    error_code: str | None = None
    http_status: int | None = None
    credential: str | None = None  # the credential set the step signed with (`as:`), for replays
    exchange: dict[str, Any] | None = None

    _lists = field_validator("mismatches", mode="before")(classmethod(lambda cls, v: _mismatch_list(v)))


class CaseResult(Model):
    id: str
    area: str
    status: Status
    duration: float = 0.0
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    reason: str | None = None
    step: str | None = None
    operation: str | None = None
    expected: Any = None
    actual: Any = None
    mismatches: list[MismatchRecord] = Field(default_factory=list)
    cause: str | None = None
    failures: list[Failure] = Field(default_factory=list)
    exchange: dict[str, Any] | None = None
    trace: list[dict[str, Any]] = Field(default_factory=list)
    buckets: list[str] = Field(default_factory=list)
    leftovers: list[str] = Field(default_factory=list)

    _lists = field_validator("mismatches", mode="before")(classmethod(lambda cls, v: _mismatch_list(v)))

    @property
    def internal(self) -> bool:
        return self.cause == "internal"

    def __bool__(self) -> bool:
        return self.status in ("passed", "skipped")


class OpStats(Model):
    count: int
    errors: int
    p50_ms: float
    p95_ms: float
    max_ms: float


class Summary(Model):
    total: int = 0
    passed: int = 0
    failed: int = 0
    errored: int = 0
    unsupported: int = 0
    skipped: int = 0


class RunResult(Model):
    tool: str = "s3tester"
    tool_version: str
    suite: str
    suite_version: str
    vendor: str
    vendor_version: str | None = None
    endpoint: str
    run_id: str
    started: str
    duration: float
    parallel: int = 1
    complete: bool = True
    summary: Summary
    cases: list[CaseResult]
    performance: dict[str, OpStats] = Field(default_factory=dict)
    clients: dict[str, str] = Field(default_factory=dict)  # real clients' versions (client suite)

    @property
    def ok(self) -> bool:
        return self.complete and self.summary.failed == 0 and self.summary.errored == 0

    @property
    def internal(self) -> list[CaseResult]:
        """Cases an exception in s3tester's own code ended: a bug, not a verdict."""
        return [c for c in self.cases if c.internal]

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=False) + "\n"


def summarize(cases: list[CaseResult]) -> Summary:
    counts = dict.fromkeys(STATUSES, 0)
    for case in cases:
        counts[case.status] += 1
    return Summary(total=len(cases), **counts)
