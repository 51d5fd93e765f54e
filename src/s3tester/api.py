"""The library's one pipeline: what `s3tester run` does, callable from tests alike.

    resolve endpoint -> load -> select -> plan -> execute -> results -> golden verdict -> report

`run(options)` runs the tasks in order over one `Run` state, the way nox's
`workflow.execute` runs sessions: each task adds its output to the state, or returns an
exit code that ends the run. The CLI only parses options into `RunOptions` and calls it.

"resolve" happens in two parts: which endpoint is settled (a config mistake is exit 2)
before planning, and a launched server starts only when execution begins, so a broken
suite never waits for a server to start.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TextIO

from s3tester import logs
from s3tester.defaults import DEFAULT_PARALLEL, DEFAULT_TIMEOUT
from s3tester.errors import EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, ConfigError
from s3tester.masking import Masker, shown_url
from s3tester.output import check_distinct, check_writable, write_atomic
from s3tester.paths import resolve_suite
from s3tester.results.golden_files import Verdict, check, golden_skips
from s3tester.results.normalize import normalize
from s3tester.results.records import CaseResult, RunResult
from s3tester.results.report import plan_text, render
from s3tester.run.clienttools import client_versions
from s3tester.run.engine import Engine
from s3tester.run.interrupt import Interrupt
from s3tester.run.names import new_run_id
from s3tester.run.plan import Plan, make_plan, select
from s3tester.run.progress import progress_bar
from s3tester.servers.endpoint import Endpoint, EndpointChoice, choose_endpoint, open_endpoint
from s3tester.servers.probe import check_tls
from s3tester.suite.loader import load_suite
from s3tester.suite.models import Case, Suite

log = logging.getLogger("s3tester.api")


@dataclass(frozen=True)
class RunOptions:
    """Everything `s3tester run` takes, as the library takes it."""

    path: str
    vendor: str | None = None
    endpoint_url: str | None = None
    region: str | None = None
    parallel: int = DEFAULT_PARALLEL
    groups: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    fmt: str = "table"
    output: str | None = None
    results: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    dry_run: bool = False
    verify_ssl: bool = True
    progress: bool | None = False
    golden: str | None = None
    update_golden: bool = False
    strict: bool = False
    golden_vendor: str | None = None  # compare with another vendor's golden file, on purpose
    fail_on: tuple[str, ...] = ()  # verdict kinds that fail the run beside regression and worsened
    trace: bool = False  # keep every step's exchange in the results
    keep_buckets: bool = False  # a failed case's buckets stay for inspection
    verbose: int = 0  # -v: the exchange of each failure in the table
    quiet: bool = False  # only the verdict

    @property
    def golden_dir(self) -> str | None:
        """Where golden files are, when the run compares with or updates one."""
        return self.golden or ("golden" if self.update_golden else None)


@dataclass
class Run:
    """The state one run's tasks fill in, in order."""

    options: RunOptions
    stdout: TextIO
    stderr: TextIO
    stop: threading.Event
    interrupt: Interrupt | None = None
    endpoint: Endpoint | None = None  # given by the caller, else opened by `execute`
    run_id: str = field(default_factory=new_run_id)
    suite: Suite | None = None
    cases: list[Case] = field(default_factory=list)
    choice: EndpointChoice | None = None
    plan: Plan | None = None
    result: RunResult | None = None
    verdict: Verdict | None = None
    report: str = ""

    def say(self, text: str, err: bool = True) -> None:
        stream = self.stderr if err else self.stdout
        stream.write(text if text.endswith("\n") else text + "\n")
        stream.flush()

    def emit(self, text: str) -> None:
        """The report (or plan): to --output, else stdout."""
        if self.options.output:
            write_atomic(self.options.output, text)
        else:
            self.stdout.write(text)
            self.stdout.flush()


@dataclass
class RunOutcome:
    exit_code: int
    result: RunResult | None
    verdict: Verdict | None
    report: str


Task = Callable[[Run], int | None]


# -- the tasks -----------------------------------------------------------------------
def check_outputs(run: Run) -> int | None:
    """Report and results paths that cannot be written are exit 2 before the run, not after."""
    o = run.options
    for option, target in (("--output", o.output), ("--results", o.results)):
        check_writable(option, target)
    if o.update_golden and o.golden and os.path.exists(o.golden) and not os.path.isdir(o.golden):
        raise ConfigError(f"Invalid value for --golden: with --update-golden it is a directory (<dir>/<vendor>/<version>.json); '{o.golden}' is a file")
    check_distinct({"--output": o.output, "--results": o.results},
                   [("suite", o.path), ("golden files", o.golden_dir)])
    return None


def load(run: Run) -> int | None:
    run.suite = load_suite(resolve_suite(run.options.path))
    return None


def select_cases(run: Run) -> int | None:
    assert run.suite is not None
    run.cases = select(run.suite, run.options.groups, run.options.tags)
    if not run.cases:
        raise ConfigError(_nothing_selected(run.suite, run.options.groups, run.options.tags))
    if run.options.dry_run:
        run.emit(plan_text(run.cases))
        return EXIT_OK
    return None


