"""`moss-agent replay DIR`: read recorded MOSS conversations, re-render them, count.

A thin layer over `agent.replay`: this module only formats the report (a table, or JSON with
`--json`) and picks the exit code: 0 when every file was read, 1 when some could not be.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from agent.replay import ReplayReport, replay_dir


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of a table.")
@click.option(
    "--run", "run_calls", is_flag=True,
    help="Also re-run every recorded Calculate and Solve call in the sandbox and compare with "
    "the recording; exit 1 on a disagreement not on the reviewed list.",
)
def replay(directory: Path, as_json: bool, run_calls: bool) -> None:
    """Parse and re-render every MOSS conversation JSON under DIRECTORY, per folder.

    Reports turns, turns that round-trip byte-identical, calls per tool and warnings per kind.
    A file that cannot be read is named and skipped; the exit code is then 1.
    """
    report = replay_dir(directory)
    if not run_calls:
        if as_json:
            click.echo(report.model_dump_json(indent=2))
        else:
            _print_table(report)
        raise SystemExit(0 if report.ok else 1)
    from agent.cli.replay_run import print_run_report, run_report

    ran = run_report(directory)
    if as_json:  # one JSON document: {"replay": ..., "run": ...}
        click.echo(f'{{"replay": {report.model_dump_json()}, "run": {ran.model_dump_json()}}}')
    else:
        _print_table(report)
        print_run_report(ran)
    ok = report.ok and not ran.unexplained and not ran.unreadable
    raise SystemExit(0 if ok else 1)


def _counts(counts: dict[str, int]) -> str:
    return "\n".join(f"{name} {count}" for name, count in counts.items()) or "-"


def _print_table(report: ReplayReport) -> None:
    console = Console(highlight=False)
    if not console.is_terminal:  # piped or captured: do not wrap the table at 80 columns
        console.width = max(console.width, 120)
    table = Table(title=f"replay of {report.root}", show_lines=True)
    for column in ("folder", "files", "turns", "round-trip", "calls", "warnings"):
        numeric = column in ("files", "turns", "round-trip")
        table.add_column(column, justify="right" if numeric else "left", no_wrap=True)
    for f in report.folders:
        table.add_row(
            f.folder, str(f.files), str(f.turns), f"{f.round_trip_turns}/{f.turns}", _counts(f.calls), _counts(f.warnings)
        )
    console.print(table)
    for item in report.unreadable:
        console.print(f"[red]unreadable[/red] {item.path}: {item.reason}", markup=True, soft_wrap=True)
    if not report.folders:
        console.print("no conversation JSON files found")
