"""Vendor profile models: field checks, cross-field launch checks, credential names, secrets."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from s3tester.servers.catalog import load_profile
from s3tester.servers.profile_env import profile_endpoint
from s3tester.servers.profiles import PLACEHOLDER_RE, CredentialSpec, SetupStep, VendorProfile

MAIN = {"main": {"access_key": "a", "secret_key": "b"}}


def launchable(credentials: dict[str, Any] | None = None, **launch: Any) -> VendorProfile:
    return VendorProfile.model_validate(
        {"name": "x", "credentials": MAIN if credentials is None else credentials, "launch": {"command": ["x"], **launch}}
    )


def messages(info: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [e["msg"].removeprefix("Value error, ") for e in info.value.errors()]


def test_secrets_never_in_repr_or_str() -> None:
    profile = load_profile("seaweedfs")
    text = repr(profile) + str(profile) + profile.model_dump_json()
    assert "main-secret-s3t" not in text
    endpoint = profile_endpoint(profile, "http://127.0.0.1:1")
    text = repr(endpoint) + str(endpoint) + endpoint.model_dump_json()
    assert "main-secret-s3t" not in text and "alt-secret-s3t" not in text
    assert endpoint.credentials["alt"].secret_key.get_secret_value() == "alt-secret-s3t"


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


def test_port_names_and_absolute_files_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        launchable(ports=["Grpc"])
    assert messages(info) == ["port name 'Grpc' must match ^[a-z][a-z0-9_]*$"]
    with pytest.raises(ValidationError) as info:
        launchable(files={"/etc/passwd": ""})
    assert messages(info) == ["file name '/etc/passwd' must be relative to the work dir"]


def test_invalid_version_regex() -> None:
    with pytest.raises(ValidationError) as info:
        launchable(version_regex="(unclosed")
    [message] = messages(info)
    assert message.startswith("invalid regex: missing ), unterminated subpattern")


def test_setup_step_has_exactly_one_kind() -> None:
    for data in ({}, {"iam_user": {"user": "u", "credential": "c"}, "http": {"path": "/"}}):
        with pytest.raises(ValidationError, match="a setup step has exactly one of 'iam_user' or 'http'"):
            SetupStep.model_validate(data)
    assert SetupStep.model_validate({"http": {"path": "/reset"}}).http.method == "POST"  # type: ignore[union-attr]


def test_placeholders_must_name_ports_and_credential_sets() -> None:
    with pytest.raises(ValidationError) as info:
        launchable(env={"K": "{cred.nobody.access_key}"})
    assert messages(info) == ["{cred.nobody.access_key} names no credential set"]
    with pytest.raises(ValidationError) as info:
        launchable(requires=["{ports.web}/x"])
    assert messages(info) == ["{ports.web} names no port in launch.ports"]
    ok = launchable(ports=["web"], env={"K": "{cred.main.secret_key}"}, files={"c": "{cred.main.secret_key}"})
    assert ok.launch is not None and ok.launch.ports == ["web"]


def test_secret_placeholder_only_in_env_and_files() -> None:
    for where in ({"command": ["x", "{cred.main.secret_key}"]}, {"requires": ["{cred.main.secret_key}"]},
                  {"prepare": [{"command": ["p", "{cred.main.secret_key}"]}]}):
        with pytest.raises(ValidationError, match="secrets may not appear on a command line"):
            launchable(**where)
    assert launchable(command=["x", "{cred.main.access_key}"]).launch is not None  # the key id is fine


def test_probe_credential_must_exist_before_start() -> None:
    with pytest.raises(ValidationError) as info:
        launchable(probe_credential="root")
    assert messages(info) == ["probe credential 'root' is neither in 'credentials' nor made by 'prepare' (defined: main)"]
    with pytest.raises(ValidationError) as info:
        launchable(credentials={})
    assert messages(info) == ["probe credential 'main' is neither in 'credentials' nor made by 'prepare' (defined: none)"]
    made = launchable(credentials={}, prepare=[{"command": ["mk"], "credential": "main"}])
    assert made.credential_names() == ["main"]


def test_prepare_and_setup_may_not_redefine_a_set() -> None:
    with pytest.raises(ValidationError) as info:
        launchable(prepare=[{"command": ["mk"], "credential": "main"}])
    assert messages(info) == [
        "prepare creates credential set 'main', which is already defined; "
        "a set comes either from 'credentials' or from one step"
    ]
    with pytest.raises(ValidationError, match="setup creates credential set 'made', which is already defined"):
        launchable(prepare=[{"command": ["mk"], "credential": "made"}],
                   setup=[{"iam_user": {"user": "u", "credential": "made"}}])


def test_setup_calls_iam_as_a_known_set() -> None:
    with pytest.raises(ValidationError) as info:
        launchable(setup=[{"iam_user": {"user": "u", "credential": "alt", "as": "admin"}}])
    assert messages(info) == ["setup calls IAM as unknown credential set 'admin'"]
    chained = launchable(setup=[{"iam_user": {"user": "a", "credential": "alt"}},
                                {"iam_user": {"user": "b", "credential": "third", "as": "alt"}}])
    assert chained.credential_names() == ["main", "alt", "third"]


def test_credential_names_leave_out_setup_only_sets_of_launched_servers() -> None:
    creds = {"root": {"access_key": "r", "secret_key": "s", "setup_only": True}}
    profile = launchable(creds, probe_credential="root", prepare=[{"command": ["mk"], "credential": "made"}],
                         setup=[{"iam_user": {"user": "u", "credential": "main"}}])
    assert profile.credential_names() == ["made", "main"]
    remote = VendorProfile.model_validate({"name": "r", "endpoint": "http://h", "credentials": creds})
    assert remote.credential_names() == ["root"]  # setup_only means something only with launch


def test_a_profile_needs_an_endpoint_or_launch() -> None:
    with pytest.raises(ValidationError) as info:
        VendorProfile.model_validate({"name": "x"})
    assert messages(info) == ["a profile needs an 'endpoint' or a 'launch' section (or both)"]
    with pytest.raises(ValidationError, match="String should match pattern"):
        VendorProfile.model_validate({"name": "Upper", "endpoint": "http://h"})


def test_credential_spec_secrets_are_strings_and_hidden() -> None:
    spec = CredentialSpec.model_validate({"access_key": "a", "secret_key": 12345, "session_token": "tok-9z"})
    assert spec.secret_key.get_secret_value() == "12345"
    assert "12345" not in repr(spec) and "tok-9z" not in repr(spec)
    with pytest.raises(ValidationError, match="must be a string"):
        CredentialSpec.model_validate({"access_key": "a", "secret_key": ["x"]})
    with pytest.raises(ValidationError, match="at least 1 character"):
        CredentialSpec.model_validate({"access_key": "", "secret_key": "s"})


def test_placeholder_pattern_replaces_only_known_names() -> None:
    text = '{"json": {port}, "x": {ports.web}, "y": {cred.a-b.access_key}, "z": {unknown}, "w": {cred.a.token}}'
    assert [m.group(1) for m in PLACEHOLDER_RE.finditer(text)] == ["port", "ports.web", "cred.a-b.access_key"]


def test_principals_default_to_an_arn_and_follow_the_profile() -> None:
    profile = VendorProfile.model_validate({"name": "x", "endpoint": "http://h", "credentials": {
        **MAIN, "alt": {"access_key": "c", "secret_key": "d", "user": "bob"},
        "third": {"access_key": "e", "secret_key": "f", "principal": "canonical"}}})
    principals = profile.principals(["main", "alt", "third"])
    assert principals["main"] == '{"AWS": "arn:aws:iam::123456789012:user/main"}'
    assert principals["alt"] == '{"AWS": "arn:aws:iam::123456789012:user/bob"}'
    assert principals["third"] == '{"CanonicalUser": "{canonical_id}"}'
    canonical = VendorProfile.model_validate({"name": "x", "endpoint": "http://h", "credentials": MAIN,
                                              "principal": '{"AWS": "arn:aws:iam:::user/{user}"}', "account_id": "1"})
    assert canonical.principals(["main"]) == {"main": '{"AWS": "arn:aws:iam:::user/main"}'}
    assert profile_endpoint(profile).principals["alt"].endswith('user/bob"}')


def test_principal_user_of_an_iam_user_set_is_its_iam_name() -> None:
    profile = load_profile("moto-iam")
    assert profile.principals(["alt"]) == {"alt": '{"AWS": "arn:aws:iam::123456789012:user/s3tester-alt"}'}
    assert load_profile("ceph-dbstore").principals(["alt"]) == {"alt": '{"AWS": "arn:aws:iam:::user/s3tester-alt"}'}
