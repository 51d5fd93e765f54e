"""Run a `client:` step: a real S3 client as a subprocess against the run's endpoint.

The script (sh, python or node) is written into a private work dir (mode 0700) that the
client steps of one case share, with `files:` generated there first; it runs with the
endpoint and the step's credential set in its environment (see `clienttools`), never on
a command line. The outcome document is `{exit_code, stdout, stderr, raw_stdout, timed_out,
files, client, version}`, stdout and stderr masked with the endpoint's secrets (raw_stdout
is for `save:`, e.g. a presigned URL; reports are masked anyway); `files` maps each
file under the work dir (not the private home) to its size.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from s3tester.masking import Masker
from s3tester.run import clienttools
from s3tester.run.bodies import open_body
from s3tester.run.clients import Clients
from s3tester.run.expect import Mismatch, Outcome
from s3tester.suite.bodyspec import body_spec
from s3tester.suite.models import ClientSpec, Step
from s3tester.suite.variables import Scope

CLIENT_TIMEOUT = 300.0  # seconds for a client step without its own `timeout`
# The step's deadline (timeout + a small slack) runs from the step's start, the process's own
# timeout only from its start: the process is killed this much before the step's timeout
# (less what setup took), so that a hanging client is always the client's timeout (failed,
# timed_out) and never, depending on load, the step's deadline (errored).
KILL_MARGIN = 2.0
OUTPUT_LIMIT = 256 * 1024  # characters of stdout/stderr kept
HOME = ".home"  # the private home (config files with secrets) inside the work dir
SCRIPT_NAMES = {"sh": ".step.sh", "python": ".step.py", "node": ".step.js"}
Recorder = Callable[[str, float, bool], None]


class ClientRunner:
    """Runs client steps for one engine; one work dir per case (per Scope)."""

    def __init__(self, clients: Clients, record: Recorder | None = None, base: Path | None = None) -> None:
        self.clients = clients
        self.record = record
        self.base = base
        self.masker = Masker.for_credentials(clients.endpoint.credentials.values())
        self._dirs: weakref.WeakKeyDictionary[Scope, Path] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def workdir(self, scope: Scope) -> Path:
        """The case's private work dir, removed when the case's scope goes away."""
        with self._lock:
            found = self._dirs.get(scope)
            if found is None:
                found = Path(tempfile.mkdtemp(prefix="s3tester-client-"))
                self._dirs[scope] = found
                weakref.finalize(scope, shutil.rmtree, str(found), True)
            return found

    def send(self, step: Step, scope: Scope) -> Outcome:
        assert step.client is not None
        entered = time.perf_counter()
        spec: ClientSpec = scope_spec(step.client, scope)
        base = self.base or clienttools.clients_dir()
        version = clienttools.version(spec.name, base)
        if version is None:
            # the plan skips such cases; a client removed mid-run still says how to get it
            raise ClientMissing(f"client {spec.name} not installed (install: {clienttools.install_command(spec.name)})")
        work = self.workdir(scope)
        home = work / HOME
        home.mkdir(mode=0o700, exist_ok=True)
        for name, body in spec.files.items():
            write_file(work / name, body)
        script = home / SCRIPT_NAMES[spec.script_kind]
        script.write_text(spec.script, encoding="utf-8")
        cred = self.clients.credentials(step.as_)
        env = clienttools.environment(spec.name, self.clients.endpoint, cred, home, base)
        env.update({k: str(v) for k, v in spec.env.items()})
        argv = [*clienttools.interpreter(spec.name, spec.script_kind, base), str(script)]
        started = time.perf_counter()
        timeout = process_timeout(step.timeout or CLIENT_TIMEOUT, started - entered)
        code, out, err, timed_out = run_process(argv, work, env, timeout)
        elapsed = time.perf_counter() - started
        if self.record is not None:
            self.record(f"client {spec.name}", elapsed, code != 0)
        doc: dict[str, Any] = {
            "exit_code": code,
            "stdout": self.masker.mask(out),
            "stderr": self.masker.mask(err),
            # unmasked, for `save:` (a presigned URL the client made carries its signature);
            # case results are masked again before they are written
            "raw_stdout": out,
            "timed_out": timed_out,
            "files": list_files(work),
            "client": spec.name,
            "version": version,
            "seconds": round(elapsed, 3),
        }
        return Outcome(doc=doc, status=0 if code == 0 else 1)


def explain(mismatches: list[Mismatch], outcome: Outcome, limit: int = 400) -> None:
    """Give the first mismatch of a client step the tail of the client's stderr (or stdout)."""
    if not mismatches:
        return
    said = (outcome.doc.get("stderr") or outcome.doc.get("stdout") or "").strip()
    if outcome.doc.get("timed_out"):
        said = f"timed out after {outcome.doc.get('seconds')}s; {said}"
    if said and not mismatches[0].note:
        tail = " | ".join(said.splitlines()[-6:])
        mismatches[0].note = tail if len(tail) <= limit else "..." + tail[-limit:]


class ClientMissing(Exception):
    """A client step's client is not installed."""


def process_timeout(timeout: float, setup: float) -> float:
    """Seconds the client process may run: the step's timeout less the setup already spent
    and a margin (at most a tenth of the timeout) for killing it and collecting its output."""
    return max(timeout - setup - min(KILL_MARGIN, timeout / 10), timeout / 10)


def scope_spec(spec: ClientSpec, scope: Scope) -> ClientSpec:
    """The spec with variables substituted (script, files, env)."""
    data = scope.substitute(spec.model_dump(exclude_none=True))
    return ClientSpec.model_validate(data)


def write_file(path: Path, body: Any) -> None:
    """Write a `files:` entry: text, or a generated `{size, seed}` stream."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = open_body(body_spec(body, None))
    with path.open("wb") as handle:
        if isinstance(data, bytes):
            handle.write(data)
            return
        try:
            shutil.copyfileobj(data, handle, 1024 * 1024)
        finally:
            data.close()


def list_files(work: Path) -> dict[str, int]:
    """{relative path: size} of the files under the work dir, the private home left out."""
    found: dict[str, int] = {}
    for root, dirs, files in os.walk(work):
        if Path(root) == work:
            dirs[:] = [d for d in dirs if d != HOME]
        for name in files:
            path = Path(root) / name
            try:
                found[path.relative_to(work).as_posix()] = path.stat().st_size
            except OSError:
                continue
    return dict(sorted(found.items()))


def run_process(argv: list[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[int | None, str, str, bool]:
    """(exit code, stdout, stderr, timed out); the whole process group dies on a timeout."""
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True,
    )
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)
        out, err = proc.communicate()
    except BaseException:
        _kill_group(proc)
        proc.communicate()
        raise
    finally:
        _kill_group(proc)  # what the client left running in the background
    code = None if timed_out else proc.returncode
    return code, _text(out), _text(err), timed_out


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _text(data: bytes | None) -> str:
    text = (data or b"").decode("utf-8", errors="replace")
    return text if len(text) <= OUTPUT_LIMIT else text[:OUTPUT_LIMIT] + "\n...[cut]"
