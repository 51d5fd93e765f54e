"""The library entry points the CLI (and tests) call: resolve an endpoint, run a suite."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from s3tester.engine import Engine, Progress
from s3tester.errors import ConfigError, EndpointError
from s3tester.models import Credential, EndpointConfig, Suite
from s3tester.plan import select
from s3tester.results import CaseResult, RunResult

DEFAULT_TIMEOUT = 30.0
log = logging.getLogger("s3tester.api")


def _aws_session() -> Any:
    """A fresh botocore session: reads AWS_PROFILE, AWS_CONFIG_FILE, ... as they are now."""
    import botocore.session
    from botocore.exceptions import ProfileNotFound

    session = botocore.session.Session()
    try:
        session.get_scoped_config()
    except ProfileNotFound as exc:
        raise ConfigError(f"AWS profile: {exc}") from None
    return session


def _aws_credentials() -> Credential | None:
    """botocore's own credential chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/
    AWS_SESSION_TOKEN, AWS_PROFILE and ~/.aws/credentials or config (also SSO, process,
    assume-role profiles), then container and instance metadata unless
    AWS_EC2_METADATA_DISABLED=true."""
    from botocore.exceptions import BotoCoreError

    try:
        found = _aws_session().get_credentials()
        frozen = found.get_frozen_credentials() if found is not None else None
    except BotoCoreError as exc:
        raise ConfigError(f"AWS credentials: {exc}") from None
    if frozen is None or not frozen.access_key or not frozen.secret_key:
        return None
    return Credential.of(frozen.access_key, frozen.secret_key, frozen.token)


def _configured_endpoint() -> str | None:
    """S3_ENDPOINT, else the endpoint AWS tooling would use for S3: AWS_ENDPOINT_URL_S3,
    AWS_ENDPOINT_URL, or the profile's `endpoint_url` / `services` section (botocore's
    resolution). None means no endpoint was configured: the embedded server is used,
    never a public host."""
    explicit = os.environ.get("S3_ENDPOINT", "").strip()
    if explicit:
        return explicit
    from botocore.configprovider import ConfiguredEndpointProvider

    session = _aws_session()
    if session.get_config_variable("ignore_configured_endpoint_urls"):
        return None
    provider = ConfiguredEndpointProvider(
        full_config=session.full_config, scoped_config=session.get_scoped_config(), client_name="s3"
    )
    url = provider.provide()
    return str(url) if url else None


def _env_region() -> str:
    """S3_REGION, else AWS_REGION / AWS_DEFAULT_REGION / the profile's region, else us-east-1."""
    return os.environ.get("S3_REGION") or _aws_session().get_config_variable("region") or "us-east-1"


