"""Shared fixtures: the embedded moto server (the `moto` profile, launched) for the session,
and a fresh bucket on it for one test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from s3tester.servers.endpoint import Endpoint, embedded, open_endpoint
from s3tester.suite.models import EndpointConfig

ROOT = Path(__file__).resolve().parents[1]
BASIC = ROOT / "tests" / "suites" / "basic"


# Every s3tester a test starts dies with this pytest (SIGTERM: it stops its server and
# cleans up), and every server is in its own process group with a parent-death signal:
# an interrupted or killed `make test` leaves no process behind.
os.environ.setdefault("S3T_DIE_WITH_PARENT", "1")


@pytest.fixture(scope="session")
def moto() -> Iterator[Endpoint]:
    """moto's server as a child process on a free loopback port, as `s3tester run` starts it."""
    with open_endpoint(embedded()) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def moto_endpoint(moto: Endpoint) -> EndpointConfig:
    return moto.config


@pytest.fixture(scope="session")
def s3(moto_endpoint: EndpointConfig):  # type: ignore[no-untyped-def]
    import boto3

    cred = moto_endpoint.credentials["main"]
    return boto3.client(
        "s3", endpoint_url=moto_endpoint.url, region_name="us-east-1",
        aws_access_key_id=cred.access_key, aws_secret_access_key=cred.secret_key.get_secret_value(),
    )


@pytest.fixture
def bucket(s3: Any) -> Iterator[str]:
    """A fresh empty bucket on the session's moto server, emptied and removed after the test."""
    name = f"s3t-test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    yield name
    for obj in s3.list_objects_v2(Bucket=name).get("Contents", []):
        s3.delete_object(Bucket=name, Key=obj["Key"])
    s3.delete_bucket(Bucket=name)


def run_suite(suite: object, endpoint: EndpointConfig | Endpoint, **options: object):  # type: ignore[no-untyped-def]
    """The library pipeline (`api.run`, what `s3tester run` calls) against an open endpoint;
    `suite` is a path or a loaded Suite. Returns the RunResult; the report goes nowhere."""
    import io

    from s3tester import api
    from s3tester.suite.models import Suite

    path = suite.path if isinstance(suite, Suite) else str(suite)
    handle = endpoint if isinstance(endpoint, Endpoint) else Endpoint(endpoint)
    outcome = api.run(api.RunOptions(path=path, **options), endpoint=handle,  # type: ignore[arg-type]
                      stdout=io.StringIO(), stderr=io.StringIO())
    return outcome.result


def require_vendor(name: str):  # type: ignore[no-untyped-def]
    """The vendor's profile, or skip the test with the install command when its server is
    not installed (every `pytest -m vendor` test calls this, so all skip alike)."""
    from s3tester.servers.catalog import load_profile
    from s3tester.servers.launch import LocalServer
    from s3tester.servers.provision import VendorNotInstalled

    profile = load_profile(name)
    try:
        LocalServer(profile, Path("/nonexistent")).check_installed()
    except VendorNotInstalled as exc:
        pytest.skip(str(exc))
    return profile
