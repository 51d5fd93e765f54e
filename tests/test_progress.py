"""The progress bar: a no-op when piped or empty, a rich bar counting cases and failures on a terminal."""

from __future__ import annotations

import io
import sys
from typing import Any

import pytest

from s3tester.results.records import CaseResult
from s3tester.run.progress import progress_bar


def result(status: str) -> CaseResult:
    return CaseResult(id=f"a/{status}", area="a", status=status)


@pytest.fixture
def consoles(monkeypatch: pytest.MonkeyPatch) -> list[io.StringIO]:
    """Every rich Console the bar makes writes to a StringIO posing as a terminal."""
    import rich.console

    made: list[io.StringIO] = []
    real = rich.console.Console

    def fake(**kwargs: Any) -> Any:
        made.append(io.StringIO())
        return real(file=made[-1], force_terminal=True, width=120)

    monkeypatch.setattr(rich.console, "Console", fake)
    return made


def test_piped_output_gets_no_bar(consoles: list[io.StringIO], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a tty
    with progress_bar(3) as advance:
        assert advance(result("passed")) is None
    assert consoles == []


def test_no_cases_no_bar_even_on_a_terminal(consoles: list[io.StringIO]) -> None:
    with progress_bar(0, enabled=True) as advance:
        advance(result("failed"))
    assert consoles == []


def test_the_bar_counts_cases_and_those_not_passed(consoles: list[io.StringIO]) -> None:
    with progress_bar(4, enabled=True) as advance:
        for status in ("passed", "failed", "errored", "skipped"):
            advance(result(status))
    assert len(consoles) == 1
    shown = consoles[0].getvalue()
    assert "4/4" in shown and "2 not passed" in shown
    assert "cases" in shown


def test_all_passed_shows_no_failure_count(consoles: list[io.StringIO]) -> None:
    with progress_bar(2, enabled=True) as advance:
        advance(result("passed"))
        advance(result("unsupported"))
    shown = consoles[0].getvalue()
    assert "2/2" in shown and "not passed" not in shown
