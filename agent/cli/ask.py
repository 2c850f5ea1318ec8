"""`moss-agent ask "question"`: one answer on stdout, everything else on stderr."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.markup import escape

from agent.cli.options import agent_from_options, log_options, model_options, open_store
from agent.errors import MossAgentError


@click.command()
@click.argument("question")
@model_options
@log_options
@click.option("--show-thoughts", is_flag=True, help="Also show thoughts, commands and results (on stderr).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole turn (thoughts, calls, results, reply, "
              "tokens, timings) as JSON instead of streaming the reply.")
def ask(question: str, show_thoughts: bool, as_json: bool, db: str | None, no_log: bool, **options: object) -> None:
    """Answer QUESTION with the agent, using tools when the model asks for them.

    Only the reply goes to stdout, so scripts can use it; progress, thoughts and warnings go
    to stderr. Example: moss-agent ask "What is 347 multiplied by 29?"
    """
    from agent.events import (
        CommandsIssued,
        CommandsVoted,
        ErrorEvent,
        RoundStarted,
        ThoughtsDone,
        TokenEvent,
        ToolResultEvent,
        TurnDone,
        TurnStarted,
        WarningEvent,
    )

    err = Console(stderr=True, highlight=False)
    store = None
    try:
        store = open_store(db, no_log)  # the turn is logged like a chat turn (--no-log: not)
        agent = agent_from_options(progress=True, **options)  # type: ignore[arg-type]
        with agent:
            reply_started = False
            events = agent.stream(question)
            if store is not None:
                from agent.store.record import Recorder

                events = Recorder(store, agent).record(events)
            for event in events:
                if isinstance(event, TokenEvent) and event.segment == "reply" and not as_json:
                    sys.stdout.write(event.text if reply_started else event.text.lstrip())
                    sys.stdout.flush()
                    reply_started = True
                elif isinstance(event, TurnStarted) and show_thoughts and event.examples:
                    err.print(f"[dim]examples shown first: {escape(' | '.join(event.examples))}[/dim]")
                elif isinstance(event, RoundStarted) and show_thoughts:
                    why = "a call failed: one more round to fix it" if event.reason == "retry" else "the model goes on"
                    err.print(f"[dim]round {event.round} ({why})[/dim]")
                elif isinstance(event, CommandsVoted) and show_thoughts:
                    err.print(f"[dim]voted over {len(event.samples)} sampled commands: "
                              f"{event.votes} agree with the one kept[/dim]")
                elif isinstance(event, ThoughtsDone) and show_thoughts:
                    err.print(f"[dim]thoughts: {event.text}[/dim]")
                elif isinstance(event, CommandsIssued) and show_thoughts:
                    err.print(f"[dim]commands: {event.text}[/dim]")
                elif isinstance(event, ToolResultEvent) and show_thoughts:
                    body = event.result.render_body().strip()
                    err.print(f"[dim]result: {event.call.text} => {body}[/dim]")
                elif isinstance(event, WarningEvent) and show_thoughts:
                    err.print(f"[yellow]warning ({event.kind}): {event.message}[/yellow]")
                elif isinstance(event, ErrorEvent):
                    err.print(f"[red]error ({event.kind}): {event.message}[/red]")
                elif isinstance(event, TurnDone):
                    turn = event.result
            if as_json:
                click.echo(turn.model_dump_json(indent=2))
            else:
                sys.stdout.write("\n")
    except KeyboardInterrupt:
        err.print("[red]interrupted[/red]")
        sys.exit(130)
    except MossAgentError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        sys.exit(1)
    finally:
        if store is not None:
            store.close()
    if not turn.ok:
        sys.exit(1)
