"""The compatibility matrix: counts per area and vendor, Markdown, and the HTML page in
headless Chromium (loads, shows every vendor, runs its script, no console errors)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from s3tester.cli import cli
from s3tester.results import golden, golden_files, matrix
from s3tester.results.golden import Golden, GoldenCase
from s3tester.results.records import CaseResult, RunResult, summarize

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
    "--enable-logging=stderr", "--v=0",
]


def gold(vendor: str, cases: dict[str, tuple[str, str]], version: str = "1.0") -> Golden:
    gc = {cid: GoldenCase(status=status, step="test[0]" if reason else None, operation="GetObject" if reason else None,  # type: ignore[arg-type]
                          checks=[reason] if reason else [])
          for cid, (status, reason) in cases.items()}
    return Golden(suite="s3-conformance", suite_version="1.0", vendor=vendor, vendor_version=version,
                  summary=golden.golden_summary(gc), cases=gc)


def sample() -> matrix.Matrix:
    return matrix.build([
        gold("zeta", {"objects/a": ("passed", ""), "objects/b": ("failed", "status: expected 404, got 200 <&\">"),
                      "tagging/c": ("unsupported", "not implemented (501)")}, "9.9"),
        gold("alpha", {"objects/a": ("passed", ""), "objects/b": ("passed", ""), "tagging/c": ("passed", ""),
                       "tagging/d": ("errored", "ReadTimeoutError")}),
    ])


def test_build_orders_columns_and_counts() -> None:
    m = sample()
    assert [c.label for c in m.columns] == ["alpha", "zeta"]
    assert m.areas == ["objects", "tagging"]
    assert m.counts(m.columns[1], "objects") == {"passed": 1, "failed": 1}
    assert m.differs("objects/b") and not m.differs("objects/a")
    assert matrix.summary_lines(m) == [
        "alpha 1.0: 3/4 passed (75%), 0 failed, 1 errored, 0 unsupported, 0 skipped",
        "zeta 9.9: 1/3 passed (33%), 1 failed, 0 errored, 1 unsupported, 0 skipped",
    ]


def test_same_vendor_twice_gets_distinct_labels() -> None:
    m = matrix.build([gold("moto", {}), gold("moto", {}).model_copy(update={"suite_version": "1.1"})])
    assert [c.label for c in m.columns] == ["moto v1.0", "moto v1.1"]


def test_markdown(snapshot) -> None:  # type: ignore[no-untyped-def]
    assert matrix.markdown(sample()) == snapshot


def test_html_escapes_reasons() -> None:
    page = matrix.html(sample())
    assert "status: expected 404, got 200 &lt;&amp;&quot;&gt;" in page
    assert "<&\">" not in page


def test_matrix_command_reads_golden_and_results_files(tmp_path: Path) -> None:
    g = gold("alpha", {"objects/a": ("passed", "")})
    golden_files.write_golden(tmp_path / "alpha.json", g)
    cases = [CaseResult(id="objects/a", area="objects", status="failed", step="test[0]", operation="PutObject",
                        mismatches=["ETag: expected 'x', got 'y'"], reason="test[0] PutObject: ETag ...")]
    run = RunResult(tool_version="0", suite="s3-conformance", suite_version="1.0", vendor="beta", endpoint="http://x",
                    run_id="abcd1234", started="2026-01-01T00:00:00Z", duration=1, summary=summarize(cases), cases=cases)
    (tmp_path / "beta-results.json").write_text(run.to_json())
    out = CliRunner().invoke(cli, ["matrix", str(tmp_path / "alpha.json"), str(tmp_path / "beta-results.json"),
                                   "--markdown", str(tmp_path / "m.md"), "--html", str(tmp_path / "m.html")])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == [
        "alpha 1.0: 1/1 passed (100%), 0 failed, 0 errored, 0 unsupported, 0 skipped",
        "beta ?: 0/1 passed (0%), 1 failed, 0 errored, 0 unsupported, 0 skipped",
    ]
    assert "| a | ✅ | ❌ |" in (tmp_path / "m.md").read_text()
    printed = CliRunner().invoke(cli, ["matrix", str(tmp_path / "alpha.json")])
    assert printed.output.startswith("# S3 compatibility matrix")
    (tmp_path / "junk.json").write_text("[1, 2")
    assert CliRunner().invoke(cli, ["matrix", str(tmp_path / "junk.json")]).exit_code == 2


def test_committed_matrix_is_current() -> None:
    """docs/compatibility.{md,html} are what `make matrix` (`s3tester matrix golden/*/v1.1.json
    --suite suites/v1`) makes now."""
    from s3tester.suite.loader import load_suite

    files = sorted((ROOT / "golden").glob("*/v1.1.json"))
    if not files:
        pytest.skip("no golden files yet")
    about = {c.id: c.group.description for c in load_suite(ROOT / "suites" / "v1").cases}
    m = matrix.build([golden_files.read_golden(f) for f in files], descriptions=about)
    assert (ROOT / "docs" / "compatibility.md").read_text(encoding="utf-8") == matrix.markdown(m)
    assert (ROOT / "docs" / "compatibility.html").read_text(encoding="utf-8") == matrix.html(m)


# -- headless Chromium -------------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium, which `make test` installs (scripts/install-system.sh); never here."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("chromium is not installed: bash scripts/install-system.sh chromium (as root; make test runs it)")
    return found


def load_in_chromium(binary: str, page: Path, profile: Path) -> tuple[str, list[str]]:
    """The DOM after scripts ran, and the console/JS error lines Chromium logged."""
    proc = subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=3000", "--dump-dom",
         page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines()
              if ":CONSOLE(" in line or "Uncaught" in line or "ERROR:CONSOLE" in line]
    return proc.stdout, errors


def test_detector_sees_a_script_error(chromium: str, tmp_path: Path) -> None:
    """The console check itself works: a page with a broken script is caught."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'></head>"
                    "<body><p id='x'>x</p><script>document.getElementById('nope').textContent = 1;</script></body></html>")
    _dom, errors = load_in_chromium(chromium, page, tmp_path / "profile")
    assert any("Uncaught" in line for line in errors), errors


