"""`s3tester --version` is answered without click/yaml (bench/startup.py); it must print
exactly what the CLI's own --version prints, or fall back to the CLI when unsure."""

from __future__ import annotations

from pathlib import Path

import pytest

from s3tester import __main__ as entry
from s3tester.cli import _version_text


def test_same_text_as_cli() -> None:
    assert entry.version_text() == _version_text()


def test_same_text_with_extra_suite_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, body in {
        "zz": 'name: plain\nversion: "2.1"\n',
        "aa": "# comment\nname: 'quoted name'\nversion: 'x1'  # trailing\ndescription: >\n  name: not this\n",
    }.items():
        (tmp_path / key).mkdir()
        (tmp_path / key / "suite.yaml").write_text(body)
    monkeypatch.setenv("S3TESTER_SUITE_DIRS", str(tmp_path))
    text = entry.version_text()
    assert text is not None and "aa (quoted name x1), zz (plain 2.1)" in text
    assert text == _version_text()


@pytest.mark.parametrize("body", [
    "name: s\nversion: 1.10\n",        # yaml makes a float of it
    'name: "a\\tb"\nversion: "1"\n',   # escapes
    "name: yes\nversion: '1'\n",       # a boolean to yaml
    "{name: s, version: '1'}\n",       # flow style
    "version: '1'\n",                  # no name
])
def test_unsure_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "suite.yaml").write_text(body)
    monkeypatch.setenv("S3TESTER_SUITE_DIRS", str(tmp_path))
    assert entry.version_text() is None


def test_main_prints_fast_version(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.argv", ["s3tester", "--version"])
    with pytest.raises(SystemExit) as exit_info:
        entry.main()
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == _version_text() + "\n"
