"""The drivers the README names, as a new user runs them: from a fresh copy of the
repository, with no activated venv (PATH without .venv/bin), on the embedded moto server
and a fast subset of cases (`-g 'buckets/*'`). The full runs per vendor are
`make conformance` (and, in `make test`, tests/test_golden.py::test_vendor_matches_golden)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUBSET = "-g buckets/*"
MAKE = ["make"]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every tracked file of the checkout, as it is now, in a new directory."""
    stamps = [ROOT / ".venv" / name for name in (".installed-run", ".installed")]
    if not all(p.exists() for p in stamps) or stamps[0].stat().st_mtime > stamps[1].stat().st_mtime:
        pytest.skip("needs the checkout's venv, installed by make (make venv)")
    # The copy shares that venv (copy2 keeps mtimes, so make finds it up to date and
    # never reinstalls it from the copy).
    copy = tmp_path_factory.mktemp("clone") / "s3tester"
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name, follow_symlinks=False)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    if (ROOT / ".tools").is_dir():
        (copy / ".tools").symlink_to(ROOT / ".tools")
    return copy


def drive(fresh: Path, *cmd: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH") and not k.startswith("S3TESTER_")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "/usr/bin:/bin").split(os.pathsep)
                                  if not p.startswith(str(ROOT)) and ".venv" not in p)
    env["S3TESTER_PROGRESS"] = "0"
    return subprocess.run(list(cmd), cwd=fresh, env=env, capture_output=True, text=True, timeout=600)


def test_make_run(fresh: Path) -> None:
    done = drive(fresh, *MAKE, "run", f"ARGS={SUBSET}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "TOTAL" in done.stdout and " passed, " in done.stdout


def test_make_test_vendor(fresh: Path) -> None:
    done = drive(fresh, *MAKE, "test-vendor", "VENDOR=moto", f"ARGS={SUBSET}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "OK: no regressions" in done.stdout + done.stderr


def test_make_golden_update_and_matrix(fresh: Path) -> None:
    done = drive(fresh, *MAKE, "golden-update", "VENDOR=moto", f"ARGS={SUBSET}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "is up to date" in done.stdout + done.stderr
    matrix = drive(fresh, *MAKE, "matrix")
    assert matrix.returncode == 0 and "moto 5" in matrix.stdout, matrix.stderr
    assert "<html" in (fresh / "docs" / "compatibility.html").read_text(encoding="utf-8")


def test_make_conformance_and_nox_conformance(fresh: Path) -> None:
    done = drive(fresh, *MAKE, "conformance", "SESSIONS=conformance(vendor='moto')", f"ARGS={SUBSET}")
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    assert "Session conformance(vendor='moto') was successful" in done.stderr
    nox = drive(fresh, ".venv/bin/nox", "-s", "conformance(vendor='moto')", "--", "-g", "buckets/*")
    assert nox.returncode == 0, (nox.stdout + nox.stderr)[-2000:]


def test_nox_golden_update(fresh: Path) -> None:
    done = drive(fresh, ".venv/bin/nox", "-s", "golden_update", "--", "moto")
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    assert "golden golden/moto/v1.1.json is up to date" in done.stdout + done.stderr
