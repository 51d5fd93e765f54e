"""The environment's endpoint, region and credentials: S3_* first, then AWS's own chain."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from s3tester.errors import ConfigError
from s3tester.servers import aws_env


@pytest.fixture(autouse=True)
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No S3_*/AWS_* variables and empty AWS config files under tmp_path (returned)."""
    for name in list(os.environ):
        if name.startswith(("S3_", "AWS_")):
            monkeypatch.delenv(name)
    (tmp_path / "config").write_text("")
    (tmp_path / "credentials").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


def test_no_credentials_anywhere_is_empty() -> None:
    assert aws_env.aws_credentials() is None
    assert aws_env.env_credentials() == {}


def test_s3_variables_win_over_aws_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "aws-ak")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-sk")
    monkeypatch.setenv("S3_ACCESS_KEY", "s3-ak")
    monkeypatch.setenv("S3_SECRET_KEY", "s3-sk")
    main = aws_env.env_credentials()["main"]
    assert (main.access_key, main.secret_key.get_secret_value()) == ("s3-ak", "s3-sk")
    monkeypatch.setenv("S3_SECRET_KEY", "")  # half an S3_* pair does not count
    main = aws_env.env_credentials()["main"]
    assert (main.access_key, main.secret_key.get_secret_value()) == ("aws-ak", "aws-sk")


def test_session_tokens_from_either_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "aws-ak")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-sk")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "aws-token")
    token = aws_env.env_credentials()["main"].session_token
    assert token is not None and token.get_secret_value() == "aws-token"
    monkeypatch.setenv("S3_ACCESS_KEY", "s3-ak")
    monkeypatch.setenv("S3_SECRET_KEY", "s3-sk")
    assert aws_env.env_credentials()["main"].session_token is None  # S3_* set: AWS's token is not mixed in
    monkeypatch.setenv("S3_SESSION_TOKEN", "s3-token")
    token = aws_env.env_credentials()["main"].session_token
    assert token is not None and token.get_secret_value() == "s3-token"


def test_alt_only_when_both_variables_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3_ALT_ACCESS_KEY", "alt-ak")
    assert "alt" not in aws_env.env_credentials()
    monkeypatch.setenv("S3_ALT_SECRET_KEY", "")
    assert "alt" not in aws_env.env_credentials()
    monkeypatch.setenv("S3_ALT_SECRET_KEY", "alt-sk")
    creds = aws_env.env_credentials()
    assert list(creds) == ["alt"]  # no main anywhere, alt still on its own
    assert creds["alt"].secret_key.get_secret_value() == "alt-sk"


def test_credentials_from_the_shared_file(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean / "credentials").write_text(
        "[default]\naws_access_key_id = file-ak\naws_secret_access_key = file-sk\n"
        "[other]\naws_access_key_id = other-ak\naws_secret_access_key = other-sk\n"
    )
    assert aws_env.env_credentials()["main"].access_key == "file-ak"
    monkeypatch.setenv("AWS_PROFILE", "other")
    assert aws_env.env_credentials()["main"].access_key == "other-ak"


def test_region_order(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert aws_env.env_region() == "us-east-1"
    (clean / "config").write_text("[default]\nregion = eu-south-1\n")
    assert aws_env.env_region() == "eu-south-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ca-central-1")
    assert aws_env.env_region() == "ca-central-1"
    monkeypatch.setenv("S3_REGION", "me-south-1")
    assert aws_env.env_region() == "me-south-1"


def test_aws_region_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "ap-northeast-3")
    assert aws_env.env_region() == "ap-northeast-3"


def test_s3_endpoint_is_stripped_and_blank_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3_ENDPOINT", "  http://127.0.0.1:9000 ")
    assert aws_env.configured_endpoint() == "http://127.0.0.1:9000"
    monkeypatch.setenv("S3_ENDPOINT", "   ")
    assert aws_env.configured_endpoint() is None


def test_endpoint_from_the_config_file_and_ignoring_it(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean / "config").write_text(
        "[default]\nendpoint_url = http://127.0.0.1:9400\n"
        "[profile svc]\nservices = local\n[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:9401\n"
    )
    assert aws_env.configured_endpoint() == "http://127.0.0.1:9400"
    monkeypatch.setenv("AWS_PROFILE", "svc")
    assert aws_env.configured_endpoint() == "http://127.0.0.1:9401"
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    assert aws_env.configured_endpoint() is None
    monkeypatch.setenv("S3_ENDPOINT", "http://127.0.0.1:9402")
    assert aws_env.configured_endpoint() == "http://127.0.0.1:9402"  # S3_* is not AWS's to ignore


def test_unknown_aws_profile_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nope")
    with pytest.raises(ConfigError) as info:
        aws_env.env_region()
    assert str(info.value) == "AWS profile: The config profile (nope) could not be found"
    with pytest.raises(ConfigError, match=r"^AWS profile: .*\(nope\)"):
        aws_env.env_credentials()
