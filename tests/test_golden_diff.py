"""golden_diff: compare kinds, strict and flaky verdicts, merge keeping hand-written marks, diff lines."""

from __future__ import annotations

from builders import gcase, gfile

from s3tester.results import golden_diff
from s3tester.results.golden import GoldenCase


# -- compare ---------------------------------------------------------------------------
def test_compare_sorts_every_kind(snapshot) -> None:  # type: ignore[no-untyped-def]
    before = gfile({
        "a/regressed": gcase("passed"),
        "a/fixed": gcase("failed", "error: expected 'X', got None (succeeded with 200)", note="https://example.test/issue/1"),
        "a/changed": gcase("failed", "status: expected 404, got 200"),
        "a/status-changed": gcase("failed", "status: expected 404, got 200"),
        "a/same": gcase("failed", "status: expected 404, got 200"),
        "a/gone": gcase("passed"),
        "a/flaky": gcase("passed", flaky=True, note="times out under load"),
        "b/filtered-out": gcase("passed"),
    })
    after = gfile({
        "a/regressed": gcase("failed", "ETag: expected '\"<hex>\"', got '<hex>'"),
        "a/fixed": gcase("passed"),
        "a/changed": gcase("failed", "status: expected 404, got 403 (error AccessDenied)"),
        "a/status-changed": gcase("unsupported", "not implemented (501)"),
        "a/same": gcase("failed", "status: expected 404, got 200"),
        "a/new": gcase("passed"),
        "a/flaky": gcase("errored", "ReadTimeoutError"),
    }, vendor_version="2.2")
    diff = golden_diff.compare(before, after, in_suite={"a/regressed", "a/fixed", "a/changed", "a/status-changed",
                                                   "a/same", "a/new", "a/flaky", "b/filtered-out"})
    assert {k: [c.id for c in diff.of(k)] for k in golden_diff.KINDS} == {
        "regression": ["a/regressed"], "worsened": [], "fix": ["a/fixed"], "changed": ["a/changed", "a/status-changed"],
        "new": ["a/new"], "removed": ["a/gone"], "flaky": ["a/flaky"],
    }
    assert diff.failed() and diff.failed(strict=True)
    assert "\n".join(golden_diff.diff_lines(diff, "golden/acme/v1.0.json")) == snapshot


def test_strict_fails_on_fixes_only_when_asked() -> None:
    before = gfile({"a/x": gcase("failed", "status: expected 404, got 200")})
    after = gfile({"a/x": gcase("passed")})
    diff = golden_diff.compare(before, after)
    assert not diff.failed() and diff.failed(strict=True)
    lines = golden_diff.diff_lines(diff, "g.json", strict=True)
    assert lines[-1].startswith("FAIL (--strict)")
    assert golden_diff.diff_lines(diff, "g.json")[-1] == "OK: no regressions"


def test_flaky_never_fails_even_strict() -> None:
    before = gfile({"a/x": gcase("passed", flaky=True)})
    diff = golden_diff.compare(before, gfile({"a/x": gcase("failed", "status: expected 200, got 503")}))
    assert [c.kind for c in diff.changes] == ["flaky"] and not diff.failed(strict=True)


def test_merge_keeps_notes_flaky_and_filtered_cases() -> None:
    before = gfile({
        "a/x": gcase("failed", "old reason", note="known: https://example.test/1"),
        "a/y": gcase("passed", flaky=True),
        "a/not-run": gcase("failed", "kept", note="kept too"),
        "a/deleted-from-suite": gcase("passed"),
    })
    after = gfile({"a/x": gcase("failed", "new reason"), "a/y": gcase("passed"), "a/z": gcase("passed")},
                  vendor_version="2.2")
    merged = golden_diff.merge(before, after, in_suite={"a/x", "a/y", "a/z", "a/not-run"})
    assert list(merged.cases) == ["a/not-run", "a/x", "a/y", "a/z"]
    assert merged.cases["a/x"].checks == ["new reason"] and merged.cases["a/x"].note == "known: https://example.test/1"
    assert merged.cases["a/y"].flaky
    assert merged.cases["a/not-run"].note == "kept too"
    assert merged.vendor_version == "2.2" and merged.summary.total == 4


def test_values_that_vary_with_timing_are_not_changes() -> None:
    """Counts and values of non-error checks vary with what runs alongside: only their key,
    expectation and whether the value was missing are compared; the file keeps its wording."""
    before = gfile({"b/list": gcase("failed", "length(Buckets): expected 0, got 7"),
                    "b/missing": gcase("failed", "Prefix: expected 'x', got None")})
    after = gfile({"b/list": gcase("failed", "length(Buckets): expected 0, got 9"),
                   "b/missing": gcase("failed", "Prefix: expected 'x', got 'y'")})
    diff = golden_diff.compare(before, after)
    assert [(c.kind, c.id) for c in diff.changes] == [("changed", "b/missing")]
    assert golden_diff.merge(before, after).cases["b/list"].checks == ["length(Buckets): expected 0, got 7"]
    error_changed = gfile({"b/list": gcase("failed", "error: expected 'X', got 'Y'")})
    assert golden_diff.compare(gfile({"b/list": gcase("failed", "error: expected 'X', got 'Z'")}), error_changed).changes


