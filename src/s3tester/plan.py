"""From a suite to the cases to run: filters, run ids and fresh bucket names."""

from __future__ import annotations

import fnmatch
import re
import secrets
import string

from s3tester.models import Case, Suite

BUCKET_PREFIX = "s3t"
_ALPHABET = string.ascii_lowercase + string.digits


def new_run_id() -> str:
    """8 lowercase letters/digits, starting with a letter: unique per run, valid in bucket names."""
    return secrets.choice(string.ascii_lowercase) + "".join(secrets.choice(_ALPHABET) for _ in range(7))


def bucket_name(prefix: str, run_id: str, index: int, hint: str = "") -> str:
    """`s3t-<run>-<case index>[-hint]`: valid (3-63 chars, lowercase, digits, hyphens), run-unique."""
    clean = re.sub(r"[^a-z0-9-]+", "-", hint.lower()).strip("-")
    name = f"{prefix}-{run_id}-{index:04d}" + (f"-{clean}" if clean else "")
    return name[:63].rstrip("-")


def run_prefix(prefix: str, run_id: str) -> str:
    return f"{prefix}-{run_id}-"


def _matches(case: Case, pattern: str) -> bool:
    if "/" not in pattern and not any(ch in pattern for ch in "*?["):
        return case.area == pattern or case.id == pattern or case.group.name == pattern
    return fnmatch.fnmatchcase(case.id, pattern) or fnmatch.fnmatchcase(case.group.name, pattern)


def select(suite: Suite, groups: tuple[str, ...] = (), tags: tuple[str, ...] = ()) -> list[Case]:
    """Cases whose id/area/name match any `groups` pattern and that carry any of `tags`."""
    chosen = []
    for case in suite.cases:
        if groups and not any(_matches(case, p) for p in groups):
            continue
        if tags and not set(tags) & set(case.group.tags):
            continue
        chosen.append(case)
    return chosen
