"""Big objects: generated bodies PUT (single request and multipart) and GET with hash check.

Each (size, mode) runs in its own subprocess so every peak RSS (resource.getrusage
ru_maxrss) is separate. The subprocess writes a one-case YAML suite and runs it with the
engine, as a user would:

- single:    PutObject Body {size: N, seed: 1}; GetObject expect Body {generated: {size: N, seed: 1}}
- multipart: CreateMultipartUpload, UploadPart x N/part (each Body {size: part, seed: 1}),
             CompleteMultipartUpload; GetObject expect Body {size: N, sha256: <hash of the parts>}

The GET streams the body through s3tester's fixed-size reader and hashes it. MB/s come
from the engine's per-operation timings. Targets: peak RSS <= 150 MiB, and the peak for
64 MiB and 1 GiB within 10% of each other (memory flat in size).

    .venv/bin/python bench/bigobjects.py [--server seaweedfs|moto] [--sizes 64MiB,1GiB] [--part 16MiB]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import header, server

MIB = 1024 * 1024


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def current_rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def multipart_sha256(size: int, part: int) -> str:
    """sha256 of `size` bytes made of generated parts of `part` bytes (seed 1), streamed."""
    from s3tester.run.bodies import CHUNK, GeneratedBody

    digest = hashlib.sha256()
    buf = bytearray(CHUNK)
    left = size
    while left:
        stream = GeneratedBody(min(part, left), 1)
        while n := stream.readinto(buf):
            digest.update(memoryview(buf)[:n])
        left -= stream.size
    return digest.hexdigest()


def write_suite(root: Path, mode: str, size: int, part: int) -> None:
    (root / "suite.yaml").write_text('name: bigobjects\nversion: "1.0"\ncredentials: [main]\n')
    lines = [
        "groups:",
        f"  - name: {mode}",
        "    before:",
        "      - op: CreateBucket",
        '        params: {Bucket: "${bucket}"}',
        "    test:",
    ]
    if mode == "single":
        lines += [
            "      - op: PutObject",
            f'        params: {{Bucket: "${{bucket}}", Key: big, Body: {{size: {size}, seed: 1}}}}',
            "      - op: GetObject",
            '        params: {Bucket: "${bucket}", Key: big}',
            f"        expect: {{ContentLength: {size}, Body: {{generated: {{size: {size}, seed: 1}}}}}}",
        ]
    else:
        parts = (size + part - 1) // part
        lines += [
            "      - op: CreateMultipartUpload",
            '        params: {Bucket: "${bucket}", Key: big}',
            "        save: {upload: UploadId}",
        ]
        for n in range(1, parts + 1):
            this = min(part, size - (n - 1) * part)
            lines += [
                "      - op: UploadPart",
                f'        params: {{Bucket: "${{bucket}}", Key: big, UploadId: "${{upload}}", PartNumber: {n}, '
                f"Body: {{size: {this}, seed: 1}}}}",
                f"        save: {{etag{n}: ETag}}",
            ]
        listed = ", ".join(f'{{PartNumber: {n}, ETag: "${{etag{n}}}"}}' for n in range(1, parts + 1))
        lines += [
            "      - op: CompleteMultipartUpload",
            f'        params: {{Bucket: "${{bucket}}", Key: big, UploadId: "${{upload}}", '
            f"MultipartUpload: {{Parts: [{listed}]}}}}",
            "      - op: GetObject",
            '        params: {Bucket: "${bucket}", Key: big}',
            f"        expect: {{ContentLength: {size}, Body: {{size: {size}, sha256: {multipart_sha256(size, part)}}}}}",
        ]
    (root / "big.yaml").write_text("\n".join(lines) + "\n")


def worker(endpoint_json: str, mode: str, size: int, part: int) -> dict[str, Any]:
    """Runs in the subprocess: one case, then this process's figures as JSON."""
    from s3tester.run.engine import Engine
    from s3tester.run.plan import make_plan
    from s3tester.servers.endpoint import Endpoint
    from s3tester.suite.loader import load_suite
    from s3tester.suite.models import EndpointConfig

    endpoint = EndpointConfig.model_validate(json.loads(endpoint_json))
    with tempfile.TemporaryDirectory(prefix="s3tester-big-") as tmp:
        write_suite(Path(tmp), mode, size, part)
        suite = load_suite(tmp)
        engine = Engine(Endpoint(endpoint), parallel=1, timeout=600)
        engine.clients.get("main")  # the client exists before the baseline is taken
        before = current_rss_mib()
        started = time.perf_counter()
        result = engine.run(make_plan(suite, suite.cases))
        seconds = time.perf_counter() - started
    case = result.cases[0]
    put_ops = ("PutObject",) if mode == "single" else ("CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload")
    put = sum(s for op in put_ops for s, _ in engine._samples.get(op, []))
    get = sum(s for s, _ in engine._samples.get("GetObject", []))
    return {
        "status": case.status, "reason": case.reason, "seconds": seconds, "put": put, "get": get,
        "peak_rss_mib": rss_mib(), "rss_before_mib": before,
    }