def resolve(run: Run) -> int | None:
    """Which endpoint: settled now, started (if launched) when execution begins."""
    o = run.options
    if run.endpoint is not None:
        config = run.endpoint.config
        run.choice = EndpointChoice(config.vendor, config=config)
    else:
        run.choice = choose_endpoint(run.suite, o.vendor, o.endpoint_url, o.region, o.verify_ssl)
    return None


def plan(run: Run) -> int | None:
    """The cases and their skips: the vendor's golden `skip:` marks and missing credentials."""
    assert run.suite is not None and run.choice is not None
    skips = vendor_skips(run.choice, run.options.vendor)  # the profile's `skip:` (a case that hangs it)
    directory = run.options.golden_dir
    if directory:
        skips.update(golden_skips(directory, run.choice.vendor, run.suite.version))
    run.plan = make_plan(run.suite, run.cases, skips, run.choice.credential_names(), run.choice.where)
    return None


def execute(run: Run) -> int | None:
    """Open the endpoint (launch it if the run owns it), check it answers, run the plan."""
    assert run.plan is not None and run.choice is not None
    o = run.options
    with ExitStack() as stack:
        if run.interrupt is not None:  # Ctrl-C while a server starts: stop at once, not after ready_timeout
            run.interrupt.immediate = True
        try:
            endpoint = run.endpoint or stack.enter_context(open_endpoint(run.choice))
        finally:
            if run.interrupt is not None:
                run.interrupt.immediate = False
        config = endpoint.config
        if not logs.json_lines():  # with JSON logs, the "run started" record carries the run id
            run.say(f"s3tester: run {run.run_id} against {shown_url(config.url)}")
        if run.interrupt is not None:
            url = shown_url(config.url)
            where = f"--vendor {o.vendor} --endpoint {url}" if o.vendor else f"--endpoint {url}"
            run.interrupt.hint = f"Remove what this run left with: s3tester clean --run-id {run.run_id} {where}"
            if endpoint.launched:  # a server we started: its data dir goes with it
                run.interrupt.hint = f"(nothing to clean: the {config.vendor} server s3tester launched is stopped and its data removed)"
        masker = Masker.for_credentials(config.credentials.values(), config.url)
        stack.enter_context(logs.masking(masker))
        advance = stack.enter_context(progress_bar(len(run.plan.cases), o.progress))
        engine = Engine(endpoint, parallel=o.parallel, timeout=o.timeout, progress=_logged(advance),
                        stop=run.stop, run_id=run.run_id, masker=masker, trace=o.trace, keep_buckets=o.keep_buckets)
        engine.check_reachable()
        check_tls(config, o.timeout)
        engine.preflight(needed_credentials(run.plan))
        suite = run.plan.suite
        log.info("run started", extra={"run_id": run.run_id, "suite": suite.name, "suite_version": suite.version, "cases": len(run.plan.cases),
                                       "parallel": o.parallel, "vendor": config.vendor, "endpoint": config.url})
        result = run.result = engine.run(run.plan)
        result.clients = client_versions(run.plan.cases)  # the real clients' versions, if any
    s = result.summary
    log.info("run finished", extra={"passed": s.passed, "failed": s.failed, "errored": s.errored,
                                    "unsupported": s.unsupported, "skipped": s.skipped, "total": s.total,
                                    "duration_s": round(result.duration, 3), "complete": result.complete})
    return None


def save_results(run: Run) -> int | None:
    if run.options.results and run.result is not None:
        write_atomic(run.options.results, run.result.to_json())
    return None


def golden_verdict(run: Run) -> int | None:
    """Compare with (or update) the golden file; an interrupted run is never compared."""
    o = run.options
    directory = o.golden_dir
    if not directory or run.result is None or _interrupted(run):
        return None
    if o.update_golden and not run.result.complete:
        return None  # said by `exit_code`
    assert run.suite is not None
    actual = {c.id: c.reason or c.status for c in run.result.cases}
    run.verdict = check(normalize(run.result), directory, o.update_golden, o.strict, {c.id for c in run.suite.cases},
                        golden_vendor=o.golden_vendor, fail_on=o.fail_on, actual=actual)
    return None


def report(run: Run) -> int | None:
    """The report, then what the run left behind, then the golden verdict."""
    assert run.result is not None
    o = run.options
    diff = run.verdict.diff if run.verdict is not None and not o.update_golden else None
    run.report = render(run.result, o.fmt, diff=diff, verbose=o.verbose, repro=_repro(run))
    if not o.quiet or o.output:
        run.emit(run.report)
    elif run.verdict is None and o.fmt == "table":  # --quiet without a golden file: the summary is the verdict
        run.say(run.report.strip().splitlines()[-1], err=False)
    left = [reason for case in run.result.cases for reason in case.leftovers]
    if left:  # e.g. COMPLIANCE object lock, or an endpoint that stopped answering
        hint = run.interrupt.hint if run.interrupt is not None else ""
        run.say(f"warning: {len(left)} bucket(s) of this run were not removed:")
        run.say("".join(f"  {reason}\n" for reason in left) + f"  {hint}")
    if run.verdict is not None:
        run.say("\n".join(run.verdict.lines), err=not (o.fmt == "table" and not o.output))
    return None


