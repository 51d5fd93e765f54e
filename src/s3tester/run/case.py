"""Run one case: `before`, `test` and `after` phases, the verdict, and bucket cleanup.

`before` failure -> errored; `test` mismatch -> failed, and later test steps still run
when the failed request got an answer; 501 -> unsupported; `after` always runs; every
bucket named through `${bucket...}` is removed after the case. Each failing step is
recorded as a `Failure` with its mismatches as data and its wire exchange; the case's
status is the worst of them. An exception from s3tester's own code is `cause: internal`.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from s3tester.deadline import NoAnswer, with_deadline
from s3tester.errors import S3TesterError
from s3tester.masking import Masker
from s3tester.results.records import CaseResult, Failure, MismatchRecord
from s3tester.run.cleanup import remove_bucket
from s3tester.run.clients import Clients
from s3tester.run.exchange import response_kind
from s3tester.run.health import Health
from s3tester.run.names import BUCKET_PREFIX, bucket_name
from s3tester.run.steps import StepResult, StepRunner
from s3tester.suite.models import Case, Step, principal_of
from s3tester.suite.variables import Scope, UndefinedVariable

log = logging.getLogger("s3tester.run")


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
        trace: bool = False,
        keep_buckets: bool = False,
    ) -> None:
        self.trace = trace  # keep every step's exchange, not only the failing ones
        self.keep_buckets = keep_buckets  # a failed case's buckets stay, named in its result
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
        if attr == "principal":  # ${principal:NAME}: the vendor profile's Principal for NAME
            endpoint = self.clients.endpoint
            template = endpoint.principals.get(name) or principal_of("arn", name)
            template = template.replace("{access_key}", str(self.clients.credentials(name).access_key))
            return template.replace("{canonical_id}", self._cred(name)) if "{canonical_id}" in template else template
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
        failures: list[Failure] = []
        trace: list[dict[str, Any]] = []
        for phase in ("before", "test"):
            found = self._phase(phase, getattr(group, phase), scope, trace)
            failures += found
            if found and not (phase == "test" and _goes_on(found[-1])):
                break
        after = self._phase("after", group.after, scope, trace)
        if after and not failures:
            failures = [f.model_copy(update={"cause": f.cause if f.cause != "mismatch" else "error"}) for f in after[:1]]
        result = _verdict(base, failures)
        leftovers = self.cleanup(list(buckets.values())) if not (self.keep_buckets and failures) else []
        update: dict[str, Any] = {"duration": round(time.perf_counter() - started, 4), "leftovers": leftovers}
        if self.trace:
            update["trace"] = trace
        if failures and buckets and self.keep_buckets:
            update["buckets"] = sorted(buckets.values())
        return self._masked(result.model_copy(update=update))

    def _phase(self, phase: str, steps: list[Step], scope: Scope, trace: list[dict[str, Any]]) -> list[Failure]:
        """The failures of a phase: `before` and `after` stop at the first; `test` goes on
        after a mismatch in an answered step (see `_goes_on`)."""
        failures: list[Failure] = []
        for i, step in enumerate(steps):
            where = f"{phase}[{i}]"
            if self.stop.is_set() and phase != "after":
                failures.append(self._failure(where, step, "interrupted", "interrupted"))
                break
            if self.health.down:
                failures.append(self._failure(where, step, "connection", f"not sent: {self.health.down}"))
                break
            try:
                outcome: StepResult | None = self.steps.run(step, scope)
                failure = None
            except NoAnswer as exc:
                outcome = None
                if exc.timed_out:
                    failure = self._failure(where, step, "timeout", self.health.timed_out(str(exc)))
                elif exc.connection:
                    failure = self._failure(where, step, "connection", self.health.lost(str(exc)))
                else:
                    failure = self._failure(where, step, "error", str(exc))
            except (UndefinedVariable, CanonicalIdUnknown, S3TesterError, OSError) as exc:
                outcome, failure = None, self._failure(where, step, "error", str(exc))
            except Exception as exc:
                outcome = None
                if _from_botocore(exc):  # a parameter value botocore refused, an answer it could not parse
                    failure = self._failure(where, step, "error", f"{type(exc).__name__}: {_one_line(exc)}")
                else:  # s3tester's own bug: never a verdict on the server
                    log.error("s3tester bug in %s %s", where, step.label, exc_info=True)
                    failure = self._failure(where, step, "internal", f"s3tester bug: {type(exc).__name__}: {_one_line(exc)}")
            if self.trace and step.sleep is None:
                trace.append({"step": where, "operation": step.label, "exchange": self._exchange(outcome)})
            if failure is not None:
                failures.append(failure)
                break
            assert outcome is not None
            self.health.answered()
            scope.values.update(outcome.saved)
            if not outcome.ok:
                failures.append(self._mismatch(phase, where, step, outcome))
                if not (phase == "test" and _goes_on(failures[-1])) or outcome.save_failed:
                    break
        return failures

    def _exchange(self, outcome: StepResult | None) -> dict[str, Any] | None:
        found = outcome.exchange if outcome is not None else self.steps.exchange()
        return found.finish(self.masker) if found is not None else None

    def _failure(self, where: str, step: Step, cause: str, text: str) -> Failure:
        exchange = self._exchange(None)
        return Failure(step=where, operation=step.label, cause=cause, reason=f"{where} {step.label}: {text}",
                       answer=response_kind(exchange) if cause not in ("timeout", "connection") else "none",
                       credential=step.as_, exchange=exchange)

    def _mismatch(self, phase: str, where: str, step: Step, what: StepResult) -> Failure:
        exchange = self._exchange(what)
        out = what.outcome
        code = out.error_code if out else None
        status = out.status if out else None
        if what.unsupported:
            return Failure(step=where, operation=step.label, cause="unsupported", error_code=code, http_status=status,
                           reason=f"{where} {step.label}: not implemented ({code or '501'})",
                           answer=response_kind(exchange), credential=step.as_, exchange=exchange)
        records = [MismatchRecord(**m.to_dict()) for m in what.mismatches]
        text = "; ".join(r.message for r in records)
        shown = _body_hint(exchange) if code and code.isdigit() else ""
        return Failure(step=where, operation=step.label, cause="mismatch", reason=f"{where} {step.label}: {text}{shown}",
                       mismatches=records, error_code=code, http_status=status, answer=response_kind(exchange),
                       credential=step.as_, exchange=exchange)

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
        URL in it carries the session token and signature. (Exchanges were masked before
        their bodies were cut; this is the second pass over everything else.)"""
        if result.status in ("passed", "skipped") and not result.trace and not result.leftovers:
            return result
        data = result.model_dump(mode="json")
        masked = self.masker.mask_tree(data)
        return result if masked == data else CaseResult.model_validate(masked)


