"""HTTPS endpoints and AWS conventions, against moto serving TLS on loopback with a
self-signed certificate made here (moto's --ssl-cert/--ssl-key).

Checks: --no-verify-ssl accepts the certificate; without trust the run stops with exit 3
and a hint; AWS_CA_BUNDLE makes it trusted for SDK calls, presigned URLs and raw HTTP
alike; credentials, endpoint and CA bundle can all come from AWS's own conventions
(AWS_ACCESS_KEY_ID, AWS_PROFILE + shared files, AWS_ENDPOINT_URL_S3) with nothing S3_*.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from s3tester.servers.process import free_ports

CLI = Path(sys.executable).parent / "s3tester"

SUITE = """\
# yaml-language-server: $schema=https://s3tester.dev/schema/suite-file.schema.json
description: TLS smoke checks - SDK call, raw HTTP and a presigned URL over https
groups:
  - name: put-get
    description: PutObject then GetObject over TLS
    before:
      - op: CreateBucket
        params: {Bucket: "${bucket}"}
    test:
      - op: PutObject
        params: {Bucket: "${bucket}", Key: k, Body: over-tls}
      - op: GetObject
        params: {Bucket: "${bucket}", Key: k}
        expect: {Body: over-tls}
  - name: raw-http
    description: a signed raw GET of a missing key returns the XML error over TLS
    before:
      - op: CreateBucket
        params: {Bucket: "${bucket}"}
    test:
      - http: {method: GET, path: "/${bucket}/missing"}
        expect: {status: 404, error: NoSuchKey}
  - name: presigned
    description: a presigned https URL works without credentials
    before:
      - op: CreateBucket
        params: {Bucket: "${bucket}"}
      - op: PutObject
        params: {Bucket: "${bucket}", Key: p, Body: presigned}
    test:
      - presign: {op: GetObject, params: {Bucket: "${bucket}", Key: p}, expires: 60}
        save: {url: url}
      - http: {url: "${url}", sign: false}
        expect: {status: 200, Body: presigned}
"""


def _make_cert(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "s3tester loopback test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


def _wait_tls(port: int, cafile: Path, proc: subprocess.Popen[bytes], deadline: float) -> None:
    context = ssl.create_default_context(cafile=str(cafile))
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as raw, \
                    context.wrap_socket(raw, server_hostname="127.0.0.1"):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto did not start serving TLS in time")


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(https URL, CA/cert file) of moto serving TLS on 127.0.0.1."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = _make_cert(directory)
    (port,) = free_ports(1)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_"))}
    with (directory / "moto.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port), "-c", str(cert), "-k", str(key)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, env=env,
        )
    try:
        _wait_tls(port, cert, proc, time.monotonic() + 30)
        yield f"https://127.0.0.1:{port}", cert
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="module")
def suite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("suite") / "tls.yaml"
    path.write_text(SUITE)
    return path


def clean_env(home: Path, **values: str) -> dict[str, str]:
    """The environment without any S3_*/AWS_*/S3TESTER_* and with an empty HOME, plus values."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_", "S3TESTER_"))}
    env.update(HOME=str(home), AWS_EC2_METADATA_DISABLED="true", **values)
    return env


def run(suite: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), "run", str(suite), "--format", "json", "--no-progress", *args],
                          env=env, capture_output=True, text=True, timeout=120)


def passed(result: subprocess.CompletedProcess[str], url: str) -> dict:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    doc = json.loads(result.stdout)
    assert doc["endpoint"] == url
    assert doc["summary"]["passed"] == doc["summary"]["total"] == 3
    return dict(doc)


S3_CREDS = {"S3_ACCESS_KEY": "tls-main", "S3_SECRET_KEY": "tls-main-secret"}


def test_no_verify_ssl_accepts_a_self_signed_certificate(tls_server: tuple[str, Path], suite_file: Path,
                                                         tmp_path: Path) -> None:
    url, _ = tls_server
    passed(run(suite_file, clean_env(tmp_path, **S3_CREDS), "--endpoint", url, "--no-verify-ssl"), url)


def test_untrusted_certificate_is_exit_3_with_a_hint(tls_server: tuple[str, Path], suite_file: Path,
                                                     tmp_path: Path) -> None:
    url, _ = tls_server
    result = run(suite_file, clean_env(tmp_path, **S3_CREDS), "--endpoint", url)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "not trusted" in result.stderr
    assert "AWS_CA_BUNDLE" in result.stderr and "--no-verify-ssl" in result.stderr


def test_aws_ca_bundle_is_trusted_by_sdk_raw_http_and_presigned(tls_server: tuple[str, Path], suite_file: Path,
                                                                 tmp_path: Path) -> None:
    url, cert = tls_server
    passed(run(suite_file, clean_env(tmp_path, AWS_CA_BUNDLE=str(cert), **S3_CREDS), "--endpoint", url), url)


