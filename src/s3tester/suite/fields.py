"""Static checks of single fields that the models' shapes cannot say: what a step kind
takes, `save:` names, bucket hints and `${now:...}` shifts, header syntax, raw-request
URLs and paths, regions, suite versions and plain names.

Each check returns problems as `(location inside the step, message)` (the `validate`
convention) or a message string, so that every mistake is found before any request.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from s3tester.masking import shown_url
from s3tester.suite.endpoint_url import endpoint_problem
from s3tester.suite.variables import VAR_RE, is_builtin, references

#: `save:` names: what `${name}` can refer to.
SAVE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
#: `${bucket:hint}`: kept as written in the bucket name, so distinct hints stay distinct.
BUCKET_HINT = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$")
NOW_SHIFT = re.compile(r"^[+-]?\d{1,9}$")
#: RFC 9110 token characters: a header name.
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
REGION = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})$")
#: A suite version: MAJOR.MINOR (or MAJOR), as golden file names use it.
VERSION = re.compile(r"^\d{1,4}(?:\.\d{1,4})?$")
#: A name that becomes a path component (vendor, suite, area).
PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

Found = list[tuple[tuple[Any, ...], str]]


def step_kind_problems(step: Any) -> Found:
    """`expect`/`save` on steps that have no response (sleep, include)."""
    out: Found = []
    if step.sleep is not None or step.include is not None:
        kind = "sleep" if step.sleep is not None else "include"
        if step.expect is not None:
            out.append((("expect", "__key__"), f"a {kind} step has no response: 'expect' would be ignored"))
        if step.save:
            out.append((("save", "__key__"), f"a {kind} step has no response: 'save' would be ignored"))
        if step.timeout is not None and kind == "include":
            out.append((("timeout", "__key__"), "an include step takes no 'timeout'"))
    return out


def save_problems(save: dict[str, str]) -> Found:
    out: Found = []
    for name in save:
        if not name:
            out.append((("save", name, "__key__"), "save: a variable name must not be empty"))
        elif is_builtin(name) or name.startswith("env:") or name == "env":
            out.append((("save", name, "__key__"),
                        f"save: '{name}' is a built-in variable and cannot be redefined (pick another name)"))
        elif not SAVE_NAME.match(name):
            out.append((("save", name, "__key__"),
                        f"save: {name!r} is not a variable name (letters, digits, '_', '.', '-'; not starting with a digit)"))
    return out


def reference_problems(value: Any) -> list[str]:
    """Bad forms of built-in variables: `${bucket:!!!}`, `${now:+1h}`."""
    out = []
    for name in sorted(references(value)):
        if name.startswith("bucket:"):
            hint = name[len("bucket:") :]
            if not BUCKET_HINT.match(hint):
                out.append(f"'${{{name}}}': a bucket hint is 1-20 lowercase letters, digits or '-' "
                           "(so that distinct hints are distinct buckets)")
        elif name.startswith("now:") and not NOW_SHIFT.match(name[len("now:") :]):
            out.append(f"'${{{name}}}': a time shift is a whole number of seconds, like ${{now:+3600}}")
    return out


def _has_var(value: Any) -> bool:
    return isinstance(value, str) and bool(VAR_RE.search(value))


def header_problems(headers: dict[str, Any], where: tuple[Any, ...]) -> Found:
    out: Found = []
    for name, value in headers.items():
        if not _has_var(name) and not HEADER_NAME.match(str(name)):
            out.append(((*where, name, "__key__"), f"header name {str(name)!r} is not a valid HTTP header name"))
        text = "" if value is None else str(value)
        bad = next((c for c in text if c in "\r\n\x00" or (ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F), None)
        if bad is not None:
            out.append(((*where, name), f"header {name!r}: value contains U+{ord(bad):04X} (no CR, LF or control characters)"))
    return out


def http_problems(http: Any) -> Found:
    out: Found = []
    if http.url is not None and not _has_var(http.url):
        problem = endpoint_problem(_origin(http.url))
        if problem:
            out.append((("http", "url"), f"url '{http.url}' {problem}"))
        elif not urlsplit(http.url).path:
            out.append((("http", "url"), f"url '{http.url}' has no path (use '/' for the service root)"))
    if http.path is not None and not _has_var(http.path[:2]) and not http.path.startswith("/"):
        out.append((("http", "path"), f"path must start with '/', got {http.path!r}"))
    out.extend(header_problems(http.headers, ("http", "headers")))
    return out


def _origin(url: str) -> str:
    """`url` without its path and query: endpoint syntax applies to the rest."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme else url


def region_problem(region: str) -> str | None:
    if not REGION.match(region):
        return f"region {region!r} is not a region name (letters, digits, '-' and '_', like us-east-1)"
    return None


def version_problem(version: str) -> str | None:
    if not VERSION.match(version):
        return f"version {version!r} must be MAJOR.MINOR, like 1.0"
    return None


def name_problem(what: str, name: str) -> str | None:
    if not PLAIN_NAME.match(name):
        return f"{what} {name!r} must be a plain name (letters, digits, '.', '_', '-'; no '/' or '..')"
    if ".." in name:
        return f"{what} {name!r} must not contain '..'"
    return None


def check_meta(name: str, version: str) -> list[tuple[str, str]]:
    """suite.yaml's name and version: they become golden file paths."""
    out = []
    problem = name_problem("suite name", name)
    if problem:
        out.append(("name", problem))
    problem = version_problem(version)
    if problem:
        out.append(("version", problem))
    return out


def check_config(config: Any) -> list[tuple[str, str]]:
    """A single-file config's `config:`: version, name, endpoint and region syntax."""
    out: list[tuple[str, str]] = []
    if config.name is not None:
        out.extend(p for p in check_meta(config.name, config.version) if p[0] == "name")
    problem = version_problem(config.version)
    if problem:
        out.append(("version", problem))
    if config.endpoint and not _has_var(config.endpoint):  # empty (from ${env:X:-}): the embedded server
        problem = endpoint_problem(config.endpoint)
        if problem:
            out.append(("endpoint", f"endpoint '{shown_url(config.endpoint)}' {problem}"))
    problem = region_problem(config.region)
    if problem:
        out.append(("region", problem))
    return out
