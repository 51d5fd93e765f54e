"""Where suites, schemas and vendor profiles are found: a source checkout or the package.

Resolution order for a suite argument: a path that exists wins; otherwise a bare name
(`v1`) is looked up as `<dir>/<name>/suite.yaml` in `$S3TESTER_SUITE_DIRS`
(os.pathsep-separated), `./suites`, the source checkout's `suites/`, and the suites the
wheel ships in `s3tester/data/suites/`. The wheel's build step (setup.py) copies
`suites/`, `schema/` and `vendors/` there; a source checkout uses them in place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from s3tester.errors import ConfigError, Location

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
SUITE_FILE = "suite.yaml"


def source_root() -> Path | None:
    """The source checkout this package runs from (editable install), if any."""
    for parent in PACKAGE_DIR.parents[:3]:
        if (parent / "pyproject.toml").is_file() and (parent / "suites").is_dir():
            return parent
    return None


def data_dirs(kind: str, env_var: str | None = None) -> list[Path]:
    """Existing directories holding `kind` (suites, schema, vendors), first match wins."""
    candidates: list[Path] = []
    if env_var:
        candidates += [Path(p) for p in os.environ.get(env_var, "").split(os.pathsep) if p]
    candidates.append(Path.cwd() / kind)
    root = source_root()
    if root is not None:
        candidates.append(root / kind)
    candidates.append(DATA_DIR / kind)
    seen: set[Path] = set()
    out: list[Path] = []
    for path in candidates:
        resolved = path.resolve()
        if resolved.is_dir() and resolved not in seen:
            seen.add(resolved)
            out.append(resolved)
    return out


def suite_dirs() -> list[Path]:
    return data_dirs("suites", "S3TESTER_SUITE_DIRS")


def schema_dir() -> Path | None:
    dirs = data_dirs("schema")
    return dirs[0] if dirs else None


@dataclass(frozen=True)
class InstalledSuite:
    key: str  # directory name: what `s3tester run KEY` accepts
    path: Path
    name: str
    version: str
    description: str


def _read_meta(path: Path) -> tuple[str, str, str]:
    import yaml

    try:
        data = yaml.safe_load((path / SUITE_FILE).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return ("?", "?", "unreadable suite.yaml")
    if not isinstance(data, dict):
        return ("?", "?", "suite.yaml is not a mapping")
    desc = " ".join(str(data.get("description") or "").split())
    return (str(data.get("name", "?")), str(data.get("version", "?")), desc)


def list_suites() -> list[InstalledSuite]:
    """Every suite directory in `suite_dirs()`; a name found twice resolves to the first."""
    found: dict[str, InstalledSuite] = {}
    for directory in suite_dirs():
        for child in sorted(directory.iterdir()):
            if child.is_dir() and (child / SUITE_FILE).is_file() and child.name not in found:
                name, version, desc = _read_meta(child)
                found[child.name] = InstalledSuite(child.name, child, name, version, desc)
    return list(found.values())


def _bare_name(text: str) -> bool:
    return bool(text) and os.sep not in text and "/" not in text and not text.endswith((".yaml", ".yml"))


def resolve_suite(arg: str) -> str:
    """`arg` if it exists, else the installed suite directory named `arg`.

    Raises ConfigError listing what is installed when neither exists.
    """
    if Path(arg).exists() or not _bare_name(arg):
        return arg
    for directory in suite_dirs():
        candidate = directory / arg
        if (candidate / SUITE_FILE).is_file():
            return str(candidate)
    installed = ", ".join(s.key for s in list_suites()) or "none"
    raise ConfigError(
        f"no such file or directory, and no installed suite named '{arg}' "
        f"(installed: {installed}; see 's3tester list suites')",
        Location(arg),
    )


def suite_versions() -> str:
    """`v1 (s3-conformance 1.0)` for every installed suite, for `--version`."""
    return ", ".join(f"{s.key} ({s.name} {s.version})" for s in list_suites()) or "none found"
