"""`moss-agent export` and `moss-agent import`: recorded conversations as training data."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from agent.errors import MossAgentError

_DB = click.option("--db", default=None, metavar="PATH", type=click.Path(dir_okay=False),
                   help="The log database (default: logs.db in the user data folder).")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["moss", "sharegpt", "alpaca"]), default="moss",
              show_default=True, help="moss: MOSS-003 SFT JSON (conversation_with_plugins); sharegpt: "
              "LLaMA-Factory ShareGPT with function_call/observation; alpaca: one record per turn.")
@click.option("--all", "export_all", is_flag=True, help="Export every conversation (then only FILE is given).")
@click.argument("target", metavar="[CID] FILE", nargs=-1, required=True)
@_DB
def export(fmt: str, export_all: bool, target: tuple[str, ...], db: str | None) -> None:
    """Write conversation CID (or --all) to FILE ('-' for stdout).

    One conversation is written as one JSON object, exactly like the MOSS SFT samples; several
    as a JSON list, or one object a line when FILE ends in .jsonl. Cancelled and cut-off turns
    are left out.
    """
    from agent.store.export import dumps, export_records
    from agent.store import Store

    err = Console(stderr=True, highlight=False)
    if export_all != (len(target) == 1) or len(target) > 2:
        raise click.UsageError("give CID FILE, or --all FILE")
    file = target[-1]
    try:
        cids = None if export_all else [_cid(target[0])]
        with Store.open(db) as store:
            if cids is None:
                cids = [c.id for c in reversed(store.conversations())]  # oldest first
            records = export_records(store, cids, fmt)  # type: ignore[arg-type]
        text = dumps(records, jsonl=file.endswith(".jsonl"), single=fmt != "alpaca" and not export_all)
        if file == "-":
            sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))
        else:
            Path(file).write_text(text, encoding="utf-8")
            err.print(f"wrote {len(records)} {fmt} record(s) from {len(cids)} conversation(s) to {escape(file)}")
    except (MossAgentError, OSError) as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        sys.exit(1)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@_DB
def import_(files: tuple[Path, ...], db: str | None) -> None:
    """Read MOSS SFT JSON or ShareGPT files (or folders of them) into the log store.

    Imported conversations can then be listed (`moss-agent logs --conversations`), resumed
    (`moss-agent chat --cid ID`) and exported; a MOSS file exports back byte for byte.
    """
    from agent.store.export import import_into, read_import
    from agent.store import Store

    err = Console(stderr=True, highlight=False)
    try:
        conversations = [c for f in files for c in read_import(f)]
        with Store.open(db) as store:
            ids = import_into(store, conversations)
    except MossAgentError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        sys.exit(1)
    span = f" (ids {ids[0]}-{ids[-1]})" if ids else ""
    err.print(f"imported {len(ids)} conversation(s){span}")


def _cid(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise click.UsageError(f"{text!r} is not a conversation id; `moss-agent logs --conversations` lists them") from None
