"""Runner overhead: one request sequence issued by a raw boto3 loop and by s3tester.

The sequence, per case: CreateBucket, then for each of K keys PutObject (1 KiB text body),
GetObject (body and ETag checked), HeadObject (length checked), one ListObjectsV2 (key
count checked), K DeleteObject, DeleteBucket. s3tester runs the same thing from a
generated YAML suite (its per-case cleanup is the DeleteBucket). Runs are serial
(--parallel 1) and interleaved raw/s3tester, alternating which goes first; both include
making their boto3 client. Prints the request counts (they must match) and the ratio
s3tester/raw of the median times. Loading the YAML is timed separately.

    .venv/bin/python bench/overhead.py [--server moto|seaweedfs|all] [--cases 25] [--keys 4] [--rounds 5]
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from pathlib import Path
from typing import Any

from common import SERVERS, RequestCounter, available, engine_run, header, median, raw_client, server, timed


def payload(case: int, key: int) -> str:
    return (f"case {case} key {key} " * 64)[:1024]


def write_suite(root: Path, cases: int, keys: int) -> None:
    (root / "suite.yaml").write_text('name: overhead\nversion: "1.0"\ncredentials: [main]\n')
    lines = ["groups:"]
    for c in range(cases):
        lines += [
            f"  - name: seq-{c:03d}",
            "    before:",
            "      - op: CreateBucket",
            '        params: {Bucket: "${bucket}"}',
            "    test:",
        ]
        for k in range(keys):
            body = payload(c, k)
            lines += [
                "      - op: PutObject",
                f'        params: {{Bucket: "${{bucket}}", Key: k{k}, Body: "{body}"}}',
                f"        save: {{etag{k}: ETag}}",
                "      - op: GetObject",
                f'        params: {{Bucket: "${{bucket}}", Key: k{k}}}',
                f'        expect: {{Body: "{body}", ETag: "${{etag{k}}}"}}',
                "      - op: HeadObject",
                f'        params: {{Bucket: "${{bucket}}", Key: k{k}}}',
                f"        expect: {{ContentLength: {len(body)}}}",
            ]
        lines += [
            "      - op: ListObjectsV2",
            '        params: {Bucket: "${bucket}"}',
            f"        expect: {{KeyCount: {keys}}}",
        ]
        for k in range(keys):
            lines += ["      - op: DeleteObject", f'        params: {{Bucket: "${{bucket}}", Key: k{k}}}']
    (root / "seq.yaml").write_text("\n".join(lines) + "\n")


def raw_run(endpoint: Any, cases: int, keys: int, tag: str) -> int:
    """The same requests and checks as the YAML, written the way a user would with boto3."""
    s3 = raw_client(endpoint)
    failures = 0
    for c in range(cases):
        bucket = f"raw-{tag}-{c:04d}"
        s3.create_bucket(Bucket=bucket)
        for k in range(keys):
            body = payload(c, k).encode()
            etag = s3.put_object(Bucket=bucket, Key=f"k{k}", Body=body)["ETag"]
            got = s3.get_object(Bucket=bucket, Key=f"k{k}")
            data = hashlib.sha256()
            kept = []
            for chunk in iter(lambda stream=got["Body"]: stream.read(256 * 1024), b""):
                data.update(chunk)
                kept.append(chunk)
            failures += b"".join(kept) != body or got["ETag"] != etag
            head = s3.head_object(Bucket=bucket, Key=f"k{k}")
            failures += head["ContentLength"] != len(body)
        failures += s3.list_objects_v2(Bucket=bucket)["KeyCount"] != keys
        for k in range(keys):
            s3.delete_object(Bucket=bucket, Key=f"k{k}")
        s3.delete_bucket(Bucket=bucket)
    return failures


def s3tester_run(endpoint: Any, suite: Any) -> int:
    result = engine_run(endpoint, suite, suite.cases, parallel=1)
    return result.summary.total - result.summary.passed


def measure(name: str, cases: int, keys: int, rounds: int) -> float:
    from s3tester.suite.loader import load_suite

    counter = RequestCounter()
    with tempfile.TemporaryDirectory(prefix="s3tester-bench-") as tmp:
        write_suite(Path(tmp), cases, keys)
        load_time, suite = timed(load_suite, tmp)
        with server(name) as endpoint:
            # warm up both paths once (server caches, botocore's model files in the page cache)
            raw_run(endpoint, 2, keys, "warm")
            s3tester_run(endpoint, suite)
            counter.take()
            raw_times: list[float] = []
            s3t_times: list[float] = []
            ratios: list[float] = []
            requests = {"raw": 0, "s3tester": 0}
            cpus: dict[str, list[float]] = {"raw": [], "s3tester": []}
            for r in range(rounds):
                order = ("raw", "s3tester") if r % 2 == 0 else ("s3tester", "raw")
                got: dict[str, float] = {}
                for side in order:
                    cpu = time.process_time()
                    if side == "raw":
                        seconds, bad = timed(raw_run, endpoint, cases, keys, f"r{r}")
                    else:
                        seconds, bad = timed(s3tester_run, endpoint, suite)
                    cpus[side].append(time.process_time() - cpu)
                    if bad:
                        raise SystemExit(f"overhead: {side} run had {bad} failed checks on {name}")
                    requests[side] = counter.take()
                    got[side] = seconds
                raw_times.append(got["raw"])
                s3t_times.append(got["s3tester"])
                ratios.append(got["s3tester"] / got["raw"])
    n = requests["raw"]
    ratio = median(s3t_times) / median(raw_times)
    print(
        f"{name:<10} requests/run raw={requests['raw']} s3tester={requests['s3tester']}  "
        f"raw {median(raw_times):.3f}s ({n / median(raw_times):.0f} req/s)  "
        f"s3tester {median(s3t_times):.3f}s  ratio s3tester/raw {ratio:.3f} "
        f"(per-round median {median(ratios):.3f}, min {min(ratios):.3f})  "
        f"client CPU raw {median(cpus['raw']):.3f}s s3tester {median(cpus['s3tester']):.3f}s  "
        f"[yaml load {load_time:.3f}s, not in the ratio]",
        flush=True,
    )
    if requests["raw"] != requests["s3tester"]:
        print(f"{name:<10} WARNING: request counts differ", flush=True)
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="all", choices=(*SERVERS, "all"))
    parser.add_argument("--cases", type=int, default=25)
    parser.add_argument("--keys", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    header(f"overhead: {args.cases} cases x {args.keys} keys, serial, {args.rounds} interleaved rounds (target ratio <= 1.10)")
    for name in SERVERS if args.server == "all" else (args.server,):
        if not available(name):
            print(f"{name:<10} skipped: not installed (bash scripts/install-vendor.sh {name})")
            continue
        measure(name, args.cases, args.keys, args.rounds)


if __name__ == "__main__":
    main()
