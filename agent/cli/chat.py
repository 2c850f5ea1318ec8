"""`moss-agent chat`: talk with the agent at a terminal; every turn is recorded.

`--continue` resumes the most recent conversation and `--cid ID` a given one, with its
history, its tools (unless --tools says otherwise) and its log. `--script FILE` (hidden, for
tests and demos) replaces the model with a scripted backend: a JSON list of model outputs,
one per generate call, or `{"outputs": [...], "seconds_per_piece": 0.05}`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape

from agent.cli.options import agent_from_options, log_options, model_options, open_store, scripted_backend
from agent.errors import MossAgentError

if TYPE_CHECKING:
    from agent.agent import Agent


@click.command()
@model_options
@log_options
@click.option("--continue", "resume", is_flag=True, help="Resume the most recent conversation.")
@click.option("--cid", type=int, default=None, metavar="ID", help="Resume conversation ID (`moss-agent logs` lists them).")
@click.option("--thoughts/--no-thoughts", default=True, show_default=True,
              help="Show inner thoughts, commands and results (/thoughts toggles it).")
@click.option("--script", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              hidden=True, help="TESTING ONLY: replay model outputs from a JSON file instead of a model.")
def chat(resume: bool, cid: int | None, thoughts: bool, script: Path | None, db: str | None, no_log: bool,
         **options: object) -> None:
    """Chat with the agent. Enter sends, Esc Enter adds a line, Ctrl-C stops an answer,
    Ctrl-D quits; /help lists the slash commands (/tools, /thoughts, /reset, /export ...)."""
    from agent.repl import Repl
    from agent.repl.input import make_reader
    from agent.store import default_data_dir

    console = Console(highlight=False)
    store = None
    try:
        if (resume or cid is not None) and no_log:
            raise click.UsageError("--continue and --cid read the log; they cannot go with --no-log")
        store = open_store(db, no_log)
        if script is not None:
            options["model"] = scripted_backend(script)
        agent = agent_from_options(progress=True, **options)  # type: ignore[arg-type]
        history, conversation_id = [], None
        if store is not None and (resume or cid is not None):
            conversation_id = cid if cid is not None else store.latest_conversation_id()
            if conversation_id is None:
                console.print("[dim]no conversation to continue yet; starting a new one[/dim]")
            else:
                history = store.history(conversation_id)
                recorded_tools = store.conversation(conversation_id).tools
                if options.get("tools") is None and recorded_tools:
                    agent.tools  # noqa: B018 -- registers MCP servers' tools, so theirs are found too
                    agent.set_tools([t for t in recorded_tools if t in agent.registry])
        with agent:
            _load(agent, console)
            repl = Repl(agent, make_reader(default_data_dir() / "chat_history"), console, store=store,
                        conversation_id=conversation_id, history=history, show_thoughts=thoughts)
            if history:
                console.print(f"[dim]resumed conversation {conversation_id}: {len(history)} turns; "
                              "/history shows them[/dim]")
            repl.loop()
    except MossAgentError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        console.print("[red]interrupted[/red]")
        sys.exit(130)
    finally:
        if store is not None:
            store.close()


def _load(agent: Agent, console: Console) -> None:
    """Load the model now (with its progress) rather than on the first question, then hint."""
    console.print("[dim]loading the model (the first start assembles and converts it, about a minute) ...[/dim]")
    agent.start()
    name = agent.model_name
    tools = ", ".join(t.name for t in agent.tools) or "none"
    console.print(f"[bold]ready[/bold]: {name} · tools: {tools}")
    console.print("[dim]Enter sends · Esc Enter new line · Ctrl-C stops · Ctrl-D quits · /help[/dim]")
