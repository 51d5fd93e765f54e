"""servers/tls: the self-signed certificate of a `launch.tls: true` server, and moto-tls
launched with it: https, trusted through EndpointConfig.ca_bundle alone, and botocore's
own aws-chunked upload (STREAMING-UNSIGNED-PAYLOAD-TRAILER) reaching the server."""

from __future__ import annotations

import ipaddress
import stat
from pathlib import Path

from s3tester.run.clients import Clients
from s3tester.servers.catalog import load_profile
from s3tester.servers.launch import launched
from s3tester.servers.tls import CERT_NAME, KEY_NAME, make_cert


def test_make_cert_names_loopback_and_is_made_once(tmp_path: Path) -> None:
    from cryptography import x509

    cert, key = make_cert(tmp_path / "w")
    assert cert.name == CERT_NAME and key.name == KEY_NAME
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    parsed = x509.load_pem_x509_certificate(cert.read_bytes())
    san = parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress)
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    before = cert.read_bytes()
    assert make_cert(tmp_path / "w") == (cert, key) and cert.read_bytes() == before


def test_moto_tls_serves_https_and_botocore_sends_aws_chunked(tmp_path: Path) -> None:
    profile = load_profile("moto-tls")
    assert profile.launch is not None and profile.launch.tls
    with launched(profile, tmp_path / "moto") as (_server, endpoint):
        assert endpoint.url.startswith("https://127.0.0.1:")
        assert endpoint.ca_bundle == str(tmp_path / "moto" / CERT_NAME)
        clients = Clients(endpoint)
        sent: list[dict[str, str]] = []
        client = clients.get("main", sdk_defaults=True)
        client.meta.events.register("before-send.s3.PutObject", lambda request, **kw: sent.append(dict(request.headers)))
        client.create_bucket(Bucket="tls-bucket")
        answer = client.put_object(Bucket="tls-bucket", Key="k", Body=b"hello")
        assert sent[0]["X-Amz-Content-SHA256"] in (b"STREAMING-UNSIGNED-PAYLOAD-TRAILER", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        assert answer["ChecksumCRC32"] == "NhCmhg=="
        assert clients.get("main").get_object(Bucket="tls-bucket", Key="k")["Body"].read() == b"hello"
        assert clients.ca_bundle() == endpoint.ca_bundle
