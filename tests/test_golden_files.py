"""golden_files: paths, reading and writing, check and update verdicts, load_any and recorded skips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import gcase, gfile, run_result

from s3tester.errors import ConfigError
from s3tester.results import golden_files
from s3tester.results.golden import Golden, GoldenCase
from s3tester.results.records import CaseResult


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



def test_load_any_takes_a_results_file_or_a_golden_file(tmp_path: Path) -> None:
    bad = CaseResult(id="objects/b", area="objects", status="failed", step="test[0]", operation="GetObject",
                     mismatches=["Prefix: expected 's3t-abcd1234-0001', got None"])
    result = run_result([CaseResult(id="objects/a", area="objects", status="passed"), bad])
    (tmp_path / "results.json").write_text(result.to_json())
    loaded = golden_files.load_any(tmp_path / "results.json")
    assert loaded.cases["objects/b"].checks == ["Prefix: expected '<bucket>', got None"]
    assert loaded.summary.total == 2 and loaded.summary.failed == 1
    written = gfile({"a/x": gcase("failed", "status: expected 404, got 200", note="kept")})
    golden_files.write_golden(tmp_path / "g.json", written)
    assert golden_files.load_any(tmp_path / "g.json") == written


def test_load_any_refuses_unreadable_broken_and_interrupted_input(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        golden_files.load_any(tmp_path / "missing.json")
    (tmp_path / "broken.json").write_text("{\n  nope")
    with pytest.raises(ConfigError) as exc:
        golden_files.load_any(tmp_path / "broken.json")
    assert str(exc.value).startswith(f"{tmp_path / 'broken.json'}:2:")
    (tmp_path / "invalid.json").write_text(json.dumps({"cases": [{"id": "a/x"}]}))
    with pytest.raises(ConfigError, match="not a valid results file"):
        golden_files.load_any(tmp_path / "invalid.json")
    partial = run_result([CaseResult(id="a/x", area="a", status="passed")], complete=False)
    (tmp_path / "partial.json").write_text(partial.to_json())
    assert golden_files.load_any(tmp_path / "partial.json").cases["a/x"].status == "passed"
    with pytest.raises(ConfigError, match="interrupted run"):
        golden_files.load_any(tmp_path / "partial.json", complete=True)


def test_golden_skips_are_read_from_the_vendors_file(tmp_path: Path) -> None:
    cases = {"a/hangs": gcase("skipped", skip="hangs the server"), "a/x": gcase("passed")}
    golden_files.write_golden(tmp_path / "acme" / "v1.0.json", gfile(cases))
    assert golden_files.golden_skips(tmp_path, "acme", "1.0") == {"a/hangs": "skipped on acme: hangs the server"}
    assert golden_files.golden_skips(tmp_path, "acme", "2.0") == {}
    assert golden_files.golden_skips(tmp_path, "other", "1.0") == {}
    (tmp_path / "acme" / "v3.0.json").write_text("not json")
    assert golden_files.golden_skips(tmp_path, "acme", "3.0") == {}  # reported when the run is compared


# -- which golden file, and when it does not apply (issue 11) ------------------------------
def _g(vendor: str = "acme", suite: str = "s3-conformance", version: str = "1.0", **cases: str) -> Golden:
    from s3tester.results import golden as golden_mod

    found = {cid: GoldenCase(status=st) for cid, st in cases.items()}  # type: ignore[arg-type]
    return Golden(suite=suite, suite_version=version, vendor=vendor, summary=golden_mod.golden_summary(found), cases=found)


def test_a_minor_version_run_uses_the_older_file_and_added_cases_are_new(tmp_path: Path) -> None:
    golden_files.write_golden(tmp_path / "acme" / "v1.0.json", _g(**{"a/x": "passed", "a/y": "failed"}))
    run = _g(version="1.1", **{"a/x": "passed", "a/y": "failed", "a/added": "failed", "a/added2": "passed"})
    verdict = golden_files.check(run, tmp_path)
    assert verdict.path.name == "v1.0.json" and not verdict.failed
    assert verdict.diff is not None and sorted(c.id for c in verdict.diff.of("new")) == ["a/added", "a/added2"]
    assert not verdict.diff.regressions
    assert golden_files.check(run, tmp_path, fail_on=("new",)).failed


def test_another_vendor_suite_or_major_version_is_a_config_error(tmp_path: Path) -> None:
    golden_files.write_golden(tmp_path / "acme" / "v1.0.json", _g(vendor="other", **{"a/x": "passed"}))
    with pytest.raises(ConfigError, match="--golden-vendor other"):
        golden_files.check(_g(**{"a/x": "passed"}), tmp_path)
    assert not golden_files.check(_g(**{"a/x": "passed"}), tmp_path / "acme" / "v1.0.json", golden_vendor="other").failed
    golden_files.write_golden(tmp_path / "f.json", _g(suite="else", **{"a/x": "passed"}))
    with pytest.raises(ConfigError, match="suite else"):
        golden_files.check(_g(**{"a/x": "passed"}), tmp_path / "f.json")
    golden_files.write_golden(tmp_path / "m.json", _g(version="2.0", **{"a/x": "passed"}))
    with pytest.raises(ConfigError, match=r"2\.0"):
        golden_files.check(_g(**{"a/x": "passed"}), tmp_path / "m.json")


def test_cross_vendor_compare_reads_that_vendors_file(tmp_path: Path) -> None:
    golden_files.write_golden(tmp_path / "moto" / "v1.0.json", _g(vendor="moto", **{"a/x": "passed"}))
    verdict = golden_files.check(_g(**{"a/x": "failed"}), tmp_path, golden_vendor="moto")
    assert verdict.path == tmp_path / "moto" / "v1.0.json" and verdict.failed