def _env_credentials() -> dict[str, Credential]:
    """Credentials from the mint-style S3_* variables, else botocore's chain (`main` only)."""
    env = os.environ
    creds: dict[str, Credential] = {}
    if env.get("S3_ACCESS_KEY") and env.get("S3_SECRET_KEY"):
        creds["main"] = Credential.of(env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"], env.get("S3_SESSION_TOKEN"))
    else:
        aws = _aws_credentials()
        if aws is not None:
            creds["main"] = aws
    if env.get("S3_ALT_ACCESS_KEY") and env.get("S3_ALT_SECRET_KEY"):
        creds["alt"] = Credential.of(env["S3_ALT_ACCESS_KEY"], env["S3_ALT_SECRET_KEY"])
    return creds


def _from_suite_config(suite: Suite, url: str | None) -> EndpointConfig | None:
    cfg = suite.config
    if cfg is None or not (url or cfg.endpoint):
        return None
    creds = {name: c for name, c in cfg.credentials.items()} or _env_credentials()
    return EndpointConfig(url=url or cfg.endpoint or "", region=cfg.region, addressing_style=cfg.addressing_style,
                          credentials=creds, verify_ssl=cfg.verify_ssl, vendor="custom")


@contextmanager
def endpoint_for(
    suite: Suite | None,
    vendor: str | None = None,
    url: str | None = None,
    region: str | None = None,
    verify_ssl: bool = True,
) -> Iterator[EndpointConfig]:
    """The endpoint a run talks to: a vendor profile (launched if it can be), an explicit
    URL, a single-file config's endpoint, or else the embedded moto server."""
    chosen: EndpointConfig | None = None
    if url is not None and not url.startswith(("http://", "https://")):
        raise ConfigError(f"--endpoint must be an http:// or https:// URL, got '{url}'")
    if vendor:
        from s3tester import vendors

        profile = vendors.load_profile(vendor)
        if url is None and profile.launch is not None:
            from s3tester.launch import launched

            with launched(profile) as launched_endpoint:
                yield _adjust(launched_endpoint, region, verify_ssl)
            return
        chosen = vendors.endpoint_for(profile, url)
    elif suite is not None and (url or (suite.config and suite.config.endpoint)):
        chosen = _from_suite_config(suite, url)
    if chosen is None and not url and not vendor:
        url = _configured_endpoint()
    if chosen is None and url:
        chosen = EndpointConfig(url=url, region=_env_region(), credentials=_env_credentials())
    if chosen is not None:
        yield _adjust(chosen, region, verify_ssl)
        return
    from s3tester.embedded import moto_server

    with moto_server() as embedded:
        yield _adjust(embedded, region, verify_ssl)


def _adjust(endpoint: EndpointConfig, region: str | None, verify_ssl: bool) -> EndpointConfig:
    update: dict[str, Any] = {}
    if region:
        update["region"] = region
    if not verify_ssl:
        update["verify_ssl"] = False
    adjusted = endpoint.model_copy(update=update) if update else endpoint
    _announce(adjusted)
    return adjusted


def _announce(endpoint: EndpointConfig) -> None:
    """Register the endpoint's secrets with the log redactor, then log where the run goes."""
    from s3tester import logs

    for cred in endpoint.credentials.values():
        logs.register_secret(cred.secret_key.get_secret_value())
        if cred.session_token is not None:
            logs.register_secret(cred.session_token.get_secret_value())
    log.info("endpoint resolved", extra={
        "endpoint": endpoint.url, "vendor": endpoint.vendor, "region": endpoint.region,
        "addressing_style": endpoint.addressing_style, "verify_ssl": endpoint.verify_ssl,
        "credential_sets": sorted(endpoint.credentials),
    })


def check_credentials(suite: Suite, endpoint: EndpointConfig, cases: list[Any]) -> dict[str, str]:
    """Cases that need a credential set the endpoint lacks, with a skip reason.

    Without `main` nothing can run (ConfigError, exit 2); without `alt` (or another extra
    set) only the cases that use it are skipped, so a user with one key pair still gets a run.
    """
    have = set(endpoint.credentials)
    if "main" not in have:
        raise ConfigError(
            f"no 'main' credentials for {endpoint.url}: set S3_ACCESS_KEY and S3_SECRET_KEY "
            "(or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE), or use --vendor"
        )
    skips: dict[str, str] = {}
    for case in cases:
        used = {s.as_ for ph in (case.group.before, case.group.test, case.group.after) for s in ph}
        missing = sorted(used - have - {"anonymous"})
        if missing:
            skips[case.id] = f"needs credential set {', '.join(missing)} (for alt: set S3_ALT_ACCESS_KEY and S3_ALT_SECRET_KEY)"
    if skips:
        log.warning("cases skipped for missing credentials", extra={"count": len(skips)})
    return skips


def check_tls(endpoint: EndpointConfig, timeout: float = DEFAULT_TIMEOUT) -> None:
    """For https:// with verification on, one TLS handshake with the trust store botocore
    will use (AWS_CA_BUNDLE / the profile's ca_bundle / certifi): an untrusted certificate
    is an endpoint error with a hint instead of every case erroring the same way."""
    import socket
    import ssl
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint.url)
    if parts.scheme != "https" or not endpoint.verify_ssl:
        return
    import botocore.session
    from botocore.httpsession import get_cert_path

    bundle = botocore.session.Session().get_config_variable("ca_bundle") or get_cert_path(True)
    host = parts.hostname or "localhost"
    try:
        context = ssl.create_default_context(cafile=bundle if isinstance(bundle, str) else None)
        with socket.create_connection((host, parts.port or 443), timeout=min(timeout, 5.0)) as raw, \
                context.wrap_socket(raw, server_hostname=host):
            pass
    except ssl.SSLCertVerificationError as exc:
        raise EndpointError(
            f"TLS certificate of {endpoint.url} is not trusted ({exc.verify_message}): "
            "trust its CA with AWS_CA_BUNDLE=/path/to/ca.pem, or accept it with --no-verify-ssl"
        ) from None
    except (OSError, ssl.SSLError) as exc:
        log.debug("TLS pre-check inconclusive", extra={"endpoint": endpoint.url, "error": str(exc)})


def run_suite(
    suite: Suite,
    endpoint: EndpointConfig,
    parallel: int = 4,
    groups: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    engine: Engine | None = None,
    run_id: str | None = None,
) -> RunResult:
    cases = select(suite, groups, tags)
    engine = engine or Engine(endpoint, parallel=parallel, timeout=timeout, progress=_logged(progress), stop=stop,
                              run_id=run_id)
    engine.check_reachable()
    check_tls(endpoint, timeout)
    skips = check_credentials(suite, endpoint, cases)
    log.info("run started", extra={"suite": suite.name, "suite_version": suite.version, "cases": len(cases),
                                   "parallel": parallel, "vendor": endpoint.vendor, "endpoint": endpoint.url})
    result = engine.run(suite, cases, skips)
    s = result.summary
    log.info("run finished", extra={"passed": s.passed, "failed": s.failed, "errored": s.errored,
                                    "unsupported": s.unsupported, "skipped": s.skipped, "total": s.total,
                                    "duration_s": round(result.duration, 3), "complete": result.complete})
    return result


def _logged(progress: Progress | None) -> Progress:
    """The engine's per-case callback, plus one log record per case (debug when it passed)."""

    def on_case(case: CaseResult) -> None:
        level = logging.DEBUG if case.status in ("passed", "skipped") else logging.INFO
        if log.isEnabledFor(level):
            log.log(level, "case %s", case.status, extra={
                "case": case.id, "status": case.status, "duration_s": round(case.duration, 3),
                "reason": case.reason})
        if progress is not None:
            progress(case)

    return on_case

