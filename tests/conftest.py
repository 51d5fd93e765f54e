"""Shared fixtures: a real moto server process for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from s3tester.embedded import moto_server

from s3tester.suite.models import EndpointConfig

ROOT = Path(__file__).resolve().parents[1]
BASIC = ROOT / "tests" / "suites" / "basic"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[EndpointConfig]:
    """moto's server as a child process on a free loopback port."""
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def s3(moto_endpoint: EndpointConfig):  # type: ignore[no-untyped-def]
    import boto3

    cred = moto_endpoint.credentials["main"]
    return boto3.client(
        "s3", endpoint_url=moto_endpoint.url, region_name="us-east-1",
        aws_access_key_id=cred.access_key, aws_secret_access_key=cred.secret_key.get_secret_value(),
    )
