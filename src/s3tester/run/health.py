"""Is the endpoint still there? Decides, after a failed request, whether the run goes on.

A connection failure to a server the run launched restarts it (through the run's
`Endpoint` handle); to an external endpoint, or when a restart fails, the endpoint is
marked down and the remaining cases are errored at once. Several requests in a row
without an answer mean the endpoint hangs: a launched server is restarted then too.
"""

from __future__ import annotations

import threading

from s3tester.errors import EndpointError
from s3tester.servers.endpoint import Endpoint
from s3tester.servers.probe import check_reachable

TIMEOUTS_IN_A_ROW = 3  # requests timing out with no answer between them: the endpoint hangs
MAX_HANG_RESTARTS = 3  # a server that hangs again after this many restarts is down


class Health:
    def __init__(self, endpoint: Endpoint, timeout: float) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.down: str | None = None  # why the endpoint is gone for good, once it is
        self.restarts = 0
        self._lock = threading.Lock()
        self._timeouts = 0  # consecutive requests without an answer

    @property
    def url(self) -> str:
        return self.endpoint.config.url

    def _alive(self) -> bool:
        try:
            check_reachable(self.url, self.timeout)
            return True
        except EndpointError:
            return False

    def answered(self) -> None:
        """A request got an answer: the run of timeouts is broken."""
        self._timeouts = 0

    def lost(self, reason: str) -> str:
        """After a connection failure: is the server gone? Revive a launched one, else stop."""
        if self._alive():
            return reason
        with self._lock:
            if self.down:
                return f"{reason} (endpoint down)"
            if self._alive():
                return f"{reason} (the server restarted meanwhile)"
            try:
                if self.endpoint.revive():
                    self.restarts += 1
                    return f"{reason} (the server died; s3tester restarted it)"
            except EndpointError as exc:
                self.down = f"the server died and could not be restarted: {exc}"
                return f"{reason} ({self.down})"
            self.down = f"endpoint {self.url} stopped answering"
            return f"{reason} ({self.down})"

    def timed_out(self, reason: str) -> str:
        """After a step got no answer in time: several in a row mean the endpoint hangs. A
        server the run launched is restarted then (it is alive but stuck); an external
        endpoint is marked down, so the run ends quickly."""
        with self._lock:
            self._timeouts += 1
            if self._timeouts < TIMEOUTS_IN_A_ROW or self.down:
                return reason
            if self.endpoint.launched and self.restarts < MAX_HANG_RESTARTS:
                try:
                    if self.endpoint.revive(hung_pid=self.endpoint.pid):
                        self.restarts += 1
                        self._timeouts = 0
                        return f"{reason} (the server hung; s3tester restarted it)"
                except EndpointError as exc:
                    self.down = f"the server hung and could not be restarted: {exc}"
                    return f"{reason} ({self.down})"
            self.down = f"endpoint {self.url} stopped answering ({self._timeouts} requests in a row timed out)"
        return reason
