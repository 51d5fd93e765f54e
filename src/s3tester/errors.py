"""One exception base carrying an exit code and a location; only the CLI catches it."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_ENDPOINT = 3
EXIT_INTERNAL = 4  # an exception in s3tester's own code: a bug to report, never a verdict


@dataclass(frozen=True)
class Location:
    """A place in a file: `path:line:col` (1-based), the way compilers print it."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col or 1}"
        return self.path


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class S3TesterError(Exception):
    """Base of every error the CLI turns into a message and an exit code."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class ConfigError(S3TesterError):
    """Bad suite, config, profile or usage: exit 2. Carries every problem found."""

    exit_code = EXIT_CONFIG

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        super().__init__(message, location)
        self.problems = problems if problems is not None else [Problem(location or Location(""), message)] if location else []

    def __str__(self) -> str:
        if self.problems:
            return "\n".join(str(p) for p in self.problems)
        return super().__str__()


class EndpointError(S3TesterError):
    """The endpoint could not be reached or started: exit 3."""

    exit_code = EXIT_ENDPOINT
