"""Per-operation latency figures of a run: count, errors, p50/p95/max in milliseconds."""

from __future__ import annotations

from s3tester.results.records import OpStats


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
