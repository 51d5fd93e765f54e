"""Hostile servers: a self-redirect, a huge XML answer, garbage with status 200.

Each run ends with a verdict per case and results written (exit 1), never a traceback,
a RecursionError or hundreds of MB of memory; the answer is reported (status, first bytes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback import QuietHandler, serve

ROOT = Path(__file__).resolve().parent.parent
SUITE = """\
groups:
  - name: list
    before:
      - op: CreateBucket
        params: {Bucket: "${bucket}"}
    test:
      - op: ListBuckets
"""


class _Handler(QuietHandler):
    mode = "self-307"

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        if self.mode == "self-307":
            self.send_response(307)
            self.send_header("Location", f"http://{self.headers['host']}{self.path}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.mode == "huge":
            body = b"<?xml version='1.0'?><ListAllMyBucketsResult><Buckets>" + b"<Bucket><Name>x</Name></Bucket>" * 700_000
            body += b"</Buckets></ListAllMyBucketsResult>"
        elif self.command == "GET":
            body = b"\x00\xffGARBAGE not xml at all \x01\x02" * 4
        else:
            body = b""
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = _answer


@pytest.fixture(params=["self-307", "huge", "garbage"])
def hostile(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    with serve(type("H", (_Handler,), {"mode": request.param})) as url:
        yield request.param, url


def test_a_hostile_server_gets_verdicts_and_results(hostile: tuple[str, str], tmp_path: Path) -> None:
    mode, url = hostile
    suite = tmp_path / "hostile.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    results = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S3TESTER_", "S3_", "AWS_"))}
    env.update({"S3_ACCESS_KEY": "a", "S3_SECRET_KEY": "hostile-secret"})
    proc = subprocess.run(
        [sys.executable, "-m", "s3tester", "run", str(suite), "--endpoint", url, "--results", str(results),
         "--timeout", "5"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert "Traceback" not in proc.stderr and "RecursionError" not in proc.stderr, proc.stderr
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(results.read_text())
    case = doc["cases"][0]
    assert case["status"] == "errored", case
    reason = case["reason"]
    expected = {"self-307": "307", "huge": "MiB", "garbage": "GARBAGE"}[mode]
    assert expected in reason, reason
