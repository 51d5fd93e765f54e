"""clienttools: install detection, skips with the install command, versions, environment."""

from __future__ import annotations

import stat
from pathlib import Path

from s3tester.run import clienttools
from s3tester.suite.models import CLIENT_NAMES, Case, Credential, EndpointConfig, Group, Step


def case(cid: str, *clients: str) -> Case:
    steps = [Step.model_validate({"client": {"name": n, "sh": "true"}}) for n in clients]
    steps.append(Step.model_validate({"op": "ListBuckets"}))
    return Case(id=cid, area=cid.split("/")[0], group=Group(name=cid.split("/")[1], test=steps), source="x.yaml")


def test_catalog_matches_the_model_names() -> None:
    assert tuple(clienttools.CATALOG) == CLIENT_NAMES


def test_missing_clients_are_skipped_with_the_install_command(tmp_path: Path) -> None:
    (tmp_path / "rclone").mkdir()
    (tmp_path / "rclone" / "VERSION").write_text("1.60.1\n")
    cases = [case("rclone/a", "rclone"), case("s3cmd/b", "s3cmd", "rclone"), case("plain/c")]
    skips = clienttools.client_skips(cases, tmp_path)
    assert list(skips) == ["s3cmd/b"]
    assert "scripts/install-client.sh s3cmd" in skips["s3cmd/b"] and "not installed" in skips["s3cmd/b"]
    assert clienttools.client_versions(cases, tmp_path) == {"rclone": "1.60.1"}
    assert clienttools.used_clients(cases) == ["rclone", "s3cmd"]


def test_clients_dir_follows_its_variable(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("S3TESTER_CLIENTS_DIR", str(tmp_path))
    assert clienttools.clients_dir() == tmp_path
    monkeypatch.delenv("S3TESTER_CLIENTS_DIR")
    assert clienttools.clients_dir().parts[-2:] == (".tools", "clients")


def test_environment_carries_endpoint_and_credentials_and_private_configs(tmp_path: Path) -> None:
    endpoint = EndpointConfig(url="http://127.0.0.1:9000/", region="eu-west-1", addressing_style="path",
                              credentials={"main": Credential.of("AKID", "s3cr3t-value")})
    home = tmp_path / "home"
    home.mkdir()
    env = clienttools.environment("rclone", endpoint, endpoint.credentials["main"], home, tmp_path)
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9000" and env["S3_ENDPOINT_HOST"] == "127.0.0.1:9000"
    assert env["AWS_SECRET_ACCESS_KEY"] == "s3cr3t-value" and env["RCLONE_CONFIG_S3_FORCE_PATH_STYLE"] == "true"
    assert env["HOME"] == str(home) and "AWS_CA_BUNDLE" not in env
    s3cfg = home / ".s3cfg"
    assert "secret_key = s3cr3t-value" in s3cfg.read_text()
    assert stat.S_IMODE(s3cfg.stat().st_mode) == 0o600
    assert "addressing_style = path" in (home / ".aws" / "config").read_text()
    assert clienttools.interpreter("boto3", "python", tmp_path) == [str(tmp_path / "boto3" / "bin" / "python")]
