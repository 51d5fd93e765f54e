"""A profile's `${env:...}` values resolved for a run: credential sets, region, endpoint."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import SecretStr

from s3tester.errors import ConfigError, Location
from s3tester.masking import shown_url
from s3tester.servers.profiles import VendorProfile
from s3tester.suite.endpoint_url import endpoint_problem
from s3tester.suite.models import Credential, EndpointConfig
from s3tester.suite.variables import UndefinedVariable, expand_env


def _resolve(text: str, environ: Mapping[str, str] | None) -> str:
    """`${env:NAME}` / `${env:NAME:-default}` as everywhere in s3tester (variables.py)."""
    return expand_env(text, environ)


def _unset_name(exc: UndefinedVariable) -> str:
    return exc.name.removeprefix("env:")


def resolve_credentials(profile: VendorProfile, environ: Mapping[str, str] | None = None) -> dict[str, Credential]:
    """The profile's declared credential sets with `${env:...}` resolved.

    A set marked `optional` whose variables are unset is left out; any other unset
    variable is a ConfigError naming the profile, the set and the variable.
    """
    out: dict[str, Credential] = {}
    for name, spec in profile.credentials.items():
        try:
            raw_token = spec.session_token.get_secret_value() if spec.session_token else None
            token = _resolve(raw_token, environ) if raw_token is not None else None
            out[name] = Credential(
                access_key=_resolve(spec.access_key, environ),
                secret_key=SecretStr(_resolve(spec.secret_key.get_secret_value(), environ)),
                session_token=SecretStr(token) if token else None,  # "" means none
            )
        except UndefinedVariable as exc:
            if spec.optional:
                continue
            raise ConfigError(
                f"vendor '{profile.name}': credential set '{name}' needs environment variable {_unset_name(exc)}",
                Location(profile.source) if profile.source else None,
            ) from None
    return out


def resolve_region(profile: VendorProfile, environ: Mapping[str, str] | None = None) -> str:
    """The profile's region with `${env:...}` resolved (e.g. `${env:S3_REGION:-us-east-1}`)."""
    try:
        region = _resolve(profile.region, environ).strip()
    except UndefinedVariable as exc:
        raise ConfigError(
            f"vendor '{profile.name}': region needs environment variable {_unset_name(exc)}",
            Location(profile.source) if profile.source else None,
        ) from None
    if not region:
        raise ConfigError(f"vendor '{profile.name}': region is empty")
    return region


def profile_endpoint(
    profile: VendorProfile,
    endpoint_override: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> EndpointConfig:
    """The endpoint config of a profile's server that is already running somewhere (no launch).

    `endpoint_override` (from `--endpoint`) wins over the profile's `endpoint`.
    """
    where = Location(profile.source) if profile.source else None
    raw = endpoint_override if endpoint_override is not None else profile.endpoint
    if raw is None:
        raise ConfigError(
            f"vendor '{profile.name}' has no endpoint: launch it (it has a 'launch' section) or give --endpoint URL",
            where,
        )
    try:
        url = _resolve(raw, environ).strip()
    except UndefinedVariable as exc:
        raise ConfigError(
            f"vendor '{profile.name}': endpoint needs environment variable {_unset_name(exc)} (or give --endpoint URL)",
            where,
        ) from None
    problem = endpoint_problem(url)
    if problem:
        source = "--endpoint" if endpoint_override is not None else "endpoint"
        raise ConfigError(f"vendor '{profile.name}': {source} '{shown_url(url)}' {problem}", where)
    return EndpointConfig(
        url=url.rstrip("/"),
        region=resolve_region(profile, environ),
        addressing_style=profile.addressing_style,
        credentials=resolve_credentials(profile, environ),
        verify_ssl=profile.verify_ssl,
        vendor=profile.name,
        principals=profile.principals(profile.credential_names()),
    )
