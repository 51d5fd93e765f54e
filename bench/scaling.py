"""Parallel scaling: the v1 suite at --parallel 1, 2, 4, 8, 16 against one server.

Uses the library API (load once, one Engine per run, the same server for every level) and
prints cases/s, the speed-up over --parallel 1 and the pass count (which must not change
with parallelism: a change means cases interfere). Target: >= 2.5x at 8 versus 1 on
SeaweedFS.

    .venv/bin/python bench/scaling.py [--server moto|seaweedfs|all] [--levels 1,2,4,8,16] [--suite suites/v1]
"""

from __future__ import annotations

import argparse
import time

from common import ROOT, SERVERS, available, engine_run, header, server, timed


def measure(name: str, suite_path: str, levels: list[int], repeat: int) -> dict[int, float]:
    from s3tester.run.plan import credential_skips
    from s3tester.suite.loader import load_suite

    suite = load_suite(suite_path)
    cases = suite.cases
    rates: dict[int, float] = {}
    baseline: dict[str, str] = {}
    with server(name) as endpoint:
        credential_skips(cases, endpoint.credentials, endpoint.url)
        engine_run(endpoint, suite, cases[: max(levels) * 2], parallel=max(levels))  # warm-up
        for level in levels:
            best = None
            for _ in range(repeat):
                cpu = time.process_time()
                seconds, result = timed(engine_run, endpoint, suite, cases, parallel=level)
                cpu = time.process_time() - cpu
                if best is None or seconds < best[0]:
                    best = (seconds, result, cpu)
            assert best is not None
            seconds, result, cpu = best
            statuses = {c.id: c.status for c in result.cases}
            baseline = baseline or statuses
            changed = sorted(k for k, v in statuses.items() if baseline.get(k) != v)
            rates[level] = len(cases) / seconds
            s = result.summary
            speedup = rates[level] / rates[levels[0]]
            print(
                f"{name:<10} --parallel {level:<3} {len(cases)} cases in {seconds:6.2f}s  "
                f"{rates[level]:6.1f} cases/s  speed-up x{speedup:.2f}  "
                f"(passed {s.passed}, failed {s.failed}, errored {s.errored}, unsupported {s.unsupported}, "
                f"leftover buckets {sum(len(c.leftovers) for c in result.cases)}; "
                f"runner CPU {cpu:.1f}s = {100 * cpu / seconds:.0f}% of one core)",
                flush=True,
            )
            for case_id in changed:
                print(f"{name:<10}     status differs from --parallel {levels[0]}: {case_id} "
                      f"{baseline.get(case_id)} -> {statuses[case_id]}", flush=True)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="all", choices=(*SERVERS, "all"))
    parser.add_argument("--suite", default=str(ROOT / "suites" / "v1"))
    parser.add_argument("--levels", default="1,2,4,8,16")
    parser.add_argument("--repeat", type=int, default=1, help="runs per level; the fastest counts")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    header(f"scaling: {args.suite} at --parallel {args.levels} (target >= 2.5x at 8 vs 1 on seaweedfs)")
    for name in ("seaweedfs", "moto") if args.server == "all" else (args.server,):
        if not available(name):
            print(f"{name:<10} skipped: not installed (bash scripts/install-vendor.sh {name})")
            continue
        rates = measure(name, args.suite, levels, args.repeat)
        if 8 in rates and 1 in rates:
            print(f"{name:<10} speed-up at 8 vs 1: x{rates[8] / rates[1]:.2f}", flush=True)


if __name__ == "__main__":
    main()