@pytest.mark.parametrize("source", ["sample", "committed"])
def test_html_in_headless_chromium(chromium: str, tmp_path: Path, source: str) -> None:
    if source == "sample":
        m = sample()
        page = tmp_path / "matrix.html"
        page.write_text(matrix.html(m), encoding="utf-8")
        vendors = [c.label for c in m.columns]
        total = len(m.case_ids)
    else:
        page = ROOT / "docs" / "compatibility.html"
        if not page.exists():
            pytest.skip("docs/compatibility.html not generated yet")
        files = sorted((ROOT / "golden").glob("*/v1.1.json"))
        vendors = [json.loads(f.read_text())["vendor"] for f in files]
        total = len({cid for f in files for cid in json.loads(f.read_text())["cases"]})
    dom, errors = load_in_chromium(chromium, page, tmp_path / "profile")
    assert errors == []
    assert 'data-ready="1"' in dom, "the page's script did not finish"
    assert f'<span id="shown">{total}</span>' in dom
    for vendor in vendors:
        assert f'<tr data-vendor="{vendor}">' in dom
        assert f'<th class="vendor">{vendor}<br>' in dom


def test_labels_name_the_columns_and_the_page_has_a_legend() -> None:
    from s3tester.results import golden as golden_mod
    from s3tester.results import matrix as mx
    from s3tester.results.golden import Golden, GoldenCase

    cases = {"a/x": GoldenCase(status="failed", step="test[0]", operation="GetObject", checks=["why"])}
    g = Golden(suite="s", suite_version="1.0", vendor="minio", summary=golden_mod.golden_summary(cases), cases=cases)
    m = mx.build([g, g], ["minio 2025-01", "minio 2025-06"])
    assert [c.label for c in m.columns] == ["minio 2025-01", "minio 2025-06"]
    page = mx.html(m)
    assert 'class="legend"' in page and "not implemented (501)" in page and 'title="failed: test[0] GetObject: why"' in page


def test_suite_descriptions_show_on_hover(tmp_path: Path) -> None:
    """`--suite` puts each case's description in its name cell's title, and atop its reasons."""
    (tmp_path / "objects.yaml").write_text(
        "config: {name: s3-conformance, version: '1.0'}\ngroups:\n"
        "  - name: b\n    description: 'GET of a <missing> key is 404'\n"
        "    test: [{op: ListBuckets}]\n")
    golden_files.write_golden(tmp_path / "zeta.json", gold("zeta", {"objects/b": ("failed", "status: expected 404, got 200")}))
    out = CliRunner().invoke(cli, ["matrix", str(tmp_path / "zeta.json"), "--suite", str(tmp_path / "objects.yaml"),
                                   "--html", str(tmp_path / "m.html")])
    assert out.exit_code == 0, out.output
    page = (tmp_path / "m.html").read_text()
    assert '<td class="name" title="GET of a &lt;missing&gt; key is 404">b</td>' in page
    assert '<li class="about">GET of a &lt;missing&gt; key is 404</li>' in page
    assert 'title=""' not in matrix.html(sample())
