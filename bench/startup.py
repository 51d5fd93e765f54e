"""Start-up: `s3tester --version` and `s3tester validate suites/v1` against `python -c pass`.

Each command runs --runs times, interleaved (pass, --version, validate, pass, ...), after
one warm-up run each (which also writes the .pyc files: PYTHONDONTWRITEBYTECODE is
dropped for the children). Prints median wall time and median CPU time (user+sys of the
child, which a busy machine disturbs less), and the ratio to `python -c pass`. Also lists
which heavy packages each command imports (python -X importtime). No target: `--version`
goes through the click CLI like every command (a hand-written fast path that answered it
in 1.0x `python -c pass` was removed; its copy of `paths` was not worth ~60 ms).

    .venv/bin/python bench/startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, header, median

HEAVY = ("boto3", "botocore", "moto", "rich", "pydantic", "click", "yaml", "jsonschema", "jmespath",
         "urllib3", "tabulate")


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user+sys) seconds of one run of `cmd`."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"startup: {' '.join(cmd)} exited with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def heavy_imports(args: list[str], env: dict[str, str]) -> list[str]:
    """Top-level packages from HEAVY that `python -X importtime <args>` imports."""
    done = subprocess.run([sys.executable, "-X", "importtime", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=False)
    seen = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip().split(".")[0]
            if name in HEAVY:
                seen.add(name)
    return sorted(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--suite", default="suites/v1")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    script = str(Path(sys.executable).parent / "s3tester")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "s3tester --version": [script, "--version"],
        f"s3tester validate {args.suite}": [script, "validate", args.suite],
    }
    header(f"start-up: median of {args.runs} interleaved runs (no target since the --version fast path was removed)")
    for cmd in commands.values():  # warm-up: page cache and .pyc files
        run(cmd, env)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            wall, cpu = run(cmd, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    base_wall, base_cpu = median(walls["python -c pass"]), median(cpus["python -c pass"])
    for name in commands:
        w, c = median(walls[name]), median(cpus[name])
        print(f"{name:<32} wall {w * 1000:7.1f} ms (x{w / base_wall:5.2f})   "
              f"cpu {c * 1000:7.1f} ms (x{c / base_cpu:5.2f})   min wall {min(walls[name]) * 1000:7.1f} ms",
              flush=True)
    probes = {
        "s3tester --version": ["-m", "s3tester", "--version"],
        f"s3tester validate {args.suite}": ["-m", "s3tester", "validate", args.suite],
        "import s3tester.cli": ["-c", "import s3tester.cli"],
    }
    for name, probe in probes.items():
        print(f"{name:<32} imports: {', '.join(heavy_imports(probe, env)) or '(none of ' + ', '.join(HEAVY) + ')'}",
              flush=True)


if __name__ == "__main__":
    main()