RANK = {"errored": 3, "failed": 2, "unsupported": 1, "skipped": 0}


def _status(failure: Failure) -> str:
    if failure.cause == "interrupted":
        return "skipped"
    if failure.cause == "unsupported":
        return "unsupported"
    if failure.cause == "mismatch" and failure.step.startswith("test"):
        return "failed"
    return "errored"


def _goes_on(failure: Failure) -> bool:
    """A test step's mismatch does not end the case when its request got an answer and
    saved what later steps need."""
    return failure.cause == "mismatch" and not any(m.check.startswith("save ") for m in failure.mismatches)


def _verdict(base: CaseResult, failures: list[Failure]) -> CaseResult:
    """The case's status is the worst of its failures; the first of those is the case's
    `step`, `reason` and `exchange` (an internal error always comes first)."""
    if not failures:
        return base
    internal = [f for f in failures if f.cause == "internal"]
    primary = internal[0] if internal else max(failures, key=lambda f: RANK[_status(f)])
    status = "errored" if internal else _status(primary)
    more = len(failures) - 1
    first = primary.mismatches[0] if primary.mismatches else None
    return base.model_copy(update={
        "status": status, "step": primary.step, "operation": primary.operation, "cause": primary.cause,
        "reason": primary.reason + (f" (+{more} more failing step{'s' if more > 1 else ''})" if more else ""),
        "expected": first.expected if first else None, "actual": first.actual if first else None,
        "mismatches": primary.mismatches, "failures": failures, "exchange": primary.exchange,
    })


def _from_botocore(exc: Exception) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    return isinstance(exc, BotoCoreError | ClientError) or type(exc).__module__.startswith(("botocore", "urllib3"))


def _body_hint(exchange: dict[str, Any] | None) -> str:
    """A bodiless or non-XML error answer shown as what it is, not as its status code."""
    response = (exchange or {}).get("response") or {}
    body = response.get("body") or {}
    text = (body.get("text") or "").strip()
    if not body.get("size"):
        return " (empty response body)"
    if text.startswith("<?xml") or text.startswith("<Error"):
        return ""
    kind = "HTML" if text.lower().startswith(("<!doctype html", "<html")) else "non-XML" if text else "binary"
    return f" ({kind} response body, {body['size']} bytes: {' '.join(text.split())[:120]!r})"


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
