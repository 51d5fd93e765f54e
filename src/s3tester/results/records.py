"""The record of a run: statuses, per-case details, per-operation latency figures.

The schema in `schema/results.schema.json` is generated from these models.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["passed", "failed", "errored", "unsupported", "skipped"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "errored", "unsupported", "skipped")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    mismatches: list[str] = Field(default_factory=list)
    leftovers: list[str] = Field(default_factory=list)

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

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=False) + "\n"


def summarize(cases: list[CaseResult]) -> Summary:
    counts = dict.fromkeys(STATUSES, 0)
    for case in cases:
        counts[case.status] += 1
    return Summary(total=len(cases), **counts)
