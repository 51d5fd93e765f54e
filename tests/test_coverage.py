"""The suite's coverage page and count targets (suite 1.1: >= 1,000 cases, 20 areas, 100 operations)."""

from __future__ import annotations

from pathlib import Path

from s3tester.suite import coverage
from s3tester.suite.loader import load_suite

ROOT = Path(__file__).resolve().parents[1]


def test_v1_meets_its_count_targets() -> None:
    suite = load_suite(ROOT / "suites" / "v1")
    for what, measured, target in coverage.targets(suite, cases=1000, operations=100):
        assert measured >= target, f"{what}: {measured} < {target}"


def test_committed_coverage_page_is_current() -> None:
    suite = load_suite(ROOT / "suites" / "v1")
    reference = coverage.load_reference(ROOT / "docs" / "reference" / "s3-tests-areas.yaml")
    page = coverage.markdown(suite, reference)
    assert "| s3-tests tests |" in page.splitlines()[8]
    assert (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8") == page, "run: s3tester coverage suites/v1 --output docs/coverage.md"