def exit_code(run: Run) -> int | None:
    assert run.result is not None
    bugs = run.result.internal
    if bugs and not _interrupted(run):
        first = bugs[0]
        run.say(f"s3tester bug: {len(bugs)} case(s) ended by an internal error (traceback in the log; not a verdict on "
                f"the server, not written to a golden file); first: {first.id}: {first.reason}")
        return EXIT_INTERNAL
    if _interrupted(run):
        assert run.interrupt is not None and run.interrupt.exit_code is not None
        return run.interrupt.exit_code
    if run.options.golden_dir:
        if run.options.update_golden and not run.result.complete:
            run.say("error: the run was interrupted: golden file not updated")
            return EXIT_FAILED
        failed = run.verdict is not None and run.verdict.failed
        return EXIT_FAILED if failed or not run.result.complete else EXIT_OK
    return EXIT_OK if run.result.ok else EXIT_FAILED


TASKS: tuple[Task, ...] = (
    check_outputs, load, select_cases, resolve, plan, execute, save_results, golden_verdict, report, exit_code,
)


def run(
    options: RunOptions,
    *,
    endpoint: Endpoint | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stop: threading.Event | None = None,
) -> RunOutcome:
    """Run the whole pipeline. `endpoint`: an endpoint the caller already has open (tests);
    otherwise the options choose one. Raises S3TesterError for config or endpoint errors."""
    state = Run(options, stdout or sys.stdout, stderr or sys.stderr, stop or threading.Event(), endpoint=endpoint)
    code = EXIT_OK
    with Interrupt(state.stop) as interrupt:  # 1st Ctrl-C/SIGTERM: clean up, partial results; 2nd: stop
        state.interrupt = interrupt
        for task in TASKS:
            found = task(state)
            if found is not None:
                code = found
                break
    return RunOutcome(code, state.result, state.verdict, state.report)


def _nothing_selected(suite: Suite, groups: tuple[str, ...], tags: tuple[str, ...]) -> str:
    """Why zero cases: the patterns, and the closest area or tag names."""
    from s3tester.suite.suggest import suggest

    if not suite.cases:
        return f"suite {suite.name} {suite.version} has no cases"
    areas = sorted({c.area for c in suite.cases})
    known_tags = sorted({t for c in suite.cases for t in c.group.tags})
    parts = []
    for pattern in groups:
        head = pattern.split("/", 1)[0].rstrip("*")
        parts.append(f"--group {pattern!r}{suggest(head, areas) if head else ''}")
    parts += [f"--tag {t!r}{suggest(t, known_tags)}" for t in tags]
    return f"no case matches {' and '.join(parts)} (areas: {', '.join(areas)})"


def vendor_skips(choice: EndpointChoice, vendor: str | None) -> dict[str, str]:
    """Case id -> reason, from the vendor profile's `skip:`."""
    profile = choice.profile
    if profile is None and vendor:
        from s3tester.servers.catalog import load_profile

        profile = load_profile(vendor)
    return {cid: f"skipped on {profile.name}: {why}" for cid, why in profile.skip.items()} if profile else {}


def needed_credentials(plan: Plan) -> list[str]:
    """The credential sets the planned cases use (pre-flight checks each once)."""
    names = {"main"}
    for case in plan.cases:
        for phase in ("before", "test", "after"):
            names.update(step.as_ for step in getattr(case.group, phase))
    return sorted(names)


def _repro(run: Run) -> str:
    """The options that re-run one case against the same endpoint (the report adds -g ID)."""
    o = run.options
    where = f"--vendor {o.vendor}" if o.vendor else f"--endpoint {o.endpoint_url}" if o.endpoint_url else ""
    if run.endpoint is not None and not o.vendor and not o.endpoint_url:
        where = f"--endpoint {shown_url(run.endpoint.config.url)}"
    return " ".join(p for p in ("s3tester run", o.path, where) if p)


def _interrupted(run: Run) -> bool:
    return run.interrupt is not None and run.interrupt.exit_code is not None


def _logged(progress: Callable[[CaseResult], None] | None) -> Callable[[CaseResult], None]:
    """The engine's per-case callback, plus one log record per case (debug when it passed)."""

    def on_case(case: CaseResult) -> None:
        level = logging.DEBUG if case.status in ("passed", "skipped") else logging.INFO
        if log.isEnabledFor(level):
            log.log(level, "case %s", case.status, extra={
                "case": case.id, "status": case.status, "duration_s": round(case.duration, 3),
                "reason": case.reason})
        if progress is not None:
            progress(case)

    return on_case

