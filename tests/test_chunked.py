"""run/chunked: aws-chunked framing, SigV4 streaming signatures, trailers, broken pieces."""

from __future__ import annotations

import io
import zlib

import pytest

from s3tester.run import chunked
from s3tester.run.chunked import SIGNED, SIGNED_TRAILER, UNSIGNED_TRAILER, Framer, decode, encode

# AWS's worked example (SigV4 streaming, "Example: PUT Object"): 64 KiB + 1 KiB of 'a'.
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
STAMP = "20130524T000000Z"
SCOPE = "20130524/us-east-1/s3/aws4_request"
AWS_SIGNATURES = [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
]


def _enc(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {"payload": UNSIGNED_TRAILER, "chunk_size": 4, "content_encoding": "aws-chunked",
                               "send_trailer": True, "declare_trailer": True}
    base.update(kw)
    return base


def test_signatures_match_the_aws_example() -> None:
    key = chunked.signing_key(SECRET, "20130524", "us-east-1")
    framer = Framer({"payload": SIGNED, "chunk_size": 65536}, b"a" * (65536 + 1024))
    body = framer.frame(key, STAMP, SCOPE, SEED)
    payload, trailers, signatures = decode(body)
    assert signatures == AWS_SIGNATURES
    assert payload == b"a" * 66560 and trailers == {}
    assert len(body) == 66824  # the Content-Length AWS's example sends


def test_unsigned_trailer_matches_botocore() -> None:
    from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

    data = b"hello, world!"
    ours = Framer(_enc(), data).frame()
    theirs = AwsChunkedWrapper(io.BytesIO(data), Crc32Checksum, "x-amz-checksum-crc32", chunk_size=4).read()
    assert ours == theirs


def test_checksums() -> None:
    assert chunked.checksum("crc32", b"hello") == "NhCmhg=="
    assert chunked.checksum("sha256", b"hello") == "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="
    assert chunked.checksum("crc32c", b"123456789") == "4waSgw=="  # CRC-32C check value 0xE3069283
    assert chunked.checksum("sha1", b"") == "2jmj7l5rSw0yVb/vlWAYkK/YBwk="
    with pytest.raises(chunked.EncodingError):
        chunked.checksum("md5", b"")


def test_headers_declare_the_framing() -> None:
    framer = Framer(_enc(payload=SIGNED_TRAILER), b"x" * 10)
    headers = framer.headers({"Content-Length": "10", "X-Custom": "1"})
    assert headers["Content-Encoding"] == "aws-chunked"
    assert headers["X-Amz-Content-SHA256"] == SIGNED_TRAILER
    assert headers["X-Amz-Decoded-Content-Length"] == "10"
    assert headers["X-Amz-Trailer"] == "x-amz-checksum-crc32"
    assert headers["X-Amz-Sdk-Checksum-Algorithm"] == "CRC32"
    assert headers["Content-Length"] == str(len(framer.frame()))
    assert headers["X-Custom"] == "1"


def test_header_overrides() -> None:
    framer = Framer(_enc(decoded_length=99, content_encoding=None, declare_trailer=False, declare_algorithm=False), b"abc")
    headers = framer.headers({"content-encoding": "gzip"})
    assert headers["content-encoding"] == "gzip" and "Content-Encoding" not in headers
    assert headers["X-Amz-Decoded-Content-Length"] == "99"
    assert "X-Amz-Trailer" not in headers and "X-Amz-Sdk-Checksum-Algorithm" not in headers


def test_trailer_value_can_be_wrong_or_missing() -> None:
    _, trailers, _ = decode(Framer(_enc(checksum_value="AAAAAA=="), b"abc").frame())
    assert trailers == {"x-amz-checksum-crc32": "AAAAAA=="}
    body = Framer(_enc(send_trailer=False), b"abc").frame()
    assert body.endswith(b"0\r\n\r\n") and decode(body)[1] == {}


def test_signed_trailer_and_broken_signatures() -> None:
    key = chunked.signing_key(SECRET, "20130524", "us-east-1")
    data = b"a" * 10
    good = Framer({"payload": SIGNED_TRAILER, "chunk_size": 4}, data).frame(key, STAMP, SCOPE, SEED)
    payload, trailers, sigs = decode(good)
    assert payload == data and len(sigs) == 4
    crc = chunked.checksum("crc32", data)
    assert trailers["x-amz-checksum-crc32"] == crc
    expected = chunked.trailer_signature(key, STAMP, SCOPE, sigs[-1], f"x-amz-checksum-crc32:{crc}\n".encode())
    assert trailers["x-amz-trailer-signature"] == expected
    bad_first = decode(Framer({"payload": SIGNED_TRAILER, "chunk_size": 4, "bad_chunk_signature": 0}, data).frame(key, STAMP, SCOPE, SEED))
    assert bad_first[2][0] != sigs[0]
    bad_last = decode(Framer({"payload": SIGNED_TRAILER, "chunk_size": 4, "bad_chunk_signature": -1}, data).frame(key, STAMP, SCOPE, SEED))
    assert bad_last[2][:3] == sigs[:3] and bad_last[2][3] != sigs[3]
    bad_trailer = decode(Framer({"payload": SIGNED_TRAILER, "chunk_size": 4, "bad_trailer_signature": True}, data).frame(key, STAMP, SCOPE, SEED))
    assert bad_trailer[2] == sigs and bad_trailer[1]["x-amz-trailer-signature"] != expected


def test_empty_payload_is_only_the_final_chunk() -> None:
    assert Framer({"payload": UNSIGNED_TRAILER, "send_trailer": False}, b"").frame() == b"0\r\n\r\n"
    assert Framer({"payload": SIGNED}, b"").frame() == b"0;chunk-signature=" + b"0" * 64 + b"\r\n\r\n"


def test_encode_signs_headers_then_chunks() -> None:
    seen: dict[str, str] = {}

    def sign(headers: dict[str, str], sha: str) -> dict[str, str]:
        seen.update(headers, sha=sha)
        return {**headers, "X-Amz-Date": STAMP,
                "Authorization": f"AWS4-HMAC-SHA256 Credential=AKID/{SCOPE}, SignedHeaders=host, Signature={SEED}"}

    body, headers = encode({"payload": SIGNED, "chunk_size": 65536}, b"a" * 66560, {}, sign, SECRET)
    assert seen["sha"] == SIGNED and headers["Content-Length"] == "66824"
    assert decode(body)[2] == AWS_SIGNATURES


def test_encode_unsigned_needs_no_signer() -> None:
    body, headers = encode(_enc(), b"abc", {}, None, None)
    payload, trailers, _ = decode(body)
    assert payload == b"abc"
    assert trailers["x-amz-checksum-crc32"] == chunked.checksum("crc32", b"abc")
    assert zlib.crc32(b"abc") and headers["Content-Length"] == str(len(body))


def test_bad_chunk_size() -> None:
    with pytest.raises(chunked.EncodingError):
        Framer({"payload": SIGNED, "chunk_size": 0}, b"")
    with pytest.raises(chunked.EncodingError):
        Framer({"payload": "UNSIGNED-PAYLOAD"}, b"")
