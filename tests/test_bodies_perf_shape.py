"""Shape (not speed) of the streaming bodies that keep big-object memory flat: reads in
chunks allocate about one chunk, seek/tell/read agree with one materialised copy, and a
drained download keeps no more than TEXT_LIMIT. Timings live in bench/, not here."""

from __future__ import annotations

import hashlib
import io
import random
import tracemalloc

import pytest

from s3tester.run.bodies import BLOCK_SIZE, CHUNK, TEXT_LIMIT, GeneratedBody, drain, generated_digest

SIZE = 3 * BLOCK_SIZE + 12_345  # crosses block boundaries, not a multiple of anything


@pytest.fixture(scope="module")
def whole() -> bytes:
    buf = bytearray(SIZE)
    assert GeneratedBody(SIZE, 5).readinto(buf) == SIZE
    return bytes(buf)


def test_reads_at_any_offset_and_size_match_the_whole(whole: bytes) -> None:
    body = GeneratedBody(SIZE, 5)
    rng = random.Random(7)
    sizes = [0, 1, 8192, CHUNK, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1, 2 * BLOCK_SIZE + 3]
    for _ in range(300):
        pos = rng.randrange(0, SIZE + 5)
        size = rng.choice(sizes)
        assert body.seek(pos) == pos
        got = body.read(size)
        assert got == whole[pos : pos + size]
        assert body.tell() == pos + len(got)


def test_seek_whence_and_read_to_end(whole: bytes) -> None:
    body = GeneratedBody(SIZE, 5)
    assert body.seek(-10, io.SEEK_END) == SIZE - 10
    assert body.read() == whole[-10:]
    assert body.read(100) == b""
    assert body.seek(-5, io.SEEK_CUR) == SIZE - 5
    assert body.read(None) == whole[-5:]
    assert body.seek(-1) == 0  # clamped, like a file cannot go before 0
    assert len(body) == SIZE


def test_botocore_style_hash_then_rewind_then_send(whole: bytes) -> None:
    """SigV4 payload signing reads the stream in 1 MiB chunks and seeks back; http.client
    then reads it again in small blocks: both passes must see the same bytes."""
    body = GeneratedBody(SIZE, 5)
    start = body.tell()
    signed = hashlib.sha256()
    for chunk in iter(lambda: body.read(1024 * 1024), b""):
        signed.update(chunk)
    body.seek(start)
    sent = b"".join(iter(lambda: body.read(8192), b""))
    assert signed.hexdigest() == hashlib.sha256(whole).hexdigest() == hashlib.sha256(sent).hexdigest()
    assert generated_digest(SIZE, 5) == signed.hexdigest()


def test_streaming_a_big_body_allocates_about_one_chunk() -> None:
    size = 64 * 1024 * 1024
    body = GeneratedBody(size, 9)  # the seed's block is made (and cached) here, outside the trace
    tracemalloc.start()
    try:
        total = 0
        for chunk in iter(lambda: body.read(CHUNK), b""):
            total += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == size
    assert peak < 4 * CHUNK  # independent of `size`


def test_drain_keeps_at_most_text_limit_and_hashes_everything() -> None:
    size = TEXT_LIMIT + 3 * CHUNK + 17
    digest = drain(GeneratedBody(size, 2))
    assert digest.size == size
    assert digest.text is None  # too big to keep as text
    assert digest.sha256 == generated_digest(size, 2)
    small = drain(io.BytesIO(b"hello"))
    assert small.text == "hello" and small.size == 5
