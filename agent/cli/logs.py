"""`moss-agent logs`: the recorded turns, newest last, from the session store."""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click
from rich.console import Console
from rich.markup import escape

from agent.errors import MossAgentError


@click.command()
@click.option("--cid", type=int, default=None, metavar="ID", help="Only this conversation.")
@click.option("-n", "count", type=click.IntRange(0), default=10, show_default=True,
              help="How many recent turns (0: all).")
@click.option("--json", "as_json", is_flag=True, help="Print the turns as JSON (one object a line).")
@click.option("--conversations", is_flag=True, help="List conversations instead of turns.")
@click.option("--db", default=None, metavar="PATH", type=click.Path(dir_okay=False),
              help="The log database (default: logs.db in the user data folder).")
def logs(cid: int | None, count: int, as_json: bool, conversations: bool, db: str | None) -> None:
    """Show recent turns: question, tool calls, reply, status, tokens and time.

    A turn still `running` was cut off (the process was killed); `cancelled` was stopped with
    Ctrl-C. Resume a conversation with `moss-agent chat --cid ID`.
    """
    from agent.repl.render import safe
    from agent.store import Store

    out = Console(highlight=False)
    try:
        with Store.open(db) as store:
            if conversations:
                items = store.conversations(count or None)
                for info in items:
                    if as_json:
                        click.echo(info.model_dump_json())
                    else:
                        when = datetime.fromtimestamp(info.updated_at).strftime("%Y-%m-%d %H:%M")
                        out.print(f"[bold]{info.id}[/bold] {when} · {info.turn_count} turns · "
                                  f"{escape(info.model or info.source)} · {', '.join(info.tools) or 'no tools'}")
                return
            if cid is not None:
                store.conversation(cid)  # a clear error for an unknown id
            turns = store.turns(cid, limit=count or None)
            if not turns and not as_json:
                out.print(f"[dim]no turns recorded in {escape(str(store.path))}[/dim]")
            for turn in turns:
                if as_json:
                    click.echo(json.dumps(turn.model_dump(mode="json"), ensure_ascii=False))
                    continue
                result = turn.result
                when = datetime.fromtimestamp(turn.started_at).strftime("%Y-%m-%d %H:%M:%S")
                status = "" if turn.status == "done" else f" [yellow]{turn.status}[/yellow]"
                out.print(f"[bold]{turn.conversation_id}.{turn.seq}[/bold] [dim]{when} · {escape(result.model)} · "
                          f"{result.tokens.generated} tokens · {result.timings.total_s:.1f} s[/dim]{status}")
                out.print(f"  [bold]you:[/bold] {escape(safe(result.question))}")
                for call, outcome in zip(result.calls, result.results):
                    body = safe(outcome.render_body().strip())
                    kind = f" [red]({outcome.error.kind.value})[/red]" if outcome.error else ""
                    out.print(f"  [dim]{escape(safe(call.text))} => {escape(body)}[/dim]{kind}")
                reply = result.reply or (f"[partial {turn.partial_segment}] {turn.partial}" if turn.partial else "")
                out.print(f"  [bold]moss:[/bold] {escape(safe(reply))}")
                if result.error:
                    out.print(f"  [red]error ({escape(result.error.kind)}): {escape(safe(result.error.message))}[/red]")
    except MossAgentError as exc:
        Console(stderr=True, highlight=False).print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        sys.exit(1)
