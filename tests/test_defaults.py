"""defaults: the CLI's and the library's --timeout and --parallel defaults are the shared constants."""

from __future__ import annotations

import click

from s3tester import api, cli
from s3tester.defaults import DEFAULT_PARALLEL, DEFAULT_TIMEOUT


def option(command: click.Command, name: str) -> click.Option:
    found = [p for p in command.params if isinstance(p, click.Option) and p.name == name]
    assert len(found) == 1, f"{command.name} has no single --{name}"
    return found[0]


def test_run_options_default_to_the_constants() -> None:
    assert option(cli.run, "timeout").default == DEFAULT_TIMEOUT
    assert option(cli.run, "parallel").default == DEFAULT_PARALLEL


def test_the_library_defaults_match_the_cli() -> None:
    options = api.RunOptions(path="suite")
    assert (options.timeout, options.parallel) == (DEFAULT_TIMEOUT, DEFAULT_PARALLEL)


def test_the_defaults_are_values_the_options_accept() -> None:
    ctx = click.Context(cli.run)
    assert option(cli.run, "timeout").type.convert(DEFAULT_TIMEOUT, None, ctx) == DEFAULT_TIMEOUT
    assert option(cli.run, "parallel").type.convert(DEFAULT_PARALLEL, None, ctx) == DEFAULT_PARALLEL
    assert isinstance(DEFAULT_TIMEOUT, float) and DEFAULT_TIMEOUT > 0
    assert isinstance(DEFAULT_PARALLEL, int) and DEFAULT_PARALLEL >= 1


def test_help_shows_the_defaults() -> None:
    text = " ".join(cli.run.get_help(click.Context(cli.run)).split())
    assert f"default: {DEFAULT_PARALLEL};" in text and f"default: {DEFAULT_TIMEOUT}]" in text
