"""Finding and loading vendor profiles: by name or path, vendor dirs, listing, messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from s3tester.errors import EXIT_CONFIG, ConfigError
from s3tester.servers.catalog import launchable_vendors, list_profiles, load_profile, tools_dir, vendor_dirs

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
    with pytest.raises(ConfigError, match=r"did you mean 'seaweedfs'[ ?]"):
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


def test_profiles_hold_no_real_looking_secrets() -> None:
    """Defaults in the repo are short, obviously fake dummies (or S3RVER's fixed pair)."""
    for profile in list_profiles():
        for name, cred in profile.credentials.items():
            secret = cred.secret_key.get_secret_value()
            assert secret.startswith("${env:") or secret in {"S3RVER", f"{name}-secret-s3t"}, (
                profile.name,
                name,
            )


def test_launchable_vendors_are_the_profiles_with_launch() -> None:
    names = launchable_vendors()
    assert set(names) >= LAUNCHABLE
    assert not set(names) & REMOTE
    assert names == sorted(names)


def test_yml_suffix_and_other_files_in_a_vendor_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "short.yml").write_text("endpoint: http://127.0.0.1:3\n")
    (tmp_path / "readme.txt").write_text("not a profile\n")
    monkeypatch.setenv("S3TESTER_VENDOR_DIRS", str(tmp_path))
    assert load_profile("short").endpoint == "http://127.0.0.1:3"
    assert "readme" not in {p.name for p in list_profiles()}
    with pytest.raises(ConfigError, match="unknown vendor 'readme'"):
        load_profile("readme")


def test_empty_and_scalar_files_are_not_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("empty.yaml").write_text("")
    Path("scalar.yaml").write_text("just text\n")
    with pytest.raises(ConfigError) as info:
        load_profile("empty.yaml")
    assert str(info.value) == "empty.yaml:1:1: a vendor profile is a mapping, got an empty file"
    with pytest.raises(ConfigError) as info:
        load_profile("scalar.yaml")
    assert str(info.value) == "scalar.yaml:1:1: a vendor profile is a mapping, got a scalar"


def test_loaded_profile_remembers_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("here.yaml").write_text("endpoint: http://127.0.0.1:4\n")
    assert load_profile("here.yaml").source == "here.yaml"
    assert load_profile(str(REPO_VENDORS / "minio.yaml")).source == str(REPO_VENDORS / "minio.yaml")


def test_tools_dir_env_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3TESTER_TOOLS_DIR", str(tmp_path / "t"))
    assert tools_dir() == (tmp_path / "t").resolve()
    monkeypatch.delenv("S3TESTER_TOOLS_DIR")
    assert tools_dir().name == ".tools"
