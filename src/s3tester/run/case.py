"""Run one case: `before`, `test` and `after` phases, the verdict, and bucket cleanup.

`before` failure -> errored; `test` mismatch -> failed; 501 -> unsupported; `after`
always runs; every bucket named through `${bucket...}` is removed after the case.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from s3tester.deadline import NoAnswer, with_deadline
from s3tester.masking import Masker
from s3tester.results.records import CaseResult
from s3tester.run.cleanup import remove_bucket
from s3tester.run.clients import Clients
from s3tester.run.health import Health
from s3tester.run.names import BUCKET_PREFIX, bucket_name
from s3tester.run.steps import StepResult, StepRunner
from s3tester.suite.models import Case, Step
from s3tester.suite.variables import Scope, UndefinedVariable

MASKED_FIELDS = ("reason", "expected", "actual", "mismatches", "leftovers")
SHOWN_CHARS = 400  # each masked string of a case result is cut to this, after masking


class CanonicalIdUnknown(Exception):
    """`${cred:NAME}` could not be resolved: the server did not say who NAME is."""


class CaseRunner:
    """Runs the cases of one run; shared by the worker threads."""

    def __init__(
        self,
        clients: Clients,
        steps: StepRunner,
        health: Health,
        masker: Masker,
        run_id: str,
        stop: threading.Event,
        bucket_prefix: str = BUCKET_PREFIX,
    ) -> None:
        self.clients = clients
        self.steps = steps
        self.health = health
        self.masker = masker
        self.run_id = run_id
        self.stop = stop
        self.bucket_prefix = bucket_prefix
        self.created: set[str] = set()  # every bucket name handed out, for interrupted cleanup
        self.removed: set[str] = set()  # ... and those a case's cleanup saw gone
        self._canonical: dict[str, str] = {}

    def _cred(self, ref: str) -> str:
        name, _, attr = ref.partition(".")
        if attr == "access_key":
            return str(self.clients.credentials(name).access_key)
        if name not in self._canonical:
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                owner = self.clients.get(name).list_buckets().get("Owner", {})
            except (ClientError, BotoCoreError) as exc:
                raise CanonicalIdUnknown(f"canonical id of '{name}': ListBuckets failed: {exc}") from None
            if not owner.get("ID"):
                raise CanonicalIdUnknown(f"canonical id of '{name}': ListBuckets returned no Owner.ID")
            self._canonical[name] = owner["ID"]
        return self._canonical[name]

    def run(self, case: Case, index: int, skip: str | None = None) -> CaseResult:
        group = case.group
        base = CaseResult(id=case.id, area=case.area, status="passed", description=group.description, tags=list(group.tags))
        if skip:
            return base.model_copy(update={"status": "skipped", "reason": skip})
        if self.stop.is_set():
            return base.model_copy(update={"status": "skipped", "reason": "interrupted"})
        if self.health.down:
            return base.model_copy(update={"status": "errored", "reason": self.health.down})
        buckets: dict[str, str] = {}

        def bucket(hint: str) -> str:
            if hint not in buckets:
                buckets[hint] = bucket_name(self.bucket_prefix, self.run_id, index, hint)
                self.created.add(buckets[hint])
            return buckets[hint]

        scope = Scope({"run_id": self.run_id, "case_id": case.id}, bucket, self._cred)
        started = time.perf_counter()
        result = base
        for phase in ("before", "test"):
            outcome = self._phase(phase, getattr(group, phase), scope)
            if outcome is not None:
                result = _verdict(base, phase, *outcome)
                break
        after = self._phase("after", group.after, scope)
        if after is not None and result.status == "passed":
            result = _verdict(base, "after", *after).model_copy(update={"status": "errored"})
        leftovers = self.cleanup(list(buckets.values()))
        return self._masked(result.model_copy(update={"duration": round(time.perf_counter() - started, 4), "leftovers": leftovers}))

    def _phase(self, phase: str, steps: list[Step], scope: Scope) -> tuple[int, Step, StepResult | str] | None:
        """None if every step passed, else (index, step, what went wrong)."""
        for i, step in enumerate(steps):
            if self.stop.is_set() and phase != "after":
                return i, step, "interrupted"
            if self.health.down:
                return i, step, f"not sent: {self.health.down}"
            try:
                outcome = self.steps.run(step, scope)
            except NoAnswer as exc:
                if exc.timed_out:
                    return i, step, self.health.timed_out(str(exc))
                return i, step, self.health.lost(str(exc)) if exc.connection else str(exc)
            except (UndefinedVariable, CanonicalIdUnknown) as exc:
                return i, step, str(exc)
            except Exception as exc:  # a bad parameter value botocore refused, etc.
                return i, step, f"{type(exc).__name__}: {_one_line(exc)}"
            self.health.answered()
            scope.values.update(outcome.saved)
            if not outcome.ok:
                return i, step, outcome
        return None

    def cleanup(self, names: list[str]) -> list[str]:
        """Remove the buckets `names`; what could not be removed, with why."""
        if not names:
            return []
        creds = self.clients.endpoint.credentials
        order = ["main", *[n for n in creds if n != "main"]]
        order = [n for n in order if n in creds]
        # lazily: a client for another credential set is made only if `main` cannot remove it
        left = [self._remove(name, order) for name in names]
        return [reason for reason in left if reason]

    def _remove(self, name: str, order: list[str]) -> str | None:
        """remove_bucket under a deadline; a hung endpoint leaves the bucket, reported."""
        if self.health.down:
            return f"{name}: not removed: {self.health.down}"
        try:
            reason = with_deadline(
                lambda: remove_bucket((self.clients.get(n) for n in order), name),
                self.clients.timeout * len(order) + 1.0, "cleanup",
            )
        except NoAnswer as exc:
            return self.health.timed_out(f"{name}: not removed: {exc}")
        except Exception as exc:  # a hostile answer, a botocore error: recorded on the case, the run goes on
            return f"{name}: not removed: {type(exc).__name__}: {_one_line(exc)}"
        if reason is None:
            self.removed.add(name)
        return reason

    def _masked(self, result: CaseResult) -> CaseResult:
        """A case result with secrets masked: a failing step shows its response, and a presigned
        URL in it carries the session token and signature."""
        update = {f: self.masker.mask_tree(getattr(result, f), limit=SHOWN_CHARS) for f in MASKED_FIELDS}
        changed = {k: v for k, v in update.items() if v != getattr(result, k)}
        return result.model_copy(update=changed) if changed else result


def _verdict(base: CaseResult, phase: str, index: int, step: Step, what: StepResult | str) -> CaseResult:
    where = f"{phase}[{index}]"
    if isinstance(what, str):
        status = "skipped" if what == "interrupted" else "errored"
        return base.model_copy(update={"status": status, "step": where, "operation": step.label, "reason": f"{where} {step.label}: {what}"})
    if what.unsupported:
        code = what.outcome.error_code if what.outcome else "501"
        return base.model_copy(update={
            "status": "unsupported", "step": where, "operation": step.label,
            "reason": f"{where} {step.label}: not implemented ({code})",
        })
    first = what.mismatches[0]
    more = f" (+{len(what.mismatches) - 1} more)" if len(what.mismatches) > 1 else ""
    return base.model_copy(update={
        "status": "errored" if phase == "before" else "failed",
        "step": where,
        "operation": step.label,
        "expected": _jsonable(first.expected),
        "actual": _jsonable(first.actual),
        "mismatches": [str(m) for m in what.mismatches],
        "reason": f"{where} {step.label}: {first}{more}",
    })


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)
