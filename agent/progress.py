"""One progress bar for the long jobs of the CLI: assembling the model, indexing big files.

The bar is drawn by rich on stderr, so stdout stays clean for scripts, and it is transient: it
disappears when the work is done. Callers get an object with one method, `advance(n)`, which
is a no-op when the bar is disabled, so loops do not need two code paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal


class Progress:
    """What a loop reports progress to; this base class ignores it."""

    def advance(self, n: int) -> None:
        pass


@contextmanager
def progress_bar(
    label: str, total: int, enabled: bool, unit: Literal["bytes", "items"] = "bytes"
) -> Iterator[Progress]:
    """A rich progress bar on stderr counting `unit`, or a no-op `Progress` when disabled."""
    if not enabled:
        yield Progress()
        return
    from rich.console import Console
    from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, TextColumn,
                               TimeRemainingColumn, TransferSpeedColumn)
    from rich.progress import Progress as RichProgress

    columns = (
        (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
         TimeRemainingColumn())
        if unit == "bytes"
        else (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
              TimeRemainingColumn())
    )
    with RichProgress(*columns, console=Console(stderr=True), transient=True) as rich_bar:
        task = rich_bar.add_task(label, total=total)

        class _Bar(Progress):
            def advance(self, n: int) -> None:
                rich_bar.advance(task, n)

        yield _Bar()
