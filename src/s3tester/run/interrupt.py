"""Ctrl-C and SIGTERM during a run.

The first signal sets the run's stop event: no new case or step starts, steps in flight
finish (each has a deadline), every case removes its buckets, and the partial result is
written marked `complete: false`; the command then exits 130 (SIGINT) or 143 (SIGTERM).
A second signal raises `HardStop` in the main thread: `finally:` blocks still stop any
server s3tester started, and `cli.main` leaves with `os._exit` without waiting for the
cases in flight. What a hard stop leaves behind, `s3tester clean --run-id ID` removes.

    with Interrupt() as interrupt:
        result = api.run_suite(..., stop=interrupt.stop)
    if interrupt.exit_code:
        sys.exit(interrupt.exit_code)
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # a closed terminal stops a run like SIGTERM


class HardStop(BaseException):
    """The second interrupt: unwind now (a BaseException, so no `except Exception` eats it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.code = 128 + signum


class Interrupt:
    """Installs the two-stage handler for SIGINT and SIGTERM (main thread only)."""

    def __init__(self, stop: threading.Event | None = None) -> None:
        self.stop = stop or threading.Event()
        self.signum: int | None = None
        self.hint = ""  # one line telling how to remove what a hard stop leaves behind
        self.immediate = False  # while a server launches: the first signal stops at once
        self._previous: dict[int, Any] = {}

    @property
    def exit_code(self) -> int | None:
        return 128 + self.signum if self.signum is not None else None

    def __enter__(self) -> Interrupt:
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.immediate and self.signum is None:
            self.signum = signum
            self.stop.set()
            _say(f"\n{name}: stopping the server being launched\n")
            raise HardStop(signum)
        if self.signum is not None:
            _say(f"\n{name} again: stopping now.{' ' + self.hint if self.hint else ''}\n")
            raise HardStop(signum)
        self.signum = signum
        self.stop.set()
        _say(
            f"\n{name}: stopping; finishing the requests in flight, removing this run's "
            "buckets and writing partial results (interrupt again to stop at once)\n"
        )


def _say(text: str) -> None:
    """Straight to fd 2: safe inside a signal handler, whatever sys.stderr is doing."""
    with contextlib.suppress(OSError):
        os.write(2, text.encode())
