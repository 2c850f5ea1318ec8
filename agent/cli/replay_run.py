"""The `--run` half of `moss-agent replay DIR --run`: run, compare, print, and the exit code.

A thin layer over `agent.replay.run`: it starts a sandbox pool with the installed plugins,
prints one table row per folder (calls, agreeing, disagreeing, of which reviewed recording
errors) and every disagreement with the command, the recorded result and ours. The exit
status is 1 when a disagreement is not on the reviewed list.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent.replay.run import RunReport, run_replay
from tools import Registry, SandboxPool


def run_report(directory: Path) -> RunReport:
    """Re-run the recorded Calculate and Solve calls under `directory` in a sandbox pool."""
    with SandboxPool(Registry.discover(), workers=2) as pool:
        return run_replay(directory, pool)


def print_run_report(report: RunReport) -> None:
    """The per-folder table, then each disagreement (reviewed ones with their reason)."""
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = max(console.width, 120)
    table = Table(title=f"re-run of the recorded Calculate and Solve calls in {report.root}")
    for column in ("folder", "calls", "agreeing", "disagreeing", "reviewed", "unrecorded"):
        table.add_column(column, justify="left" if column in ("folder", "calls") else "right")
    for f in report.folders:
        calls = ", ".join(f"{tool} {n}" for tool, n in f.calls.items())
        counts = (f.agreeing, f.disagreeing, f.reviewed, f.unrecorded)
        table.add_row(f.folder, calls, *map(str, counts))
    console.print(table)
    for f in report.folders:
        for d in f.disagreements:
            label = "[yellow]reviewed[/yellow]" if d.reason else "[red]DISAGREES[/red]"
            console.print(f"{label} {escape(d.file)}: {escape(d.command)}", soft_wrap=True)
            console.print(f"    recorded: {escape(d.recorded)}", soft_wrap=True)
            console.print(f"    ours:     {escape(d.ours)}", soft_wrap=True)
            if d.reason:
                console.print(f"    why:      {escape(d.reason)}", soft_wrap=True)
    for item in report.stale_reviews:
        console.print(f"[yellow]reviewed entry now agrees[/yellow] {escape(item)}", soft_wrap=True)
    for item in report.unreadable:
        console.print(f"[red]unreadable[/red] {escape(item)}", soft_wrap=True)
    console.print(
        f"agreement outside the reviewed recording errors: {report.agreement:.1%}; "
        f"unreviewed disagreements: {len(report.unexplained)}"
    )
