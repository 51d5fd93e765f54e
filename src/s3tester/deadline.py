"""A wall-clock deadline around a blocking call, and the error for "no answer".

Socket timeouts bound each read, not the whole exchange: a server that trickles a byte
every few seconds would hold a step forever. Steps, cleanup, `clean` and the reachability
probe all bound their calls with `with_deadline`.
"""

from __future__ import annotations

import queue
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class NoAnswer(Exception):
    """The endpoint did not answer: it timed out, or the connection failed."""

    def __init__(self, message: str, connection: bool = False, timed_out: bool = False) -> None:
        super().__init__(message)
        self.connection = connection  # refused/reset: the server may have died
        self.timed_out = timed_out  # no (complete) answer in time: the server may hang


def with_deadline(fn: Callable[[], T], seconds: float, what: str) -> T:
    """`fn()`, or NoAnswer(timed_out) if it has not returned within `seconds`.

    `fn` runs in a daemon helper thread that is abandoned (not killed) on expiry; it ends
    when the server gives up or the process exits.
    """
    owner = getattr(_local, "owner", None)
    if owner is None:  # one helper thread per calling thread, reused: a thread per step cost
        owner = _local.owner = _HelperOwner()  # ~0.3 ms CPU (bench/overhead.py)
    box: dict[str, Any] = {}
    done = threading.Event()
    owner.jobs.put((fn, box, done))
    if not done.wait(seconds):
        _local.owner = None  # the helper is stuck with this job: abandon it
        raise NoAnswer(f"{what}: no complete answer within {seconds:g}s", timed_out=True)
    if "error" in box:
        raise box["error"]
    return box["value"]


# Per calling thread, its reusable helper: thread-local, so no state is shared between runs.
_local = threading.local()


class _HelperOwner:
    """Held in the calling thread's locals; when that thread ends (or abandons the helper)
    this object goes away and the helper thread is told to stop after its current job."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        threading.Thread(target=_helper_loop, args=(self.jobs,), name="deadline", daemon=True).start()
        weakref.finalize(self, self.jobs.put, None)


def _helper_loop(jobs: queue.SimpleQueue[Any]) -> None:
    while (job := jobs.get()) is not None:
        fn, box, done = job
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc
        finally:
            done.set()
        del job, fn, box, done  # hold nothing of a finished step while idle
