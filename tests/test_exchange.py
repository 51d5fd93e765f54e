"""run/exchange: masking before cutting, secret headers, captured botocore and raw exchanges."""

from __future__ import annotations

from typing import Any

from s3tester.masking import Masker
from s3tester.run.clients import Clients
from s3tester.run.exchange import REQUEST_TEXT, RESPONSE_TEXT, Capture, Exchange, capturing, response_kind
from s3tester.suite.models import EndpointConfig

SECRET = "s3cr3t-value-xyz"


def test_finish_masks_before_it_cuts_and_hides_secret_headers() -> None:
    # the secret straddles the cut: masking first means not even a prefix of it shows
    body = ("a" * (REQUEST_TEXT - 5) + SECRET + "tail").encode()
    ex = Exchange("PUT", f"http://h/b/k?X-Amz-Signature=abc123&X-Amz-Credential=AK%2F1&x-amz-security-token={SECRET}",
                  {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/s3/aws4_request, "
                                    "SignedHeaders=host, Signature=deadbeef",
                   "x-amz-server-side-encryption-customer-key": "c3NlLWMta2V5LXZhbHVl",
                   "x-amz-copy-source-server-side-encryption-customer-key": "Y29weS1rZXk="},
                  body, len(body))
    ex.answered(500, {"x-amz-request-id": "RID1"}, b"<html>" + b"x" * RESPONSE_TEXT * 2 + SECRET.encode())
    out = ex.finish(Masker([SECRET]))
    text = str(out)
    assert SECRET not in text and SECRET[:6] not in out["request"]["body"]["text"]
    assert "deadbeef" not in text and "abc123" not in text and "c3NlLWMta2V5LXZhbHVl" not in text and "Y29weS1rZXk=" not in text
    assert "eu-west-1/s3/aws4_request" in out["request"]["headers"]["Authorization"]
    assert len(out["request"]["body"]["text"]) == REQUEST_TEXT and out["request"]["body"]["truncated"]
    assert out["request"]["body"]["size"] == len(body) and len(out["request"]["body"]["sha256"]) == 64
    assert len(out["response"]["body"]["text"]) == RESPONSE_TEXT and out["request_id"] == "RID1"
    assert response_kind(out) == "5xx" and response_kind(None) == "none"


def test_presigned_post_policy_and_signature_are_masked() -> None:
    ex = Exchange("POST", "http://h/b", {}, b"--x\r\npolicy\r\n\r\neyJwb2xpY3kiOiJ4In0=\r\n", secrets=["eyJwb2xpY3kiOiJ4In0="])
    assert "eyJwb2xpY3kiOiJ4In0=" not in str(ex.finish(Masker()))


def test_botocore_requests_are_captured_through_events(moto_endpoint: EndpointConfig) -> None:
    client = Clients(moto_endpoint, timeout=10).get("main")
    cap = Capture()
    with capturing(cap):
        try:
            client.head_bucket(Bucket="s3t-no-such-bucket-exchange")
        except Exception as exc:
            assert "404" in str(exc)
    assert cap.last is not None
    out: dict[str, Any] = cap.last.finish(Masker())
    assert out["request"]["method"] == "HEAD" and out["request"]["url"].endswith("/s3t-no-such-bucket-exchange")
    assert out["response"]["status"] == 404 and out["duration"] is not None
    assert "Signature=***" in out["request"]["headers"]["Authorization"]
    client.list_buckets()  # outside a capture: nothing recorded, nothing breaks
    assert len(cap.exchanges) == 1
