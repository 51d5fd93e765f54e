"""The CLI contract: help, version, exit codes 0/1/2/3, and each output format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from s3tester import __version__
from s3tester.cli import cli
from s3tester.results import report
from s3tester.results.records import CaseResult, OpStats, RunResult, summarize
from s3tester.suite.models import EndpointConfig

ROOT = Path(__file__).resolve().parents[1]
BASIC = str(ROOT / "tests" / "suites" / "basic")


def invoke(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def s3tester(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "s3tester", *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


def test_version() -> None:
    result = s3tester("--version")
    assert result.returncode == 0 and result.stdout.startswith(f"s3tester {__version__}")


@pytest.mark.parametrize("command", [[], ["run"], ["validate"], ["list"], ["schema"]])
def test_help_has_examples(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output


def test_the_design_cards_run_options_exist_with_their_short_forms() -> None:
    """The CLI contract of DESIGN.md: each of its `run` options is a real option, reached
    by that name (and, where the contract gives one, its short form)."""
    import click

    from s3tester.cli import run

    opts = {o for p in run.params if isinstance(p, click.Option) for o in p.opts + p.secondary_opts}
    contract = {"--vendor", "--endpoint", "--parallel", "-j", "--group", "-g", "--tag", "-t", "--format", "-f",
                "--output", "-o", "--timeout", "--dry-run", "--golden", "--update-golden"}
    assert contract <= opts, sorted(contract - opts)


def test_validate_ok_and_list() -> None:
    assert "ok (11 cases" in invoke("validate", BASIC).output
    groups = invoke("list", "groups", BASIC).output.splitlines()
    assert groups[0] == "smoke/put-get-roundtrip  [core]"
    assert "PutObject" in invoke("list", "operations").output.split()
    assert invoke("list", "credentials", BASIC).output.split() == ["main", "alt"]


def test_bad_suite_exits_2_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "suite.yaml").write_text("name: t\nversion: '1'\n")
    (tmp_path / "a.yaml").write_text("groups:\n  - name: x\n    test:\n      - op: PutObject\n        params: {Bucket: b, Key: k, Bodyy: x}\n")
    result = s3tester("run", str(tmp_path))
    assert result.returncode == 2
    assert "a.yaml:5:" in result.stderr and "unknown parameter 'Bodyy'" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_option_exits_2() -> None:
    result = s3tester("run", BASIC, "--parallel", "zero")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_unreachable_endpoint_exits_3_quickly() -> None:
    result = s3tester("run", BASIC, "--endpoint", "http://127.0.0.1:9", timeout=30,
                      env={"PATH": "/usr/bin:/bin", "S3_ACCESS_KEY": "k", "S3_SECRET_KEY": "s"})
    assert result.returncode == 3
    # refused at the pre-flight probe: no case was attempted, so no timeout was waited for
    assert "cannot reach endpoint http://127.0.0.1:9: Connection refused" in result.stderr


def test_dry_run_sends_nothing() -> None:
    result = invoke("run", BASIC, "--dry-run", "-g", "smoke/put-*")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "smoke/put-get-roundtrip", "    before[0] CreateBucket", "    test[0] PutObject", "    test[1] GetObject", "1 cases planned",
    ]


def test_run_exit_codes_against_a_real_server(moto_endpoint: EndpointConfig, tmp_path: Path) -> None:
    env = {"S3_ACCESS_KEY": "k", "S3_SECRET_KEY": "s", "S3_ALT_ACCESS_KEY": "k2", "S3_ALT_SECRET_KEY": "s2"}
    ok = invoke("run", BASIC, "--endpoint", moto_endpoint.url, "-g", "smoke/put-*", "-g", "smoke/missing-key", env=env)
    assert ok.exit_code == 0, ok.output
    assert "2 passed, 0 failed" in ok.output
    out = tmp_path / "r.json"
    bad = invoke("run", BASIC, "--endpoint", moto_endpoint.url, "--tag", "must-fail", "-f", "json", "--results", str(out), env=env)
    assert bad.exit_code == 1
    data = json.loads(bad.stdout)
    assert {c["id"]: c["status"] for c in data["cases"]} == {"smoke/fail-wrong-body": "failed", "smoke/fail-setup": "errored"}
    assert json.loads(out.read_text())["summary"]["failed"] == 1


def fixed_result() -> RunResult:
    cases = [
        CaseResult(id="objects/put-get", area="objects", status="passed", duration=0.01, description="round trip", tags=["core"]),
        CaseResult(id="objects/fail-body", area="objects", status="failed", duration=0.02, reason="test[1] GetObject: Body: expected 'a', got 'b'",
                   step="test[1]", operation="GetObject", expected="a", actual="b", mismatches=["Body: expected 'a', got 'b'"]),
        CaseResult(id="listing/v2", area="listing", status="errored", duration=0.03, reason="before[0] CreateBucket: timed out", step="before[0]", operation="CreateBucket"),
        CaseResult(id="listing/uploads", area="listing", status="unsupported", duration=0.01, reason="test[0] ListMultipartUploads: not implemented (501)"),
        CaseResult(id="listing/skip", area="listing", status="skipped", reason="demonstrates skip"),
    ]
    return RunResult(
        tool_version="0.0.0", suite="demo", suite_version="1.0", vendor="moto", vendor_version="5", endpoint="http://127.0.0.1:1",
        run_id="abcdefgh", started="2026-01-01T00:00:00Z", duration=1.5, parallel=2, summary=summarize(cases), cases=cases,
        performance={"GetObject": OpStats(count=2, errors=0, p50_ms=1.0, p95_ms=2.0, max_ms=2.0)},
    )


@pytest.mark.parametrize("fmt", report.FORMATS)
def test_output_formats(fmt: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert report.render(fixed_result(), fmt) == snapshot


def test_results_json_round_trips_and_matches_the_schema() -> None:
    import jsonschema

    from s3tester.schema import results_schema

    result = fixed_result()
    data = json.loads(result.to_json())
    jsonschema.validate(data, results_schema())
    assert RunResult.model_validate(data) == result


def test_every_option_of_every_command_is_shown_in_an_example() -> None:
    """Each option appears twice in its command's --help: where it is listed, and in an example."""
    import re

    import click

    missing = []
    for name, command in [("", cli), *sorted(cli.commands.items())]:  # type: ignore[attr-defined]
        text = invoke(*([name] if name else []), "--help").output
        for param in command.params:
            if not isinstance(param, click.Option) or param.name == "help":
                continue
            spellings = param.opts + param.secondary_opts
            if not any(len(re.findall(re.escape(o) + r"\b", text)) >= 2 for o in spellings):
                missing.append(f"{name or 's3tester'} {spellings[0]}")
    assert missing == []


