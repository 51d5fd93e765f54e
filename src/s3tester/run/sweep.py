"""`s3tester clean`: remove what an interrupted or killed run left behind, and only that.

Every bucket a run creates is named `s3t-<run id>-...` (see `names.bucket_name`). Clean
lists the endpoint's buckets (as every credential set, since a case may create a bucket
as `alt`), keeps those whose name starts with the run's prefix and removes them the way a
case's cleanup does (versions, delete markers, uploads, governance-mode object lock).
A bucket without the prefix is never touched, whatever it holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from s3tester.deadline import NoAnswer, with_deadline
from s3tester.defaults import DEFAULT_TIMEOUT
from s3tester.errors import ConfigError, EndpointError
from s3tester.run.cleanup import remove_bucket
from s3tester.run.clients import Clients
from s3tester.run.names import BUCKET_PREFIX, run_prefix
from s3tester.suite.models import EndpointConfig

RUN_ID = re.compile(r"^[a-z0-9]{1,40}$")
PREFIX = re.compile(r"^[a-z0-9][a-z0-9.-]*$")


@dataclass
class Swept:
    prefix: str
    removed: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # "name: why"
    found: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return not self.left


def prefix_for(run_id: str | None, prefix: str | None) -> str:
    """The bucket-name prefix to clean: from a run id, or given (it must be s3tester's)."""
    if (run_id is None) == (prefix is None):
        raise ConfigError("clean needs exactly one of --run-id ID or --prefix PREFIX")
    if run_id is not None:
        if not RUN_ID.match(run_id):
            raise ConfigError(f"--run-id: '{run_id}' is not a run id (lowercase letters and digits, as in results.json)")
        return run_prefix(BUCKET_PREFIX, run_id)
    assert prefix is not None
    if not PREFIX.match(prefix) or not prefix.startswith(f"{BUCKET_PREFIX}-"):
        raise ConfigError(
            f"--prefix: '{prefix}' is not an s3tester bucket prefix (it must start with "
            f"'{BUCKET_PREFIX}-'; clean never removes buckets s3tester did not name)"
        )
    return prefix


def sweep(endpoint: EndpointConfig, prefix: str, dry_run: bool = False, timeout: float = DEFAULT_TIMEOUT) -> Swept:
    """Remove every bucket whose name starts with `prefix`; report what could not go."""
    from botocore.exceptions import BotoCoreError, ClientError

    if not prefix.startswith(f"{BUCKET_PREFIX}-") or len(prefix) <= len(BUCKET_PREFIX) + 1:
        raise ConfigError(f"refusing to clean with prefix '{prefix}'")
    clients = Clients(endpoint, timeout)
    order = ["main", *sorted(n for n in endpoint.credentials if n != "main")]
    order = [n for n in order if n in endpoint.credentials]
    names: set[str] = set()
    for who in order:
        try:
            listed = with_deadline(partial(_list, clients, who), timeout + 1.0, "ListBuckets")
        except (NoAnswer, BotoCoreError) as exc:
            if who == "main":
                raise EndpointError(f"cannot list buckets at {endpoint.url}: {exc}") from None
            continue
        except ClientError:
            continue  # this credential set may not list: the others still can
        names.update(b["Name"] for b in listed.get("Buckets", []) if b.get("Name", "").startswith(prefix))
    result = Swept(prefix, found=sorted(names))
    for name in result.found:
        assert name.startswith(prefix)  # the one rule: nothing without the prefix
        if dry_run:
            continue
        try:
            reason = with_deadline(partial(_remove, clients, order, name), timeout * len(order) + 1.0, "cleanup")
        except NoAnswer as exc:
            reason = f"{name}: {exc}"
        if reason:
            result.left.append(reason)
        else:
            result.removed.append(name)
    return result


def _list(clients: Clients, who: str) -> Any:
    return clients.get(who).list_buckets()


def _remove(clients: Clients, order: list[str], name: str) -> str | None:
    return remove_bucket((clients.get(n) for n in order), name)
