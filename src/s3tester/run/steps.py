"""Run one step: dispatch to an S3 operation (`op`), a raw HTTP request (`rawhttp`), a
presigned URL or POST form (`presign`), or a sleep, under a deadline; judge the outcome
against the step's expectations and collect what it saves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from s3tester.deadline import with_deadline
from s3tester.run.clients import Clients
from s3tester.run.clientstep import CLIENT_TIMEOUT, ClientRunner, explain
from s3tester.run.exchange import Capture, Exchange, capturing
from s3tester.run.expect import Mismatch, Outcome, check
from s3tester.run.op import OperationSender
from s3tester.run.presign import presign
from s3tester.run.rawhttp import RawSender
from s3tester.suite.matchers import compile_path
from s3tester.suite.models import Step
from s3tester.suite.variables import Scope

Recorder = Callable[[str, float, bool], None]
DEADLINE_SLACK = 0.5  # past the socket timeout, so a silent server gets botocore's own message


@dataclass
class StepResult:
    label: str
    outcome: Outcome | None
    mismatches: list[Mismatch] = field(default_factory=list)
    unsupported: bool = False
    saved: dict[str, Any] = field(default_factory=dict)
    exchange: Exchange | None = None
    tolerated: bool = False  # the answer was a code the step's `tolerate:` lists
    save_failed: bool = False  # a mismatched step could not save what later steps need

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.unsupported



class StepRunner:
    """Runs steps for one engine; shares clients and the raw HTTP pool across threads."""

    def __init__(self, clients: Clients, record: Recorder, stop: threading.Event | None = None) -> None:
        self.clients = clients
        self.stop = stop or threading.Event()  # an interrupted run cuts `sleep` steps short
        self._op = OperationSender(clients, record)
        self._raw = RawSender(clients, record)
        self._client = ClientRunner(clients, record)
        self._local = threading.local()

    def exchange(self) -> Exchange | None:
        """The exchange of the last step this thread ran (also after it raised)."""
        capture: Capture | None = getattr(self._local, "capture", None)
        return capture.last if capture is not None else None

    def run(self, step: Step, scope: Scope) -> StepResult:
        capture = self._local.capture = Capture()
        if step.sleep is not None:
            self.stop.wait(step.sleep)
            return StepResult("sleep", Outcome(doc={}, status=0))
        seconds = (step.timeout or (CLIENT_TIMEOUT if step.client else self.clients.timeout)) + DEADLINE_SLACK

        def send() -> Outcome:
            with capturing(capture):
                return self._send(step, scope)

        outcome = with_deadline(send, seconds, step.label)
        tolerate = set(getattr(step, "tolerate", None) or ())
        if tolerate and (outcome.error_code in tolerate or str(outcome.status) in tolerate):
            return StepResult(step.label, outcome, exchange=capture.last, tolerated=True)
        expect = scope.substitute(step.expect) if step.expect else None
        mismatches = check(expect, outcome)
        if step.client is not None:
            explain(mismatches, outcome)  # what the client said, on a mismatch
        result = StepResult(step.label, outcome, mismatches, exchange=capture.last)
        wanted = expect.get("error") if expect else None
        wanted_codes = set(wanted if isinstance(wanted, list) else [wanted] if wanted else [])
        if (outcome.status == 501 or outcome.error_code == "NotImplemented") and not (
            wanted_codes & {"NotImplemented", "501"} or (expect or {}).get("status") == 501
        ):
            result.unsupported = True
        if step.save and not mismatches:
            result.saved = _save(step, outcome, result)
        elif step.save:
            # a mismatch does not end the case: later steps get what this one saved; a value
            # that is not there is a failed save, which does end it (without a mismatch of
            # its own: the step's mismatches say what went wrong)
            probe = StepResult(step.label, outcome)
            result.saved = _save(step, outcome, probe)
            result.save_failed = bool(probe.mismatches)
        return result

    def _send(self, step: Step, scope: Scope) -> Outcome:
        if step.op is not None:
            return self._op.send(step, scope)
        if step.http is not None:
            return self._raw.send(step, scope)
        if step.client is not None:
            return self._client.send(step, scope)
        return presign(self.clients, step, scope)


def _save(step: Step, outcome: Outcome, result: StepResult) -> dict[str, Any]:
    saved: dict[str, Any] = {}
    for name, expression in step.save.items():
        if expression == "@":
            value: Any = outcome.doc
        elif expression == "Body":
            value = outcome.body.text if outcome.body else None
        else:
            value = compile_path(expression).search(outcome.doc)
        if value is None:
            result.mismatches.append(Mismatch(f"save {name}", f"a value at {expression}", None, "nothing to save"))
        saved[name] = value
    return saved
