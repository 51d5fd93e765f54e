"""Run every bench script and print their figures (what `make bench` does).

    .venv/bin/python bench/run_all.py [--quick] [--only startup,overhead,scaling,bigobjects,manycases,fullrun,clients]

Each script runs in its own process, one after the other (they must not compete for the
CPU). SeaweedFS parts are skipped with a note when it is not installed
(`bash scripts/install-vendor.sh seaweedfs`). --quick shortens every script (fewer rounds,
fewer levels, 256 MiB instead of 1 GiB) for a smoke run; the figures in
docs/performance.md come from the full run. Nothing here fails on a slow figure: the exit
code is non-zero only when a script itself failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from common import header, machine

HERE = Path(__file__).resolve().parent

FULL = {
    "startup": [],
    "overhead": [],
    "scaling": [],
    "bigobjects": [],
    "manycases": [],
    "fullrun": [],
    "clients": [],
}
QUICK = {
    "startup": ["--runs", "7"],
    "overhead": ["--rounds", "3", "--cases", "10"],
    "scaling": ["--levels", "1,8"],
    "bigobjects": ["--sizes", "64MiB,256MiB"],
    "manycases": ["--cases", "500", "--repeat", "1"],
    "fullrun": ["--repeat", "1"],
    "clients": ["--group", "rclone/*"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(FULL))
    args = parser.parse_args()
    chosen = [name for name in args.only.split(",") if name]
    unknown = sorted(set(chosen) - set(FULL))
    if unknown:
        parser.error(f"unknown bench: {', '.join(unknown)} (have: {', '.join(FULL)})")
    header("machine")
    print(machine(), flush=True)
    failed = []
    started = time.perf_counter()
    for name in chosen:
        extra = (QUICK if args.quick else FULL)[name]
        began = time.perf_counter()
        done = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *extra], check=False)
        print(f"({name}: {time.perf_counter() - began:.0f}s)", flush=True)
        if done.returncode != 0:
            failed.append(name)
    print(f"\nbench: {len(chosen) - len(failed)}/{len(chosen)} scripts ran in {time.perf_counter() - started:.0f}s"
          + (f"; FAILED: {', '.join(failed)}" if failed else ""), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
