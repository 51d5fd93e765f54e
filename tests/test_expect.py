"""Matchers and expectations: each one can fail, and every mismatch is reported."""

from __future__ import annotations

import pytest

from s3tester.run.bodies import Digest
from s3tester.run.expect import Outcome, check, match
from s3tester.suite.matchers import matcher_problems

OK = Outcome(
    doc={"ETag": '"abc"', "ContentLength": 5, "Contents": [{"Key": "a"}, {"Key": "b"}], "status": 200,
         "headers": {"x-amz-meta-color": "blue"}},
    status=200,
    body=Digest(size=5, sha256="2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", text="hello"),
)
ERR = Outcome(doc={"Error": {"Code": "NoSuchKey"}, "status": 404}, status=404, error_code="NoSuchKey", error_message="gone")
HEAD_404 = Outcome(doc={"status": 404}, status=404, error_code="404")


@pytest.mark.parametrize(
    ("expected", "actual", "passes"),
    [
        ({"regex": "^a.c$"}, "abc", True), ({"regex": "^a.c$"}, "abd", False),
        ({"gt": 3}, 5, True), ({"gt": 5}, 5, False), ({"gte": 5}, 5, True), ({"lt": 5}, 5, False), ({"lte": 5}, 5, True),
        ({"exists": True}, 0, True), ({"exists": True}, None, False), ({"exists": False}, None, True),
        ({"len": 2}, [1, 2], True), ({"len": {"gte": 3}}, [1, 2], False),
        ({"contains": "b"}, ["a", "b"], True), ({"contains": "z"}, "abc", False), ({"contains": {"Key": "a"}}, [{"Key": "a", "Size": 1}], True),
        ({"one_of": [1, 2]}, 2, True), ({"one_of": [1, 2]}, 3, False),
        ({"eq": {"a": 1}}, {"a": 1}, True), ({"ne": 1}, 1, False),
        (5, 5, True), (5, "5", False), (True, 1, False), ([1, 2], [2, 1], False),
    ],
)
def test_matchers(expected, actual, passes) -> None:  # type: ignore[no-untyped-def]
    assert (match(expected, actual) is None) is passes


def test_a_successful_response_meets_its_expectations() -> None:
    expect = {"ETag": '"abc"', "ContentLength": 5, "Contents[].Key": ["a", "b"], 'headers."x-amz-meta-color"': "blue", "Body": "hello", "status": 200}
    assert check(expect, OK) == []


def test_every_mismatch_is_reported_with_expected_and_actual() -> None:
    mismatches = check({"ETag": '"xyz"', "ContentLength": {"gt": 10}, "Body": "bye"}, OK)
    assert [m.key for m in mismatches] == ["ETag", "ContentLength", "Body"]
    assert mismatches[0].expected == '"xyz"' and mismatches[0].actual == '"abc"'


def test_error_expectations() -> None:
    assert check({"error": "NoSuchKey", "status": 404}, ERR) == []
    assert check({"error": ["AccessDenied", "NoSuchKey"]}, ERR) == []
    wrong = check({"error": "AccessDenied", "status": 403}, ERR)
    assert [m.key for m in wrong] == ["error", "status"]
    assert check({"error": "NoSuchKey"}, OK)[0].note == "succeeded with 200"
    assert check(None, ERR)[0].actual == "NoSuchKey"  # no expect means "must succeed"


def test_bodiless_head_errors_match_by_documented_status() -> None:
    assert check({"error": "NoSuchKey", "status": 404}, HEAD_404) == []
    assert check({"error": "AccessDenied"}, HEAD_404) != []


def test_body_digest_expectations() -> None:
    assert check({"Body": {"size": 5, "sha256": OK.body.sha256}}, OK) == []  # type: ignore[union-attr]
    assert check({"Body": {"size": 6}}, OK)[0].key == "Body.size"


def test_static_matcher_problems() -> None:
    assert matcher_problems({"regex": "("})[0].startswith("invalid regex")
    assert matcher_problems({"gt": "x"}) == ["gt needs a number, got 'x'"]
    assert "did you mean 'regex'" in matcher_problems({"regx": "a"})[0]
