from __future__ import annotations

import hashlib

import pytest

from s3tester.run.bodies import BLOCK_SIZE, GeneratedBody, drain, generated_digest, open_body
from s3tester.suite.bodyspec import body_spec, parse_size


@pytest.mark.parametrize(("text", "size"), [("5MiB", 5 * 1024**2), ("1KB", 1000), (7, 7), ("3 GiB", 3 * 1024**3), ("10b", 10)])
def test_parse_size(text, size) -> None:  # type: ignore[no-untyped-def]
    assert parse_size(text) == size


@pytest.mark.parametrize("bad", ["5 parsecs", "-1", True, "MiB"])
def test_parse_size_rejects(bad) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        parse_size(bad)


def test_generated_body_is_deterministic_seekable_and_seed_dependent() -> None:
    a = GeneratedBody(BLOCK_SIZE * 2 + 10, seed=1)
    whole = a.read()
    assert len(whole) == BLOCK_SIZE * 2 + 10
    a.seek(BLOCK_SIZE - 3)
    assert a.read(6) == whole[BLOCK_SIZE - 3 : BLOCK_SIZE + 3]
    assert GeneratedBody(100, seed=2).read() != whole[:100]
    assert hashlib.sha256(whole).hexdigest() == generated_digest(len(whole), 1)


def test_drain_hashes_and_keeps_small_text() -> None:
    digest = drain(GeneratedBody(1000, seed=3))
    assert digest.size == 1000 and digest.sha256 == generated_digest(1000, 3)


def test_body_spec_variants(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "f.txt").write_text("file body")
    assert open_body(body_spec("text", None)) == b"text"
    with open_body(body_spec("file://f.txt", tmp_path)) as handle:
        assert handle.read() == b"file body"
    generated = body_spec({"size": "1KiB", "seed": 4}, None)
    assert generated.generated and generated.size == 1024
    with pytest.raises(ValueError, match="not found"):
        body_spec("file://missing.txt", tmp_path)
    with pytest.raises(ValueError, match="size: N, seed: S"):
        body_spec({"bytes": 3}, None)


def test_a_head_of_a_big_object_is_not_a_too_large_answer(moto_endpoint, s3) -> None:  # type: ignore[no-untyped-def]
    """HeadObject's Content-Length is the object's size, not a body s3tester would read."""
    import uuid

    from s3tester.run.bodies import cap_buffered
    from s3tester.run.clients import Clients

    bucket = f"s3t-test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    try:
        s3.put_object(Bucket=bucket, Key="big", Body=GeneratedBody(2048, 1))
        client = Clients(moto_endpoint).get("main")
        cap_buffered(client, limit=1024)
        assert client.head_object(Bucket=bucket, Key="big")["ContentLength"] == 2048
    finally:
        s3.delete_object(Bucket=bucket, Key="big")
        s3.delete_bucket(Bucket=bucket)
