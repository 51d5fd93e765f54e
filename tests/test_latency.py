"""latency: nearest-rank percentiles and per-operation figures in milliseconds."""

from __future__ import annotations

from s3tester.results.latency import op_stats, percentile
from s3tester.results.records import OpStats


def test_percentile_is_a_nearest_rank_of_sorted_values() -> None:
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 0.0) == 1.0
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 1.0) == 20.0
    assert percentile([1.0, 2.0, 3.0], 0.5) == 2.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.5) == 0.0


def test_percentile_clamps_q_outside_zero_to_one() -> None:
    assert percentile([1.0, 2.0, 3.0], -1.0) == 1.0
    assert percentile([1.0, 2.0, 3.0], 2.0) == 3.0


def test_op_stats_per_operation_sorted_by_name() -> None:
    samples = {
        "PutObject": [(0.003, False), (0.001, False), (0.002, True)],
        "GetObject": [(0.0105, False)],
        "ListBuckets": [],
    }
    stats = op_stats(samples)
    assert list(stats) == ["GetObject", "ListBuckets", "PutObject"]
    assert stats["PutObject"] == OpStats(count=3, errors=1, p50_ms=2.0, p95_ms=3.0, max_ms=3.0)
    assert stats["GetObject"] == OpStats(count=1, errors=0, p50_ms=10.5, p95_ms=10.5, max_ms=10.5)
    assert stats["ListBuckets"] == OpStats(count=0, errors=0, p50_ms=0.0, p95_ms=0.0, max_ms=0.0)
    assert op_stats({}) == {}


def test_op_stats_rounds_to_hundredths_of_a_millisecond() -> None:
    stats = op_stats({"HeadObject": [(0.0045678, False), (0.0012345, False), (0.0020001, False)]})["HeadObject"]
    assert (stats.p50_ms, stats.p95_ms, stats.max_ms) == (2.0, 4.57, 4.57)
    assert op_stats({"HeadObject": [(0.0012345, False)]})["HeadObject"].p50_ms == 1.23
