"""The client suite's wall time: `s3tester run suites/clients` on the embedded moto.

    .venv/bin/python bench/clients.py [--parallel 4] [--vendor moto] [--group 'rclone/*']

Prints the run's wall time (target: at most 3 minutes at --parallel 4), the status counts,
and the slowest areas and cases. Clients that are not installed are skipped by the suite
(`bash scripts/install-client.sh all`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from common import header

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--vendor", default="moto")
    parser.add_argument("--group", action="append", default=[])
    args = parser.parse_args()
    header(f"client suite on {args.vendor}, --parallel {args.parallel}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "clients.json"
        argv = [str(ROOT / ".venv" / "bin" / "s3tester"), "run", str(ROOT / "suites" / "clients"),
                "--vendor", args.vendor, "--parallel", str(args.parallel), "--format", "json", "--output", str(out)]
        for g in args.group:
            argv += ["--group", g]
        began = time.perf_counter()
        subprocess.run(argv, check=False, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - began
        if not out.is_file():
            print("no results written", flush=True)
            sys.exit(1)
        result = json.loads(out.read_text())
    areas: dict[str, float] = defaultdict(float)
    for case in result["cases"]:
        areas[case["area"]] += case["duration"]
    print(f"wall time: {wall:.1f}s (target <= 180s)  summary: {result['summary']}")
    print("clients:", ", ".join(f"{k} {v}" for k, v in result.get("clients", {}).items()))
    print("case time per area (s):", ", ".join(f"{a} {t:.0f}" for a, t in sorted(areas.items(), key=lambda x: -x[1])))
    slow = sorted(result["cases"], key=lambda c: -c["duration"])[:5]
    print("slowest cases:", ", ".join(f"{c['id']} {c['duration']:.1f}s" for c in slow), flush=True)


if __name__ == "__main__":
    main()
