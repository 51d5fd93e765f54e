"""Vendor profiles: loading, validation messages, listing, ${env:} resolution, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from s3tester.errors import EXIT_CONFIG, ConfigError
from s3tester.servers.catalog import list_profiles, load_profile, vendor_dirs
from s3tester.servers.profile_env import profile_endpoint as endpoint_for
from s3tester.servers.profile_env import resolve_credentials
from s3tester.servers.profiles import VendorProfile

INPUTS = Path(__file__).parent / "inputs" / "vendors"
REPO_VENDORS = Path(__file__).resolve().parents[1] / "vendors"

LAUNCHABLE = {
    "moto",
    "moto-iam",
    "seaweedfs",
    "s3rver",
    "ministack",
    "nanio",
    "localbucket",
    "ceph-dbstore",
}
REMOTE = {"minio", "ceph", "garage", "rustfs", "versitygw", "aws"}

# Each broken profile under tests/inputs/vendors/ and the exact message it gives.
BROKEN = {
    "bad-port": "bad-port.yaml:5:38: launch.command[2]: {ports.grpc} names no port in launch.ports",
    "bad-types": "\n".join(
        [
            "bad-types.yaml:3:19: addressing_style: Input should be 'path', 'virtual' or 'auto'",
            "bad-types.yaml:5:9: credentials.main.secret_key: Field required",
            "bad-types.yaml:8:12: launch.command: List should have at least 1 item after validation, not 0",
            "bad-types.yaml:9:18: launch.ready_timeout: Input should be greater than 0",
        ]
    ),
    "broken-yaml": "broken-yaml.yaml:4:1: while parsing a flow mapping; did not find expected ',' or '}'",
    "duplicate-key": "duplicate-key.yaml:3:1: duplicate key 'region' (first at line 2)",
    "name-mismatch": "name-mismatch.yaml:1:7: name 'something-else' differs from the file name 'name-mismatch'",
    "no-endpoint": "no-endpoint.yaml:1:1: a profile needs an 'endpoint' or a 'launch' section (or both)",
    "not-a-mapping": "not-a-mapping.yaml:1:1: a vendor profile is a mapping, got a list",
    "secret-on-command-line": "secret-on-command-line.yaml:5:21: launch.command[1]: secrets "
    "may not appear on a command line (ps shows them); put them in launch.env or launch.files",
    "setup-redefines": "setup-redefines.yaml:7:39: launch.setup[0].iam_user.credential: setup "
    "creates credential set 'main', which is already defined; a set comes either from "
    "'credentials' or from one setup step",
    "unknown-key": "unknown-key.yaml:3:1: unknown key 'credentails'",
}


@pytest.fixture
def in_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run with tests/inputs/vendors as cwd so messages show short relative paths."""
    monkeypatch.chdir(INPUTS)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_profile_message(name: str, in_inputs: None) -> None:
    with pytest.raises(ConfigError) as info:
        load_profile(f"{name}.yaml")
    assert str(info.value) == BROKEN[name]
    assert info.value.exit_code == EXIT_CONFIG


def test_every_broken_input_has_an_expected_message() -> None:
    assert {p.stem for p in INPUTS.glob("*.yaml")} == set(BROKEN)


def test_shipped_profiles_load_and_split_into_launchable_and_remote() -> None:
    profiles = {p.name: p for p in list_profiles()}
    assert set(profiles) >= LAUNCHABLE | REMOTE
    for name in LAUNCHABLE:
        profile = profiles[name]
        assert profile.launch is not None, name
        assert profile.endpoint is None, name
        assert profile.launch.install, f"{name}: launch.install hint missing"
        assert {"main", "alt"} <= set(profile.credential_names()), name
    for name in REMOTE:
        profile = profiles[name]
        assert profile.launch is None, name
        assert profile.endpoint and "${env:S3_ENDPOINT" in profile.endpoint, name
        assert {"main", "alt"} <= set(profile.credentials), name
        assert profile.credentials["alt"].optional, name
    for name in REMOTE - {"aws"}:
        assert "docker run" in (profiles[name].container or "")


