"""boto3 clients: one per (credential set, timeout), shared by all worker threads.

botocore clients are thread-safe; the connection pool is sized to the run's parallelism.
Retries are limited so they cannot hide a failure: botocore's own retries are off and
`steps` retries once, only for connection errors and throttling.
"""

from __future__ import annotations

import threading
from typing import Any

from s3tester.defaults import DEFAULT_TIMEOUT
from s3tester.suite.models import EndpointConfig

ANONYMOUS = "anonymous"


class Clients:
    def __init__(self, endpoint: EndpointConfig, timeout: float = DEFAULT_TIMEOUT, parallel: int = 1) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.pool = max(10, parallel + 2)
        self._cache: dict[tuple[str, float, bool], Any] = {}
        self._lock = threading.Lock()
        self._session: Any = None

    def config(self, timeout: float, unsigned: bool = False, sdk_defaults: bool = False) -> Any:
        """The client config. `sdk_defaults`: checksums as current SDKs send them by default
        (a CRC32 on every upload, `aws-chunked` with a trailer over HTTPS; ChecksumMode on reads)."""
        from botocore import UNSIGNED
        from botocore.config import Config

        return Config(
            region_name=self.endpoint.region,
            connect_timeout=min(timeout, 5.0),
            read_timeout=timeout,
            retries={"total_max_attempts": 1, "mode": "standard"},
            max_pool_connections=self.pool,
            s3={"addressing_style": self.endpoint.addressing_style},
            signature_version=UNSIGNED if unsigned else "s3v4",
            request_checksum_calculation="when_supported" if sdk_defaults else "when_required",
            response_checksum_validation="when_supported" if sdk_defaults else "when_required",
            user_agent_extra="s3tester",
        )

    def get(self, name: str, timeout: float | None = None, sdk_defaults: bool = False) -> Any:
        """The client for credential set `name` (or anonymous); `sdk_defaults`: see `config`."""
        timeout = timeout or self.timeout
        key = (name, timeout, sdk_defaults)
        client = self._cache.get(key)
        if client is not None:
            return client
        with self._lock:
            client = self._cache.get(key)
            if client is None:
                client = self._make(name, timeout, sdk_defaults)
                self._cache[key] = client
        return client

    def _make(self, name: str, timeout: float, sdk_defaults: bool = False) -> Any:
        if self._session is None:
            from s3tester.suite.operations import new_session

            self._session = new_session()
        kwargs: dict[str, Any] = {}
        if name == ANONYMOUS:
            kwargs = {"aws_access_key_id": "anonymous", "aws_secret_access_key": "anonymous"}
        else:
            cred = self.endpoint.credentials[name]
            kwargs = {
                "aws_access_key_id": cred.access_key,
                "aws_secret_access_key": cred.secret_key.get_secret_value(),
                "aws_session_token": cred.session_token.get_secret_value() if cred.session_token else None,
            }
        client = self._session.create_client(
            "s3",
            endpoint_url=self.endpoint.url,
            # None: botocore applies AWS_CA_BUNDLE; a launched TLS server brings its own CA
            verify=(self.endpoint.ca_bundle or None) if self.endpoint.verify_ssl else False,
            config=self.config(timeout, unsigned=name == ANONYMOUS, sdk_defaults=sdk_defaults),
            **kwargs,
        )
        # No `Expect: 100-continue`: a server that answers an error without reading the body
        # would leave it on a pooled connection and the next request there fails at random.
        from botocore.handlers import add_expect_header

        client.meta.events.unregister("before-call.s3", add_expect_header)
        from s3tester.run.exchange import hook

        hook(client)  # the wire exchange of every request, for failure forensics
        _no_region_redirects(client)
        from s3tester.run.bodies import cap_buffered

        cap_buffered(client)
        return client

    def ca_bundle(self) -> str | None:
        """AWS_CA_BUNDLE or the AWS profile's `ca_bundle`, as botocore resolves it (None:
        the default trust store). Raw HTTP steps use it too, so both paths trust the same CAs."""
        if self.endpoint.ca_bundle:
            return self.endpoint.ca_bundle
        if not hasattr(self, "_ca_bundle"):
            import botocore.session

            found = botocore.session.Session().get_config_variable("ca_bundle")
            self._ca_bundle: str | None = str(found) if found else None
        return self._ca_bundle

    def credentials(self, name: str) -> Any:
        return self.endpoint.credentials[name]


def _no_region_redirects(client: Any) -> None:
    """Unhook botocore's S3 region redirector: s3tester talks to one endpoint, and a server
    that answers 301/307 (to itself, say) made it retry without bound (RecursionError).
    A redirect is then the step's answer, reported with its status and Location."""
    from botocore.utils import S3RegionRedirectorv2

    emitter = getattr(client.meta.events, "_emitter", client.meta.events)
    handlers = getattr(emitter, "_handlers", None)
    if handlers is None:
        return
    for event in ("needs-retry.s3", "before-parameter-build.s3", "before-endpoint-resolution.s3", "before-call.s3"):
        for handler in list(handlers.prefix_search(event)):
            if isinstance(getattr(handler, "__self__", None), S3RegionRedirectorv2):
                client.meta.events.unregister(event, handler)
