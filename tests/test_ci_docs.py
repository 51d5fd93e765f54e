"""docs/ci.md stays true: its YAML parses, and every s3tester command line in it is one the
CLI accepts (run commands are parsed for real with --dry-run, other commands' options are
checked against the command's parameters)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from s3tester.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "ci.md").read_text()
BLOCKS = re.findall(r"```(yaml|sh|groovy)\n(.*?)```", DOC, re.S)
VARS = re.compile(r"\$\{\{[^}]*\}\}|\"\$\{?[A-Z_]+\}?\"|\$\{?[A-Z_]+\}?")


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def _commands() -> list[str]:
    texts: list[str] = []
    for kind, text in BLOCKS:
        texts += _strings(yaml.safe_load(text)) if kind == "yaml" else [text]
    lines: list[str] = []
    for text in texts:
        for line in re.sub(r"\\\n\s*", " ", text).splitlines():
            line = line.strip().removeprefix("sh '").removesuffix("'")
            if line.startswith("s3tester "):
                lines.append(line)
    return lines


def test_yaml_blocks_parse() -> None:
    docs = [yaml.safe_load(text) for kind, text in BLOCKS if kind == "yaml"]
    github = next(d for d in docs if isinstance(d, dict) and "jobs" in d)
    assert set(github["jobs"]) == {"conformance", "own-endpoint", "matrix"}
    gitlab = next(d for d in docs if isinstance(d, dict) and "stages" in d)
    assert gitlab["conformance"]["artifacts"]["reports"]["junit"]


def test_matrix_vendors_are_launchable_profiles() -> None:
    from s3tester.servers.catalog import load_profile

    github = next(yaml.safe_load(t) for k, t in BLOCKS if k == "yaml" and "jobs:" in t)
    for name in github["jobs"]["conformance"]["strategy"]["matrix"]["vendor"]:
        assert load_profile(name).launch is not None, name


@pytest.mark.parametrize("line", _commands())
def test_command_lines_are_accepted(line: str) -> None:
    line = line.replace('"$S3_ENDPOINT"', "http://127.0.0.1:9")  # --endpoint syntax is checked even for --dry-run
    args = shlex.split(VARS.sub("moto", line))[1:]
    if "run" in args:
        result = CliRunner().invoke(cli, [*args, "--dry-run"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return
    group: click.Group = cli  # type: ignore[assignment]
    command = group.commands[args[0]]
    known = {opt for p in command.params for opt in p.opts + p.secondary_opts}
    used = {a.split("=")[0] for a in args[1:] if a.startswith("-")}
    assert used <= known, used - known
