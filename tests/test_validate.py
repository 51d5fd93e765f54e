"""validate.check_case/check_suite on loaded models: each problem, its message and position."""

from __future__ import annotations

from pathlib import Path

import pytest

from s3tester.errors import Location
from s3tester.suite import yamlpos
from s3tester.suite.loader import load_suite
from s3tester.suite.models import Case, Group
from s3tester.suite.validate import check_case, check_suite
from s3tester.suite.yamlpos import PosDict

CREDS = ["main", "alt"]


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages show paths relative to tmp_path (t.yaml, suite/area.yaml)."""
    monkeypatch.chdir(tmp_path)


def case_of(steps: str, extra: str = "") -> tuple[Case, PosDict]:
    """One group of `test:` steps read and shaped as the loader does, not yet validated."""
    Path("t.yaml").write_text(f"groups:\n  - name: g\n{extra}    test:\n{steps}")
    raw = yamlpos.load(Path("t.yaml"), "t.yaml")["groups"][0]
    group = Group.model_validate(raw)
    return Case(id="t/g", area="t", group=group, source="t.yaml", line=raw.loc.line), raw


def found(steps: str, credentials: list[str] = CREDS, extra: str = "") -> list[str]:
    case, raw = case_of(steps, extra)
    return [str(p) for p in check_case(case, raw, credentials)]


def test_a_loaded_case_is_clean_but_not_strict() -> None:
    Path("suite").mkdir()
    Path("suite/suite.yaml").write_text("name: s\nversion: '1'\ncredentials: [main, alt]\n")
    Path("suite/area.yaml").write_text("groups:\n  - name: g\n    test:\n      - op: ListBuckets\n")
    suite = load_suite("suite")
    (case,) = suite.cases
    assert check_case(case, None, suite.credentials) == []
    strict = check_case(case, None, suite.credentials, strict=True)
    assert [(p.location, p.message) for p in strict] == [
        (Location("suite/area.yaml", 2), "area/g: no description (strict)"),
        (Location("suite/area.yaml", 2), "area/g: no step in 'test' has an 'expect' (strict)"),
    ]
    assert check_suite(suite, {}, strict=True) == strict


def test_unknown_credential_set_at_the_as_value() -> None:
    steps = "      - op: ListBuckets\n        as: mian\n      - op: ListBuckets\n        as: anonymous\n"
    assert found(steps) == [
        "t.yaml:5:13: unknown credential set 'mian' (did you mean 'main'?) (suite has main, alt, anonymous)"
    ]


def test_unknown_operation_suggests_the_close_one() -> None:
    assert found("      - op: PutObjekt\n") == [
        "t.yaml:4:13: unknown S3 operation 'PutObjekt' (did you mean 'PutObject'?) (see: s3tester list operations)"
    ]


def test_misspelled_required_parameter_is_one_problem_at_the_key() -> None:
    assert found("      - op: GetObject\n        params: {Bucket: b, Kye: k}\n") == [
        "t.yaml:5:29: unknown parameter 'Kye' for GetObject (did you mean 'Key'?)"
    ]


def test_variables_must_be_saved_by_an_earlier_step() -> None:
    steps = (
        "      - op: GetObject\n        params: {Bucket: '${bucket}', Key: '${etag}'}\n"
        "      - op: PutObject\n        params: {Bucket: '${bucket:two}', Key: '${now:+60}', Body: x}\n"
        "        save: {etag: ETag}\n"
        "      - op: GetObject\n        params: {Bucket: '${bucket}', Key: '${etag}'}\n"
    )
    assert found(steps) == ["t.yaml:4:9: undefined variable '${etag}' (not saved by an earlier step)"]


def test_credential_references_expose_no_secret_and_name_a_set() -> None:
    steps = "      - op: GetObject\n        params: {Bucket: '${cred:alt.secret_key}', Key: '${cred:nobody.access_key}'}\n"
    assert found(steps) == [
        "t.yaml:4:9: '${cred:alt.secret_key}': use .access_key or .canonical_id (secrets are never exposed)",
        "t.yaml:4:9: '${cred:nobody.access_key}': no credential set 'nobody' (suite has main, alt)",
    ]


def test_http_method_and_missing_body_file() -> None:
    steps = "      - http: {method: FETCH, path: /, body: 'file://nope.txt'}\n"
    assert found(steps) == [
        "t.yaml:4:24: unknown HTTP method 'FETCH'",
        "t.yaml:4:46: body file not found: file://nope.txt",
    ]
    assert found("      - op: PutObject\n        params: {Bucket: b, Key: k, Body: {size: 1, sed: 2}}\n") == [
        "t.yaml:5:43: a generated body is {size: N, seed: S}, got keys ['sed', 'size']"
    ]


def test_a_body_with_a_variable_is_not_checked_until_run_time() -> None:
    steps = "      - op: PutObject\n        params: {Bucket: b, Key: k, Body: 'file://${name}'}\n        save: {name: '@'}\n"
    assert found(steps) == ["t.yaml:4:9: undefined variable '${name}' (not saved by an earlier step)"]


def test_expect_error_status_paths_and_matchers() -> None:
    steps = "      - op: ListBuckets\n        expect: {error: 5, status: '200', 'a[': 1, Owner: {regx: x}, Buckets: {len: yes}}\n"
    assert found(steps) == [
        "t.yaml:5:25: error is an S3 error code or a list of codes",
        "t.yaml:5:36: status is an HTTP status code, got '200'",
        "t.yaml:5:43: invalid JMESPath 'a[': Incomplete expression at column 3",
        "t.yaml:5:59: unknown matcher 'regx' (did you mean 'regex'?)",
        "t.yaml:5:79: len needs an integer or a matcher, got True",
    ]


def test_status_matcher_and_error_list() -> None:
    ok = "      - op: ListBuckets\n        expect: {status: {gte: 200}, error: [NoSuchKey, AccessDenied]}\n"
    assert found(ok) == []
    bad = "      - op: ListBuckets\n        expect: {status: {lt: high}, error: []}\n"
    assert found(bad) == [
        "t.yaml:5:45: error is an S3 error code or a list of codes",
        "t.yaml:5:26: lt needs a number, got 'high'",
    ]


def test_body_expectation_on_an_operation_without_a_body_stream() -> None:
    steps = "      - op: PutObject\n        params: {Bucket: b, Key: k}\n        expect: {Body: x}\n"
    assert found(steps) == ["t.yaml:6:18: PutObject returns no body stream: check its parsed fields instead of Body"]
    assert found("      - op: GetObject\n        params: {Bucket: b, Key: k}\n        expect: {Body: x}\n") == []


def test_save_expressions_must_be_jmespath() -> None:
    steps = "      - op: ListBuckets\n        save: {x: 'Buckets[?', whole: '@', body: Body, name: 'Owner.ID'}\n"
    assert found(steps) == ["t.yaml:5:19: invalid JMESPath 'Buckets[?': Incomplete expression at column 10"]


def test_presign_operation_and_params_are_checked() -> None:
    steps = "      - presign: {op: GetObjekt, params: {Bucket: b}}\n      - presign: {op: GetObject, params: {Bucket: b}}\n"
    assert found(steps) == [
        "t.yaml:4:23: unknown S3 operation 'GetObjekt' (did you mean 'GetObject'?) (see: s3tester list operations)",
        "t.yaml:5:42: missing required parameter 'Key' for GetObject",
    ]


def test_without_raw_positions_problems_point_at_the_case() -> None:
    case, _raw = case_of("      - op: PutObjekt\n")
    [problem] = check_case(case, None, CREDS)
    assert problem.location == Location("t.yaml", 2)
    assert problem.message.startswith("unknown S3 operation 'PutObjekt'")


def test_check_suite_reports_every_case() -> None:
    Path("suite").mkdir()
    Path("suite/suite.yaml").write_text("name: s\nversion: '1'\n")
    Path("suite/area.yaml").write_text(
        "groups:\n  - name: a\n    test:\n      - op: ListBuckets\n"
        "  - name: b\n    test:\n      - op: ListBuckets\n"
    )
    suite = load_suite("suite")
    raw = yamlpos.load(Path("suite/area.yaml"), "suite/area.yaml")
    raws = {"area/a": raw["groups"][0], "area/b": raw["groups"][1]}
    problems = check_suite(suite, raws, strict=True)
    assert [str(p) for p in problems if "description" in p.message] == [
        "suite/area.yaml:2:11: area/a: no description (strict)",
        "suite/area.yaml:5:11: area/b: no description (strict)",
    ]
    assert len(problems) == 4


def test_encoding_and_sdk_defaults_are_checked() -> None:
    problems = found(
        "      - http: {path: /, encoding: {payload: STREAMING-NOPE}}\n"
        "      - http: {path: /, encoding: {payload: STREAMING-AWS4-HMAC-SHA256-PAYLOAD, checksum: crc32}}\n"
        "      - http: {path: /, encoding: {payload: STREAMING-UNSIGNED-PAYLOAD-TRAILER, bad_chunk_signature: 0}}\n"
        "      - http: {path: /, encoding: {checksum: md5}}\n"
        "      - http: {path: /}\n        sdk_defaults: true\n"
        "      - op: ListBuckets\n        sdk_defaults: true\n"
    )
    text = "\n".join(problems)
    assert "unknown payload 'STREAMING-NOPE'" in text
    assert "has no trailer" in text and "no signatures to break" in text and "unknown checksum 'md5'" in text
    assert "'sdk_defaults' belongs to an 'op' step" in text
    assert len(problems) == 5


def test_principal_names_a_credential_set() -> None:
    problems = found("      - op: ListBuckets\n        description: '${principal:alt} ${principal:nobody}'\n")
    assert problems == []  # descriptions are not substituted
    problems = found("      - http: {path: '/${principal:nobody}/${principal:alt}'}\n")
    assert len(problems) == 1 and "no credential set 'nobody'" in problems[0]
def test_client_steps_name_a_known_client_a_runnable_script_and_files_inside_the_work_dir() -> None:
    problems = found(
        "      - client: {name: rclon, sh: 'true'}\n"
        "      - client: {name: rclone, python: 'print(1)'}\n"
        "      - client: {name: boto3, node: 'x'}\n"
        "      - client: {name: s3cmd, sh: 'echo ${nope}', files: {'../x': a, ok: {size: 1KiB, seed: 1}, bad: {size: lots}}}\n"
    )
    text = "\n".join(problems)
    assert "unknown client 'rclon' (did you mean 'rclone'?)" in text
    assert "client 'rclone' has no Python venv: use sh" in text
    assert "node scripts run with the js-sdk client only" in text
    assert "client file '../x' must be a relative path inside the work dir" in text
    assert "undefined variable '${nope}'" in text
    assert any("bad" in p or "size" in p for p in problems if "t.yaml:7" in p or "lots" in p)
    assert found("      - client: {name: s5cmd, sh: 's5cmd ls $HOME', files: {a/b.txt: x}}\n") == []
