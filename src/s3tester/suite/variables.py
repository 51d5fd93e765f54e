"""`${...}` variables: environment at load time, buckets/saved values/time at run time."""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

# `$${x}` is an escaped literal `${x}` (S3's own POST-policy `${filename}`, say).
VAR_RE = re.compile(r"(?<!\$)\$\{([^}]*)\}")
ESCAPED = "$${"
ENV_RE = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class UndefinedVariable(KeyError):
    """A `${name}` that nothing defines."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"undefined variable '${{{self.name}}}'"


def expand_env(value: str, environ: Mapping[str, str] | None = None) -> str:
    """Replace `${env:NAME}` and `${env:NAME:-default}`; raise UndefinedVariable if unset."""
    env = os.environ if environ is None else environ

    def sub(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        raise UndefinedVariable(f"env:{name}")

    return ENV_RE.sub(sub, value)


def expand_env_tree(data: Any, environ: Mapping[str, str] | None = None) -> Any:
    """Expand env variables in every string of a loaded YAML tree, in place."""
    if isinstance(data, dict):
        for key, item in data.items():
            data[key] = expand_env_tree(item, environ)
        return data
    if isinstance(data, list):
        for i, item in enumerate(data):
            data[i] = expand_env_tree(item, environ)
        return data
    if isinstance(data, str) and "${env:" in data:
        return expand_env(data, environ)
    return data


def references(value: Any) -> set[str]:
    """Every `${name}` used anywhere in `value`."""
    found: set[str] = set()
    if isinstance(value, str):
        found.update(VAR_RE.findall(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            found |= references(key)
            found |= references(item)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


def is_builtin(name: str) -> bool:
    return name == "bucket" or name.startswith("bucket:") or name in ("run_id", "case_id") or (
        name == "now" or name.startswith("now:") or name.startswith("cred:") or name.startswith("principal:")
    )


def now(shift: str = "") -> str:
    moment = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    if shift:
        moment += _dt.timedelta(seconds=int(shift))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Scope:
    """The variables of one running case. `resolve` returns the value of one name."""

    def __init__(
        self,
        values: dict[str, Any],
        bucket: Callable[[str], str],
        cred: Callable[[str], str],
    ) -> None:
        self.values = values
        self._bucket = bucket
        self._cred = cred

    def resolve(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        if name == "bucket":
            return self._bucket("")
        if name.startswith("bucket:"):
            return self._bucket(name[7:])
        if name == "now":
            return now()
        if name.startswith("now:"):
            return now(name[4:].replace("+", ""))
        if name.startswith("cred:"):
            return self._cred(name[5:])
        if name.startswith("principal:"):  # a policy's Principal value for a credential set, as JSON
            return self._cred(name[10:] + ".principal")
        if name.startswith("env:"):
            return expand_env("${" + name + "}")
        raise UndefinedVariable(name)

    def substitute(self, value: Any) -> Any:
        """Replace variables in strings throughout `value`; `"${x}"` alone keeps x's type."""
        if isinstance(value, str):
            if "${" not in value:
                return value
            whole = VAR_RE.fullmatch(value)
            if whole:
                return self.resolve(whole.group(1))
            return VAR_RE.sub(lambda m: _text(self.resolve(m.group(1))), value).replace(ESCAPED, "${")
        if isinstance(value, dict):
            return {self.substitute(k): self.substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(item) for item in value]
        return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