def test_unknown_vendor_version_keeps_the_recorded_one() -> None:
    before = gfile({"a/x": gcase("passed")})
    after = gfile({"a/x": gcase("passed")}).model_copy(update={"vendor_version": None})
    assert golden_diff.merge(before, after).vendor_version == "2.1"
    assert not any("vendor version" in line for line in golden_diff.diff_lines(golden_diff.compare(before, after), "g.json"))


def test_first_golden_file_is_all_new_and_an_update_has_no_verdict() -> None:
    after = gfile({"a/x": gcase("passed"), "a/y": gcase("failed", "status: expected 404, got 200")})
    diff = golden_diff.compare(None, after)
    assert [(c.kind, c.id) for c in diff.changes] == [("new", "a/x"), ("new", "a/y")]
    assert diff.counts() == {"regression": 0, "worsened": 0, "fix": 0, "changed": 0, "new": 2, "removed": 0, "flaky": 0}
    assert not diff.failed() and diff.failed(strict=True)
    lines = golden_diff.diff_lines(diff, "g.json", updated=True)
    assert lines[0] == "updated g.json (acme 2.1, suite s3-conformance 1.0): 0 regressions, 0 worsened, 0 fixes, 0 changed, 2 new, 0 removed"
    assert lines[1:] == ["  NEW        a/x: passed",
                         "  NEW        a/y: failed: test[0] GetObject: status: expected 404, got 200"]
    assert golden_diff.merge(None, after).cases == after.cases


# -- verdicts from structured outcomes (issue 11) -----------------------------------------
def _run_case(status: str, message: str, *, check: str = "error", kind: str = "error=AccessDenied",
              cause: str = "mismatch", answer: str = "answer") -> object:
    from s3tester.results.records import CaseResult, Failure, MismatchRecord

    mismatches = [MismatchRecord(check=check, kind=kind, message=message)] if cause == "mismatch" else []
    failure = Failure(step="test[0]", operation="GetObject", cause=cause, mismatches=mismatches, answer=answer,
                      reason=f"test[0] GetObject: {message}")
    return CaseResult(id="a/x", area="a", status=status, step="test[0]", operation="GetObject", cause=cause,
                      mismatches=mismatches, failures=[failure], reason=failure.reason)


def _golden_of(case: object) -> object:
    from s3tester.results.normalize import case_signature

    return case_signature(case)  # type: ignore[arg-type]


def test_rewording_a_message_changes_no_verdict() -> None:
    before = _golden_of(_run_case("failed", "error: expected 'NoSuchKey', got 'AccessDenied' (Access Denied)"))
    reworded = _golden_of(_run_case("failed", "the error code was AccessDenied where NoSuchKey was wanted!"))
    assert before.signature == reworded.signature  # type: ignore[attr-defined]
    other = _golden_of(_run_case("failed", "error: expected 'NoSuchKey', got 'Forbidden'", kind="error=Forbidden"))
    assert before.signature != other.signature  # type: ignore[attr-defined]


def test_worsened_is_failed_to_errored_or_an_answer_to_5xx_or_no_answer() -> None:
    known = _golden_of(_run_case("failed", "error: expected 'NoSuchKey', got 'AccessDenied'"))
    to_5xx = _golden_of(_run_case("failed", "error: expected 'NoSuchKey', got '500'", kind="error=500", answer="5xx"))
    errored = _golden_of(_run_case("errored", "timed out", cause="timeout", answer="none"))
    for now in (to_5xx, errored):
        diff = golden_diff.compare(gfile({"a/x": known}), gfile({"a/x": now}))  # type: ignore[dict-item]
        assert [c.kind for c in diff.changes] == ["worsened"] and diff.failed()
        assert "FAIL: 1 worsened: a/x" in golden_diff.diff_lines(diff, "g.json")[-1]
    other = _golden_of(_run_case("failed", "error: expected 'NoSuchKey', got 'Forbidden'", kind="error=Forbidden"))
    diff = golden_diff.compare(gfile({"a/x": known}), gfile({"a/x": other}))  # type: ignore[dict-item]
    assert [c.kind for c in diff.changes] == ["changed"] and not diff.failed() and diff.failed(fail_on=("changed",))


def test_the_verdict_comes_last_with_the_real_values() -> None:
    diff = golden_diff.compare(gfile({"a/x": gcase("passed")}), gfile({"a/x": gcase("failed", "ETag: expected '\"<hex>\"', got '<hex>'")}))
    lines = golden_diff.diff_lines(diff, "g.json", actual={"a/x": "test[0] GetObject: ETag: expected '\"abc\"', got 'abd'"})
    assert lines[-1] == "FAIL: 1 regression: a/x"
    assert lines[-2].endswith("passed -> failed: test[0] GetObject: ETag: expected '\"abc\"', got 'abd'")


def test_a_format_1_golden_file_still_compares_equal() -> None:
    old = GoldenCase(status="failed", step="test[0]", operation="GetObject",
                     checks=["error: expected 'NoSuchKey', got 'AccessDenied' (Access Denied)"])
    new = _golden_of(_run_case("failed", "whatever wording"))
    assert old.signature == new.signature  # type: ignore[attr-defined]