def test_list_is_sorted_and_sources_are_files() -> None:
    profiles = list_profiles()
    assert [p.name for p in profiles] == sorted(p.name for p in profiles)
    assert all(p.source and p.source.endswith(".yaml") for p in profiles)


def test_load_by_name_and_by_path_agree() -> None:
    by_name = load_profile("seaweedfs")
    by_path = load_profile(str(REPO_VENDORS / "seaweedfs.yaml"))
    assert by_name == by_path
    assert by_name.launch is not None and "master" in by_name.launch.ports


def test_unknown_vendor_suggests_close_names() -> None:
    with pytest.raises(ConfigError, match=r"unknown vendor 'nope' \(`s3tester list vendors`"):
        load_profile("nope")
    with pytest.raises(ConfigError, match=r"did you mean 'seaweedfs'\?"):
        load_profile("seaweed")


def test_missing_profile_file() -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_profile("no/such/profile.yaml")


def test_vendor_dirs_env_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "seaweedfs.yaml").write_text("endpoint: http://127.0.0.1:1\n")
    (tmp_path / "mine.yaml").write_text("description: own\nendpoint: http://127.0.0.1:2\n")
    monkeypatch.setenv("S3TESTER_VENDOR_DIRS", str(tmp_path))
    assert vendor_dirs()[0] == tmp_path.resolve()
    assert load_profile("seaweedfs").endpoint == "http://127.0.0.1:1"  # shadows the repo's
    assert load_profile("mine").description == "own"


def test_endpoint_env_resolution_with_defaults() -> None:
    profile = load_profile("minio")
    env = {"S3_ALT_ACCESS_KEY": "alt-key", "S3_ALT_SECRET_KEY": "alt-secret"}
    endpoint = endpoint_for(profile, environ=env)
    assert endpoint.url == "http://127.0.0.1:9000"
    assert endpoint.region == "us-east-1"
    assert endpoint.vendor == "minio"
    assert endpoint.credentials["main"].access_key == "s3tester-main"
    assert endpoint.credentials["main"].secret_key.get_secret_value() == "s3tester-main-secret"
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
    with pytest.raises(ConfigError, match="is not an http"):
        endpoint_for(load_profile("minio"), "127.0.0.1:9000", environ={})


def test_secrets_never_in_repr_or_str() -> None:
    profile = load_profile("seaweedfs")
    text = repr(profile) + str(profile) + profile.model_dump_json()
    assert "s3tester-main-secret" not in text
    endpoint = endpoint_for(profile, "http://127.0.0.1:1")
    text = repr(endpoint) + str(endpoint) + endpoint.model_dump_json()
    assert "s3tester-main-secret" not in text and "s3tester-alt-secret" not in text
    assert endpoint.credentials["alt"].secret_key.get_secret_value() == "s3tester-alt-secret"


def test_model_checks_credential_names_and_ports() -> None:
    with pytest.raises(ValidationError, match="credential set name 'anonymous'"):
        VendorProfile.model_validate(
            {
                "name": "x",
                "endpoint": "http://h",
                "credentials": {"anonymous": {"access_key": "a", "secret_key": "b"}},
            }
        )
    with pytest.raises(ValidationError, match="port names must be unique"):
        VendorProfile.model_validate(
            {
                "name": "x",
                "credentials": {"main": {"access_key": "a", "secret_key": "b"}},
                "launch": {"command": ["x"], "ports": ["a", "a"]},
            }
        )
    with pytest.raises(ValidationError, match="must be relative to the work dir"):
        VendorProfile.model_validate(
            {
                "name": "x",
                "credentials": {"main": {"access_key": "a", "secret_key": "b"}},
                "launch": {"command": ["x"], "files": {"../evil": ""}},
            }
        )


def test_profiles_hold_no_real_looking_secrets() -> None:
    """Defaults in the repo are short, obviously fake dummies (or S3RVER's fixed pair)."""
    for profile in list_profiles():
        for name, cred in profile.credentials.items():
            secret = cred.secret_key.get_secret_value()
            assert secret.startswith("${env:") or secret in {"S3RVER", f"s3tester-{name}-secret"}, (
                profile.name,
                name,
            )
