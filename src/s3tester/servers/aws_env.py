"""What the environment says about an endpoint, the way S3 tools read it: the mint-style
`S3_*` variables first, then AWS's own chain (AWS_ACCESS_KEY_ID..., AWS_PROFILE,
~/.aws/credentials and config, AWS_ENDPOINT_URL_S3, AWS_REGION)."""

from __future__ import annotations

import os
from typing import Any

from s3tester.errors import ConfigError
from s3tester.suite.models import Credential


def aws_session() -> Any:
    """A fresh botocore session: reads AWS_PROFILE, AWS_CONFIG_FILE, ... as they are now."""
    import botocore.session
    from botocore.exceptions import ProfileNotFound

    session = botocore.session.Session()
    try:
        session.get_scoped_config()
    except ProfileNotFound as exc:
        raise ConfigError(f"AWS profile: {exc}") from None
    return session


def aws_credentials() -> Credential | None:
    """botocore's own credential chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/
    AWS_SESSION_TOKEN, AWS_PROFILE and ~/.aws/credentials or config (also SSO, process,
    assume-role profiles), then container and instance metadata unless
    AWS_EC2_METADATA_DISABLED=true."""
    from botocore.exceptions import BotoCoreError

    try:
        found = aws_session().get_credentials()
        frozen = found.get_frozen_credentials() if found is not None else None
    except BotoCoreError as exc:
        raise ConfigError(f"AWS credentials: {exc}") from None
    if frozen is None or not frozen.access_key or not frozen.secret_key:
        return None
    return Credential.of(frozen.access_key, frozen.secret_key, frozen.token)


def configured_endpoint() -> str | None:
    """S3_ENDPOINT, else the endpoint AWS tooling would use for S3: AWS_ENDPOINT_URL_S3,
    AWS_ENDPOINT_URL, or the profile's `endpoint_url` / `services` section (botocore's
    resolution). None means no endpoint was configured: the embedded server is used,
    never a public host."""
    explicit = os.environ.get("S3_ENDPOINT", "").strip()
    if explicit:
        return explicit
    from botocore.configprovider import ConfiguredEndpointProvider

    session = aws_session()
    if session.get_config_variable("ignore_configured_endpoint_urls"):
        return None
    provider = ConfiguredEndpointProvider(
        full_config=session.full_config, scoped_config=session.get_scoped_config(), client_name="s3"
    )
    url = provider.provide()
    return str(url) if url else None


def configured_endpoint_source() -> str:
    """Where `configured_endpoint()` found its URL, as a message names it."""
    for name in ("S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"):
        if os.environ.get(name, "").strip():
            return name
    return "the AWS config file's endpoint_url"


def env_region() -> str:
    """S3_REGION, else AWS_REGION / AWS_DEFAULT_REGION / the profile's region, else us-east-1."""
    env = os.environ
    return env.get("S3_REGION") or env.get("AWS_REGION") or aws_session().get_config_variable("region") or "us-east-1"


def env_credentials() -> dict[str, Credential]:
    """Credentials from the mint-style S3_* variables, else botocore's chain (`main` only)."""
    env = os.environ
    creds: dict[str, Credential] = {}
    if env.get("S3_ACCESS_KEY") and env.get("S3_SECRET_KEY"):
        creds["main"] = Credential.of(env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"], env.get("S3_SESSION_TOKEN"))
    else:
        aws = aws_credentials()
        if aws is not None:
            creds["main"] = aws
    if env.get("S3_ALT_ACCESS_KEY") and env.get("S3_ALT_SECRET_KEY"):
        creds["alt"] = Credential.of(env["S3_ALT_ACCESS_KEY"], env["S3_ALT_SECRET_KEY"])
    return creds
