"""options (and every command using them): odd values for every option give an exit code (0-3), never a traceback.

Values come from per-option pools of good, bad and hostile values (NaN, empty, control
characters, directories, devices, out-of-range numbers, broken URLs); outputs only ever
point into the test's own temporary directory, stdout or /dev/null. `run` always gets
`--dry-run` and `clean` a dead endpoint, so no example starts a server or waits on one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s3tester.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "inputs" / "bad"
_ODD = ["", " ", "nan", "inf", "-inf", "-1", "0", "1e309", "99999999999999999999", "\x00", "a\nb", "\u200b", "é", "💥",
        "../etc", "--", "-h"]
_URLS = ["http://127.0.0.1:9", "http://", "http://[::1", "http://h:70000", "127.0.0.1:9000", "ftp://h", "http://u:p@127.0.0.1:9",
         "https://127.0.0.1:9/x?y#z"]
_NUMBERS = ["1", "2", "256", "257", "0.05", "0.1", "3600", "3601", "abc", "1_0", "0x10"]


def _pool(name: str, tmp: Path) -> list[str]:
    outputs = [str(tmp / "out.json"), str(tmp), "-", "/dev/null", str(tmp / "a" / "b.json"), str(tmp / "f" / "x.json"), "/"]
    inputs = [str(ROOT / "tests" / "suites" / "basic"), str(BAD / "empty.yaml"), str(BAD / "binary.yaml"), "/dev/null",
              str(tmp), "nope", str(BAD / "latin1.yaml"), str(BAD / "yaml-bomb.yaml")]
    pools: dict[str, list[str]] = {
        "vendor": ["moto", "nope", "../x", str(BAD / "vendor-syntax.yaml"), str(BAD / "vendor-bad-endpoint.yaml")],
        "endpoint_url": _URLS, "region": ["us-east-1", "us east 1", "x" * 70, "garage"],
        "parallel": _NUMBERS, "timeout": _NUMBERS, "groups": ["*", "smoke/*", "[", "nomatch"], "tags": ["core", "x"],
        "fmt": ["table", "json", "yaml", "junit", "xml"], "output": outputs, "results": outputs,
        "golden": [str(tmp / "golden"), str(BAD / "empty.yaml"), str(tmp)], "reference": inputs,
        "run_id": ["k3v9x2ab", "", "ABC", "../x"], "prefix": ["s3t-", "prod-", ""], "markdown_out": outputs,
        "html_out": outputs, "log_format": ["text", "json", "xml"], "log_level": ["debug", "loud"],
    }
    return pools.get(name, inputs) + _ODD


def _argv(command: click.Command, data: st.DataObject, tmp: Path) -> list[str]:
    argv: list[str] = []
    for param in command.params:
        if isinstance(param, click.Argument):
            count = 1 if param.nargs == 1 else data.draw(st.integers(1, 2))
            for _ in range(count):
                if isinstance(param.type, click.Choice):
                    argv.append(data.draw(st.sampled_from([*param.type.choices, "bogus"])))
                elif param.name == "golden_path":
                    argv.append(data.draw(st.sampled_from([str(tmp / "golden"), str(BAD / "empty.yaml"), ""])))
                else:
                    argv.append(data.draw(st.sampled_from(_pool(str(param.name), tmp))))
            continue
        assert isinstance(param, click.Option)
        if param.name in ("help", "version") or not data.draw(st.booleans()):
            continue
        if param.is_flag:
            argv.append(param.opts[0] if not param.secondary_opts or data.draw(st.booleans()) else param.secondary_opts[0])
        else:
            argv += [param.opts[0], data.draw(st.sampled_from(_pool(str(param.name), tmp)))]
    return argv


COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
@settings(max_examples=int(os.environ.get("S3T_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_option_value_gets_an_exit_code(name: str, data: st.DataObject, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for var in list(os.environ):
        if var.startswith(("S3TESTER_", "S3_", "AWS_")):
            monkeypatch.delenv(var)
    monkeypatch.setenv("S3_ACCESS_KEY", "a")
    monkeypatch.setenv("S3_SECRET_KEY", "fuzz-secret")
    (tmp_path / "f").write_text("a file")
    monkeypatch.chdir(tmp_path)  # relative output values land here, never in the repo
    command = cli.commands[name]
    argv = [name, *_argv(command, data, tmp_path)]
    if name == "run":
        argv.append("--dry-run")
    if name == "clean":
        argv += ["--endpoint", "http://127.0.0.1:9", "--timeout", "1"]
    result: Any = CliRunner().invoke(cli, argv, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{argv}: {type(result.exception).__name__}: {result.exception}") from result.exception
    assert "Traceback" not in result.output, (argv, result.output)
    assert result.exit_code in (0, 1, 2, 3), (argv, result.exit_code, result.output)
    assert "fuzz-secret" not in result.output
    assert not (ROOT / "golden" / "custom").exists()
    assert not [p for p in ROOT.iterdir() if p.name in _ODD], "an output landed in the repo"


def test_seconds_refuse_nan_and_infinity_by_name() -> None:
    from s3tester.options import Seconds

    seconds = Seconds(0.1, 10)
    assert seconds.convert("2.5", None, None) == 2.5
    for bad, says in (("nan", "finite"), ("inf", "finite"), ("11", "range"), ("x", "not a number")):
        with pytest.raises(click.BadParameter, match=says):
            seconds.convert(bad, None, None)


def test_an_option_error_names_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S3TESTER_PARALLEL", "abc")
    result = CliRunner().invoke(cli, ["run", str(ROOT / "tests" / "suites" / "basic"), "--dry-run"])
    assert result.exit_code == 2 and "(from S3TESTER_PARALLEL)" in result.output
