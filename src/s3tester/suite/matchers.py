"""The matcher language of `expect:` and what is statically wrong with a use of it.

`run.expect` applies matchers to responses; `validate` uses the checks here at load time.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from s3tester.suite.bodyspec import parse_size
from s3tester.suite.suggest import suggest

MATCHERS = ("regex", "gt", "gte", "lt", "lte", "exists", "len", "contains", "one_of", "eq", "ne")
SPECIAL_KEYS = ("error", "status", "Body")


def is_matcher(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in MATCHERS


@lru_cache(maxsize=4096)
def compile_path(expression: str) -> Any:
    import jmespath

    return jmespath.compile(expression)


def matcher_problems(value: Any) -> list[str]:
    """What is wrong with a matcher, statically (for validate)."""
    if not is_matcher(value):
        if isinstance(value, dict) and len(value) == 1:
            key = next(iter(value))
            hint = suggest(key, MATCHERS)
            if hint:
                return [f"unknown matcher '{key}'{hint}"]
        return []
    name, arg = next(iter(value.items()))
    if name == "regex":
        if not isinstance(arg, str):
            return ["regex needs a string"]
        try:
            re.compile(arg)
        except re.error as exc:
            return [f"invalid regex {arg!r}: {exc}"]
    elif name in ("gt", "gte", "lt", "lte"):
        if (not isinstance(arg, int | float) or isinstance(arg, bool)) and not _is_var(arg):
            return [f"{name} needs a number, got {arg!r}"]
        if isinstance(arg, float) and not math.isfinite(arg):
            return [f"{name} needs a finite number, got {arg!r}"]
    elif name == "exists":
        if not isinstance(arg, bool):
            return [f"exists needs true or false, got {arg!r}"]
    elif name == "len":
        if is_matcher(arg):
            return matcher_problems(arg)
        if (not isinstance(arg, int) or isinstance(arg, bool)) and not _is_var(arg):
            return [f"len needs an integer or a matcher, got {arg!r}"]
        if isinstance(arg, int) and not isinstance(arg, bool) and arg < 0:
            return [f"len must not be negative, got {arg}"]
    elif name == "one_of" and not isinstance(arg, list):
        return [f"one_of needs a list, got {arg!r}"]
    return []


def _is_var(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("${")


def body_expect_problems(value: Any) -> list[str]:
    if isinstance(value, dict) and not is_matcher(value):
        unknown = set(value) - {"size", "sha256", "generated"}
        if unknown:
            return [f"Body expectation takes size, sha256, generated or a matcher; got {sorted(unknown)}"]
        problems = []
        if "size" in value and not is_matcher(value["size"]):
            try:
                parse_size(value["size"])
            except ValueError as exc:
                problems.append(str(exc))
        if "generated" in value:
            spec = value["generated"]
            if not isinstance(spec, dict) or "size" not in spec:
                problems.append("generated needs {size: N, seed: S}")
        return problems
    return matcher_problems(value)
