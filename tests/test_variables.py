from __future__ import annotations

import re

import pytest

from s3tester.suite.variables import Scope, UndefinedVariable, expand_env, is_builtin, references


def scope(**values):  # type: ignore[no-untyped-def]
    return Scope(dict(values), bucket=lambda hint: f"bkt-{hint or 'main'}", cred=lambda ref: f"cred({ref})")


def test_env_with_and_without_default() -> None:
    env = {"HOST": "h"}
    assert expand_env("http://${env:HOST}:${env:PORT:-9000}", env) == "http://h:9000"
    with pytest.raises(UndefinedVariable, match="env:PORT"):
        expand_env("${env:PORT}", env)


def test_whole_string_keeps_type_and_embedded_becomes_text() -> None:
    s = scope(n=5, items=[1, 2], flag=True)
    assert s.substitute("${n}") == 5
    assert s.substitute("${items}") == [1, 2]
    assert s.substitute("n=${n} ${flag}") == "n=5 true"
    assert s.substitute({"k": ["${bucket}", "${bucket:two}"]}) == {"k": ["bkt-main", "bkt-two"]}


def test_now_and_credentials() -> None:
    s = scope()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s.substitute("${now}"))
    assert s.substitute("${now:+3600}") > s.substitute("${now}")
    assert s.substitute("${cred:alt.access_key}") == "cred(alt.access_key)"


def test_undefined_variable_raises() -> None:
    with pytest.raises(UndefinedVariable, match="nope"):
        scope().substitute("x ${nope}")


def test_references_and_builtins() -> None:
    assert references({"a": ["${x}", "y${z}"], "${k}": 1}) == {"x", "z", "k"}
    assert is_builtin("bucket") and is_builtin("bucket:two") and is_builtin("now:-5")
    assert not is_builtin("etag")


def test_escaped_dollar_brace_is_literal() -> None:
    s = scope(x=1)
    assert s.substitute("uploads/$${filename} ${x}") == "uploads/${filename} 1"
    assert references("a $${filename} ${x}") == {"x"}


def test_principal_comes_from_the_credential_resolver() -> None:
    assert scope().substitute('"Principal": ${principal:alt}') == '"Principal": cred(alt.principal)'
    assert is_builtin("principal:alt")
