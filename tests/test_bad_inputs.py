"""Broken inputs under tests/inputs/bad/: each gives exit 2 and one located line per problem.

Every entry is run the way a user would hit it:

- `NAME.yaml` (a single-file config) and `NAME/` (a suite dir, or `NAME/main.yaml`):
  `s3tester validate`;
- `vendor-NAME.yaml`: a broken vendor profile, `s3tester run SUITE --vendor FILE`;
- `cli-NAME.args`: a bad command line, one argument per line;
- `huge.yaml` is generated here (too big to keep in git).

The messages are snapshotted (syrupy): `pytest --snapshot-update` after a deliberate change.
The hypothesis tests feed random YAML and mutated real suite files to `validate`.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s3tester.cli import cli
from s3tester.suite.yamlpos import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "inputs" / "bad"
BASIC = "../../suites/basic"
# `path:line:col: message` or `path: message` (a whole-file problem)
LOCATED = re.compile(r"^[^\s:][^:]*(:\d+:\d+)?: \S.*$")
HELPERS = {"more-objects.yaml.inc"}


def _entries() -> list[str]:
    names = []
    for path in sorted(BAD.iterdir()):
        if path.name in HELPERS:
            continue
        if path.is_dir() or path.suffix in (".yaml", ".args"):
            names.append(path.name)
    return names


ENTRIES = _entries()


def _argv(name: str) -> list[str]:
    path = BAD / name
    if path.suffix == ".args":
        return path.read_text(encoding="utf-8").splitlines()
    if name.startswith("vendor-"):
        return ["run", BASIC, "--vendor", name]
    if path.is_dir() and (path / "main.yaml").is_file():
        return ["validate", f"{name}/main.yaml"]
    return ["validate", name]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No configuration leaks in from the environment; fixed dummy credentials."""
    for var in list(os.environ):
        if var.startswith(("S3TESTER_", "S3_", "AWS_")):
            monkeypatch.delenv(var)
    monkeypatch.setenv("S3_ACCESS_KEY", "dummy-access")
    monkeypatch.setenv("S3_SECRET_KEY", "dummy-secret")


def _invoke(argv: list[str]) -> Result:
    return CliRunner().invoke(cli, argv, prog_name="s3tester", catch_exceptions=True)


def _assert_clean_failure(result: Result, located: bool) -> None:
    text = result.output
    assert "Traceback" not in text, text
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"unexpected {type(result.exception).__name__}: {result.exception}")
    assert result.exit_code == 2, text
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, "no message"
    if located:
        for line in lines:
            assert LOCATED.match(line), f"not a 'file:line:col: message' line: {line!r}"


def test_corpus_is_big_enough() -> None:
    assert len(ENTRIES) + 1 >= 140  # + the generated huge.yaml


@pytest.mark.parametrize("name", ENTRIES)
def test_bad_input(name: str, clean_env: None, monkeypatch: pytest.MonkeyPatch, snapshot: object) -> None:
    monkeypatch.chdir(BAD)
    result = _invoke(_argv(name))
    _assert_clean_failure(result, located=not name.endswith(".args"))
    shown = result.stderr.replace(str(ROOT), "<repo>")
    shown = re.sub(r"\(known: [^;]*;", "(known: <vendor profiles>;", shown)  # others add profiles
    assert shown == snapshot


def test_huge_file(clean_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, snapshot: object) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("w", encoding="utf-8") as out:
        out.write("groups:\n")
        line = "  # " + "x" * 1020 + "\n"
        for _ in range(MAX_FILE_BYTES // len(line) + 2):
            out.write(line)
    monkeypatch.chdir(tmp_path)
    result = _invoke(["validate", "huge.yaml"])
    _assert_clean_failure(result, located=True)
    assert result.stderr == snapshot


def test_a_fifo_as_the_suite_path_does_not_block(clean_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = tmp_path / "config.yaml"
    os.mkfifo(fifo)
    monkeypatch.chdir(tmp_path)
    result = _invoke(["validate", "config.yaml"])
    _assert_clean_failure(result, located=True)
    assert result.stderr == "config.yaml: is a FIFO (named pipe), expected a YAML file\n"


def test_every_problem_is_reported(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """One line per problem, not just the first: many-problems.yaml has five."""
    monkeypatch.chdir(BAD)
    result = _invoke(["validate", "many-problems.yaml"])
    assert len(result.stderr.splitlines()) == 5, result.stderr


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["validate", "tests/inputs/bad/unknown-operation.yaml"], 2),
        (["validate", "tests/inputs/bad/yaml-bomb.yaml"], 2),
        (["run", "tests/suites/basic", "--parallel", "0"], 2),
        (["validate", "tests/suites/basic"], 0),
    ],
)
def test_installed_entry_point_exit_codes(argv: list[str], code: int, clean_env: None) -> None:
    """The real entry point (`main`), not just click's test runner, returns the code."""
    proc = subprocess.run(
        [sys.executable, "-m", "s3tester", *argv], cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=False,
    )
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr


