"""Request bodies as a suite writes them: sizes with units, text, file:// paths, generated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from s3tester.suite.bodyspec import BodySpec, body_spec, is_body_spec, parse_size


@pytest.mark.parametrize(
    ("value", "size"),
    [
        (0, 0), (17, 17), ("17", 17), ("17b", 17), ("1k", 1000), ("2KB", 2000), ("1kib", 1024),
        ("3 MiB", 3 * 1024**2), ("1m", 10**6), ("1.5MB", 1_500_000), ("1g", 10**9), (" 2GiB ", 2 * 1024**3),
        ("0.5KiB", 512),
    ],
)
def test_parse_size_units(value: Any, size: int) -> None:
    assert parse_size(value) == size


@pytest.mark.parametrize("value", ["5 parsecs", "MiB", "-1", "1e3", "", "1 2", True, None, [1]])
def test_parse_size_refuses(value: Any) -> None:
    with pytest.raises(ValueError) as info:
        parse_size(value)
    assert str(info.value) == f"size must be a number or a string like 5MiB, got {value!r}"


def test_negative_int_size() -> None:
    with pytest.raises(ValueError, match=r"^size must not be negative$"):
        parse_size(-3)


def test_text_bytes_numbers_and_none() -> None:
    assert body_spec("héllo", None) == BodySpec(text="héllo")
    assert body_spec("héllo", None).length() == 6  # UTF-8 bytes
    assert body_spec(None, None) == BodySpec(text="")
    assert body_spec(b"\xff\x00", None).text == "\xff\x00"
    assert [body_spec(v, None).text for v in (5, 2.5, True)] == ["5", "2.5", "True"]


def test_file_body_relative_to_the_base_dir(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "b.bin").write_bytes(b"12345")
    spec = body_spec("file://data/b.bin", tmp_path)
    assert spec.path == tmp_path / "data" / "b.bin" and spec.length() == 5
    absolute = body_spec(f"file://{tmp_path}/data/b.bin", Path("/elsewhere"))
    assert absolute.path == tmp_path / "data" / "b.bin"


def test_file_body_relative_to_cwd_without_a_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("here.txt").write_text("x")
    assert body_spec("file://here.txt", None).path == tmp_path / "here.txt"


def test_missing_file_names_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as info:
        body_spec("file://nope.txt", tmp_path)
    assert str(info.value) == f"body file not found: file://nope.txt (looked at {tmp_path / 'nope.txt'})"
    (tmp_path / "adir").mkdir()
    with pytest.raises(ValueError, match="body file not found"):
        body_spec("file://adir", tmp_path)  # a directory is not a body


def test_generated_body() -> None:
    spec = body_spec({"size": "1KiB", "seed": 7}, None)
    assert spec == BodySpec(size=1024, seed=7, generated=True)
    assert spec.length() == 1024
    assert body_spec({"size": 3}, None).seed == 0


def test_generated_body_errors() -> None:
    with pytest.raises(ValueError) as info:
        body_spec({"size": 1, "sed": 2}, None)
    assert str(info.value) == "a generated body is {size: N, seed: S}, got keys ['sed', 'size']"
    with pytest.raises(ValueError, match=r"^a generated body is \{size: N, seed: S\}, got keys \['seed'\]$"):
        body_spec({"seed": 2}, None)
    for seed in ("7", True, 1.5):
        with pytest.raises(ValueError) as info:
            body_spec({"size": 1, "seed": seed}, None)
        assert str(info.value) == f"seed must be an integer from 0 to 2**63-1, got {seed!r}"
    with pytest.raises(ValueError, match=r"^size must be a number"):
        body_spec({"size": "lots"}, None)


def test_other_types_are_refused() -> None:
    with pytest.raises(ValueError) as info:
        body_spec(["a"], None)
    assert str(info.value) == "a body is a string, file://path or {size, seed}, got list"


def test_is_body_spec() -> None:
    assert is_body_spec({"size": 1}) and is_body_spec({"size": 1, "seed": 2})
    assert not is_body_spec({"seed": 2}) and not is_body_spec({"size": 1, "x": 0}) and not is_body_spec("size")
