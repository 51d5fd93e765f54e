"""The house rules of the layout: one test module per source module, small modules, and
integration tests named as such."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "s3tester"
TESTS = ROOT / "tests"
MAX_LINES = 400

#: Tests of the whole tool rather than of one module: real servers, processes and files.
INTEGRATION = {
    "test_bad_inputs", "test_bodies_perf_shape", "test_ci_docs", "test_docker_entrypoint", "test_examples",
    "test_faults", "test_https", "test_robustness", "test_secrets", "test_wheel", "test_layout", "test_drivers", "test_suite_tags",
    "test_hostile",
}


def modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if not p.name.startswith("__"))


def test_every_source_module_has_its_test_module() -> None:
    missing = [str(p.relative_to(SRC)) for p in modules() if not (TESTS / f"test_{p.stem}.py").is_file()]
    assert missing == [], f"add tests/test_<module>.py for: {', '.join(missing)}"


def test_module_names_are_unique_across_subpackages() -> None:
    """So that tests/test_<name>.py names exactly one module."""
    stems = [p.stem for p in modules()]
    assert sorted(stems) == sorted(set(stems)), [s for s in stems if stems.count(s) > 1]


def test_every_test_module_tests_a_module_or_is_an_integration_test() -> None:
    stems = {p.stem for p in modules()}
    strays = [p.stem for p in TESTS.glob("test_*.py") if p.stem[5:] not in stems and p.stem not in INTEGRATION]
    assert strays == [], f"rename to test_<module>.py, or list as integration: {strays}"


def test_no_module_is_over_the_limit() -> None:
    long = {str(p.relative_to(SRC)): n for p in SRC.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}, f"split these (>{MAX_LINES} lines): {long}"
