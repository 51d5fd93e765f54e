"""Bookkeeping cost for thousands of cases: load, run, and report, per case, at N and 4N.

The cases send no requests (one `sleep: 0` step each), so what is timed is s3tester's own
work: planning, the thread pool, result collection, summary, per-operation statistics and
rendering the table, JSON and JUnit reports. Times are CPU time of this process. Per-case times that stay flat from N to 4N
mean nothing in those paths is quadratic.

    .venv/bin/python bench/manycases.py [--cases 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from common import engine_run, header


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    """CPU seconds (all threads of this process): steadier than wall time on a busy machine."""
    started = time.process_time()
    value = fn(*args)
    return time.process_time() - started, value


def write_suite(root: Path, cases: int) -> None:
    (root / "suite.yaml").write_text('name: manycases\nversion: "1.0"\ncredentials: [main]\n')
    lines = ["groups:"]
    for c in range(cases):
        lines += [f"  - name: case-{c:06d}", "    tags: [bulk]", "    test:", "      - sleep: 0"]
    (root / "bulk.yaml").write_text("\n".join(lines) + "\n")


def measure(cases: int) -> dict[str, float]:
    from s3tester.results import report
    from s3tester.suite.loader import load_suite
    from s3tester.suite.models import Credential, EndpointConfig

    endpoint = EndpointConfig(url="http://127.0.0.1:9", credentials={"main": Credential.of("a", "b")})
    with tempfile.TemporaryDirectory(prefix="s3tester-many-") as tmp:
        write_suite(Path(tmp), cases)
        load, suite = timed(load_suite, tmp)
    run, result = timed(engine_run, endpoint, suite, suite.cases, parallel=8)
    out = {"load": load, "run": run}
    for fmt in ("table", "json", "junit"):
        out[fmt], _ = timed(report.render, result, fmt)
    return out


def best_of(cases: int, repeat: int) -> dict[str, float]:
    runs = [measure(cases) for _ in range(repeat)]
    return {phase: min(r[phase] for r in runs) for phase in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the fastest counts")
    args = parser.parse_args()
    header(f"bookkeeping: {args.cases} and {4 * args.cases} request-free cases, --parallel 8, CPU per case (flat = linear)")
    measure(200)  # warm-up: imports (tabulate, ...) are not per-case work
    small, big = best_of(args.cases, args.repeat), best_of(4 * args.cases, args.repeat)
    for phase in small:
        a, b = small[phase] / args.cases * 1e6, big[phase] / (4 * args.cases) * 1e6
        print(f"{phase:<6} {a:8.1f} us/case at {args.cases:<6} {b:8.1f} us/case at {4 * args.cases:<6} (x{b / a:.2f})",
              flush=True)


if __name__ == "__main__":
    main()
