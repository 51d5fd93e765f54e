"""The expect: matcher language: what counts as a matcher and what is statically wrong with one."""

from __future__ import annotations

from typing import Any

import pytest

from s3tester.suite.matchers import MATCHERS, body_expect_problems, compile_path, is_matcher, matcher_problems


@pytest.mark.parametrize("name", MATCHERS)
def test_every_matcher_name_is_a_matcher(name: str) -> None:
    assert is_matcher({name: 1})


@pytest.mark.parametrize("value", [{"regex": "a", "gt": 1}, {"regx": "a"}, {}, "regex", ["exists"], None])
def test_non_matchers(value: Any) -> None:
    assert not is_matcher(value)


def test_valid_matchers_have_no_problems() -> None:
    good = [{"regex": "^a+$"}, {"gt": 1}, {"gte": 1.5}, {"lt": "${size}"}, {"exists": False}, {"len": 3},
            {"len": {"gte": 1}}, {"len": "${n}"}, {"one_of": [1, 2]}, {"contains": "x"}, {"eq": None}, {"ne": [1]}]
    assert [matcher_problems(v) for v in good] == [[]] * len(good)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"regex": 5}, "regex needs a string"),
        ({"regex": "("}, "invalid regex '(': missing ), unterminated subpattern at position 0"),
        ({"gt": "ten"}, "gt needs a number, got 'ten'"),
        ({"lte": True}, "lte needs a number, got True"),
        ({"exists": "yes"}, "exists needs true or false, got 'yes'"),
        ({"len": 2.5}, "len needs an integer or a matcher, got 2.5"),
        ({"len": False}, "len needs an integer or a matcher, got False"),
        ({"len": {"gt": "x"}}, "gt needs a number, got 'x'"),
        ({"one_of": "a"}, "one_of needs a list, got 'a'"),
    ],
)
def test_matcher_argument_problems(value: dict[str, Any], message: str) -> None:
    assert matcher_problems(value) == [message]


def test_misspelled_matcher_gets_a_did_you_mean() -> None:
    assert matcher_problems({"regx": "a"}) == ["unknown matcher 'regx' (did you mean 'regex'?)"]
    assert matcher_problems({"exist": True}) == ["unknown matcher 'exist' (did you mean 'exists'?)"]
    assert matcher_problems({"Owner": "me"}) == []  # a literal mapping, nothing like a matcher
    assert matcher_problems({"regx": 1, "gt": 2}) == []  # two keys: a literal, not a matcher
    assert matcher_problems("plain") == []


def test_body_expectations() -> None:
    assert body_expect_problems("text") == []
    assert body_expect_problems({"size": "5MiB", "sha256": "ab"}) == []
    assert body_expect_problems({"size": {"gt": 0}}) == []
    assert body_expect_problems({"generated": {"size": 10, "seed": 1}}) == []
    assert body_expect_problems({"regex": "^x"}) == []
    assert body_expect_problems({"regex": 1}) == ["regex needs a string"]


def test_body_expectation_problems() -> None:
    assert body_expect_problems({"sha": "x", "size": 1}) == [
        "Body expectation takes size, sha256, generated or a matcher; got ['sha']"
    ]
    assert body_expect_problems({"size": "5 parsecs"}) == [
        "size must be a number or a string like 5MiB, got '5 parsecs'"
    ]
    assert body_expect_problems({"generated": {"seed": 1}}) == ["generated needs {size: N, seed: S}"]
    assert body_expect_problems({"size": -1, "generated": 3}) == [
        "size must not be negative", "generated needs {size: N, seed: S}",
    ]


def test_compile_path_is_cached_and_raises_on_bad_expressions() -> None:
    assert compile_path("Buckets[0].Name") is compile_path("Buckets[0].Name")
    assert compile_path("Buckets[0].Name").search({"Buckets": [{"Name": "b"}]}) == "b"
    with pytest.raises(Exception, match="Incomplete expression"):
        compile_path("Buckets[")
