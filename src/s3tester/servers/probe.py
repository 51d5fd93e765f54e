"""Before a run (and when a request fails): does anything answer at the endpoint, and
does its TLS certificate verify? Both fail within seconds with exit 3 and a hint."""

from __future__ import annotations

import logging
import socket
from urllib.parse import urlsplit

from s3tester.deadline import NoAnswer, with_deadline
from s3tester.defaults import DEFAULT_TIMEOUT
from s3tester.errors import EndpointError
from s3tester.masking import shown_url
from s3tester.suite.models import EndpointConfig

log = logging.getLogger("s3tester.servers.probe")
CONNECT_LIMIT = 3.0


def check_reachable(url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Exit-3 territory: fail within seconds if nothing answers at `url`."""
    shown = shown_url(url)
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:  # the syntax is checked before: this is a last line of defence
        raise EndpointError(f"cannot reach endpoint {shown}: {exc}") from None
    limit = min(timeout, CONNECT_LIMIT)

    def connect() -> None:  # name resolution has no timeout of its own: bound it too
        with socket.create_connection((host, port), timeout=limit):
            pass

    try:
        with_deadline(connect, limit + 1.0, "connect")
    except NoAnswer:
        raise EndpointError(f"cannot reach endpoint {shown}: no answer within {limit + 1.0:g}s") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise EndpointError(f"cannot reach endpoint {shown}: {reason}") from None


def check_tls(endpoint: EndpointConfig, timeout: float = DEFAULT_TIMEOUT) -> None:
    """For https:// with verification on, one TLS handshake with the trust store botocore
    will use (AWS_CA_BUNDLE / the profile's ca_bundle / certifi): an untrusted certificate
    is an endpoint error with a hint instead of every case erroring the same way."""
    import ssl

    parts = urlsplit(endpoint.url)
    if parts.scheme != "https" or not endpoint.verify_ssl:
        return
    import botocore.session
    from botocore.httpsession import get_cert_path

    bundle = endpoint.ca_bundle or botocore.session.Session().get_config_variable("ca_bundle") or get_cert_path(True)
    host = parts.hostname or "localhost"
    try:
        context = ssl.create_default_context(cafile=bundle if isinstance(bundle, str) else None)
        with socket.create_connection((host, parts.port or 443), timeout=min(timeout, 5.0)) as raw, \
                context.wrap_socket(raw, server_hostname=host):
            pass
    except ssl.SSLCertVerificationError as exc:
        raise EndpointError(
            f"TLS certificate of {shown_url(endpoint.url)} is not trusted ({exc.verify_message}): "
            "trust its CA with AWS_CA_BUNDLE=/path/to/ca.pem, or accept it with --no-verify-ssl"
        ) from None
    except (OSError, ssl.SSLError) as exc:
        log.debug("TLS pre-check inconclusive", extra={"endpoint": endpoint.url, "error": str(exc)})
