"""Selecting cases by group/area/glob and tag, credential skips, and skip precedence in a Plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from s3tester.errors import ConfigError
from s3tester.run.plan import credential_skips, make_plan, select
from s3tester.suite.loader import load_suite
from s3tester.suite.models import Case, Suite

LIST = "      - op: ListBuckets\n"


@pytest.fixture
def suite(tmp_path: Path) -> Suite:
    (tmp_path / "suite.yaml").write_text("name: t\nversion: '1'\ncredentials: [main, alt]\n")
    (tmp_path / "objects.yaml").write_text(
        "groups:\n"
        f"  - name: put-one\n    tags: [core]\n    test:\n{LIST}"
        f"  - name: put-two\n    tags: [slow]\n    test:\n{LIST}"
        f"  - name: as-alt\n    test:\n      - op: ListBuckets\n        as: alt\n"
        f"  - name: as-anon\n    test:\n      - op: ListBuckets\n        as: anonymous\n"
    )
    (tmp_path / "buckets.yaml").write_text(
        "groups:\n"
        f"  - name: put-one\n    tags: [core, slow]\n    test:\n{LIST}"
        f"  - name: told-to-skip\n    skip: broken here\n    test:\n{LIST}"
        f"  - name: alt-after\n    test:\n{LIST}    after:\n      - op: ListBuckets\n        as: alt\n"
    )
    return load_suite(tmp_path)


def ids(cases: list[Case]) -> list[str]:
    return [c.id for c in cases]


def test_no_filter_selects_everything_in_order(suite: Suite) -> None:
    assert ids(select(suite)) == ids(suite.cases) and len(suite.cases) == 7


def test_a_plain_name_matches_an_area_an_id_or_a_group_name(suite: Suite) -> None:
    assert ids(select(suite, ("buckets",))) == ["buckets/put-one", "buckets/told-to-skip", "buckets/alt-after"]
    assert ids(select(suite, ("objects/as-alt",))) == ["objects/as-alt"]
    assert ids(select(suite, ("put-one",))) == ["buckets/put-one", "objects/put-one"]
    assert select(suite, ("nothing",)) == []


def test_globs_match_ids_or_group_names(suite: Suite) -> None:
    assert ids(select(suite, ("objects/put-*",))) == ["objects/put-one", "objects/put-two"]
    assert ids(select(suite, ("as-*",))) == ["objects/as-alt", "objects/as-anon"]


def test_tags_and_groups_combine(suite: Suite) -> None:
    assert ids(select(suite, tags=("slow",))) == ["buckets/put-one", "objects/put-two"]
    assert ids(select(suite, ("objects",), ("slow",))) == ["objects/put-two"]
    assert ids(select(suite, tags=("core", "slow"))) == ["buckets/put-one", "objects/put-one", "objects/put-two"]


def test_without_main_nothing_can_run(suite: Suite) -> None:
    with pytest.raises(ConfigError, match="no 'main' credentials for http://x"):
        credential_skips(suite.cases, ["alt"], "http://x")


def test_without_alt_only_the_cases_using_it_in_any_phase_are_skipped(suite: Suite) -> None:
    skips = credential_skips(suite.cases, ["main"], "here")
    assert sorted(skips) == ["buckets/alt-after", "objects/as-alt"]
    assert "needs credential set alt" in skips["objects/as-alt"]
    assert credential_skips(suite.cases, ["main", "alt"], "here") == {}


def test_plan_skips_from_a_golden_file_win_and_unknown_ids_are_dropped(suite: Suite) -> None:
    given = {"objects/as-alt": "golden says no", "objects/put-two": "slow here", "nowhere/x": "ignored"}
    plan = make_plan(suite, suite.cases, given, credentials=["main"])
    assert plan.skips == {"objects/as-alt": "golden says no", "objects/put-two": "slow here",
                          "buckets/alt-after": plan.skips["buckets/alt-after"]}
    assert "needs credential set alt" in plan.skips["buckets/alt-after"]
    assert make_plan(suite, suite.cases).skips == {}, "credentials unknown: no credential check"


def test_skip_reason_prefers_the_group_skip_then_the_plan(suite: Suite) -> None:
    by_id = {c.id: c for c in suite.cases}
    plan = make_plan(suite, suite.cases, {"buckets/told-to-skip": "other", "objects/put-one": "given"})
    assert plan.skip_reason(by_id["buckets/told-to-skip"]) == "broken here"
    assert plan.skip_reason(by_id["objects/put-one"]) == "given"
    assert plan.skip_reason(by_id["objects/put-two"]) is None


def test_a_vendor_profiles_skip_reaches_the_plan() -> None:
    from s3tester.api import vendor_skips
    from s3tester.servers.catalog import load_profile
    from s3tester.servers.endpoint import EndpointChoice

    profile = load_profile("s3rver")
    skips = vendor_skips(EndpointChoice("s3rver", profile=profile), None)
    assert "hangs s3rver" in skips["buckets/invalid-name-trailing-dot"]
    assert skips["buckets/invalid-name-trailing-dot"].startswith("skipped on s3rver: ")
