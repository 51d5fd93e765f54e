"""`pip install .` gives a working s3tester outside the source tree.

Builds the wheel (with build isolation, as `pip install .` does) from exactly the files
the Docker build context gets (.dockerignore), installs it into a fresh venv and runs the
CLI from a directory with no suites: bare suite names, `list suites`, `--version` and
vendor profiles must come from the package data. The venv gets s3tester only from the
wheel; its dependencies are borrowed from the running environment through a .pth file (a
full dependency install from the index takes about two minutes here: set
S3TESTER_WHEEL_FULL=1 to do that instead).
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

SKIP = shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__", "*.py[co]")


def docker_context(target: Path) -> None:
    """Copy what .dockerignore lets into the image build (it is an allow-list: `*` then
    `!name`), so this test also proves the Docker build context is enough for the wheel."""
    allowed = [line[1:].strip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.startswith("!")]
    target.mkdir()
    for name in allowed:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=SKIP)
        elif source.is_file():
            shutil.copy2(source, target / name)


class Installed:
    def __init__(self, root: Path, wheel: Path) -> None:
        self.root = root
        self.wheel = wheel
        self.bin = root / "venv" / "bin"
        self.cwd = root / "elsewhere"
        self.cwd.mkdir()

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "S3_", "S3TESTER_", "PYTHON", "VIRTUAL_ENV"))}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["HOME"] = str(self.root)
        result = subprocess.run([str(self.bin / "s3tester"), *args], cwd=self.cwd, env=env,
                                capture_output=True, text=True, timeout=300)
        if check:
            assert result.returncode == 0, f"{args}: {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr}"
        return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    docker_context(source)
    dist = root / "dist"
    pip = [sys.executable, "-m", "pip"]
    subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", str(dist), str(source)], check=True,
                   capture_output=True, text=True, timeout=600)
    (wheel,) = dist.glob("s3tester-*.whl")
    venv.EnvBuilder(with_pip=True).create(root / "venv")
    vpython = root / "venv" / "bin" / "python"
    if os.environ.get("S3TESTER_WHEEL_FULL"):
        subprocess.run([str(vpython), "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=1200)
    else:
        subprocess.run([str(vpython), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True,
                       capture_output=True, text=True, timeout=300)
        purelib = subprocess.run([str(vpython), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                 check=True, capture_output=True, text=True).stdout.strip()
        # Dependencies from the running environment, after the wheel's own site-packages.
        (Path(purelib) / "_s3tester_test_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    yield Installed(root, wheel)


def test_wheel_carries_suites_schema_and_vendors(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert "s3tester/data/suites/v1/suite.yaml" in names
    assert "s3tester/data/schema/suite-file.schema.json" in names
    assert "s3tester/data/vendors/moto.yaml" in names
    ours = {p.relative_to(ROOT).as_posix() for d in ("suites", "schema", "vendors")
            for p in (ROOT / d).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    missing = sorted(f for f in ours if f"s3tester/data/{f}" not in names)
    assert not missing, missing
    assert not any(n.startswith(("tests/", "s3tester/tests")) for n in names)


def test_installed_package_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    out = subprocess.run([str(installed.bin / "python"), "-c", "import s3tester, sys; print(s3tester.__file__)"],
                         capture_output=True, text=True, check=True, cwd=installed.cwd).stdout
    assert str(installed.root / "venv") in out


def test_version_shows_the_shipped_suites(installed: Installed) -> None:
    from s3tester import __version__

    out = installed.run("--version").stdout
    assert f"s3tester {__version__}" in out
    assert "v1 (s3-conformance" in out


def test_list_suites_shows_the_packaged_suite(installed: Installed) -> None:
    out = installed.run("list", "suites").stdout
    line = next(x for x in out.splitlines() if x.startswith("v1 "))
    assert str(installed.root / "venv") in line and "s3tester/data/suites/v1" in line


def test_list_vendors_from_packaged_profiles(installed: Installed) -> None:
    out = installed.run("list", "vendors").stdout
    assert "moto" in out and "seaweedfs" in out and "minio" in out


def test_validate_and_dry_run_a_bare_suite_name(installed: Installed) -> None:
    assert "ok (" in installed.run("validate", "v1").stdout
    plan = installed.run("run", "v1", "--dry-run").stdout
    assert plan.rstrip().endswith("cases planned")


def test_run_bare_suite_name_outside_the_repo(installed: Installed) -> None:
    result = installed.run("run", "v1", "-g", "objects/put-get-roundtrip", "-g", "buckets/create-*",
                           "--format", "json", "--no-progress", check=False)
    assert result.returncode in (0, 1), result.stderr
    doc = json.loads(result.stdout)
    assert doc["suite"] == "s3-conformance" and doc["vendor"] == "moto"
    assert doc["summary"]["total"] >= 2
    assert next(c for c in doc["cases"] if c["id"] == "objects/put-get-roundtrip")["status"] == "passed"


def test_unknown_suite_name_lists_what_is_installed(installed: Installed) -> None:
    result = installed.run("run", "v9", check=False)
    assert result.returncode == 2
    assert "installed: clients, v1" in result.stderr


def test_schema_command_works_from_the_wheel(installed: Installed) -> None:
    assert json.loads(installed.run("schema").stdout)["$id"].endswith("suite-file.schema.json")
