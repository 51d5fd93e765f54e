"""A progress bar on a terminal (stderr), nothing when output is piped."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from s3tester.results.records import CaseResult


@contextmanager
def progress_bar(total: int, enabled: bool | None = None) -> Iterator[Any]:
    """Yield a callback(CaseResult) that advances a rich progress bar, or a no-op."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled or total == 0:
        yield lambda result: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    counts = {"failed": 0}
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[state]}"), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:
        task = bar.add_task("cases", total=total, state="")

        def advance(result: CaseResult) -> None:
            if result.status in ("failed", "errored"):
                counts["failed"] += 1
            bar.update(task, advance=1, state=f"[red]{counts['failed']} not passed" if counts["failed"] else "")

        yield advance
