"""Shared helpers for the bench scripts: servers, timing, printing.

The bench scripts are plain Python programs that print figures; nothing here asserts on
time. Run them from the repository root with the project's venv, e.g.
`.venv/bin/python bench/overhead.py`, or all of them with `bench/run_all.py`.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

SERVERS = ("moto", "seaweedfs")
_BOTO3_SESSION: Any = None


@contextmanager
def server(name: str) -> Iterator[Any]:
    """Start a local S3 server (a launchable vendor profile; moto is the embedded default)
    and yield its EndpointConfig."""
    from s3tester.servers.catalog import load_profile
    from s3tester.servers.endpoint import EndpointChoice, open_endpoint

    with open_endpoint(EndpointChoice(name, profile=load_profile(name))) as endpoint:
        yield endpoint.config


def available(name: str) -> bool:
    """Is the server installed (moto always is; seaweedfs after scripts/install-vendor.sh)?"""
    if name == "moto":
        return True
    from s3tester.servers.catalog import load_profile
    from s3tester.servers.process import find_executable

    profile = load_profile(name)
    assert profile.launch is not None
    return find_executable(profile.launch.command[0], profile.launch, name) is not None


def engine_run(endpoint: Any, suite: Any, cases: Any, **engine: Any) -> Any:
    """Run `cases` of `suite` with s3tester's engine (the execute step of the pipeline)."""
    from s3tester.run.engine import Engine
    from s3tester.run.plan import make_plan
    from s3tester.servers.endpoint import Endpoint

    return Engine(Endpoint(endpoint), **engine).run(make_plan(suite, list(cases)))


def raw_client(endpoint: Any, name: str = "main", pool: int = 10) -> Any:
    """A plain boto3 client configured like s3tester's own (clients.Clients.config), so a
    comparison measures the runner, not a difference in botocore settings."""
    import boto3
    from botocore.config import Config

    global _BOTO3_SESSION
    if _BOTO3_SESSION is None:  # one session per process, as a script making clients would
        _BOTO3_SESSION = boto3.session.Session()
    cred = endpoint.credentials[name]
    client = _BOTO3_SESSION.client(
        "s3",
        endpoint_url=endpoint.url,
        region_name=endpoint.region,
        aws_access_key_id=cred.access_key,
        aws_secret_access_key=cred.secret_key.get_secret_value(),
        config=Config(
            connect_timeout=5.0,
            read_timeout=30.0,
            signature_version="s3v4",
            s3={"addressing_style": endpoint.addressing_style},
            retries={"total_max_attempts": 1, "mode": "standard"},
            max_pool_connections=pool,
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )
    from botocore.handlers import add_expect_header

    client.meta.events.unregister("before-call.s3", add_expect_header)  # as s3tester does
    return client


class RequestCounter:
    """Counts HTTP requests botocore sends in this process (both sides of a comparison)."""

    def __init__(self) -> None:
        import botocore.endpoint

        self.count = 0
        original = botocore.endpoint.Endpoint._send
        counter = self

        def _send(endpoint_self: Any, request: Any) -> Any:
            counter.count += 1
            return original(endpoint_self, request)

        botocore.endpoint.Endpoint._send = _send  # type: ignore[method-assign]

    def take(self) -> int:
        n, self.count = self.count, 0
        return n


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - started, value


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load avg {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return (
        f"{os.cpu_count()} cpus ({cpu}){mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}{load}"
    )


def header(title: str) -> None:
    print(f"\n== {title} ==", flush=True)
