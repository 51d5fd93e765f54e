from __future__ import annotations

import pytest

from s3tester.errors import ConfigError, Location
from s3tester.suite import yamlpos


def test_positions_are_one_based_line_and_column() -> None:
    data = yamlpos.loads("a: 1\nb:\n  - x\n  - {c: 2}\n", "f.yaml")
    assert data == {"a": 1, "b": ["x", {"c": 2}]}
    assert data.value_locs["a"] == Location("f.yaml", 1, 4)
    assert yamlpos.locate(data, ("b", 1, "c")) == Location("f.yaml", 4, 9)
    assert yamlpos.locate(data, ("b", 1, "c"), key=True) == Location("f.yaml", 4, 6)


def test_locate_falls_back_to_the_closest_parent() -> None:
    data = yamlpos.loads("a:\n  b: 1\n", "f.yaml")
    assert yamlpos.locate(data, ("a", "missing")) == Location("f.yaml", 2, 3)


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    with pytest.raises(ConfigError) as err:
        yamlpos.loads("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert str(err.value) == "f.yaml:3:1: duplicate key 'a' (first at line 1)"


def test_syntax_error_is_one_line_with_position() -> None:
    with pytest.raises(ConfigError) as err:
        yamlpos.loads("a: [1, 2\nb: 3\n", "f.yaml")
    text = str(err.value)
    assert text.startswith("f.yaml:") and "\n" not in text


def test_tabs_are_rejected_with_position() -> None:
    with pytest.raises(ConfigError) as err:
        yamlpos.loads("a:\n\t- 1\n", "f.yaml")
    assert str(err.value).startswith("f.yaml:2:1:")


def test_non_utf8_and_binary_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "latin.yaml"
    bad.write_bytes(b"a: caf\xe9\n")
    with pytest.raises(ConfigError, match=r"latin.yaml:1:7: not valid UTF-8"):
        yamlpos.load(bad)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\x00\x01\x02")
    with pytest.raises(ConfigError, match="binary file"):
        yamlpos.load(binary)


def test_empty_document_is_none() -> None:
    assert yamlpos.loads("", "f.yaml") is None
