"""Run a plan: cases in parallel, steps in order, phases with teardown, bucket cleanup.

`before` failure -> errored; `test` mismatch -> failed; 501 -> unsupported; `after`
always runs; every bucket named through `${bucket...}` is removed after the case.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from s3tester import __version__
from s3tester.cleanup import remove_bucket
from s3tester.clients import Clients
from s3tester.errors import EndpointError
from s3tester.models import Case, EndpointConfig, Step, Suite
from s3tester.plan import BUCKET_PREFIX, bucket_name, new_run_id
from s3tester.results import CaseResult, RunResult, op_stats, summarize
from s3tester.steps import StepBroken, StepResult, StepRunner, with_deadline
from s3tester.variables import Scope, UndefinedVariable

Progress = Callable[[CaseResult], None]
TIMEOUTS_IN_A_ROW = 3  # requests timing out with no answer between them: the endpoint hangs


class Engine:
    def __init__(
        self,
        endpoint: EndpointConfig,
        parallel: int = 1,
        timeout: float = 30.0,
        run_id: str | None = None,
        bucket_prefix: str = BUCKET_PREFIX,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.parallel = max(1, parallel)
        self.timeout = timeout
        self.run_id = run_id or new_run_id()
        self.bucket_prefix = bucket_prefix
        self.progress = progress
        self.stop = stop or threading.Event()
        self.clients = Clients(endpoint, timeout, self.parallel)
        self._samples: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        self._samples_lock = threading.Lock()
        self.steps = StepRunner(self.clients, self._record, self.stop)
        self._canonical: dict[str, str] = {}
        self.created: set[str] = set()  # every bucket name handed out, for interrupted cleanup
        self.removed: set[str] = set()  # ... and those a case's cleanup saw gone
        self._health_lock = threading.Lock()
        self.down: str | None = None  # why the endpoint is gone for good, once it is
        self.restarts = 0
        self._skips: dict[str, str] = {}
        self._timeouts = 0  # consecutive requests without an answer
        _register_secrets(endpoint)

    # -- bookkeeping -------------------------------------------------------------------
    def _record(self, op: str, seconds: float, error: bool) -> None:
        with self._samples_lock:
            self._samples[op].append((seconds, error))

    def check_reachable(self) -> None:
        """Exit-3 territory: fail within seconds if nothing answers at the endpoint."""
        parts = urlsplit(self.endpoint.url)
        host = parts.hostname or "localhost"
        port = parts.port or (443 if parts.scheme == "https" else 80)
        limit = min(self.timeout, 3.0)

        def connect() -> None:  # name resolution has no timeout of its own: bound it too
            with socket.create_connection((host, port), timeout=limit):
                pass

        try:
            with_deadline(connect, limit + 1.0, "connect")
        except StepBroken:
            raise EndpointError(f"cannot reach endpoint {self.endpoint.url}: no answer within {limit + 1.0:g}s") from None
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise EndpointError(f"cannot reach endpoint {self.endpoint.url}: {reason}") from None

    def _alive(self) -> bool:
        try:
            self.check_reachable()
            return True
        except EndpointError:
            return False

    def _endpoint_lost(self, reason: str) -> str:
        """After a connection failure: is the server gone? Revive a launched one, else stop."""
        if self._alive():
            return reason
        with self._health_lock:
            if self.down:
                return f"{reason} (endpoint down)"
            if self._alive():
                return f"{reason} (the server restarted meanwhile)"
            from s3tester.launch import revive

            try:
                if revive(self.endpoint.url):
                    self.restarts += 1
                    return f"{reason} (the server died; s3tester restarted it)"
            except EndpointError as exc:
                self.down = f"the server died and could not be restarted: {exc}"
                return f"{reason} ({self.down})"
            self.down = f"endpoint {self.endpoint.url} stopped answering"
            return f"{reason} ({self.down})"

    def _timed_out(self, reason: str) -> str:
        """After a step got no answer in time: several in a row mean the endpoint hangs."""
        with self._health_lock:
            self._timeouts += 1
            if self._timeouts >= TIMEOUTS_IN_A_ROW and not self.down:
                self.down = f"endpoint {self.endpoint.url} stopped answering ({self._timeouts} requests in a row timed out)"
        return reason

    def _cred(self, ref: str) -> str:
        name, _, attr = ref.partition(".")
        if attr == "access_key":
            return str(self.clients.credentials(name).access_key)
        if name not in self._canonical:
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                owner = self.clients.get(name).list_buckets().get("Owner", {})
            except (ClientError, BotoCoreError) as exc:
                raise StepBroken(f"canonical id of '{name}': ListBuckets failed: {exc}") from None
            if not owner.get("ID"):
                raise StepBroken(f"canonical id of '{name}': ListBuckets returned no Owner.ID")
            self._canonical[name] = owner["ID"]
        return self._canonical[name]

    # -- one case ----------------------------------------------------------------------
    def run_case(self, case: Case, index: int) -> CaseResult:
        group = case.group
        base = CaseResult(id=case.id, area=case.area, status="passed", description=group.description, tags=list(group.tags))
        skip = group.skip or self._skips.get(case.id)
        if skip:
            return base.model_copy(update={"status": "skipped", "reason": skip})
        if self.stop.is_set():
            return base.model_copy(update={"status": "skipped", "reason": "interrupted"})
        if self.down:
            return base.model_copy(update={"status": "errored", "reason": self.down})
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
                result = self._verdict(base, phase, *outcome)
                break
        after = self._phase("after", group.after, scope)
        if after is not None and result.status == "passed":
            result = self._verdict(base, "after", *after).model_copy(update={"status": "errored"})
        leftovers = self._cleanup(list(buckets.values()))
        return _masked(result.model_copy(update={"duration": round(time.perf_counter() - started, 4), "leftovers": leftovers}))

    def _phase(self, phase: str, steps: list[Step], scope: Scope) -> tuple[int, Step, StepResult | str] | None:
        """None if every step passed, else (index, step, what went wrong)."""
        for i, step in enumerate(steps):
            if self.stop.is_set() and phase != "after":
                return i, step, "interrupted"
            if self.down:
                return i, step, f"not sent: {self.down}"
            try:
                outcome = self.steps.run(step, scope)
            except StepBroken as exc:
                if exc.timed_out:
                    return i, step, self._timed_out(str(exc))
                return i, step, self._endpoint_lost(str(exc)) if exc.connection else str(exc)
            except UndefinedVariable as exc:
                return i, step, str(exc)
            except Exception as exc:  # a bad parameter value botocore refused, etc.
                return i, step, f"{type(exc).__name__}: {_one_line(exc)}"
            self._timeouts = 0
            scope.values.update(outcome.saved)
            if not outcome.ok:
                return i, step, outcome
        return None

    @staticmethod
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

    def _cleanup(self, names: list[str]) -> list[str]:
        if not names:
            return []
        order = ["main", *[n for n in self.endpoint.credentials if n != "main"]]
        order = [n for n in order if n in self.endpoint.credentials]
        # lazily: a client for another credential set is made only if `main` cannot remove it
        left = [self._remove(name, order) for name in names]
        return [reason for reason in left if reason]

    def sweep(self) -> list[str]:
        """After an interruption: remove every bucket name this run handed out (each case
        removes its own; this catches any a case could not). Returns what is left."""
        return self._cleanup(sorted(self.created - self.removed))

    def _remove(self, name: str, order: list[str]) -> str | None:
        """remove_bucket under a deadline; a hung endpoint leaves the bucket, reported."""
        if self.down:
            return f"{name}: not removed: {self.down}"
        try:
            reason = with_deadline(
                lambda: remove_bucket((self.clients.get(n) for n in order), name),
                self.timeout * len(order) + 1.0, "cleanup",
            )
        except StepBroken as exc:
            return self._timed_out(f"{name}: not removed: {exc}")
        if reason is None:
            self.removed.add(name)
        return reason

    # -- the run -----------------------------------------------------------------------
    def run(self, suite: Suite, cases: list[Case], skips: dict[str, str] | None = None) -> RunResult:
        """Run `cases`; `skips` maps case ids to a reason they cannot run here."""
        self._skips = dict(skips or {})
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        results: list[CaseResult | None] = [None] * len(cases)
        complete = True
        pool = ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="case")
        try:
            pending: dict[Future[CaseResult], int] = {}
            try:
                for i, case in enumerate(cases):
                    pending[pool.submit(self.run_case, case, i)] = i
                    if len(pending) >= self.parallel * 2:
                        self._collect(pending, results)
                    if self.stop.is_set():
                        break
                while pending:
                    self._collect(pending, results)
            finally:
                if self.stop.is_set():
                    complete = False
        except BaseException:  # a hard stop (second Ctrl-C): do not wait for cases in flight
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        if not complete:
            self.sweep()
        final = [
            r if r is not None else CaseResult(id=c.id, area=c.area, status="skipped", reason="interrupted", description=c.group.description)
            for r, c in zip(results, cases, strict=True)
        ]
        with self._samples_lock:
            stats = op_stats(self._samples)
        return RunResult(
            tool_version=__version__,
            suite=suite.name,
            suite_version=suite.version,
            vendor=self.endpoint.vendor,
            vendor_version=self.endpoint.vendor_version,
            endpoint=self.endpoint.url,
            run_id=self.run_id,
            started=started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            duration=round(time.perf_counter() - started, 3),
            parallel=self.parallel,
            complete=complete,
            summary=summarize(final),
            cases=final,
            performance=stats,
        )

    def _collect(self, pending: dict[Future[CaseResult], int], results: list[CaseResult | None]) -> None:
        """Wait for at least one case to finish; record it and report progress."""
        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for future in done:
            index = pending.pop(future)
            result = future.result()
            results[index] = result
            if self.progress:
                self.progress(result)


def _register_secrets(endpoint: EndpointConfig) -> None:
    """Secrets (as given and URL-encoded, as in a presigned URL) are masked in results and logs."""
    from urllib.parse import quote

    from s3tester import logs

    for cred in endpoint.credentials.values():
        for secret in (cred.secret_key, cred.session_token):
            if secret is not None:
                logs.register_secret(secret.get_secret_value())
                logs.register_secret(quote(secret.get_secret_value(), safe=""))


def _masked(result: CaseResult) -> CaseResult:
    """A case result with secrets masked: a failing step shows its response, and a presigned
    URL in it carries the session token and signature."""
    from s3tester import logs

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return logs.redact(value)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    fields = ("reason", "expected", "actual", "mismatches", "leftovers")
    update = {f: clean(getattr(result, f)) for f in fields}
    changed = {k: v for k, v in update.items() if v != getattr(result, k)}
    return result.model_copy(update=changed) if changed else result


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _jsonable(value: Any) -> Any:
    import json

    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)
