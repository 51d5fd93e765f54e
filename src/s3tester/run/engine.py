"""Execute a plan: cases in parallel on a thread pool, results in plan order.

The engine gets the run's `Endpoint` handle (to revive a server it launched) and the
run's `Masker`; it owns no server and no secret beyond the run.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime

from s3tester import __version__
from s3tester.deadline import NoAnswer, with_deadline
from s3tester.defaults import DEFAULT_TIMEOUT
from s3tester.errors import EndpointError
from s3tester.masking import Masker
from s3tester.results.latency import op_stats
from s3tester.results.records import CaseResult, RunResult, summarize
from s3tester.run.case import CaseRunner
from s3tester.run.clients import ANONYMOUS, Clients
from s3tester.run.health import Health
from s3tester.run.names import BUCKET_PREFIX, new_run_id
from s3tester.run.plan import Plan
from s3tester.run.steps import StepRunner
from s3tester.servers.endpoint import Endpoint
from s3tester.servers.probe import check_reachable

Progress = Callable[[CaseResult], None]
AUTH_CODES = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired",
              "InvalidClientTokenId", "AuthFailure", "InvalidSecurity"}


class Engine:
    def __init__(
        self,
        endpoint: Endpoint,
        parallel: int = 1,
        timeout: float = DEFAULT_TIMEOUT,
        run_id: str | None = None,
        bucket_prefix: str = BUCKET_PREFIX,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
        masker: Masker | None = None,
        trace: bool = False,
        keep_buckets: bool = False,
    ) -> None:
        self.endpoint = endpoint
        config = endpoint.config
        self.parallel = max(1, parallel)
        self.timeout = timeout
        self.run_id = run_id or new_run_id()
        self.progress = progress
        self.stop = stop or threading.Event()
        self.clients = Clients(config, timeout, self.parallel)
        self._samples: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        self._samples_lock = threading.Lock()
        self.health = Health(endpoint, timeout)
        self.cases = CaseRunner(
            self.clients,
            StepRunner(self.clients, self._record, self.stop),
            self.health,
            masker or Masker.for_credentials(config.credentials.values(), config.url),
            self.run_id,
            self.stop,
            bucket_prefix,
            trace=trace,
            keep_buckets=keep_buckets,
        )

    def _record(self, op: str, seconds: float, error: bool) -> None:
        with self._samples_lock:
            self._samples[op].append((seconds, error))

    def check_reachable(self) -> None:
        check_reachable(self.endpoint.config.url, self.timeout)

    def preflight(self, names: list[str]) -> None:
        """One signed request (ListBuckets) per credential set before the first case: wrong
        keys or an expired token end the run (exit 3) with the server's code, instead of a
        run of errored cases and "bucket not removed" lines."""
        from botocore.exceptions import BotoCoreError, ClientError

        for name in names:
            if name == ANONYMOUS or name not in self.endpoint.config.credentials:
                continue
            client = self.clients.get(name)
            try:
                with_deadline(client.list_buckets, self.timeout + 1.0, "pre-flight")
            except ClientError as exc:
                error = exc.response.get("Error", {})
                code = str(error.get("Code") or "")
                if code in AUTH_CODES:
                    message = f": {error.get('Message')}" if error.get("Message") else ""
                    raise EndpointError(f"credential set '{name}' was refused by {self.endpoint.config.url}: {code}{message}") from None
            except (BotoCoreError, NoAnswer):
                continue  # reachability was checked; a case reports what follows

    def sweep(self) -> list[str]:
        """After an interruption: remove every bucket name this run handed out (each case
        removes its own; this catches any a case could not). Returns what is left."""
        return self.cases.cleanup(sorted(self.cases.created - self.cases.removed))

    def run(self, plan: Plan) -> RunResult:
        """Run the plan's cases; its skips are reported as skipped without a request."""
        cases = plan.cases
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        results: list[CaseResult | None] = [None] * len(cases)
        complete = True
        pool = ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="case")
        try:
            pending: dict[Future[CaseResult], int] = {}
            try:
                for i, case in enumerate(cases):
                    pending[pool.submit(self.cases.run, case, i, plan.skip_reason(case))] = i
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
        config = self.endpoint.config
        return RunResult(
            tool_version=__version__,
            suite=plan.suite.name,
            suite_version=plan.suite.version,
            vendor=config.vendor,
            vendor_version=config.vendor_version,
            endpoint=self.cases.masker.mask(config.url),
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
