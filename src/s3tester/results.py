"""Results of a run: statuses, per-case details, per-operation latency, JSON on disk.

The schema in `schema/results.schema.json` is generated from these models.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
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

    @property
    def ok(self) -> bool:
        return self.complete and self.summary.failed == 0 and self.summary.errored == 0

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=False) + "\n"

    @classmethod
    def read(cls, path: str | Path) -> RunResult:
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))


def summarize(cases: list[CaseResult]) -> Summary:
    counts = dict.fromkeys(STATUSES, 0)
    for case in cases:
        counts[case.status] += 1
    return Summary(total=len(cases), **counts)


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def op_stats(samples: dict[str, list[tuple[float, bool]]]) -> dict[str, OpStats]:
    out = {}
    for op in sorted(samples):
        values = sorted(s for s, _ in samples[op])
        out[op] = OpStats(
            count=len(values),
            errors=sum(1 for _, err in samples[op] if err),
            p50_ms=round(percentile(values, 0.5) * 1000, 2),
            p95_ms=round(percentile(values, 0.95) * 1000, 2),
            max_ms=round(values[-1] * 1000, 2) if values else 0.0,
        )
    return out


def write_atomic(path: str | Path, text: str) -> None:
    """Write via a temp file in the same directory and rename: old file stays whole on failure."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; results and golden files are for sharing
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
