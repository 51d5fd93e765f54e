"""Does the suite notice a broken server? Each fault of `faultproxy` (in front of a real
moto server) must turn at least one v1 case from passed into not passed, and a run with
`--golden` against the faulty proxy must exit 1 naming the regressed cases.

To stay fast, each fault runs only the areas it targets; the clean baseline runs their
union once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_suite
from faultproxy import FAULTS, FaultProxy

from s3tester.suite.loader import load_suite
from s3tester.suite.models import EndpointConfig, Suite

ROOT = Path(__file__).resolve().parents[1]
V1 = ROOT / "suites" / "v1"

# fault -> the v1 areas whose cases it should break
AREAS = {
    "etag-unquoted": ["objects"],
    "ignore-range": ["ranges"],
    "reverse-listing": ["listing"],
    "ignore-prefix": ["listing"],
    "ignore-max-keys": ["listing"],
    "drop-conditional": ["conditional"],
    "drop-metadata": ["objects"],
    "drop-tags": ["tagging"],
    "ignore-versioning": ["versioning"],
    "wrong-error-code": ["objects"],
    "store-chunk-framing": ["aws-chunked"],
    "ignore-checksums": ["sdk-defaults", "aws-chunked"],
}


def _groups(areas: list[str]) -> tuple[str, ...]:
    return tuple(f"{area}/*" for area in areas)


@pytest.fixture(scope="module")
def suite() -> Suite:
    return load_suite(str(V1))


@pytest.fixture(scope="module")
def proxy(moto_endpoint: EndpointConfig) -> Iterator[FaultProxy]:
    with FaultProxy(moto_endpoint.url) as running:
        yield running


@pytest.fixture(scope="module")
def proxied(moto_endpoint: EndpointConfig, proxy: FaultProxy) -> EndpointConfig:
    return moto_endpoint.model_copy(update={"url": proxy.url})


def _statuses(suite: Suite, endpoint: EndpointConfig, groups: tuple[str, ...]) -> dict[str, str]:
    result = run_suite(suite, endpoint, parallel=8, groups=groups, timeout=30)
    return {case.id: case.status for case in result.cases}


@pytest.fixture(scope="module")
def baseline(suite: Suite, proxy: FaultProxy, proxied: EndpointConfig) -> dict[str, str]:
    proxy.fault = None
    areas = sorted({area for areas in AREAS.values() for area in areas})
    return _statuses(suite, proxied, _groups(areas))


def test_every_fault_has_areas() -> None:
    assert set(AREAS) == set(FAULTS)


def test_clean_proxy_is_transparent(baseline: dict[str, str]) -> None:
    """Through the proxy without a fault, moto passes most cases of these areas."""
    assert sum(status == "passed" for status in baseline.values()) > len(baseline) // 2


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_flips_a_passing_case(fault: str, suite: Suite, proxy: FaultProxy, proxied: EndpointConfig,
                                    baseline: dict[str, str]) -> None:
    proxy.fault = fault
    try:
        before = proxy.requests.get(fault, 0)
        now = _statuses(suite, proxied, _groups(AREAS[fault]))
        assert proxy.requests.get(fault, 0) > before, "the run did not go through the proxy"
    finally:
        proxy.fault = None
    flipped = sorted(cid for cid, status in now.items() if baseline.get(cid) == "passed" and status != "passed")
    assert flipped, f"fault {fault} ({FAULTS[fault].description}) broke no passing case in {AREAS[fault]}"


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "S3TESTER_PROGRESS": "0"}
    return subprocess.run([sys.executable, "-m", "s3tester", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=env)


def test_golden_run_against_faulty_proxy_exits_1(tmp_path: Path, proxy: FaultProxy, baseline: dict[str, str]) -> None:
    """`s3tester run --golden`, the way `make test-vendor` calls it: exit 0 through the clean
    proxy, exit 1 naming the regressed cases once Range is ignored. Checked against a
    golden file made through the clean proxy and against the committed golden/moto/."""
    common = ["run", "suites/v1", "--vendor", "moto", "--endpoint", proxy.url, "-g", "ranges/*", "-j", "8"]
    proxy.fault = None
    made = _run_cli(*common, "--golden", str(tmp_path), "--update-golden")
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
    clean = _run_cli(*common, "--golden", str(tmp_path))
    assert clean.returncode == 0 and "OK: no regressions" in clean.stdout, clean.stdout[-2000:]
    committed = ROOT / "golden" / "moto"
    proxy.fault = "ignore-range"
    try:
        broken = _run_cli(*common, "--golden", str(tmp_path))
        against_committed = _run_cli(*common, "--golden", "golden/") if committed.is_dir() else None
    finally:
        proxy.fault = None
    assert broken.returncode == 1, broken.stdout[-3000:] + broken.stderr[-2000:]
    regressed = [line.split()[1].rstrip(":") for line in broken.stdout.splitlines() if line.startswith("  REGRESSION ")]
    assert regressed and all(baseline.get(cid) == "passed" for cid in regressed)
    assert any(cid.startswith("ranges/") for cid in regressed)
    verdict = broken.stdout.strip().splitlines()[-1]
    assert verdict.startswith("FAIL: ") and all(cid in verdict for cid in regressed)
    if against_committed is not None:
        assert against_committed.returncode == 1, against_committed.stdout[-3000:]
        assert "  REGRESSION ranges/" in against_committed.stdout
