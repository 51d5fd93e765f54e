"""Run ids and run-owned bucket names: shape, validity, hint cleaning and truncation."""

from __future__ import annotations

import re

from s3tester.run.names import BUCKET_PREFIX, bucket_name, new_run_id, run_prefix

VALID_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


def test_run_ids_are_eight_chars_starting_with_a_letter_and_unique() -> None:
    ids = [new_run_id() for _ in range(200)]
    assert all(re.fullmatch(r"[a-z][a-z0-9]{7}", i) for i in ids), ids
    assert len(set(ids)) == len(ids)


def test_bucket_name_is_prefix_run_and_zero_padded_index() -> None:
    assert bucket_name("s3t", "abc12345", 7) == "s3t-abc12345-0007"
    assert bucket_name("s3t", "abc12345", 12345) == "s3t-abc12345-12345"


def test_hint_is_lowercased_and_cleaned_to_hyphens() -> None:
    assert bucket_name("s3t", "r1", 0, "Big_Data") == "s3t-r1-0000-big-data"
    assert bucket_name("s3t", "r1", 0, "--a b..c!!") == "s3t-r1-0000-a-b-c"
    assert bucket_name("s3t", "r1", 0, "___") == "s3t-r1-0000", "a hint with nothing usable adds nothing"


def test_different_hints_give_different_names() -> None:
    names = {bucket_name("s3t", "r1", 3, h) for h in ("", "src", "dst", "log")}
    assert len(names) == 4


def test_long_hint_is_cut_to_63_chars_without_a_trailing_hyphen() -> None:
    name = bucket_name("s3t", "abcdefgh", 1, "x" * 40 + "-" + "y" * 40)
    assert len(name) <= 63 and not name.endswith("-")
    assert name.startswith("s3t-abcdefgh-0001-xxxx")
    cut_at_hyphen = bucket_name("s3t", "abcdefgh", 1, "x" * 44 + "-yy")  # the 63rd char is the hyphen
    assert cut_at_hyphen == "s3t-abcdefgh-0001-" + "x" * 44


def test_every_name_is_a_valid_bucket_name_under_the_run_prefix() -> None:
    run = new_run_id()
    for index, hint in [(0, ""), (9999, "A"), (5, "weird/hint:here"), (1, "z" * 100)]:
        name = bucket_name(BUCKET_PREFIX, run, index, hint)
        assert VALID_BUCKET.match(name), name
        assert name.startswith(run_prefix(BUCKET_PREFIX, run))


def test_run_prefix_ends_with_a_hyphen_so_one_run_id_is_not_a_prefix_of_another() -> None:
    assert run_prefix("s3t", "abc") == "s3t-abc-"
    assert not bucket_name("s3t", "abcd", 0).startswith(run_prefix("s3t", "abc"))