# -- property tests: random YAML and mutated real suite files ---------------------------

SUITE_FILES = sorted(p for p in (ROOT / "suites" / "v1").glob("*.yaml") if p.name != "suite.yaml")

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["${bucket}", "${etag}", "${env:NOPE}", "file://x", "op", "ListBuckets", "{regex: (}"]),
)
_keys = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["groups", "name", "test", "before", "after", "op", "params", "expect", "save",
                     "as", "http", "presign", "include", "config", "Bucket", "Key", "Body", "error",
                     "status", "sleep", "timeout", "tags", "area"]),
)
_documents = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=4)),
    max_leaves=25,
)


def _validate_text(tmp_path: Path, text: str | bytes) -> Result:
    target = tmp_path / "input.yaml"
    if isinstance(text, str):
        target.write_text(text, encoding="utf-8")
    else:
        target.write_bytes(text)
    return _invoke(["validate", str(target)])


def _assert_0_or_2(result: Result) -> None:
    assert "Traceback" not in result.output, result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{type(result.exception).__name__}: {result.exception}") from result.exception
    assert result.exit_code in (0, 2), result.output


PROPERTY = settings(max_examples=int(os.environ.get("S3T_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(doc=_documents)
def test_random_yaml_never_crashes(doc: object, tmp_path: Path) -> None:
    _assert_0_or_2(_validate_text(tmp_path, yaml.safe_dump(doc, allow_unicode=True)))


@PROPERTY
@given(doc=st.dictionaries(_keys, _documents, max_size=3), groups=st.lists(_documents, max_size=3))
def test_random_groups_never_crash(doc: dict[str, object], groups: list[object], tmp_path: Path) -> None:
    doc["groups"] = groups
    _assert_0_or_2(_validate_text(tmp_path, yaml.safe_dump(doc, allow_unicode=True)))


_MUTATIONS = ("delete-line", "duplicate-line", "swap-lines", "flip-char", "insert-char", "truncate",
              "dedent", "indent", "replace-token")
_TOKENS = [": ", "- ", "{", "}", "[", "]", "\"", "'", "\t", "${", "&a", "*a", "<<: ", "\x00", "\xff", "#"]


def _mutate(text: str, rng: random.Random, steps: int) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(steps):
        if not lines:
            break
        kind = rng.choice(_MUTATIONS)
        i = rng.randrange(len(lines))
        line = lines[i]
        if kind == "delete-line":
            del lines[i]
        elif kind == "duplicate-line":
            lines.insert(i, line)
        elif kind == "swap-lines":
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "flip-char" and line.strip():
            k = rng.randrange(len(line))
            lines[i] = line[:k] + rng.choice("abc:-{}[]0 ,'\"") + line[k + 1 :]
        elif kind == "insert-char":
            k = rng.randrange(len(line) + 1)
            lines[i] = line[:k] + rng.choice(_TOKENS) + line[k:]
        elif kind == "truncate":
            lines = lines[: i + 1]
            lines[-1] = line[: rng.randrange(len(line) + 1)]
        elif kind == "dedent":
            lines[i] = line[min(2, len(line) - len(line.lstrip(" "))) :]
        elif kind == "indent":
            lines[i] = "  " + line
        elif kind == "replace-token":
            words = re.findall(r"[A-Za-z]+", line)
            if words:
                word = rng.choice(words)
                lines[i] = line.replace(word, word[::-1] if len(word) > 1 else word + "x", 1)
    return "".join(lines)


@PROPERTY
@given(
    index=st.integers(0, max(0, len(SUITE_FILES) - 1)),
    seed=st.integers(0, 2**32 - 1),
    steps=st.integers(1, 6),
)
def test_mutated_suite_files_never_crash(index: int, seed: int, steps: int, tmp_path: Path) -> None:
    """One area file of suites/v1, mutated, in a suite dir of its own."""
    source = SUITE_FILES[index]
    suite = tmp_path / "suite"
    suite.mkdir(exist_ok=True)
    (suite / "suite.yaml").write_text('name: m\nversion: "1"\ncredentials: [main, alt]\n', encoding="utf-8")
    if not (suite / "data").exists() and (source.parent / "data").is_dir():
        (suite / "data").symlink_to(source.parent / "data")
    text = _mutate(source.read_text(encoding="utf-8"), random.Random(seed), steps)
    (suite / "area.yaml").write_text(text, encoding="utf-8")
    _assert_0_or_2(_invoke(["validate", str(suite)]))
