"""`python -m s3tester` and the `s3tester` console script.

`--version` is answered here without importing click, pathlib, yaml or the rest of the CLI,
so it costs about as much as starting Python (docs/performance.md). Its text equals
`cli._version_text()`; anything this reader is unsure of falls back to the full CLI.
"""

from __future__ import annotations

import os
import sys

_YAML_SPECIAL = {"", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n"}


def _scalar(raw: str) -> str | None:
    """A top-level YAML scalar as yaml.safe_load + str() would give it, or None if unsure."""
    value = raw.split(" #", 1)[0].strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        return None if any(c in inner for c in "\\'\"") else inner
    if value.lower() in _YAML_SPECIAL or value[0] in "[]{}&*!|>'\"%@`#,?:-." or value[0].isdigit():
        return None
    if ": " in value or value.endswith(":"):
        return None
    return value


def _suite_meta(path: str) -> tuple[str, str] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    found: dict[str, str | None] = {}
    for line in lines:
        key, sep, rest = line.partition(":")
        if sep and key in ("name", "version"):
            found[key] = _scalar(rest)
        elif line.startswith(("---", "...", "%")) or line[:1] in ("{", "["):
            return None  # several documents, directives or flow style: let yaml decide
    name, version = found.get("name"), found.get("version")
    return (name, version) if name and version else None


def _suite_dirs() -> list[str]:
    """The directories paths.suite_dirs() returns, found with os.path only."""
    package = os.path.dirname(os.path.realpath(__file__))
    candidates = [p for p in os.environ.get("S3TESTER_SUITE_DIRS", "").split(os.pathsep) if p]
    candidates.append(os.path.join(os.getcwd(), "suites"))
    parent = package
    for _ in range(3):
        parent = os.path.dirname(parent)
        if os.path.isfile(os.path.join(parent, "pyproject.toml")) and os.path.isdir(os.path.join(parent, "suites")):
            candidates.append(os.path.join(parent, "suites"))
            break
    candidates.append(os.path.join(package, "data", "suites"))
    out: list[str] = []
    for path in candidates:
        resolved = os.path.realpath(os.path.abspath(path))
        if os.path.isdir(resolved) and resolved not in out:
            out.append(resolved)
    return out


def version_text() -> str | None:
    """`s3tester X\\nsuites: ...` like the CLI prints it, or None when only yaml can tell."""
    from s3tester import __version__

    found: dict[str, tuple[str, str]] = {}
    for directory in _suite_dirs():
        for child in sorted(os.listdir(directory)):
            meta_file = os.path.join(directory, child, "suite.yaml")
            if child in found or not os.path.isfile(meta_file):
                continue
            meta = _suite_meta(meta_file)
            if meta is None:
                return None
            found[child] = meta
    suites = ", ".join(f"{key} ({name} {version})" for key, (name, version) in found.items()) or "none found"
    return f"s3tester {__version__}\nsuites: {suites}"


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        text = version_text()
        if text is not None:
            sys.stdout.write(text + "\n")
            sys.exit(0)
    from s3tester.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
