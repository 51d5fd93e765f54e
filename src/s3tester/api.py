"""The library entry points the CLI (and tests) call: resolve an endpoint, run a suite."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from s3tester.engine import Engine, Progress
from s3tester.errors import ConfigError
from s3tester.loader import load_suite
from s3tester.models import Credential, EndpointConfig, Suite
from s3tester.plan import select
from s3tester.results import RunResult

DEFAULT_TIMEOUT = 30.0


def _env_credentials() -> dict[str, Credential]:
    """Credentials from the mint-style S3_* variables, then AWS's own."""
    env = os.environ
    creds: dict[str, Credential] = {}
    main_key = env.get("S3_ACCESS_KEY") or env.get("AWS_ACCESS_KEY_ID")
    main_secret = env.get("S3_SECRET_KEY") or env.get("AWS_SECRET_ACCESS_KEY")
    if main_key and main_secret:
        creds["main"] = Credential.of(main_key, main_secret, env.get("S3_SESSION_TOKEN") or env.get("AWS_SESSION_TOKEN"))
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
    if chosen is None and url:
        chosen = EndpointConfig(url=url, credentials=_env_credentials())
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
    return endpoint.model_copy(update=update) if update else endpoint


def check_credentials(suite: Suite, endpoint: EndpointConfig, cases: list[Any]) -> None:
    """Every credential set the chosen cases use must exist in the endpoint's profile."""
    needed = {s.as_ for c in cases for ph in (c.group.before, c.group.test, c.group.after) for s in ph}
    needed.discard("anonymous")
    missing = sorted(needed - set(endpoint.credentials))
    if missing:
        hint = ""
        if "main" in missing:
            hint = "; set S3_ACCESS_KEY and S3_SECRET_KEY (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or use --vendor"
        elif "alt" in missing:
            hint = "; set S3_ALT_ACCESS_KEY and S3_ALT_SECRET_KEY, or skip those cases with --group"
        raise ConfigError(
            f"credential set(s) {', '.join(missing)} used by the suite are not configured for "
            f"{endpoint.url} (have: {', '.join(sorted(endpoint.credentials)) or 'none'}){hint}"
        )


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
) -> RunResult:
    cases = select(suite, groups, tags)
    engine = engine or Engine(endpoint, parallel=parallel, timeout=timeout, progress=progress, stop=stop)
    engine.check_reachable()
    check_credentials(suite, endpoint, cases)
    return engine.run(suite, cases)


def run_path(path: str, **kwargs: Any) -> RunResult:
    """Load `path` and run it against the embedded server (convenience for tests)."""
    suite = load_suite(path)
    with endpoint_for(suite) as endpoint:
        return run_suite(suite, endpoint, **kwargs)
