"""Run ids and the bucket names a run hands out: `s3t-<run id>-<case index>[-hint]`.

The prefix is how cleanup and `s3tester clean` know a bucket is the run's own.
"""

from __future__ import annotations

import re
import secrets
import string

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
