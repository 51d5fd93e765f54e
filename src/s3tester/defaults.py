"""Defaults shared by the CLI, the library and the run, each defined once."""

from __future__ import annotations

#: Seconds a step (or a cleanup request, or a probe) may take, start to end.
DEFAULT_TIMEOUT = 30.0
#: Cases run at once when nothing else is asked for.
DEFAULT_PARALLEL = 4
