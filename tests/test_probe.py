"""Pre-run probes: is anything listening at the endpoint, and does its TLS certificate verify."""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_https import _make_cert

from s3tester.errors import EXIT_ENDPOINT, EndpointError
from s3tester.servers import probe
from s3tester.servers.probe import check_reachable, check_tls
from s3tester.servers.process import free_ports
from s3tester.suite.models import Credential, EndpointConfig


def config(url: str, verify_ssl: bool = True) -> EndpointConfig:
    return EndpointConfig(url=url, credentials={"main": Credential.of("a", "b")}, verify_ssl=verify_ssl)


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Addresses the probe connects to; no connection is really made."""
    seen: list[tuple[str, int]] = []

    def fake(address: tuple[str, int], timeout: float | None = None) -> socket.socket:
        seen.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(probe.socket, "create_connection", fake)
    return seen


@pytest.fixture
def no_aws_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path, Callable[[], list[str]]]]:
    """(port, certificate, outcomes) of a one-connection TLS server on 127.0.0.1 with a
    self-signed certificate; outcomes() waits for the connection to end and says
    ['handshake'] or names the server-side error."""
    cert, key = _make_cert(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    outcomes: list[str] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            try:
                with context.wrap_socket(conn, server_side=True):
                    outcomes.append("handshake")
            except (ssl.SSLError, OSError) as exc:
                outcomes.append(type(exc).__name__)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def finished() -> list[str]:
        thread.join(timeout=10)
        return outcomes

    try:
        yield listener.getsockname()[1], cert, finished
    finally:
        thread.join(timeout=10)
        listener.close()


def test_closed_port_is_connection_refused() -> None:
    (port,) = free_ports(1)
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(EndpointError) as info:
        check_reachable(url)
    assert str(info.value) == f"cannot reach endpoint {url}: Connection refused"
    assert info.value.exit_code == EXIT_ENDPOINT


def test_listening_socket_passes_and_is_connected_to() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        check_reachable(f"http://127.0.0.1:{port}/some/path")
        listener.settimeout(5)
        conn, peer = listener.accept()  # the probe really connected
        conn.close()
    assert peer[0] == "127.0.0.1"


def test_default_ports_by_scheme(connects: list[tuple[str, int]]) -> None:
    for url in ("http://s3.example.test", "https://s3.example.test", "https://s3.example.test:8443/"):
        with pytest.raises(EndpointError, match="Connection refused"):
            check_reachable(url)
    assert connects == [("s3.example.test", 80), ("s3.example.test", 443), ("s3.example.test", 8443)]


def test_a_connect_that_never_returns_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def stuck(address: tuple[str, int], timeout: float | None = None) -> socket.socket:
        release.wait(30)
        raise OSError("released")

    monkeypatch.setattr(probe.socket, "create_connection", stuck)
    try:
        with pytest.raises(EndpointError) as info:
            check_reachable("http://127.0.0.1:1", timeout=0.2)
    finally:
        release.set()
    assert str(info.value) == "cannot reach endpoint http://127.0.0.1:1: no answer within 1.2s"


def test_check_tls_skips_http_and_unverified_https(connects: list[tuple[str, int]]) -> None:
    check_tls(config("http://127.0.0.1:1"))
    check_tls(config("https://127.0.0.1:1", verify_ssl=False))
    assert connects == []
    check_tls(config("https://127.0.0.1:2"))  # refused: inconclusive, left to the run
    assert connects == [("127.0.0.1", 2)]


def test_untrusted_certificate_is_an_endpoint_error_with_a_hint(
    no_aws_config: None, tls_server: tuple[int, Path, Callable[[], list[str]]]
) -> None:
    port, _cert, outcomes = tls_server
    url = f"https://127.0.0.1:{port}"
    with pytest.raises(EndpointError) as info:
        check_tls(config(url))
    assert str(info.value) == (
        f"TLS certificate of {url} is not trusted (self-signed certificate): trust its CA with "
        "AWS_CA_BUNDLE=/path/to/ca.pem, or accept it with --no-verify-ssl"
    )
    (outcome,) = outcomes()
    assert outcome != "handshake"  # the client refused the certificate


def test_aws_ca_bundle_makes_it_trusted(
    no_aws_config: None, tls_server: tuple[int, Path, Callable[[], list[str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, cert, outcomes = tls_server
    monkeypatch.setenv("AWS_CA_BUNDLE", str(cert))
    check_tls(config(f"https://127.0.0.1:{port}"))
    assert outcomes() == ["handshake"]


def test_no_tls_at_all_is_inconclusive_and_logged(no_aws_config: None) -> None:
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("s3tester.servers.probe")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        with socket.create_server(("127.0.0.1", 0)) as listener:
            port = listener.getsockname()[1]
            closer = threading.Thread(target=lambda: listener.accept()[0].close(), daemon=True)
            closer.start()
            check_tls(config(f"https://127.0.0.1:{port}"))
            closer.join(timeout=10)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    assert [r.getMessage() for r in records] == ["TLS pre-check inconclusive"]
    assert records[0].endpoint == f"https://127.0.0.1:{port}"  # type: ignore[attr-defined]


def test_out_of_range_port_is_an_endpoint_error() -> None:
    with pytest.raises(EndpointError):
        check_reachable("http://127.0.0.1:99999")
