"""`clean`'s core: prefix_for's refusals, and sweep removing only the prefixed buckets (moto)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from s3tester.errors import ConfigError, EndpointError
from s3tester.run.sweep import prefix_for, sweep
from s3tester.suite.models import Credential, EndpointConfig


def test_prefix_from_a_run_id() -> None:
    assert prefix_for("abc12345", None) == "s3t-abc12345-"


@pytest.mark.parametrize("run_id", ["", "ABC", "a-b", "a b", "a" * 41, "../x"])
def test_bad_run_ids_are_refused(run_id: str) -> None:
    with pytest.raises(ConfigError, match="is not a run id"):
        prefix_for(run_id, None)


@pytest.mark.parametrize("prefix", ["", "foo-", "s3t", "s3tx-", "S3T-abc", "-s3t-", "my-s3t-x"])
def test_prefixes_not_starting_with_s3t_are_refused(prefix: str) -> None:
    with pytest.raises(ConfigError, match="not an s3tester bucket prefix"):
        prefix_for(None, prefix)


def test_exactly_one_of_run_id_or_prefix() -> None:
    for args in [(None, None), ("abc", "s3t-abc-")]:
        with pytest.raises(ConfigError, match="exactly one"):
            prefix_for(*args)
    assert prefix_for(None, "s3t-abc") == "s3t-abc"


@pytest.mark.parametrize("prefix", ["s3t-", "foo-", "s3t"])
def test_sweep_refuses_an_empty_or_foreign_prefix(prefix: str, moto_endpoint: EndpointConfig) -> None:
    with pytest.raises(ConfigError, match="refusing"):
        sweep(moto_endpoint, prefix)


@pytest.fixture
def buckets(s3: Any) -> Iterator[tuple[str, list[str], list[str]]]:
    """Two buckets under a fresh prefix (one not empty), and two that only look alike."""
    tag = uuid.uuid4().hex[:10]
    prefix = f"s3t-sw{tag}-"
    ours = [f"{prefix}0000", f"{prefix}0001-full"]
    foreign = [f"s3t-sw{tag}x-0000", f"keep-s3t-sw{tag}-0000"]
    for name in ours + foreign:
        s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=ours[1], Key="a/b", Body=b"data")
    s3.put_object(Bucket=foreign[0], Key="precious", Body=b"keep me")
    yield prefix, ours, foreign
    for name in ours + foreign:
        try:
            for obj in s3.list_objects_v2(Bucket=name).get("Contents", []):
                s3.delete_object(Bucket=name, Key=obj["Key"])
            s3.delete_bucket(Bucket=name)
        except s3.exceptions.ClientError:
            pass


def names(s3: Any) -> set[str]:
    return {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_dry_run_finds_but_removes_nothing(moto_endpoint: EndpointConfig, s3: Any, buckets: Any) -> None:
    prefix, ours, foreign = buckets
    swept = sweep(moto_endpoint, prefix, dry_run=True, timeout=10)
    assert swept.found == sorted(ours) and swept.removed == [] and swept.left == []
    assert set(ours + foreign) <= names(s3)


def test_sweep_removes_only_prefixed_buckets(moto_endpoint: EndpointConfig, s3: Any, buckets: Any) -> None:
    prefix, ours, foreign = buckets
    swept = sweep(moto_endpoint, prefix, timeout=10)
    assert swept and swept.prefix == prefix
    assert sorted(swept.removed) == sorted(ours) and swept.left == []
    left = names(s3)
    assert not set(ours) & left and set(foreign) <= left
    assert s3.get_object(Bucket=foreign[0], Key="precious")["Body"].read() == b"keep me"
    assert sweep(moto_endpoint, prefix, timeout=10).found == [], "a second sweep finds nothing"


def test_an_endpoint_that_does_not_answer_is_an_endpoint_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}", credentials={"main": Credential.of("ak", "sk")})
    with pytest.raises(EndpointError, match="cannot list buckets"):
        sweep(endpoint, "s3t-abc-", timeout=2)
