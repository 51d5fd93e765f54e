"""Suite and endpoint models: the shape rules pydantic enforces, and secrets kept out of reprs."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from s3tester.suite.models import (
    STEP_KINDS,
    ConfigSection,
    Credential,
    EndpointConfig,
    Group,
    HttpSpec,
    PresignSpec,
    Step,
    SuiteMeta,
)


def errors(model: type[Any], data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return [e["msg"].removeprefix("Value error, ") for e in info.value.errors()]


def test_step_needs_exactly_one_kind() -> None:
    assert errors(Step, {}) == ["a step needs exactly one of op, http, presign, include, sleep, client (found none)"]
    assert errors(Step, {"op": "ListBuckets", "sleep": 1}) == [
        "a step needs exactly one of op, http, presign, include, sleep, client (found op, sleep)"
    ]
    kinds = {"op": "ListBuckets", "http": {"path": "/"}, "presign": {"op": "GetObject"}, "include": "x.yaml", "sleep": 0,
             "client": {"name": "rclone", "sh": "true"}}
    assert [Step.model_validate({k: v}).kind for k, v in kinds.items()] == list(STEP_KINDS)


def test_params_belong_to_op_steps() -> None:
    assert errors(Step, {"http": {"path": "/"}, "params": {"Bucket": "b"}}) == [
        "'params' belongs to an 'op' step (use presign.params for presign)"
    ]


def test_step_defaults_alias_and_labels() -> None:
    step = Step.model_validate({"op": "GetObject", "as": "alt"})
    assert (step.as_, step.params, step.save, step.expect) == ("alt", {}, {}, None)
    assert Step.model_validate({"op": "ListBuckets"}).as_ == "main"
    assert Step.model_validate({"http": {"method": "PUT", "path": "/"}}).label == "http PUT"
    assert Step.model_validate({"presign": {"op": "GetObject"}}).label == "presign GetObject"
    assert Step.model_validate({"presign": {"post": {"Bucket": "b", "Key": "k"}}}).label == "presign post"
    assert Step.model_validate({"sleep": 2}).label == "sleep"


def test_step_bounds_and_unknown_keys() -> None:
    assert errors(Step, {"sleep": 601}) == ["Input should be less than or equal to 600"]
    assert errors(Step, {"op": "ListBuckets", "timeout": 0}) == ["Input should be greater than 0"]
    assert errors(Step, {"op": "ListBuckets", "expct": {}}) == ["Extra inputs are not permitted"]
    with pytest.raises(ValidationError):  # frozen
        Step.model_validate({"op": "ListBuckets"}).op = "GetObject"  # type: ignore[misc]


def test_http_needs_path_xor_url() -> None:
    message = ["http needs exactly one of 'path' or 'url'"]
    assert errors(HttpSpec, {}) == message
    assert errors(HttpSpec, {"path": "/", "url": "http://h/"}) == message
    assert HttpSpec.model_validate({"url": "http://h/x"}).method == "GET"


def test_http_takes_body_or_form() -> None:
    assert errors(HttpSpec, {"path": "/", "body": "x", "form": {"fields": {}}}) == ["http takes 'body' or 'form', not both"]
    spec = HttpSpec.model_validate({"path": "/", "form": {"fields": {"a": 1}}})
    assert spec.form is not None and spec.form.filename == "file" and spec.sign


def test_presign_needs_op_xor_post() -> None:
    message = ["presign needs exactly one of 'op' or 'post'"]
    assert errors(PresignSpec, {}) == message
    assert errors(PresignSpec, {"op": "GetObject", "post": {"Bucket": "b", "Key": "k"}}) == message
    post = PresignSpec.model_validate({"post": {"Bucket": "b", "Key": "k"}})
    assert post.post is not None and (post.post.fields, post.post.conditions, post.expires) == ({}, [], 3600)


def test_credential_of_hides_the_secret() -> None:
    cred = Credential.of("AKID", "very-secret-value", "session-tok-value")
    text = repr(cred) + str(cred) + cred.model_dump_json()
    assert "very-secret-value" not in text and "session-tok-value" not in text
    assert "AKID" in repr(cred)
    assert cred.secret_key.get_secret_value() == "very-secret-value"
    assert cred.session_token is not None and cred.session_token.get_secret_value() == "session-tok-value"
    assert Credential.of("a", "b", "").session_token is None  # empty token: none


def test_credential_secrets_from_plain_values() -> None:
    cred = Credential.model_validate({"access_key": "a", "secret_key": 1234})
    assert isinstance(cred.secret_key, SecretStr) and cred.secret_key.get_secret_value() == "1234"
    endpoint = EndpointConfig(url="http://h", credentials={"main": cred})
    assert "1234" not in repr(endpoint)
    assert (endpoint.region, endpoint.addressing_style, endpoint.vendor, endpoint.verify_ssl) == (
        "us-east-1", "path", "custom", True,
    )


def test_group_name_pattern_and_test_steps() -> None:
    assert errors(Group, {"name": "Bad Name", "test": [{"op": "ListBuckets"}]}) == [
        "String should match pattern '^[a-z0-9][a-z0-9._-]*$'"
    ]
    assert errors(Group, {"name": "g", "test": []}) == ["List should have at least 1 item after validation, not 0"]


def test_suite_meta_and_config_defaults() -> None:
    meta = SuiteMeta.model_validate({"name": "s", "version": "1"})
    assert meta.credentials == ["main"] and meta.areas is None
    config = ConfigSection.model_validate({"credentials": {"main": {"access_key": "a", "secret_key": "b"}}})
    assert (config.endpoint, config.region, config.version) == (None, "us-east-1", "0")
    assert errors(ConfigSection, {"addressing_style": "dns"}) == ["Input should be 'path', 'virtual' or 'auto'"]


def test_group_sdk_defaults_reaches_its_op_steps() -> None:
    group = Group.model_validate({"name": "g", "sdk_defaults": True, "test": [
        {"op": "ListBuckets"}, {"op": "ListBuckets", "sdk_defaults": False}, {"http": {"path": "/"}}]})
    assert [s.sdk_defaults for s in group.test] == [True, False, None]
    assert Group.model_validate({"name": "g", "test": [{"op": "ListBuckets"}]}).test[0].sdk_defaults is None


def test_http_encoding_frames_a_body_not_a_form() -> None:
    spec = HttpSpec.model_validate({"path": "/", "body": "x", "encoding": {"payload": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}})
    assert spec.encoding is not None and spec.encoding.chunk_size == 65536 and spec.encoding.content_encoding == "aws-chunked"
    assert "frames a 'body', not a 'form'" in errors(HttpSpec, {"path": "/", "form": {}, "encoding": {}})[0]
    assert errors(HttpSpec, {"path": "/", "encoding": {"chunk_size": 0}})
