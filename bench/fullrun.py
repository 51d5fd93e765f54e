"""The whole v1.1 suite through the whole pipeline, against moto and SeaweedFS at --parallel 8.

On this 2-core machine the server is the limit: moto is one CPU-bound Python process. So
the figure for moto is the run's wall time over the CPU time moto's own processes spent in
that run (target: at most 1.15), with s3tester's own CPU time beside it. For SeaweedFS the
figure is the wall time (target: at most 40 s). Each run goes through `api.run` (load,
select, plan, execute, results, report) exactly as `s3tester run suites/v1 --vendor NAME
--parallel 8` does, on a server launched once before the timed runs; the fastest of
`--repeat` runs counts. Server CPU is read from /proc for every process in the server's
process group, before and after.

    .venv/bin/python bench/fullrun.py [--server moto|seaweedfs|all] [--parallel 8] [--repeat 2]
"""

from __future__ import annotations

import argparse
import io
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from common import ROOT, SERVERS, available, header

if TYPE_CHECKING:
    from s3tester.servers.endpoint import Endpoint

TICK = os.sysconf("SC_CLK_TCK")


def group_cpu(pgid: int) -> float:
    """User+system CPU seconds of every live process in process group `pgid`."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state ppid pgrp ... utime(11) stime(12)
            total += int(fields[11]) + int(fields[12])
    return total / TICK


def one_run(name: str, endpoint: Endpoint, parallel: int) -> tuple[float, float, float, str]:
    from s3tester.api import RunOptions, run

    pid = endpoint.pid
    assert pid is not None, "the server was not launched"
    options = RunOptions(path=str(ROOT / "suites" / "v1"), vendor=name, parallel=parallel, quiet=True)
    server_before, cpu_before, began = group_cpu(pid), time.process_time(), time.perf_counter()
    outcome = run(options, endpoint=endpoint, stdout=io.StringIO(), stderr=io.StringIO())
    wall = time.perf_counter() - began
    runner, server = time.process_time() - cpu_before, group_cpu(pid) - server_before
    s = outcome.result.summary if outcome.result is not None else None
    counts = (f"{s.passed} passed, {s.failed} failed, {s.errored} errored, {s.unsupported} unsupported, "
              f"{s.skipped} skipped" if s else "no results")
    return wall, server, runner, counts


def measure(name: str, parallel: int, repeat: int) -> None:
    from s3tester.servers.catalog import load_profile
    from s3tester.servers.endpoint import EndpointChoice, open_endpoint

    with open_endpoint(EndpointChoice(name, profile=load_profile(name))) as endpoint:
        best: tuple[float, float, float, str] | None = None
        for attempt in range(1, repeat + 1):
            wall, server, runner, counts = one_run(name, endpoint, parallel)
            print(f"{name:<10} run {attempt}: wall {wall:6.1f}s  server CPU {server:6.1f}s  "
                  f"s3tester CPU {runner:6.1f}s  ({counts})", flush=True)
            if best is None or wall < best[0]:
                best = (wall, server, runner, counts)
    assert best is not None
    wall, server, runner, _ = best
    if name == "moto":
        print(f"{name:<10} wall / moto CPU = {wall / server:.2f} (target <= 1.15); "
              f"s3tester CPU / moto CPU = {runner / server:.2f}", flush=True)
    else:
        print(f"{name:<10} wall {wall:.1f}s (target <= 40s); server CPU {server:.1f}s, s3tester CPU {runner:.1f}s",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="all", choices=(*SERVERS, "all"))
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per server; the fastest counts")
    args = parser.parse_args()
    header(f"full run: suites/v1 through api.run at --parallel {args.parallel}, {os.getloadavg()[0]:.1f} load")
    for name in SERVERS if args.server == "all" else (args.server,):
        if not available(name):
            print(f"{name:<10} skipped: not installed (bash scripts/install-vendor.sh {name})")
            continue
        measure(name, args.parallel, args.repeat)


if __name__ == "__main__":
    main()
