"""Golden files: scrubbing, deterministic normalization, compare kinds, notes kept on
update, atomic writes, the CLI verdicts, and (marked `vendor`) every launchable vendor
against its committed golden file."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from s3tester.cli import cli
from s3tester.errors import ConfigError
from s3tester.results import golden, golden_diff, golden_files, normalize
from s3tester.results.golden import Golden, GoldenCase
from s3tester.results.records import CaseResult, RunResult, summarize
from s3tester.servers.catalog import launchable_vendors as launchable
from s3tester.suite.models import EndpointConfig

ROOT = Path(__file__).resolve().parents[1]
BASIC = str(ROOT / "tests" / "suites" / "basic")
LAUNCHABLE = launchable()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_result(cases: list[CaseResult], run_id: str = "abcd1234", **kw: object) -> RunResult:
    base: dict[str, object] = dict(
        tool_version="0.1.0", suite="s3-conformance", suite_version="1.0", vendor="acme",
        vendor_version="2.1", endpoint="http://127.0.0.1:9000", run_id=run_id,
        started="2026-01-01T00:00:00Z", duration=1.0,
    )
    base.update(kw)
    return RunResult(summary=summarize(cases), cases=cases, **base)  # type: ignore[arg-type]


def failed(cid: str, *mismatches: str, step: str = "test[0]", op: str = "GetObject") -> CaseResult:
    return CaseResult(id=cid, area=cid.split("/")[0], status="failed", step=step, operation=op,
                      mismatches=list(mismatches), reason=f"{step} {op}: {mismatches[0]}", duration=0.3)


def passed(cid: str) -> CaseResult:
    return CaseResult(id=cid, area=cid.split("/")[0], status="passed", duration=0.1)


def gcase(status: str, *checks: str, note: str | None = None, flaky: bool = False) -> GoldenCase:
    step, op = ("test[0]", "GetObject") if status != "passed" else (None, None)
    return GoldenCase(status=status, step=step, operation=op, checks=list(checks), note=note, flaky=flaky)  # type: ignore[arg-type]


def gfile(cases: dict[str, GoldenCase], **kw: str) -> Golden:
    data = {"suite": "s3-conformance", "suite_version": "1.0", "vendor": "acme", "vendor_version": "2.1"}
    data.update(kw)
    return Golden(summary=golden.golden_summary(cases), cases=cases, **data)  # type: ignore[arg-type]


# -- scrubbing ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Prefix: expected 's3t-abcd1234-0047-src', got None", "Prefix: expected '<bucket>', got None"),
        ("Prefix: expected 's3t-abcd1234-', got None", "Prefix: expected '<run>-', got None"),
        ("key run-abcd1234/x", "key run-<run>/x"),
        ("VersionId: expected '4a7d2cc7-96fe-4410-9c17-3c71037de420'", "VersionId: expected '<uuid>'"),
        ("ETag: got '\"9b2cf535f27731c974343645a3985328\"'", "ETag: got '\"<hex>\"'"),
        ("LastModified: 2026-11-30T20:39:29.123+00:00 or 2026-11-30 20:39:29", "LastModified: <time> or <time>"),
        ("Date: Mon, 30 Nov 2026 20:39:29 GMT", "Date: <time>"),
        ("got datetime.datetime(2026, 12, 1, 20, 39, tzinfo=tzutc())", "got <time>"),
        ("could not connect to http://127.0.0.1:34545/bucket", "could not connect to http://<host>/bucket"),
        ("UploadId: 'VXBsb2FkSWQ6IDEyMzQ1Njc4OTAxMjM0NTY3ODkw'", "UploadId: '<id>'"),
        ("log in /tmp/s3t-x/weed.log", "log in <tmp>"),
        ("Read timeout after 30.0 s", "Read timeout after <duration>"),
        ("status: expected 403, got 200", "status: expected 403, got 200"),
        ("ContentType: expected 'image/png', got 'text/plain'", "ContentType: expected 'image/png', got 'text/plain'"),
    ],
)
def test_scrub(raw: str, clean: str) -> None:
    assert normalize.scrub(raw, "abcd1234") == clean


def test_check_signature_drops_server_messages_keeps_stable_notes() -> None:
    sig = normalize.check_signature
    assert sig("error: expected 'NoSuchKey', got 'AccessDenied' (Access Denied for req 7F3A)") == \
        "error: expected 'NoSuchKey', got 'AccessDenied'"
    assert sig("error: expected 'NoSuchKey', got None (succeeded with 200)") == \
        "error: expected 'NoSuchKey', got None (succeeded with 200)"
    assert sig("status: expected 404, got 500 (error InternalError)") == "status: expected 404, got 500 (error InternalError)"
    assert sig("Retention.Mode: expected 'GOVERNANCE', got None (missing)") == \
        "Retention.Mode: expected 'GOVERNANCE', got None (missing)"
    long = "Body: expected 'x', got '" + "y" * 400 + "'"
    assert len(sig(long)) < 400


def test_normalize_is_deterministic_across_runs() -> None:
    """Two runs that differ only in run id, times, order, bucket names and server messages
    give byte-identical golden files."""
    def one(run_id: str, port: int, seed: int) -> RunResult:
        cases = [
            passed("objects/a"),
            failed("objects/b", f"Prefix: expected 's3t-{run_id}-0003', got None"),
            failed("versioning/c", f"VersionId: expected '{seed:08x}-96fe-4410-9c17-3c71037de420', got None"),
            failed("errors/d", f"error: expected 'NoSuchKey', got 'InternalError' (request {seed} failed)",
                   "status: expected 404, got 500 (error InternalError)"),
            CaseResult(id="buckets/e", area="buckets", status="errored", step="before[0]", operation="CreateBucket",
                       reason=f"before[0] CreateBucket: EndpointConnectionError: http://127.0.0.1:{port}/s3t-{run_id}-0004"),
        ]
        random.Random(seed).shuffle(cases)
        return run_result(cases, run_id=run_id, started=f"2026-01-0{seed % 9 + 1}T00:00:00Z", duration=seed / 7)

    first = normalize.normalize(one("abcd1234", 9000, 1)).to_json()
    second = normalize.normalize(one("zyxw9876", 9555, 77)).to_json()
    assert first == second
    data = json.loads(first)
    assert list(data["cases"]) == sorted(data["cases"])
    assert "abcd1234" not in first and "9000" not in first
    assert data["cases"]["objects/a"] == {"status": "passed"}
    assert data["cases"]["errors/d"]["checks"] == [
        "error: expected 'NoSuchKey', got 'InternalError'", "status: expected 404, got 500 (error InternalError)"]
    assert data["cases"]["buckets/e"]["checks"] == ["EndpointConnectionError: http://<host>/<bucket>"]
    assert data["summary"] == {"total": 5, "passed": 1, "failed": 3, "errored": 1, "unsupported": 0, "skipped": 0}
    assert data["vendor_version"] == "2.1"


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
        "regression": ["a/regressed"], "fix": ["a/fixed"], "changed": ["a/changed", "a/status-changed"],
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


def test_check_update_writes_atomically_and_reports(tmp_path: Path) -> None:
    first = gfile({"a/x": gcase("passed"), "a/y": gcase("failed", "status: expected 404, got 200")})
    verdict = golden_files.check(first, tmp_path, update=True)
    path = tmp_path / "acme" / "v1.0.json"
    assert verdict.lines == [f"created {path} (2 cases, 1 passed)"] and not verdict.failed
    # a hand-written note survives the next update
    data = json.loads(path.read_text())
    data["cases"]["a/y"]["note"] = "vendor bug 42"
    path.write_text(json.dumps(data, indent=2))
    second = gfile({"a/x": gcase("failed", "status: expected 200, got 500"), "a/y": gcase("failed", "status: expected 404, got 200")})
    verdict = golden_files.check(second, tmp_path, update=True)
    assert verdict.lines[0].startswith(f"updated {path}") and "REGRESSION a/x: passed -> failed" in verdict.lines[1]
    assert json.loads(path.read_text())["cases"]["a/y"]["note"] == "vendor bug 42"
    assert golden_files.check(second, tmp_path, update=True).lines == [f"golden {path} is up to date (2 cases)"]
    assert [p.name for p in path.parent.iterdir()] == ["v1.0.json"]  # no temp files left behind
    assert not golden_files.check(second, tmp_path).failed


def test_bad_golden_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no golden file at .*: create it with --update-golden"):
        golden_files.read_golden(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text('{"cases": \n  [}')
    with pytest.raises(ConfigError) as exc:
        golden_files.read_golden(tmp_path / "bad.json")
    assert str(exc.value).startswith(f"{tmp_path / 'bad.json'}:2:")
    (tmp_path / "wrong.json").write_text(json.dumps({"suite": "s", "suite_version": "1", "vendor": "v",
                                                     "summary": {}, "cases": {"a/x": {"status": "great"}}}))
    with pytest.raises(ConfigError) as exc:
        golden_files.read_golden(tmp_path / "wrong.json")
    assert "cases.a/x.status: Input should be" in str(exc.value) and exc.value.exit_code == 2
    other = gfile({}, suite_version="2.0")
    golden_files.write_golden(tmp_path / "acme" / "v1.0.json", other)
    with pytest.raises(ConfigError, match=r"is for suite s3-conformance 2\.0, this run is s3-conformance 1\.0"):
        golden_files.check(gfile({}), tmp_path)


def test_golden_path_naming() -> None:
    assert golden_files.golden_path("golden", "seaweedfs", "1.0") == Path("golden/seaweedfs/v1.0.json")
    assert golden_files.golden_path("x/custom.json", "seaweedfs", "1.0") == Path("x/custom.json")


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
def _installed(vendor: str) -> bool:
    from s3tester.servers.catalog import load_profile
    from s3tester.servers.launch import LocalServer

    try:
        LocalServer(load_profile(vendor), Path("/nonexistent")).check_installed()
    except Exception:
        return False
    return True


@pytest.mark.vendor
@pytest.mark.parametrize("vendor", LAUNCHABLE)
def test_vendor_matches_golden(vendor: str, tmp_path: Path) -> None:
    """What `make test-vendor VENDOR=x` does: launch, run suites/v1, no regressions."""
    if not (ROOT / "golden" / vendor).is_dir():
        pytest.skip(f"no golden/{vendor}/ yet")
    if not _installed(vendor):
        pytest.skip(f"{vendor} is not installed: run `bash scripts/install-vendor.sh {vendor}` (make vendors)")
    env = {**os.environ, "S3TESTER_PROGRESS": "0"}
    proc = subprocess.run(
        [sys.executable, "-m", "s3tester", "run", "suites/v1", "--vendor", vendor, "--golden", "golden/",
         "-j", "8", "--results", str(tmp_path / "results.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=env,
    )
    verdict = [line for line in proc.stdout.splitlines() if line.startswith(("golden ", "  ", "FAIL", "OK"))]
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


def test_interrupted_results_never_update(tmp_path: Path) -> None:
    partial = run_result([passed("objects/a")], complete=False)
    (tmp_path / "partial.json").write_text(partial.to_json())
    result = invoke("compare", str(tmp_path / "partial.json"), str(tmp_path / "g"), "--update-golden")
    assert result.exit_code == 2 and "interrupted run" in result.output
    assert not (tmp_path / "g").exists()


def test_unknown_vendor_version_keeps_the_recorded_one() -> None:
    before = gfile({"a/x": gcase("passed")})
    after = gfile({"a/x": gcase("passed")}).model_copy(update={"vendor_version": None})
    assert golden_diff.merge(before, after).vendor_version == "2.1"
    assert not any("vendor version" in line for line in golden_diff.diff_lines(golden_diff.compare(before, after), "g.json"))
