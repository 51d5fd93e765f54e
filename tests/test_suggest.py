"""'Did you mean' hints for misspelled names."""

from __future__ import annotations

from s3tester.suite.suggest import suggest


def test_closest_choice_is_suggested() -> None:
    assert suggest("PutObjekt", ["GetObject", "PutObject", "PutObjectAcl"]) == " (did you mean 'PutObject'?)"
    assert suggest("mian", ("main", "alt")) == " (did you mean 'main'?)"


def test_nothing_close_gives_an_empty_string() -> None:
    assert suggest("zzz", ["main", "alt"]) == ""
    assert suggest("main", []) == ""


def test_case_matters_and_any_iterable_works() -> None:
    assert suggest("REGEX", ["regex"]) == ""
    assert suggest("regx", (m for m in ["gt", "regex"])) == " (did you mean 'regex'?)"
