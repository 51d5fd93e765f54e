"""errors: Location, Problem and error messages as printed, and each error's exit code."""

from __future__ import annotations

import pytest

from s3tester.errors import (
    EXIT_CONFIG,
    EXIT_ENDPOINT,
    EXIT_FAILED,
    EXIT_OK,
    ConfigError,
    EndpointError,
    Location,
    Problem,
    S3TesterError,
)


@pytest.mark.parametrize(
    ("location", "text"),
    [
        (Location("suite/a.yaml"), "suite/a.yaml"),
        (Location("suite/a.yaml", 5), "suite/a.yaml:5:1"),
        (Location("suite/a.yaml", 5, 12), "suite/a.yaml:5:12"),
        (Location("suite/a.yaml", 0, 12), "suite/a.yaml"),
    ],
)
def test_location_prints_like_a_compiler(location: Location, text: str) -> None:
    assert str(location) == text


def test_problem_is_location_then_message() -> None:
    assert str(Problem(Location("a.yaml", 3, 7), "unknown key 'x'")) == "a.yaml:3:7: unknown key 'x'"


def test_exit_codes() -> None:
    assert (EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_ENDPOINT) == (0, 1, 2, 3)
    assert S3TesterError("x").exit_code == EXIT_FAILED
    assert ConfigError("x").exit_code == EXIT_CONFIG
    assert EndpointError("x").exit_code == EXIT_ENDPOINT
    assert issubclass(ConfigError, S3TesterError) and issubclass(EndpointError, S3TesterError)


def test_error_message_with_and_without_a_location() -> None:
    plain = S3TesterError("cannot reach endpoint")
    assert str(plain) == "cannot reach endpoint" and plain.message == "cannot reach endpoint" and plain.location is None
    placed = EndpointError("refused", Location("profile.yaml", 2))
    assert str(placed) == "profile.yaml:2:1: refused" and placed.location == Location("profile.yaml", 2)


def test_config_error_carries_its_problems() -> None:
    bare = ConfigError("no suite given")
    assert bare.problems == [] and str(bare) == "no suite given"
    one = ConfigError("bad key", Location("a.yaml", 4, 2))
    assert one.problems == [Problem(Location("a.yaml", 4, 2), "bad key")] and str(one) == "a.yaml:4:2: bad key"
    many = ConfigError("invalid suite", Location("s"), [Problem(Location("a.yaml", 1), "x"), Problem(Location("b.yaml", 2, 3), "y")])
    assert str(many) == "a.yaml:1:1: x\nb.yaml:2:3: y"
    assert many.message == "invalid suite" and len(many.problems) == 2
    assert str(ConfigError("invalid", Location("s.yaml"), [])) == "s.yaml: invalid"
