"""Golden files on disk: `<golden dir>/<vendor>/v<suite version>.json` (or a `.json`
path), read, written atomically, checked against a run, and the skips they record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from s3tester.errors import ConfigError, Location, Problem
from s3tester.output import write_atomic
from s3tester.results.golden import FORMATS, Golden
from s3tester.results.golden_diff import Diff, compare, diff_lines, merge
from s3tester.results.normalize import normalize
from s3tester.results.records import RunResult


def golden_path(golden: str | Path, vendor: str, suite_version: str) -> Path:
    """A `.json` path is the file itself; a directory holds `<vendor>/v<version>.json`."""
    path = Path(golden)
    if path.suffix == ".json":
        return path
    return path / vendor / f"v{suite_version}.json"


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def find_golden(golden: str | Path, vendor: str, suite_version: str) -> Path:
    """The golden file to compare with: `v<version>.json`, else the newest earlier minor
    version of the same major (a 1.0 file serves a 1.1 run: its added cases are `new`)."""
    exact = golden_path(golden, vendor, suite_version)
    if exact.exists() or Path(golden).suffix == ".json":
        return exact
    candidates = []
    for found in exact.parent.glob(f"v{_major(suite_version)}.*.json") if exact.parent.is_dir() else ():
        version = found.name[1:-5]
        if _major(version) == _major(suite_version) and _key(version) <= _key(suite_version):
            candidates.append((_key(version), found))
    return max(candidates)[1] if candidates else exact


def read_golden(path: str | Path) -> Golden:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no golden file at {path}: create it with --update-golden") from None
    except OSError as exc:
        raise ConfigError(f"cannot read golden file: {exc.strerror}", Location(str(path))) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(exc.msg, Location(str(path), exc.lineno, exc.colno)) from None
    if isinstance(data, dict) and data.get("format", 1) not in FORMATS:
        raise ConfigError(f"golden file {path} has format {data.get('format')}: this s3tester reads {FORMATS}")
    try:
        return Golden.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(Location(str(path)), f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}")
            for err in exc.errors()
        ]
        raise ConfigError(f"invalid golden file {path}", Location(str(path)), problems) from None


def load_any(path: str | Path, complete: bool = False) -> Golden:
    """A golden file or a results file, as a Golden (results are normalized). With
    `complete`, a results file of an interrupted run is refused."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(exc.msg, Location(str(path), exc.lineno, exc.colno)) from None
    if isinstance(data, dict) and isinstance(data.get("cases"), list):
        if complete and data.get("complete") is False:
            raise ConfigError(f"{path} is from an interrupted run: it cannot update a golden file")
        try:
            return normalize(RunResult.model_validate(data))
        except ValidationError as exc:
            raise ConfigError(f"{path}: not a valid results file ({exc.error_count()} problems)") from None
    return read_golden(path)


def write_golden(path: str | Path, golden: Golden) -> None:
    write_atomic(path, golden.to_json())


def check_same_suite(golden: Golden, current: Golden, where: str | Path, golden_vendor: str | None = None) -> None:
    """Exit 2 for a golden file of another suite, suite major version or vendor (unless
    `golden_vendor` names it: a cross-vendor comparison on purpose). Another minor
    version of the same suite is compared: cases it lacks are `new`."""
    if golden.suite != current.suite or _major(golden.suite_version) != _major(current.suite_version):
        raise ConfigError(
            f"golden file {where} is for suite {golden.suite} {golden.suite_version}, "
            f"this run is {current.suite} {current.suite_version}"
        )
    if golden.vendor != current.vendor and golden.vendor != golden_vendor:
        raise ConfigError(
            f"golden file {where} was recorded for vendor {golden.vendor}, this run is {current.vendor}: "
            f"pass --golden-vendor {golden.vendor} to compare across vendors on purpose"
        )


def golden_skips(golden: str | Path, vendor: str, suite_version: str) -> dict[str, str]:
    """Case id -> why it is never sent to `vendor`, from the golden file's hand-written
    `skip` (a case that hangs or crashes that server). An input of the run's plan."""
    path = find_golden(golden, vendor, suite_version)
    try:
        found = read_golden(path) if path.is_file() else None
    except ConfigError:
        return {}  # reported when the run is compared
    cases = found.cases.items() if found else ()
    return {cid: f"skipped on {vendor}: {case.skip}" for cid, case in cases if case.skip}


@dataclass
class Verdict:
    failed: bool
    lines: list[str]
    path: Path
    diff: Diff | None = None


def check(
    current: Golden,
    golden: str | Path,
    update: bool = False,
    strict: bool = False,
    in_suite: Iterable[str] | None = None,
    *,
    golden_vendor: str | None = None,
    fail_on: Iterable[str] = (),
    actual: dict[str, str] | None = None,
) -> Verdict:
    """Compare `current` with its golden file under `golden` (a directory or a file);
    with `update`, write the merged file atomically and report what changed.
    `golden_vendor`: compare with that vendor's file; `actual`: the run's real reasons."""
    vendor = golden_vendor or current.vendor
    if update:
        path = golden_path(golden, current.vendor, current.suite_version)
        source = path if path.exists() else find_golden(golden, current.vendor, current.suite_version)
        before = read_golden(source) if source.exists() else None
        if before is not None:
            check_same_suite(before, current, source)
            if source != path:
                before = before.model_copy(update={"suite_version": current.suite_version})
        merged = merge(before, current, in_suite)
        diff = compare(before, merged)
        if before is None or before.to_json() != merged.to_json():
            write_golden(path, merged)
            if before is None:
                lines = [f"created {path} ({merged.summary.total} cases, {merged.summary.passed} passed)"]
            else:
                lines = diff_lines(diff, path, updated=True)
        else:
            lines = [f"golden {path} is up to date ({merged.summary.total} cases)"]
        return Verdict(False, lines, path, diff)
    path = find_golden(golden, vendor, current.suite_version)
    before = read_golden(path)
    check_same_suite(before, current, path, golden_vendor)
    diff = compare(before, current, in_suite)
    return Verdict(diff.failed(strict, fail_on), diff_lines(diff, path, strict, fail_on=fail_on, actual=actual), path, diff)
