"""Choosing the run's endpoint before anything starts, and the Endpoint handle (revive, stop)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from test_launch import _no_leftover_children, fake_profile, gone, pid_of, s3  # noqa: F401 (autouse fixture)

from s3tester.errors import ConfigError
from s3tester.servers.catalog import load_profile
from s3tester.servers.endpoint import EMBEDDED, Endpoint, EndpointChoice, choose_endpoint, embedded, open_endpoint
from s3tester.servers.launch import launched
from s3tester.suite.loader import load_suite
from s3tester.suite.models import Credential, EndpointConfig


@pytest.fixture
def no_env_endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No S3_*/AWS_* variables and no AWS config files: nothing configures an endpoint."""
    for name in list(os.environ):
        if name.startswith(("S3_", "AWS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_revive_restarts_a_dead_server_on_the_same_port(tmp_path: Path) -> None:
    with launched(fake_profile(), tmp_path) as (server, endpoint):
        handle = Endpoint(endpoint, server)
        first = pid_of(tmp_path)
        assert handle.revive()  # alive: nothing to do
        assert pid_of(tmp_path) == first
        os.killpg(first, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while not gone(first) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert handle.revive()
        second = pid_of(tmp_path)
        assert second != first
        assert s3(endpoint).list_buckets()["Buckets"] == []  # same URL answers again
    assert gone(second)
    assert not Endpoint(endpoint).revive()  # a server the run did not launch is never restarted


def test_revive_restarts_a_hung_server_once(tmp_path: Path) -> None:
    with launched(fake_profile(), tmp_path) as (server, endpoint):
        handle = Endpoint(endpoint, server)
        hung = handle.pid
        assert hung == pid_of(tmp_path)
        assert handle.revive(hung_pid=hung)
        fresh = pid_of(tmp_path)
        assert fresh != hung and gone(hung)
        assert handle.revive(hung_pid=hung)  # a second worker: already restarted
        assert pid_of(tmp_path) == fresh
        assert s3(endpoint).list_buckets()["Buckets"] == []
    assert handle.pid is None


def test_stop_ends_a_launched_server_and_is_a_no_op_otherwise(tmp_path: Path) -> None:
    with launched(fake_profile(), tmp_path) as (server, endpoint):
        handle = Endpoint(endpoint, server)
        pid = pid_of(tmp_path)
        assert handle.launched and handle.pid == pid
        handle.stop()
        assert gone(pid) and handle.pid is None
    remote = Endpoint(endpoint)
    remote.stop()
    assert not remote.launched and remote.pid is None


def test_endpoint_url_needs_a_scheme() -> None:
    with pytest.raises(ConfigError) as info:
        choose_endpoint(None, url="127.0.0.1:9000")
    assert str(info.value) == "--endpoint '127.0.0.1:9000' must start with http:// or https://"
    with pytest.raises(ConfigError, match="'ftp://h' must start"):
        choose_endpoint(None, vendor="minio", url="ftp://h")  # checked before the profile is read


def test_url_alone_is_a_custom_endpoint_with_env_credentials(
    no_env_endpoint: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("S3_ACCESS_KEY", "env-ak")
    monkeypatch.setenv("S3_SECRET_KEY", "env-sk")
    monkeypatch.setenv("S3_REGION", "eu-central-1")
    choice = choose_endpoint(None, url="http://127.0.0.1:9000")
    assert choice.vendor == "custom" and not choice.launches
    assert choice.config is not None and choice.config.url == "http://127.0.0.1:9000"
    assert choice.config.region == "eu-central-1"
    main = choice.config.credentials["main"]
    assert (main.access_key, main.secret_key.get_secret_value()) == ("env-ak", "env-sk")
    assert choice.credential_names() == ["main"]
    assert choice.where == "http://127.0.0.1:9000"


def test_launchable_vendor_without_url_is_launched(no_env_endpoint: None) -> None:
    choice = choose_endpoint(None, vendor="seaweedfs", region="eu-west-1", verify_ssl=False)
    assert choice.launches and choice.config is None
    assert choice.profile is not None and choice.profile.name == "seaweedfs"
    assert (choice.vendor, choice.region, choice.verify_ssl) == ("seaweedfs", "eu-west-1", False)
    assert choice.where == "the seaweedfs server s3tester launches"


def test_launchable_vendor_with_url_talks_to_that_url(no_env_endpoint: None) -> None:
    choice = choose_endpoint(None, vendor="moto", url="http://127.0.0.1:5000")
    assert not choice.launches
    assert choice.config is not None and choice.config.url == "http://127.0.0.1:5000"
    assert choice.vendor == "moto"
    assert choice.credential_names() == ["main", "alt"]


def test_remote_vendor_resolves_its_profile(no_env_endpoint: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3_ENDPOINT", "http://127.0.0.1:9100")
    choice = choose_endpoint(None, vendor="minio")
    assert choice.vendor == "minio" and choice.config is not None
    assert choice.config.url == "http://127.0.0.1:9100"
    assert choice.credential_names() == ["main"]  # alt is optional and unset


def test_nothing_configured_is_the_embedded_moto(no_env_endpoint: None) -> None:
    choice = choose_endpoint(None, region="us-west-2")
    assert choice.vendor == EMBEDDED == "moto"
    assert choice.launches and choice.profile == load_profile("moto")
    assert choice.region == "us-west-2" and choice.verify_ssl
    assert choice.credential_names() == ["main", "alt"]
    assert embedded().region is None


def test_environment_endpoint_beats_the_embedded_one(no_env_endpoint: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9200")
    choice = choose_endpoint(None)
    assert choice.config is not None and choice.config.url == "http://127.0.0.1:9200"
    assert choice.vendor == "custom" and choice.config.credentials == {}


def test_single_file_config_endpoint_and_credentials(no_env_endpoint: None, tmp_path: Path) -> None:
    path = tmp_path / "cfg.yaml"
    path.write_text(
        "config:\n  endpoint: http://127.0.0.1:9300\n  region: ap-east-1\n"
        "  credentials: {main: {access_key: cfg-ak, secret_key: cfg-sk}}\n"
        "groups:\n  - name: g\n    test:\n      - op: ListBuckets\n"
    )
    suite = load_suite(path)
    choice = choose_endpoint(suite)
    assert choice.config is not None and choice.vendor == "custom"
    assert (choice.config.url, choice.config.region) == ("http://127.0.0.1:9300", "ap-east-1")
    assert choice.config.credentials["main"].access_key == "cfg-ak"
    overridden = choose_endpoint(suite, url="http://127.0.0.1:9301")
    assert overridden.config is not None and overridden.config.url == "http://127.0.0.1:9301"


def test_credential_names_of_a_launch_leave_out_setup_only_sets(no_env_endpoint: None) -> None:
    choice = choose_endpoint(None, vendor="moto-iam")
    assert choice.launches
    assert choice.credential_names() == ["main", "alt"]  # 'root' only signs the setup


def test_open_endpoint_applies_region_and_verify_overrides() -> None:
    config = EndpointConfig(url="https://127.0.0.1:1", credentials={"main": Credential.of("a", "b")})
    choice = EndpointChoice("custom", config=config, region="sa-east-1", verify_ssl=False)
    with open_endpoint(choice) as endpoint:
        assert not endpoint.launched
        assert (endpoint.config.region, endpoint.config.verify_ssl) == ("sa-east-1", False)
        assert endpoint.config.url == config.url
    with open_endpoint(EndpointChoice("custom", config=config)) as endpoint:
        assert endpoint.config is config  # nothing to adjust


def test_environment_endpoint_needs_a_scheme_too(no_env_endpoint: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3_ENDPOINT", "127.0.0.1:9000")
    with pytest.raises(ConfigError, match=r"127\.0\.0\.1:9000"):
        choose_endpoint(None)
