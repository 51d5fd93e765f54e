"""Suite resolution: a path that exists, else an installed suite by bare name."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from s3tester import paths
from s3tester.cli import cli
from s3tester.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_existing_path_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "v1").mkdir()  # a local directory named like an installed suite
    assert paths.resolve_suite("v1") == "v1"


def test_bare_name_from_the_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("S3TESTER_SUITE_DIRS", raising=False)
    assert Path(paths.resolve_suite("v1")) == ROOT / "suites" / "v1"


def test_suite_dirs_env_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "mine" / "v1"
    mine.mkdir(parents=True)
    (mine / "suite.yaml").write_text("name: mine\nversion: '9.9'\ndescription: local\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("S3TESTER_SUITE_DIRS", str(tmp_path / "mine"))
    assert Path(paths.resolve_suite("v1")) == mine
    first = paths.list_suites()[0]
    assert (first.key, first.name, first.version) == ("v1", "mine", "9.9")


def test_unknown_name_says_what_is_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"installed: .*v1"):
        paths.resolve_suite("v42")
    # paths and file names are not looked up: the loader reports them as they are
    assert paths.resolve_suite("nope/v1") == "nope/v1"
    assert paths.resolve_suite("my.yaml") == "my.yaml"


def test_cli_list_suites_and_version() -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["list", "suites"])
    assert out.exit_code == 0 and any(line.startswith("v1 ") for line in out.output.splitlines())
    version = runner.invoke(cli, ["--version"])
    assert version.exit_code == 0 and "v1 (s3-conformance" in version.output
