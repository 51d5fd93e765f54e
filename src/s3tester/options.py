"""The CLI's option machinery, defined once (the pip-tools habit): an option class whose
errors name the environment variable a value came from, path and seconds types that
refuse NUL, NaN and infinity by name, and the callbacks that check --region, --vendor,
--endpoint, output paths and input files before anything runs (exit 2)."""

from __future__ import annotations

from typing import Any

import click


class Option(click.Option):
    """A click option whose errors name the environment variable a bad value came from
    (and only then: --help shows every option's variable anyway)."""

    def get_error_hint(self, ctx: click.Context | None) -> str:
        return " / ".join(f"'{o}'" for o in self.opts)

    def process_value(self, ctx: click.Context, value: Any) -> Any:
        try:
            return super().process_value(ctx, value)
        except click.BadParameter as exc:
            env = from_env(ctx, self)
            if env and exc.param_hint is None:
                exc.param_hint = f"'{self.opts[-1] if len(self.opts) == 1 else self.opts[0]}' (from {env})"
            raise


def option(*decls: str, **attrs: Any) -> Any:
    return click.option(*decls, cls=Option, **attrs)


def from_env(ctx: click.Context, param: click.Parameter) -> str | None:
    """The environment variable `param`'s value came from, if it came from one."""
    from click.core import ParameterSource

    if param.name is None or ctx.get_parameter_source(param.name) is not ParameterSource.ENVIRONMENT:
        return None
    if isinstance(param, click.Option) and param.envvar:
        return param.envvar if isinstance(param.envvar, str) else param.envvar[0]
    prefix = ctx.auto_envvar_prefix
    return f"{prefix}_{param.name.upper()}" if prefix else None


class SafePath(click.Path):
    """click.Path, but a NUL or an undecodable byte in the path is a usage error, not a ValueError."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.fail(f"{value!r} contains a NUL character (U+0000)", param, ctx)
        try:
            return super().convert(value, param, ctx)
        except (ValueError, UnicodeError) as exc:
            self.fail(f"{value!r}: {exc}", param, ctx)


class Seconds(click.ParamType):
    """A finite number of seconds within [low, high]: NaN and infinity are refused by name."""

    name = "seconds"

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        import math

        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number of seconds", param, ctx)
        if not self.low <= number <= self.high:
            self.fail(f"{number:g} is not in the range {self.low:g}-{self.high:g} seconds", param, ctx)
        return number


def checked(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--region, --vendor and --endpoint: syntax checked before anything runs (exit 2)."""
    if value is None:
        return None
    from s3tester.suite.endpoint_url import endpoint_problem
    from s3tester.suite.fields import region_problem

    problem = None
    if param.name == "region":
        problem = region_problem(value)
    elif param.name == "vendor" and not value.strip():
        problem = "is empty: give a profile name (s3tester list vendors) or a profile file"
    elif param.name == "endpoint_url":
        problem = endpoint_problem(value)
        problem = f"'{value}' {problem}" if problem else None
    if problem:
        from s3tester.masking import shown_url

        raise click.BadParameter(shown_url(problem), ctx, param)
    return value


def text_files(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Input files (results, golden, reference) must be UTF-8 text of a sane size: a binary,
    UTF-16, Latin-1 or endless file is a usage error naming the file, before it is parsed."""
    from pathlib import Path

    from s3tester.errors import ConfigError
    from s3tester.suite.yamlpos import read_text

    for one in value if isinstance(value, tuple) else (value,):
        if one is not None and Path(one).is_file():
            try:
                read_text(Path(one), one)
            except ConfigError as exc:
                raise click.BadParameter(str(exc), ctx, param) from None
    return value


def writable(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An --output/--results path that cannot be written is a usage error before the run."""
    from s3tester.errors import ConfigError
    from s3tester.output import check_writable

    try:
        check_writable(f"--{param.name}", value, from_env(ctx, param))
    except ConfigError as exc:
        raise click.UsageError(exc.message, ctx) from None
    return value


ENV_PREFIX = "S3TESTER_"


class FailOn(click.ParamType):
    """`changed,new`: verdict kinds that fail the run beside regressions and worsened."""

    name = "KINDS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, ...]:
        if isinstance(value, tuple):
            return value
        kinds = tuple(k.strip() for k in str(value).split(",") if k.strip())
        allowed = ("changed", "new", "removed", "fix")
        bad = [k for k in kinds if k not in allowed]
        if bad:
            self.fail(f"unknown kind {', '.join(bad)} (choose from {', '.join(allowed)})", param, ctx)
        return kinds


FAIL_ON = FailOn()


def envvar_for(option: click.Option) -> str:
    """`S3TESTER_` + the option's long name as written (click's auto names follow the Python
    parameter name instead: S3TESTER_ENDPOINT_URL for --endpoint)."""
    long = next((o for o in option.opts if o.startswith("--")), option.opts[0])
    return ENV_PREFIX + long.lstrip("-").upper().replace("-", "_")


def spell_envvars(group: click.Group) -> None:
    """Give every option of `group` and its commands the variable `envvar_for` names."""
    for command in [group, *group.commands.values()]:
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_eager:
                param.envvar = envvar_for(param)
                param.show_envvar = True
