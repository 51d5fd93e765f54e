"""Build hook (everything else is in pyproject.toml): ship `suites/`, `schema/` and
`vendors/` inside the wheel as `s3tester/data/`, where `s3tester.paths` finds them when
no source checkout is around. Editable installs use the checkout's directories in place."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PACKAGED = ("suites", "schema", "vendors")


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "s3tester" / "data"
        shutil.rmtree(target, ignore_errors=True)  # no stale files from an earlier build
        for name in PACKAGED:
            source = ROOT / name
            if not source.is_dir():
                raise SystemExit(f"setup.py: {source} is missing; cannot package {name}/")
            shutil.copytree(source, target / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))


setup(cmdclass={"build_py": BuildPyWithData})
