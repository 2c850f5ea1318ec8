"""One progress bar for the long jobs of the command line: assembling the model, indexing big files.

The bar is drawn by rich on stderr, so stdout stays clean for scripts, and it is transient: it
disappears when the work is done. Callers get an object with one method, `advance(n)`, which
is a no-op when the bar is disabled, so loops do not need two code paths, and which passes
counts on to rich in steps of about 1% of the total, so calling it once per item is cheap.
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
    step = max(1, total // 100)
    with RichProgress(*columns, console=Console(stderr=True), transient=True) as rich_bar:
        task = rich_bar.add_task(label, total=total)

        class _Bar(Progress):
            pending = 0

            def advance(self, n: int) -> None:
                self.pending += n
                if self.pending >= step:
                    rich_bar.advance(task, self.pending)
                    self.pending = 0

        yield _Bar()
