"""Golden files: the Golden/GoldenCase model, the CLI verdicts (`compare`, `run --golden`),
and (marked `vendor`) every launchable vendor against its committed golden file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from builders import failed, passed, run_result
from click.testing import CliRunner
from conftest import require_vendor
from pydantic import ValidationError

from s3tester.cli import cli
from s3tester.results import golden
from s3tester.results.golden import Golden, GoldenCase
from s3tester.results.records import CaseResult
from s3tester.servers.catalog import launchable_vendors as launchable
from s3tester.suite.models import EndpointConfig

ROOT = Path(__file__).resolve().parents[1]
BASIC = str(ROOT / "tests" / "suites" / "basic")
LAUNCHABLE = launchable()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# -- the model -------------------------------------------------------------------------
def test_case_to_dict_writes_only_what_is_set() -> None:
    assert GoldenCase(status="passed").to_dict() == {"status": "passed"}
    full = GoldenCase(status="failed", step="test[1]", operation="GetObject", checks=["a", "b"],
                      note="issue 7", flaky=True, skip="hangs")
    assert full.to_dict() == {"status": "failed", "step": "test[1]", "operation": "GetObject", "checks": ["a", "b"],
                              "note": "issue 7", "flaky": True, "skip": "hangs"}
    with pytest.raises(ValidationError):
        GoldenCase.model_validate({"status": "passed", "notes": "typo"})
    with pytest.raises(ValidationError):
        GoldenCase.model_validate({"status": "great"})


def test_case_reason_is_one_line() -> None:
    case = GoldenCase(status="failed", step="test[1]", operation="GetObject", checks=["x: expected 1, got 2", "y"])
    assert case.reason == "test[1] GetObject: x: expected 1, got 2; y"
    assert GoldenCase(status="errored", checks=["ReadTimeoutError"]).reason == "ReadTimeoutError"
    assert GoldenCase(status="errored", step="before[0]", operation="CreateBucket").reason == "before[0] CreateBucket"
    assert GoldenCase(status="passed").reason == ""


def test_signature_compares_values_only_for_errors_and_statuses() -> None:
    def sig(*checks: str) -> tuple[object, ...]:
        return GoldenCase(status="failed", step="test[0]", operation="GetObject", checks=list(checks)).signature

    assert sig("KeyCount: expected 0, got 7") == sig("KeyCount: expected 0, got 9")
    assert sig("KeyCount: expected 0, got 7") != sig("KeyCount: expected 0, got None")
    assert sig("KeyCount: expected 0, got 7") == sig("KeyCount: expected 1, got 7")  # expected comes from the suite
    assert sig("error: expected 'X', got 'Y'") != sig("error: expected 'X', got 'Z'")
    assert sig("status: expected 404, got 200") != sig("status: expected 404, got 500")
    assert sig("free text") != sig("other text")
    base = GoldenCase(status="failed", step="test[0]", operation="GetObject")
    assert base.signature != base.model_copy(update={"step": "test[1]"}).signature
    assert base.signature == base.model_copy(update={"note": "n", "flaky": True}).signature


def test_golden_to_json_is_sorted_and_round_trips() -> None:
    cases = {"b/y": GoldenCase(status="failed", checks=["c"]), "a/x": GoldenCase(status="passed"),
             "a/z": GoldenCase(status="skipped", skip="hangs")}
    g = Golden(suite="s", suite_version="1.0", vendor="acme", summary=golden.golden_summary(cases), cases=cases)
    text = g.to_json()
    assert text.endswith("}\n")
    data = json.loads(text)
    assert list(data) == ["format", "suite", "suite_version", "vendor", "vendor_version", "summary", "cases"]
    assert list(data["cases"]) == ["a/x", "a/z", "b/y"] and data["format"] == golden.FORMAT
    assert data["summary"] == {"total": 3, "passed": 1, "failed": 1, "errored": 0, "unsupported": 0, "skipped": 1}
    assert Golden.model_validate(data) == g


# -- CLI -------------------------------------------------------------------------------
def test_compare_command_exit_codes(tmp_path: Path) -> None:
    good = run_result([passed("objects/a"), failed("objects/b", "status: expected 404, got 200")])
    (tmp_path / "good.json").write_text(good.to_json())
    result = invoke("compare", str(tmp_path / "good.json"), str(tmp_path / "g"), "--update-golden")
    assert result.exit_code == 0 and "created" in result.output
    assert invoke("compare", str(tmp_path / "good.json"), str(tmp_path / "g")).exit_code == 0
    bad = run_result([failed("objects/a", "ETag: expected '\"x\"', got 'x'"), passed("objects/b")])
    (tmp_path / "bad.json").write_text(bad.to_json())
    result = invoke("compare", str(tmp_path / "bad.json"), str(tmp_path / "g"))
    assert result.exit_code == 1
    assert "REGRESSION objects/a: passed -> failed" in result.output
    assert "FAIL: 1 regression: objects/a" in result.output
    fixed_only = run_result([passed("objects/a"), passed("objects/b")])
    (tmp_path / "fixed.json").write_text(fixed_only.to_json())
    assert invoke("compare", str(tmp_path / "fixed.json"), str(tmp_path / "g")).exit_code == 0
    assert invoke("compare", str(tmp_path / "fixed.json"), str(tmp_path / "g"), "--strict").exit_code == 1
    missing = invoke("compare", str(tmp_path / "good.json"), str(tmp_path / "nowhere"))
    assert missing.exit_code == 2
    errored = CaseResult(id="objects/b", area="objects", status="errored", step="test[0]", operation="GetObject",
                         reason="test[0] GetObject: ReadTimeoutError")
    worse = run_result([passed("objects/a"), errored])  # the known failure became errored
    (tmp_path / "worse.json").write_text(worse.to_json())
    result = invoke("compare", str(tmp_path / "worse.json"), str(tmp_path / "g"))
    assert result.exit_code == 1 and "FAIL: 1 worsened: objects/b" in result.output, result.output


def test_run_with_golden_against_moto(tmp_path: Path, moto_endpoint: EndpointConfig) -> None:
    """`run --update-golden` creates the file, `run --golden` passes against it, a file
    that says a failing case passed makes the run exit 1 naming it, and a filtered run
    does not call the other cases removed."""
    args = ["run", BASIC, "--vendor", "moto", "--endpoint", moto_endpoint.url, "--golden", str(tmp_path), "-j", "4"]
    created = invoke(*args, "--update-golden")
    assert created.exit_code == 0, created.output
    path = tmp_path / "moto" / "v0.1.json"
    assert f"created {path}" in created.output
    again = invoke(*args)
    assert again.exit_code == 0 and "OK: no regressions" in again.output
    data = json.loads(path.read_text())
    failing = [cid for cid, case in data["cases"].items() if case["status"] in ("failed", "errored")]
    passing = [cid for cid, case in data["cases"].items() if case["status"] == "passed"]
    victim = passing[0]
    data["cases"][victim] = {"status": "failed", "step": "test[0]", "operation": "PutObject", "checks": ["x"]}
    for cid in failing:
        data["cases"][cid]["status"] = "passed"
        data["cases"][cid].pop("checks", None)
    path.write_text(json.dumps(data))
    verdict = invoke(*args)
    assert verdict.exit_code == (1 if failing else 0)
    assert f"FIX        {victim}: failed -> passed" in verdict.output
    for cid in failing:
        assert f"REGRESSION {cid}" in verdict.output
    assert invoke(*args, "--strict").exit_code == 1
    filtered = invoke(*args, "-g", victim)
    assert "removed" in filtered.output and " REMOVED " not in filtered.output


# -- every launchable vendor against its committed golden file --------------------------
@pytest.mark.vendor
@pytest.mark.parametrize("vendor", LAUNCHABLE)
def test_vendor_matches_golden(vendor: str, tmp_path: Path) -> None:
    """What `make test-vendor VENDOR=x` does: launch, run suites/v1, no regressions."""
    if not (ROOT / "golden" / vendor).is_dir():
        pytest.skip(f"no golden/{vendor}/ yet")
    require_vendor(vendor)
    env = {**os.environ, "S3TESTER_PROGRESS": "0"}

    def run(*selection: str, results: str = "results.json") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "s3tester", "run", "suites/v1", "--vendor", vendor, "--golden", "golden/",
             "-j", "8", "--results", str(tmp_path / results), *selection],
            cwd=ROOT, capture_output=True, text=True, timeout=600, env=env,
        )

    proc = run()
    verdict = [line for line in proc.stdout.splitlines() if line.startswith(("golden ", "  ", "FAIL", "OK"))]
    if proc.returncode == 1:
        # A shared 2-core machine sometimes makes a server stumble (a burst of 500s or a stall):
        # what regressed is run once more on a fresh server, and only a repeat fails the test.
        from s3tester.results.golden_files import check, load_any

        diff = check(load_any(tmp_path / "results.json"), ROOT / "golden").diff
        again = [c.id for c in (diff.changes if diff else []) if c.kind in ("regression", "worsened")]
        if again:
            second = run(*[arg for cid in again for arg in ("-g", cid)], results="again.json")
            if second.returncode == 0:
                warnings.warn(f"{vendor}: {len(again)} case(s) regressed once and passed their golden "
                              f"check when run again: {', '.join(again[:10])}", stacklevel=1)
                return
    assert proc.returncode == 0, "\n".join(verdict[-60:]) + proc.stderr[-3000:]


def test_skip_in_golden_file_keeps_a_case_away_from_that_vendor(tmp_path: Path, moto_endpoint: EndpointConfig) -> None:
    """A hand-written `skip` (say, a request that hangs the server) is honoured by
    `run --golden`: the case is not sent, shows as skipped, and updates keep the mark."""
    args = ["run", BASIC, "--vendor", "moto", "--endpoint", moto_endpoint.url, "--golden", str(tmp_path),
            "-g", "smoke/put-get-roundtrip", "-g", "smoke/missing-key"]
    assert invoke(*args, "--update-golden").exit_code == 0
    path = tmp_path / "moto" / "v0.1.json"
    data = json.loads(path.read_text())
    data["cases"]["smoke/missing-key"]["skip"] = "hangs this server"
    path.write_text(json.dumps(data))
    updated = invoke(*args, "--update-golden")
    assert "CHANGED    smoke/missing-key: passed -> skipped: skipped on moto: hangs this server" in updated.output
    case = json.loads(path.read_text())["cases"]["smoke/missing-key"]
    assert case["status"] == "skipped" and case["skip"] == "hangs this server"
    again = invoke(*args)
    assert again.exit_code == 0 and "0 changed" in again.output


def test_interrupted_results_never_update(tmp_path: Path) -> None:
    partial = run_result([passed("objects/a")], complete=False)
    (tmp_path / "partial.json").write_text(partial.to_json())
    result = invoke("compare", str(tmp_path / "partial.json"), str(tmp_path / "g"), "--update-golden")
    assert result.exit_code == 2 and "interrupted run" in result.output
    assert not (tmp_path / "g").exists()