def test_aws_env_credentials_and_endpoint_url_s3(tls_server: tuple[str, Path], suite_file: Path,
                                                 tmp_path: Path) -> None:
    """Nothing S3_*: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN and
    AWS_ENDPOINT_URL_S3, as the AWS CLI reads them; no --endpoint on the command line."""
    url, cert = tls_server
    env = clean_env(tmp_path, AWS_ACCESS_KEY_ID="AKIDENV", AWS_SECRET_ACCESS_KEY="env-secret",
                    AWS_SESSION_TOKEN="env-token", AWS_ENDPOINT_URL_S3=url, AWS_CA_BUNDLE=str(cert),
                    S3TESTER_LOG_FORMAT="json")
    result = run(suite_file, env)
    passed(result, url)
    resolved = [json.loads(line) for line in result.stderr.splitlines() if '"endpoint resolved"' in line]
    assert resolved and resolved[0]["endpoint"] == url and resolved[0]["credential_sets"] == ["main"]
    assert "env-secret" not in result.stderr and "env-token" not in result.stderr


def test_aws_profile_from_shared_files(tls_server: tuple[str, Path], suite_file: Path, tmp_path: Path) -> None:
    """AWS_PROFILE picks a profile from the shared credentials and config files; the
    profile's endpoint_url, ca_bundle and region are used too (botocore's resolution)."""
    url, cert = tls_server
    creds, config = tmp_path / "credentials", tmp_path / "config"
    creds.write_text("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n"
                     "[tester]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n")
    config.write_text(f"[profile tester]\nregion = us-east-1\nendpoint_url = {url}\nca_bundle = {cert}\n")
    env = clean_env(tmp_path, AWS_PROFILE="tester", AWS_SHARED_CREDENTIALS_FILE=str(creds),
                    AWS_CONFIG_FILE=str(config))
    doc = passed(run(suite_file, env), url)
    assert doc["endpoint"] == url


def test_aws_profile_credentials_are_the_ones_sent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from s3tester.servers import aws_env

    (tmp_path / "credentials").write_text(
        "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n"
        "[tester]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n"
        "aws_session_token = profile-token\n")
    for name in list(os.environ):
        if name.startswith(("AWS_", "S3_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert aws_env.env_credentials()["main"].access_key == "AKIDDEFAULT"
    monkeypatch.setenv("AWS_PROFILE", "tester")
    main = aws_env.env_credentials()["main"]
    assert (main.access_key, main.secret_key.get_secret_value()) == ("AKIDPROFILE", "profile-secret")
    assert main.session_token is not None and main.session_token.get_secret_value() == "profile-token"
    # S3_* wins over AWS's chain; alt comes from S3_ALT_* only.
    monkeypatch.setenv("S3_ACCESS_KEY", "s3key")
    monkeypatch.setenv("S3_SECRET_KEY", "s3secret")
    assert aws_env.env_credentials()["main"].access_key == "s3key"
    assert "alt" not in aws_env.env_credentials()
    # A profile that does not exist is a config error (exit 2), as in the AWS CLI.
    monkeypatch.setenv("AWS_PROFILE", "nope")
    from s3tester.errors import ConfigError

    with pytest.raises(ConfigError, match="nope"):
        aws_env.configured_endpoint()


def test_no_configured_endpoint_means_embedded_never_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS credentials alone never send the run to a public AWS endpoint."""
    from s3tester.servers import aws_env

    for name in list(os.environ):
        if name.startswith(("AWS_", "S3_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKID")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    assert aws_env.configured_endpoint() is None
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    assert aws_env.configured_endpoint() == "http://127.0.0.1:1"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2")
    assert aws_env.configured_endpoint() == "http://127.0.0.1:2"
    monkeypatch.setenv("S3_ENDPOINT", "http://127.0.0.1:3")
    assert aws_env.configured_endpoint() == "http://127.0.0.1:3"


def test_secrets_never_reach_json_logs(tls_server: tuple[str, Path], suite_file: Path, tmp_path: Path) -> None:
    url, cert = tls_server
    env = clean_env(tmp_path, AWS_CA_BUNDLE=str(cert), S3_ACCESS_KEY="AKIDLOG",
                    S3_SECRET_KEY="log-secret-value", S3_SESSION_TOKEN="log-token-value")
    result = subprocess.run([str(CLI), "--log-format", "json", "--log-level", "debug", "run", str(suite_file),
                             "--endpoint", url, "--no-progress"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert {r["msg"] for r in records} >= {"endpoint resolved", "run started", "run finished"}
    assert "log-secret-value" not in result.stderr and "log-token-value" not in result.stderr
