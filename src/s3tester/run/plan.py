"""From a suite to a plan: the cases a run will send, in order, and those it will skip.

Skips are inputs, never edits of the suite: a case a vendor's golden file (or profile)
says to keep away from that server, and a case that needs a credential set the endpoint
does not have.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from s3tester.errors import ConfigError
from s3tester.run.clienttools import client_skips
from s3tester.suite.models import Case, Suite

ANONYMOUS = "anonymous"
log = logging.getLogger("s3tester.run.plan")


@dataclass(frozen=True)
class Plan:
    """The cases to run, and for some of them why they are skipped here."""

    suite: Suite
    cases: list[Case]
    skips: dict[str, str] = field(default_factory=dict)

    def skip_reason(self, case: Case) -> str | None:
        return case.group.skip or self.skips.get(case.id)


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


def credential_skips(cases: Iterable[Case], have: Iterable[str], where: str) -> dict[str, str]:
    """Cases that need a credential set the endpoint lacks, with a skip reason.

    Without `main` nothing can run (ConfigError, exit 2); without `alt` (or another extra
    set) only the cases that use it are skipped, so a user with one key pair still gets a run.
    """
    have = set(have)
    if "main" not in have:
        raise ConfigError(
            f"no 'main' credentials for {where}: set S3_ACCESS_KEY and S3_SECRET_KEY "
            "(or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE), or use --vendor"
        )
    skips: dict[str, str] = {}
    for case in cases:
        used = {s.as_ for ph in (case.group.before, case.group.test, case.group.after) for s in ph}
        missing = sorted(used - have - {ANONYMOUS})
        if missing:
            skips[case.id] = f"needs credential set {', '.join(missing)} (for alt: set S3_ALT_ACCESS_KEY and S3_ALT_SECRET_KEY)"
    if skips:
        log.warning("cases skipped for missing credentials", extra={"count": len(skips)})
    return skips


def make_plan(
    suite: Suite,
    cases: list[Case],
    skips: Mapping[str, str] | None = None,
    credentials: Iterable[str] | None = None,
    where: str = "the endpoint",
) -> Plan:
    """The selected `cases` and why some are skipped: `skips` (from a golden file or
    profile) win over missing `credentials` (checked when the endpoint's sets are known)."""
    found = credential_skips(cases, credentials, where) if credentials is not None else {}
    found.update(client_skips(cases))  # a `client:` step whose client is not installed
    ids = {c.id for c in cases}
    found.update({cid: reason for cid, reason in (skips or {}).items() if cid in ids})
    return Plan(suite, cases, found)
