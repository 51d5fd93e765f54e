"""The endpoint a run talks to, and the handle the run owns for it.

`choose_endpoint` settles *which* endpoint before anything starts (a config mistake is
exit 2 before a server is launched): a vendor profile (launched here if it has `launch:`
and no URL is given), an explicit URL, a single-file config's endpoint, the environment's
endpoint, or else the embedded default, which is the `moto` profile launched like any
other. `open_endpoint` then yields an `Endpoint`: the config requests go to and, for a
server the run launched, `revive()` and `stop()`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from s3tester.errors import ConfigError
from s3tester.servers.aws_env import configured_endpoint, configured_endpoint_source, env_credentials, env_region
from s3tester.servers.catalog import load_profile
from s3tester.servers.launch import LocalServer, launched
from s3tester.servers.profile_env import profile_endpoint, resolve_credentials
from s3tester.servers.profiles import VendorProfile
from s3tester.suite.endpoint_url import check_endpoint
from s3tester.suite.models import EndpointConfig, Suite

EMBEDDED = "moto"  # the profile launched when no endpoint is given
log = logging.getLogger("s3tester.servers.endpoint")


class Endpoint:
    """The run's endpoint: where requests go and, when the run launched the server, the
    server itself (to restart it when it dies, and to stop it with the run)."""

    def __init__(self, config: EndpointConfig, server: LocalServer | None = None) -> None:
        self.config = config
        self.server = server
        self._lock = threading.Lock()

    @property
    def launched(self) -> bool:
        """Whether this run started the server (its data goes when it stops)."""
        return self.server is not None

    @property
    def pid(self) -> int | None:
        return self.server.pid if self.server is not None else None

    def revive(self, hung_pid: int | None = None) -> bool:
        """Restart a launched server that died; False if the run did not launch it.

        `hung_pid`: the server is alive but stopped answering: restart it too, unless it
        was already restarted (its pid changed). Several workers may notice the same
        crash: the lock makes one of them restart it.
        """
        server = self.server
        if server is None:
            return False
        with self._lock:
            if not server.alive() or (hung_pid is not None and server.pid == hung_pid):
                server.restart()
        return True

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


@dataclass(frozen=True)
class EndpointChoice:
    """Which endpoint a run talks to, settled before anything is started."""

    vendor: str
    config: EndpointConfig | None = None  # an endpoint that is already running
    profile: VendorProfile | None = None  # or a server this run launches
    region: str | None = None
    verify_ssl: bool = True

    @property
    def launches(self) -> bool:
        return self.profile is not None

    @property
    def where(self) -> str:
        if self.config is not None:
            return self.config.url
        return f"the {self.vendor} server s3tester launches"

    def credential_names(self) -> list[str]:
        """The credential sets the endpoint will have, known before it starts."""
        if self.config is not None:
            return list(self.config.credentials)
        assert self.profile is not None and self.profile.launch is not None
        declared = [n for n in resolve_credentials(self.profile) if not self.profile.credentials[n].setup_only]
        spec = self.profile.launch
        return declared + [p.credential for p in spec.prepare if p.credential] + [
            s.iam_user.credential for s in spec.setup if s.iam_user
        ]


def embedded() -> EndpointChoice:
    """The embedded default: the `moto` profile, launched on a free loopback port."""
    return EndpointChoice(EMBEDDED, profile=load_profile(EMBEDDED))


def _from_suite_config(suite: Suite, url: str | None) -> EndpointConfig | None:
    cfg = suite.config
    if cfg is None or not (url or cfg.endpoint):
        return None
    creds = dict(cfg.credentials) or env_credentials()
    return EndpointConfig(url=url or cfg.endpoint or "", region=cfg.region, addressing_style=cfg.addressing_style,
                          credentials=creds, verify_ssl=cfg.verify_ssl, vendor="custom")


def choose_endpoint(
    suite: Suite | None,
    vendor: str | None = None,
    url: str | None = None,
    region: str | None = None,
    verify_ssl: bool = True,
) -> EndpointChoice:
    """A vendor profile (launched if it can be), an explicit URL, a single-file config's
    endpoint, the environment's endpoint, or else the embedded moto server."""
    if url is not None:
        _checked(url, "--endpoint")
    chosen: EndpointConfig | None = None
    if vendor:
        profile = load_profile(vendor)
        if url is None and profile.launch is not None:
            return EndpointChoice(profile.name, profile=profile, region=region, verify_ssl=verify_ssl)
        chosen = profile_endpoint(profile, url)
    elif suite is not None and (url or (suite.config and suite.config.endpoint)):
        if not url and suite.config is not None and suite.config.endpoint:
            _checked(suite.config.endpoint, "config endpoint")
        chosen = _from_suite_config(suite, url)
    if chosen is None and not url and not vendor:
        url = configured_endpoint()
        if url is not None:
            _checked(url, configured_endpoint_source())
    if chosen is None and url:
        chosen = EndpointConfig(url=url, region=env_region(), credentials=env_credentials())
    if chosen is not None:
        return EndpointChoice(chosen.vendor, config=chosen, region=region, verify_ssl=verify_ssl)
    return replace(embedded(), region=region, verify_ssl=verify_ssl)


def _checked(url: str, source: str) -> str:
    """Endpoint syntax, whatever the source: a mistake is exit 2 before anything starts."""
    try:
        return check_endpoint(url, source)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


@contextmanager
def open_endpoint(choice: EndpointChoice) -> Iterator[Endpoint]:
    """The chosen endpoint, launched for the length of the block if the choice says so."""
    if choice.profile is not None:
        with launched(choice.profile) as (server, config):
            yield Endpoint(_adjust(config, choice), server)
        return
    assert choice.config is not None
    yield Endpoint(_adjust(choice.config, choice))


def _adjust(endpoint: EndpointConfig, choice: EndpointChoice) -> EndpointConfig:
    update: dict[str, Any] = {}
    if choice.region:
        update["region"] = choice.region
    if not choice.verify_ssl:
        update["verify_ssl"] = False
    adjusted = endpoint.model_copy(update=update) if update else endpoint
    log.info("endpoint resolved", extra={
        "endpoint": adjusted.url, "vendor": adjusted.vendor, "region": adjusted.region,
        "addressing_style": adjusted.addressing_style, "verify_ssl": adjusted.verify_ssl,
        "credential_sets": sorted(adjusted.credentials),
    })
    return adjusted
