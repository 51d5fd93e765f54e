"""boto3 clients: cached per (credential set, timeout), signed or anonymous, no Expect header, CA bundle."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from loopback import QuietHandler, serve

from s3tester.run.clients import Clients
from s3tester.suite.models import Credential, EndpointConfig

CREDS = {"main": Credential.of("main-key", "main-secret"), "alt": Credential.of("alt-key", "alt-secret", "tok")}


@pytest.fixture
def seen() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A loopback server answering 200 to anything, recording each request's headers."""
    requests: list[dict[str, str]] = []

    class Handler(QuietHandler):
        def _answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            requests.append({k.lower(): v for k, v in self.headers.items()} | {"method": self.command})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_PUT = do_HEAD = _answer

    with serve(Handler) as url:
        yield url, requests


def test_one_client_per_credential_set_and_timeout() -> None:
    clients = Clients(EndpointConfig(url="http://127.0.0.1:1", credentials=CREDS), timeout=7)
    main = clients.get("main")
    assert clients.get("main") is main and clients.get("main", 7) is main
    assert clients.get("alt") is not main
    short = clients.get("main", 2)
    assert short is not main and short.meta.config.read_timeout == 2
    assert main.meta.config.read_timeout == 7 and main.meta.config.connect_timeout == 5
    assert clients.credentials("alt").access_key == "alt-key"


def test_pool_and_config_follow_the_run() -> None:
    clients = Clients(EndpointConfig(url="http://127.0.0.1:1", region="eu-west-3", credentials=CREDS), parallel=16)
    assert clients.pool == 18 and Clients(clients.endpoint, parallel=1).pool == 10
    config = clients.get("main").meta.config
    assert config.max_pool_connections == 18 and config.region_name == "eu-west-3"
    assert config.retries["total_max_attempts"] == 1
    assert clients.get("main").meta.endpoint_url == "http://127.0.0.1:1"


def test_requests_are_signed_as_their_set_and_anonymous_is_not_signed(seen: Any) -> None:
    url, requests = seen
    clients = Clients(EndpointConfig(url=url, credentials=CREDS), timeout=5)
    clients.get("main").head_bucket(Bucket="b")
    clients.get("alt").head_bucket(Bucket="b")
    clients.get("anonymous").head_bucket(Bucket="b")
    main, alt, anon = requests
    assert main["authorization"].startswith("AWS4-HMAC-SHA256 Credential=main-key/")
    assert alt["authorization"].startswith("AWS4-HMAC-SHA256 Credential=alt-key/") and alt["x-amz-security-token"] == "tok"
    assert "authorization" not in anon and "x-amz-security-token" not in anon


def test_no_expect_100_continue_on_uploads(seen: Any) -> None:
    url, requests = seen
    Clients(EndpointConfig(url=url, credentials=CREDS), timeout=5).get("main").put_object(
        Bucket="b", Key="k", Body=io.BytesIO(b"x" * 1000)  # botocore adds Expect for any file-like body
    )
    assert requests[-1]["method"] == "PUT" and requests[-1]["content-length"] == "1000"
    assert "expect" not in requests[-1]


def test_ca_bundle_comes_from_aws_ca_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("AWS_CA_BUNDLE", str(bundle))
    assert Clients(EndpointConfig(url="https://x", credentials=CREDS)).ca_bundle() == str(bundle)
    monkeypatch.delenv("AWS_CA_BUNDLE")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    assert Clients(EndpointConfig(url="https://x", credentials=CREDS)).ca_bundle() is None


def test_sdk_defaults_is_a_client_of_its_own() -> None:
    clients = Clients(EndpointConfig(url="http://127.0.0.1:1", credentials=CREDS))
    plain, sdk = clients.get("main"), clients.get("main", sdk_defaults=True)
    assert sdk is not plain and clients.get("main", sdk_defaults=True) is sdk
    assert plain.meta.config.request_checksum_calculation == "when_required"
    assert sdk.meta.config.request_checksum_calculation == "when_supported"
    assert sdk.meta.config.response_checksum_validation == "when_supported"


def test_sdk_defaults_put_carries_a_crc32(seen: Any) -> None:
    url, requests = seen
    clients = Clients(EndpointConfig(url=url, credentials=CREDS))
    clients.get("main", sdk_defaults=True).put_object(Bucket="b", Key="k", Body=b"hello")
    clients.get("main").put_object(Bucket="b", Key="k", Body=b"hello")
    assert requests[0]["x-amz-checksum-crc32"] == "NhCmhg=="
    assert "x-amz-checksum-crc32" not in requests[1]
