"""botocore's S3 service model as the operation table: names, parameters, validation.

No class per operation: a step's `op` is looked up here, its parameters are checked with
botocore's own ParamValidator, and the engine calls `getattr(client, method_name(op))`.
The model is loaded once per process (it is a large JSON file).
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import cache
from typing import Any

from s3tester.suite.suggest import suggest
from s3tester.suite.variables import VAR_RE

BODY_MEMBERS = {"Body"}
# boto3 accepts {Bucket, Key, VersionId} for these string members and builds the header.
COPY_SOURCE_MEMBERS = {"CopySource"}
COPY_SOURCE_KEYS = {"Bucket", "Key", "VersionId"}


@cache
def _data_loader() -> Any:
    import botocore.session

    return botocore.session.get_session().get_component("data_loader")


def new_session() -> Any:
    """A fresh botocore session (own config and credentials) sharing the process's data
    loader, so the S3 model and endpoint rules JSON are parsed once, not once per client."""
    import botocore.session

    session = botocore.session.get_session()
    session.register_component("data_loader", _data_loader())
    return session


@cache
def service_model() -> Any:
    return new_session().get_service_model("s3")


@cache
def operation_names() -> tuple[str, ...]:
    return tuple(sorted(service_model().operation_names))


def has_operation(name: str) -> bool:
    return name in _names_set()


@cache
def _names_set() -> frozenset[str]:
    return frozenset(operation_names())


@cache
def method_name(op: str) -> str:
    from botocore import xform_name

    return str(xform_name(op))


def operation_model(op: str) -> Any:
    return service_model().operation_model(op)


@cache
def returns_body(op: str) -> bool:
    """Whether the operation's response is a payload stream (GetObject) rather than parsed XML."""
    shape = operation_model(op).output_shape
    if shape is None:
        return False
    payload = shape.serialization.get("payload")
    return bool(payload and shape.members[payload].type_name == "blob")


def _placeholder(shape: Any, value: Any) -> Any:
    """Stand in for a value that holds ${...}: the right type, so the validator can check the rest."""
    kind = shape.type_name
    if isinstance(value, str) and VAR_RE.search(value):
        if VAR_RE.fullmatch(value) or kind != "string":
            return {
                "string": "x",
                "integer": 1,
                "long": 1,
                "boolean": True,
                "timestamp": _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC),
                "blob": b"",
                "double": 1.0,
                "float": 1.0,
            }.get(kind)
        return value
    if kind == "structure" and isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            member = shape.members.get(key)
            out[key] = item if member is None else _placeholder(member, item)
        return {k: v for k, v in out.items() if v is not None}
    if kind == "list" and isinstance(value, list):
        probed = [_placeholder(shape.member, item) for item in value]
        return [p for p in probed if p is not None]
    if kind == "map" and isinstance(value, dict):
        return {k: _placeholder(shape.value, v) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.UTC)
    return value


def _path(name: str) -> tuple[Any, ...]:
    parts: list[Any] = []
    for piece in re.findall(r"[^.\[\]]+|\[\d+\]", name):
        parts.append(int(piece[1:-1]) if piece.startswith("[") else piece)
    return tuple(parts)


def _kind(value: Any) -> str:
    for base, name in ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (dict, "mapping"), (list, "list")):
        if isinstance(value, base):
            return name
    return type(value).__name__


def _type_name(kind: Any) -> str:
    raw = getattr(kind, "__name__", str(kind))
    raw = re.sub(r"^<class '(?:[\w.]+\.)?(\w+)'>$", r"\1", raw)
    return {
        "str": "a string",
        "int": "an integer",
        "bool": "a boolean",
        "float": "a number",
        "bytes": "bytes",
        "bytearray": "bytes",
        "list": "a list",
        "tuple": "a list",
        "dict": "a mapping",
        "datetime": "a timestamp",
        "file-like object": "a body",
    }.get(raw, raw)


def check_params(op: str, params: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """Problems with `params` for `op`, as (path within params, message) pairs.

    Body specs (file://, generated streams) are checked by `bodies`, not here.
    """
    from botocore.validate import ParamValidator

    shape = operation_model(op).input_shape
    if shape is None:
        return [((k,), f"{op} takes no parameters") for k in params]
    problems: list[tuple[tuple[Any, ...], str]] = []
    probe: dict[str, Any] = {}
    for key, value in params.items():
        member = shape.members.get(key)
        if member is None:
            problems.append(
                ((key,), f"unknown parameter '{key}' for {op}{suggest(key, list(shape.members))}")
            )
            continue
        if key in BODY_MEMBERS or (member.type_name == "blob" and not isinstance(value, str | bytes)):
            probe[key] = b""
            continue
        if key in COPY_SOURCE_MEMBERS and isinstance(value, dict):
            extra = set(value) - COPY_SOURCE_KEYS
            if extra or not {"Bucket", "Key"} <= set(value):
                problems.append(((key,), f"{key} as a mapping takes Bucket, Key and optional VersionId, got {sorted(value)}"))
            probe[key] = "x"
            continue
        placeholder = _placeholder(member, value)
        if placeholder is not None:
            probe[key] = placeholder
    report = ParamValidator().validate(probe, shape)
    for kind, name, extra in report._errors:
        name = str(name).lstrip(".")
        path = _path(name)
        if kind == "missing required field":
            where = f" in {name}" if name else ""
            problems.append((path, f"missing required parameter '{extra['required_name']}'{where} for {op}"))
        elif kind == "unknown field":
            unknown = extra["unknown_param"]
            hint = suggest(unknown, list(extra["valid_names"]))
            problems.append(((*path, unknown), f"unknown parameter '{unknown}' in {name}{hint}"))
        elif kind == "invalid type":
            valid = " or ".join(dict.fromkeys(_type_name(t) for t in extra["valid_types"]))
            got = _kind(extra["param"])
            problems.append((path, f"parameter '{name}' must be {valid}, got {got} {extra['param']!r}"))
        elif kind in ("invalid range", "invalid length"):
            what = "value" if kind == "invalid range" else "length of"
            problems.append((path, f"{what} '{name}' is below the minimum {extra['min_allowed']}"))
        else:
            problems.append((path, f"invalid parameter '{name}': {kind}"))
    return problems
