"""Every case of suites/v1 carries at least one tag, and every tag comes from the documented
vocabulary (docs/suite-format.md, "Tags"), so that `--tag` selections mean something."""

from __future__ import annotations

import re
from pathlib import Path

from s3tester.suite.loader import load_suite

ROOT = Path(__file__).resolve().parents[1]

VOCABULARY = {
    "core",
    "edge",
    "naming",
    "permissions",
    "legacy",
    "api-2024",
    "sdk-defaults",
    "s3-tests",
    "select",
    "kms",
}


def _cases():
    suite = load_suite(ROOT / "suites" / "v1")
    for case in suite.cases:
        yield case.id, list(case.group.tags)


def test_every_v1_case_is_tagged_from_the_vocabulary() -> None:
    untagged = [cid for cid, tags in _cases() if not tags]
    assert not untagged, f"cases without a tag: {untagged[:10]}"
    unknown = sorted({f"{cid}: {t}" for cid, tags in _cases() for t in tags if t not in VOCABULARY})
    assert not unknown, f"tags outside the vocabulary (docs/suite-format.md): {unknown[:10]}"


def test_vocabulary_is_documented() -> None:
    text = (ROOT / "docs" / "suite-format.md").read_text(encoding="utf-8")
    section = text.split("## Tags", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", section, flags=re.M))
    assert documented == VOCABULARY
