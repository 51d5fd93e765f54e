"""A profile's ${env:...} values resolved for a run: credentials, region and endpoint."""

from __future__ import annotations

import pytest

from s3tester.errors import ConfigError
from s3tester.servers.catalog import load_profile
from s3tester.servers.profile_env import profile_endpoint as endpoint_for
from s3tester.servers.profile_env import resolve_credentials, resolve_region
from s3tester.servers.profiles import VendorProfile


def remote(**fields: object) -> VendorProfile:
    return VendorProfile.model_validate({"name": "r", "endpoint": "http://127.0.0.1:9", **fields})


def test_endpoint_env_resolution_with_defaults() -> None:
    profile = load_profile("minio")
    env = {"S3_ALT_ACCESS_KEY": "alt-key", "S3_ALT_SECRET_KEY": "alt-secret"}
    endpoint = endpoint_for(profile, environ=env)
    assert endpoint.url == "http://127.0.0.1:9000"
    assert endpoint.region == "us-east-1"
    assert endpoint.vendor == "minio"
    assert endpoint.credentials["main"].access_key == "s3tester-main"
    assert endpoint.credentials["main"].secret_key.get_secret_value() == "main-secret-s3t"
    assert endpoint.credentials["alt"].access_key == "alt-key"

    env = {"S3_ENDPOINT": "https://s3.example.test/", "S3_REGION": "eu-west-3"}
    endpoint = endpoint_for(profile, environ=env)
    assert endpoint.url == "https://s3.example.test"  # trailing slash dropped
    assert endpoint.region == "eu-west-3"
    assert "alt" not in endpoint.credentials  # optional, and its variables are unset


def test_endpoint_override_wins() -> None:
    endpoint = endpoint_for(load_profile("rustfs"), "http://127.0.0.1:1234", environ={})
    assert endpoint.url == "http://127.0.0.1:1234"
    # A launchable profile has no endpoint of its own, but an override points it elsewhere.
    moto = endpoint_for(load_profile("moto"), "http://127.0.0.1:5000", environ={})
    assert moto.url == "http://127.0.0.1:5000"
    assert set(moto.credentials) == {"main", "alt"}


def test_unset_variable_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError, match="credential set 'main' needs environment variable S3_ACCESS_KEY"):
        endpoint_for(load_profile("aws"), environ={})


def test_aws_empty_session_token_means_none() -> None:
    env = {"S3_ACCESS_KEY": "k", "S3_SECRET_KEY": "s"}
    creds = resolve_credentials(load_profile("aws"), env)
    assert creds["main"].session_token is None
    creds = resolve_credentials(load_profile("aws"), {**env, "S3_SESSION_TOKEN": "tok"})
    token = creds["main"].session_token
    assert token is not None and token.get_secret_value() == "tok"


def test_launchable_profile_without_endpoint_needs_launch_or_override() -> None:
    with pytest.raises(ConfigError, match="has no endpoint: launch it"):
        endpoint_for(load_profile("seaweedfs"))


def test_endpoint_must_be_http_url() -> None:
    with pytest.raises(ConfigError, match="must start with http:// or https://"):
        endpoint_for(load_profile("minio"), "127.0.0.1:9000", environ={})


def test_endpoint_variable_unset_names_it_and_the_way_out() -> None:
    profile = remote(endpoint="${env:MY_S3_URL}")
    with pytest.raises(ConfigError) as info:
        endpoint_for(profile, environ={})
    assert str(info.value) == "vendor 'r': endpoint needs environment variable MY_S3_URL (or give --endpoint URL)"
    assert endpoint_for(profile, environ={"MY_S3_URL": " http://127.0.0.1:7/ "}).url == "http://127.0.0.1:7"


def test_region_from_env_default_or_error() -> None:
    profile = remote(region="${env:MY_REGION:-eu-north-1}")
    assert resolve_region(profile, {}) == "eu-north-1"
    assert resolve_region(profile, {"MY_REGION": " ap-south-2 "}) == "ap-south-2"
    with pytest.raises(ConfigError, match=r"^vendor 'r': region is empty$"):
        resolve_region(profile, {"MY_REGION": "  "})
    with pytest.raises(ConfigError, match=r"^vendor 'r': region needs environment variable NO_REGION$"):
        resolve_region(remote(region="${env:NO_REGION}"), {})


def test_optional_set_is_left_out_only_when_a_variable_is_unset() -> None:
    profile = remote(credentials={
        "main": {"access_key": "plain", "secret_key": "s"},
        "alt": {"access_key": "${env:ALT_AK}", "secret_key": "${env:ALT_SK}", "optional": True},
    })
    assert list(resolve_credentials(profile, {"ALT_AK": "only-half"})) == ["main"]
    both = resolve_credentials(profile, {"ALT_AK": "ak", "ALT_SK": "sk"})
    assert both["alt"].access_key == "ak" and both["alt"].secret_key.get_secret_value() == "sk"


def test_endpoint_config_carries_the_profile_settings() -> None:
    profile = remote(addressing_style="virtual", verify_ssl=False)
    endpoint = endpoint_for(profile, environ={})
    assert (endpoint.addressing_style, endpoint.verify_ssl, endpoint.vendor) == ("virtual", False, "r")
    assert endpoint.credentials == {}
