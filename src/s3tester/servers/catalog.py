"""Finding and loading vendor profiles: by name in the vendor dirs, or by path.

Loading validates the whole profile and reports every problem at its `file:line:col`.
Environment variables are not resolved here (`profile_env` does it for a run), so
listing profiles never needs them.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from s3tester.errors import ConfigError, Location, Problem
from s3tester.paths import data_dirs, source_root
from s3tester.servers.profiles import VendorProfile
from s3tester.suite import yamlpos

PROFILE_SUFFIXES = (".yaml", ".yml")


def vendor_dirs() -> list[Path]:
    """Where profiles are looked up, first match wins: `$S3TESTER_VENDOR_DIRS`
    (os.pathsep-separated), `./vendors`, the source checkout's `vendors/`, then the
    profiles shipped inside the package (see `paths.data_dirs`)."""
    return data_dirs("vendors", "S3TESTER_VENDOR_DIRS")


def tools_dir() -> Path:
    """Where `scripts/install-vendor.sh` installs servers: `$S3TESTER_TOOLS_DIR`, else
    `.tools/` of the source checkout, else `./.tools`."""
    env = os.environ.get("S3TESTER_TOOLS_DIR")
    if env:
        return Path(env).resolve()
    root = source_root()
    return (root if root is not None else Path.cwd()).resolve() / ".tools"


def _profile_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for directory in vendor_dirs():
        for path in sorted(directory.iterdir()):
            if path.suffix in PROFILE_SUFFIXES and path.is_file():
                found.setdefault(path.stem, path)
    return found


def _looks_like_path(name_or_path: str) -> bool:
    return name_or_path.endswith(PROFILE_SUFFIXES) or os.sep in name_or_path or "/" in name_or_path


def load_profile(name_or_path: str) -> VendorProfile:
    """Load a profile by name (`seaweedfs`) or path (`vendors/seaweedfs.yaml`).

    Raises ConfigError (exit 2) naming `file:line:col` for each problem.
    """
    if _looks_like_path(name_or_path):
        return _load_file(Path(name_or_path))
    files = _profile_files()
    if name_or_path not in files:
        close = difflib.get_close_matches(name_or_path, files, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        searched = ", ".join(str(d) for d in vendor_dirs()) or "no vendor dirs"
        raise ConfigError(
            f"unknown vendor '{name_or_path}' ({hint}`s3tester list vendors` shows the "
            f"known ones; searched {searched})"
        )
    return _load_file(files[name_or_path])


def list_profiles() -> list[VendorProfile]:
    """Every profile in `vendor_dirs()`, sorted by name; a broken one raises ConfigError."""
    return [_load_file(path) for _, path in sorted(_profile_files().items())]


def launchable_vendors() -> list[str]:
    """Names of the profiles s3tester can start here (those with `launch:`)."""
    return [p.name for p in list_profiles() if p.launch is not None]


def _load_file(path: Path) -> VendorProfile:
    shown = _shown(path)
    data = yamlpos.load(path, shown)
    if not isinstance(data, dict):
        kind = "an empty file" if data is None else "a list" if isinstance(data, list) else "a scalar"
        raise ConfigError(f"a vendor profile is a mapping, got {kind}", Location(shown, 1, 1))
    try:
        profile = VendorProfile.model_validate({"name": path.stem, **data})
    except ValidationError as exc:
        problems = [_problem(data, shown, err) for err in exc.errors()]
        raise ConfigError(problems[0].message, problems[0].location, problems) from None
    if profile.name != path.stem:
        loc = yamlpos.locate(data, ("name",)) or Location(shown)
        raise ConfigError(f"name '{profile.name}' differs from the file name '{path.stem}'", loc)
    profile._source = shown
    return profile


def _problem(data: dict[str, Any], shown: str, err: Any) -> Problem:
    loc_path: tuple[Any, ...] = tuple(err["loc"])
    message: str = err["msg"]
    if err["type"] == "profile":  # from _located: the path is in the context
        loc_path = loc_path + tuple(err["ctx"]["path"])
    shown_path = loc_path
    if err["type"] == "extra_forbidden":
        message = f"unknown key '{loc_path[-1]}'"
        location = yamlpos.locate(data, loc_path, key=True)
        shown_path = loc_path[:-1]
    else:
        location = yamlpos.locate(data, loc_path)
        message = message.removeprefix("Value error, ")
    where = _dotted(shown_path)
    if where:
        message = f"{where}: {message}"
    return Problem(location or Location(shown), message)


def _dotted(path: tuple[Any, ...]) -> str:
    """('launch', 'command', 2) -> 'launch.command[2]'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
