from __future__ import annotations

from pathlib import Path

import pytest

from s3tester.errors import ConfigError
from s3tester.suite.loader import load_suite

ROOT = Path(__file__).resolve().parents[1]
BASIC = ROOT / "tests" / "suites" / "basic"


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def suite_dir(tmp: Path, **areas: str) -> Path:
    write(tmp, "suite.yaml", "name: t\nversion: '1'\ncredentials: [main, alt]\n")
    for name, text in areas.items():
        write(tmp, f"{name}.yaml", text)
    return tmp


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_suite(path)
    return [str(p) for p in err.value.problems]


def test_basic_suite_loads_with_ids_and_areas() -> None:
    suite = load_suite(BASIC)
    assert suite.name == "basic" and suite.version == "0.1"
    assert suite.cases[0].id == "smoke/put-get-roundtrip"
    assert {c.area for c in suite.cases} == {"smoke"}


def test_v1_suite_validates() -> None:
    suite = load_suite(ROOT / "suites" / "v1")
    assert len(suite.cases) > 100


def test_misspelled_parameter_names_file_line_and_suggests(tmp_path: Path) -> None:
    root = suite_dir(tmp_path, objects="groups:\n  - name: a\n    test:\n      - op: PutObject\n        params: {Bucket: b, Key: k, Bodyy: x}\n")
    [found] = problems(root)
    assert found.endswith("objects.yaml:5:37: unknown parameter 'Bodyy' for PutObject (did you mean 'Body'?)")


def test_all_problems_of_all_files_are_reported(tmp_path: Path) -> None:
    root = suite_dir(
        tmp_path,
        a="groups:\n  - name: x\n    test:\n      - op: PutObjekt\n        params: {Bucket: b}\n      - op: GetObject\n        params: {Bucket: b, Key: 5}\n",
        b="groups:\n  - name: y\n    tset: []\n",
    )
    found = problems(root)
    assert any("a.yaml:4:" in p and "unknown S3 operation 'PutObjekt' (did you mean 'PutObject'?)" in p for p in found)
    assert any("a.yaml:7:" in p and "'Key' must be a string" in p for p in found)
    assert any("b.yaml:3:5: unknown key 'tset'" in p for p in found)


def test_undefined_variable_and_unknown_credential(tmp_path: Path) -> None:
    root = suite_dir(tmp_path, a="groups:\n  - name: x\n    test:\n      - op: GetObject\n        as: bob\n        params: {Bucket: '${bucket}', Key: '${etag}'}\n")
    found = problems(root)
    assert any("unknown credential set 'bob'" in p for p in found)
    assert any("undefined variable '${etag}'" in p for p in found)


def test_saved_values_are_defined_for_later_steps(tmp_path: Path) -> None:
    root = suite_dir(tmp_path, a="groups:\n  - name: x\n    test:\n      - op: PutObject\n        params: {Bucket: b, Key: k}\n        save: {etag: ETag}\n      - op: GetObject\n        params: {Bucket: b, Key: k, IfMatch: '${etag}'}\n")
    assert len(load_suite(root).cases) == 1


def test_includes_env_and_file_bodies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3T_KEY", "from-env")
    write(tmp_path, "shared/steps.yaml", "- op: CreateBucket\n  params: {Bucket: '${bucket}'}\n")
    write(tmp_path, "shared/more.yaml", "groups:\n  - name: included\n    test:\n      - op: ListBuckets\n")
    write(tmp_path, "data/body.txt", "x")
    root = suite_dir(tmp_path, a=(
        "include: [shared/more.yaml]\n"
        "groups:\n  - name: x\n    before:\n      - include: shared/steps.yaml\n"
        "    test:\n      - op: PutObject\n        params: {Bucket: '${bucket}', Key: '${env:S3T_KEY}', Body: file://data/body.txt}\n"
    ))
    suite = load_suite(root)
    assert [c.id for c in suite.cases] == ["a/x", "a/included"]
    step = suite.cases[0].group.test[0]
    assert step.params["Key"] == "from-env"
    assert step.params["Body"] == "file://" + str((tmp_path / "data/body.txt").resolve())
    assert suite.cases[0].group.before[0].op == "CreateBucket"


def test_missing_file_body_and_include_cycle(tmp_path: Path) -> None:
    write(tmp_path, "loop.yaml", "- include: loop.yaml\n")
    root = suite_dir(tmp_path, a=(
        "groups:\n  - name: x\n    before:\n      - include: loop.yaml\n"
        "    test:\n      - op: PutObject\n        params: {Bucket: b, Key: k, Body: file://nope.bin}\n"
    ))
    found = problems(root)
    assert any("include cycle" in p for p in found)
    assert any("a.yaml:7:" in p and "body file not found: file://" in p for p in found)


def test_duplicate_case_ids_and_missing_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("S3T_UNSET", raising=False)
    root = suite_dir(
        tmp_path,
        a="groups:\n  - name: x\n    test: [{op: ListBuckets}]\n  - name: x\n    test: [{op: ListBuckets}]\n",
        b="groups:\n  - name: '${env:S3T_UNSET}'\n    test: [{op: ListBuckets}]\n",
    )
    found = problems(root)
    assert any("a.yaml:4:" in p and "duplicate case id 'a/x'" in p for p in found)
    assert any("b.yaml" in p and "undefined variable '${env:S3T_UNSET}'" in p for p in found)


def test_single_file_config(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.yaml", (
        "config:\n  endpoint: http://127.0.0.1:9\n  credentials:\n    main: {access_key: k, secret_key: s}\n"
        "groups:\n  - name: list\n    test: [{op: ListBuckets}]\n"
    ))
    suite = load_suite(path)
    assert suite.config is not None and suite.config.endpoint == "http://127.0.0.1:9"
    assert "s" not in repr(suite.config.credentials["main"].secret_key).replace("SecretStr", "")
    assert suite.cases[0].id == "mine/list"


def test_body_expectation_on_an_operation_without_a_body_stream(tmp_path: Path) -> None:
    root = suite_dir(tmp_path, a="groups:\n  - name: x\n    test:\n      - op: HeadObject\n        params: {Bucket: b, Key: k}\n        expect: {Body: hello}\n")
    found = problems(root)
    assert any("a.yaml:6:" in p and "HeadObject returns no body stream" in p for p in found)