def _env_value(param: click.Option, tmp: Path) -> tuple[str, object]:
    """A value for `param` as an environment variable, and what click must parse it to."""
    kind = param.type
    special = {"endpoint_url": "http://127.0.0.1:9000", "vendor": "moto", "region": "eu-west-1"}
    if param.name in special:
        return special[param.name], special[param.name]
    if param.is_flag:
        return "1", True
    if isinstance(kind, click.Choice):
        choice = str(kind.choices[-1])
        return choice, choice
    if isinstance(kind, click.IntRange):
        return "3", 3
    from s3tester.options import FailOn, Seconds

    if isinstance(kind, click.FloatRange | Seconds):
        return "2.5", 2.5
    if isinstance(kind, FailOn):
        return "changed,new", ("changed", "new")
    if isinstance(kind, click.Path):
        target = str(tmp / f"{param.name}.out")
        if kind.exists:
            Path(target).touch()
        return target, target
    if param.multiple:
        return "a b", ("a", "b")
    return "s3t-x", "s3t-x"


ARGS = {"": ["validate", str(BASIC)], "run": [str(BASIC)], "validate": [str(BASIC)], "list": ["groups", str(BASIC)], "coverage": [str(BASIC)],
        "compare": [str(ROOT / "golden/moto/v1.1.json"), str(ROOT / "golden")],
        "matrix": [str(ROOT / "golden/moto/v1.1.json")]}


def test_every_option_reads_the_variable_spelled_like_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """S3TESTER_ + the long option name (S3TESTER_ENDPOINT for --endpoint, S3TESTER_GROUP for
    --group), for every option of every command, as --help says."""
    from s3tester.options import envvar_for

    checked = []
    for name, command in [("", cli), *sorted(cli.commands.items())]:  # type: ignore[attr-defined]
        for param in command.params:
            if not isinstance(param, click.Option) or param.is_eager:
                continue
            variable = envvar_for(param)
            long = next(o for o in param.opts if o.startswith("--"))
            assert variable == "S3TESTER_" + long[2:].upper().replace("-", "_")
            raw, parsed = _env_value(param, tmp_path)
            with monkeypatch.context() as env:
                env.setenv(variable, raw)
                ctx = command.make_context(name or "s3tester", list(ARGS.get(name, [])), resilient_parsing=False)
            assert ctx.params[param.name] == parsed, (name, long, variable)  # type: ignore[index]
            checked.append(variable)
    assert {"S3TESTER_ENDPOINT", "S3TESTER_GROUP", "S3TESTER_TAG", "S3TESTER_FORMAT", "S3TESTER_NO_VERIFY_SSL",
            "S3TESTER_LOG_FORMAT", "S3TESTER_RUN_ID"} <= set(checked)
    assert "S3TESTER_ENDPOINT" in invoke("run", "--help").output


def test_the_clean_examples_in_help_work(moto_endpoint: EndpointConfig) -> None:
    """Each `s3tester clean ...` example line of `clean --help`, pointed at the test server."""
    import shlex

    text = invoke("clean", "--help").output
    examples = [line.strip() for line in text.splitlines() if line.strip().startswith("s3tester clean ")]
    assert len(examples) >= 2
    env = {"S3_ACCESS_KEY": "k", "S3_SECRET_KEY": "s"}
    for example in examples:
        args = [moto_endpoint.url if a.startswith("http://127.0.0.1:") else a for a in shlex.split(example)[2:]]
        if "--vendor" in args:
            continue  # needs that vendor's own endpoint and keys
        if "--dry-run" not in args:
            args.append("--dry-run")
        result = invoke("clean", *args, env=env)
        assert result.exit_code == 0, (example, result.output)
        assert "bucket(s) found with prefix s3t-" in result.output