def run_child(endpoint: Any, mode: str, size: int, part: int) -> dict[str, Any]:
    data = {
        "url": endpoint.url, "region": endpoint.region, "addressing_style": endpoint.addressing_style,
        "vendor": endpoint.vendor,
        "credentials": {
            name: {"access_key": c.access_key, "secret_key": c.secret_key.get_secret_value()}
            for name, c in endpoint.credentials.items() if name == "main"
        },
    }
    env = dict(os.environ, S3TESTER_BENCH_ENDPOINT=json.dumps(data))
    cmd = [sys.executable, __file__, "--worker", mode, "--sizes", str(size), "--part", str(part)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bigobjects worker failed ({mode} {size}):\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def human(size: int) -> str:
    return f"{size // (1024 * MIB)}GiB" if size % (1024 * MIB) == 0 else f"{size // MIB}MiB"


def main() -> None:
    from s3tester.suite.bodyspec import parse_size

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="seaweedfs", choices=("seaweedfs", "moto"))
    parser.add_argument("--sizes", default="64MiB,1GiB")
    parser.add_argument("--part", default="16MiB", help="multipart part size")
    parser.add_argument("--modes", default="single,multipart")
    parser.add_argument("--worker", choices=("single", "multipart"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    part = parse_size(args.part)
    if args.worker:
        print(json.dumps(worker(os.environ["S3TESTER_BENCH_ENDPOINT"], args.worker, sizes[0], part)))
        return
    header(f"big objects on {args.server}: generated bodies, PUT then GET with sha256 check, one process each "
           "(target peak RSS <= 150 MiB, flat in size within 10%)")
    peaks: dict[str, dict[int, float]] = {}
    with server(args.server) as endpoint:
        for mode in args.modes.split(","):
            for size in sizes:
                got = run_child(endpoint, mode, size, part)
                peaks.setdefault(mode, {})[size] = got["peak_rss_mib"]
                mb = size / 1e6
                how = "1 request" if mode == "single" else f"{(size + part - 1) // part} x {human(part)} parts"
                print(
                    f"{mode:<9} {human(size):>6} ({how}): {got['status']}  "
                    f"PUT {mb / got['put']:6.1f} MB/s  GET+sha256 {mb / got['get']:6.1f} MB/s  "
                    f"peak RSS {got['peak_rss_mib']:.1f} MiB (RSS before the case {got['rss_before_mib']:.1f} MiB)"
                    + (f"  reason: {got['reason']}" if got["status"] != "passed" else ""),
                    flush=True,
                )
    for mode, by_size in peaks.items():
        if len(by_size) >= 2:
            low, high = by_size[min(by_size)], by_size[max(by_size)]
            print(f"{mode:<9} peak RSS {human(max(by_size))} / {human(min(by_size))}: {high / low:.3f}"
                  f"  (max peak {max(by_size.values()):.1f} MiB)", flush=True)


if __name__ == "__main__":
    main()
