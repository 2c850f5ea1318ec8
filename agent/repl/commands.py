"""The REPL's slash commands: each a small function of the chat and its argument text.

A command sees the chat through `Chat`, a protocol of what commands may use, rather than the
`Repl` class itself: `agent.repl.app` imports this module, and this one imports nothing back.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rich.markup import escape
from rich.table import Table

from agent.errors import MossAgentError
from agent.repl.render import safe
from tools import ToolUnavailableWarning

if TYPE_CHECKING:
    from rich.console import Console

    from agent.agent import Agent, Session
    from agent.repl.render import TurnRenderer
    from agent.store import Store


class Chat(Protocol):
    """What a slash command may use of the chat it runs in (`agent.repl.app.Repl` is one)."""

    agent: Agent
    console: Console
    store: Store | None
    session: Session
    renderer: TurnRenderer
    running: bool

    @property
    def conversation_id(self) -> int | None: ...

    def new_conversation(self) -> None: ...


Handler = Callable[[Chat, str], None]
COMMANDS: dict[str, tuple[Handler, str]] = {}


def command(name: str, usage: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = (handler, usage)
        return handler

    return register


def dispatch(repl: Chat, line: str) -> None:
    """Run `/name args`; an unknown name or a failing command prints a message, never raises."""
    name, _, arg = line[1:].strip().partition(" ")
    entry = COMMANDS.get(name.lower())
    if entry is None:
        repl.console.print(f"[red]unknown command /{escape(name)}[/red]; /help lists them")
        return
    try:
        entry[0](repl, arg.strip())
    except (MossAgentError, OSError, ValueError) as exc:
        repl.console.print(f"[red]/{name}: {escape(str(exc))}[/red]")


@command("help", "/help  this list")
def _help(repl: Chat, arg: str) -> None:
    for _, usage in COMMANDS.values():
        repl.console.print(f"  {escape(usage)}")
    repl.console.print("  Enter sends · Esc Enter adds a line · Ctrl-C stops an answer · Ctrl-D quits")


@command("tools", "/tools [enable|disable NAME ...]  list tools, or switch some on or off")
def _tools(repl: Chat, arg: str) -> None:
    agent = repl.agent
    words = arg.split()
    if words:
        action, names = words[0].lower(), [n.strip(",") for n in words[1:]]
        if action not in ("enable", "disable") or not names:
            raise ValueError("usage: /tools enable NAME ... or /tools disable NAME ...")
        enabled = {e.tool.name for e in agent.registry.entries() if e.enabled}
        enabled = enabled | set(names) if action == "enable" else enabled - set(names)
        with warnings.catch_warnings():  # the table below says why a tool is unavailable
            warnings.simplefilter("ignore", ToolUnavailableWarning)
            agent.set_tools(sorted(enabled))
    offered = {t.name for t in agent.tools}
    table = Table(box=None, show_header=False, pad_edge=False)
    for entry in agent.registry.entries():
        if entry.tool.name in offered:
            state = "on"
        elif entry.enabled:
            state = f"on, unavailable: {escape(entry.tool.unavailable_reason() or 'not configured')}"
        else:
            state = "off"
        table.add_row(f"  {entry.tool.name}", f"[dim]{escape(entry.tool.signature)}[/dim]", state)
    repl.console.print(table)


@command("thoughts", "/thoughts on|off  show or hide inner thoughts, commands and results")
def _thoughts(repl: Chat, arg: str) -> None:
    if arg.lower() not in ("on", "off", ""):
        raise ValueError("usage: /thoughts on or /thoughts off")
    if arg:
        repl.renderer.show_thoughts = arg.lower() == "on"
    repl.console.print(f"thoughts {'on' if repl.renderer.show_thoughts else 'off'}")


@command("reset", "/reset  start a new conversation")
def _reset(repl: Chat, arg: str) -> None:
    repl.new_conversation()
    repl.console.print("new conversation")


@command("history", "/history  the turns of this conversation")
def _history(repl: Chat, arg: str) -> None:
    turns = repl.session.turns
    if not turns:
        repl.console.print("[dim]no turns yet[/dim]")
    for number, turn in enumerate(turns, 1):
        calls = f" [dim]({', '.join(c.tool for c in turn.calls)})[/dim]" if turn.calls else ""
        repl.console.print(f"{number}. [bold]you:[/bold] {escape(safe(_short(turn.question)))}")
        repl.console.print(f"   [bold]moss:[/bold] {escape(safe(_short(turn.reply)))}{calls}")


@command("save", "/save FILE  write this conversation as a Markdown transcript")
def _save(repl: Chat, arg: str) -> None:
    path = _path(arg, "/save FILE")
    lines = [f"# moss-agent conversation ({repl.agent.model_name})", ""]
    for turn in repl.session.turns:
        lines += [f"**You:** {turn.question}", ""]
        if turn.thoughts:
            lines += [f"> *thoughts:* {turn.thoughts}", ""]
        for call, result in zip(turn.calls, turn.results):
            lines += [f"> `{call.text}` => {result.render_body().strip()}", ""]
        lines += [f"**MOSS:** {turn.reply}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    repl.console.print(f"saved {len(repl.session.turns)} turns to {escape(str(path))}")


@command("export", "/export moss|sharegpt FILE  this conversation as training data")
def _export(repl: Chat, arg: str) -> None:
    from agent.store.export import Format, dumps, export_records, session_records

    name, _, rest = arg.partition(" ")
    formats: dict[str, Format] = {"moss": "moss", "sharegpt": "sharegpt"}
    if name not in formats:
        raise ValueError("usage: /export moss FILE or /export sharegpt FILE")
    fmt = formats[name]
    path = _path(rest, "/export moss|sharegpt FILE")
    if repl.store is not None and repl.conversation_id is not None:  # keeps imported recordings exact
        records = export_records(repl.store, [repl.conversation_id], fmt)
    else:
        records = session_records(repl.agent.meta_instruction, repl.session.turns, fmt)
    path.write_text(dumps(records, jsonl=path.suffix == ".jsonl", single=True), encoding="utf-8")
    repl.console.print(f"exported {len(repl.session.turns)} turns ({fmt}) to {escape(str(path))}")


@command("model", "/model  the model, backend, conversation and log file in use")
def _model(repl: Chat, arg: str) -> None:
    agent = repl.agent
    repl.console.print(f"model: {escape(agent.model_name)} (backend {escape(agent.backend.name)})")
    repl.console.print(f"conversation: {repl.conversation_id or 'not recorded yet'}"
                       f" · log: {escape(str(repl.store.path)) if repl.store else 'off'}")


@command("quit", "/quit  leave (Ctrl-D does too)")
def _quit(repl: Chat, arg: str) -> None:
    repl.running = False


def _path(arg: str, usage: str) -> Path:
    if not arg:
        raise ValueError(f"usage: {usage}")
    return Path(arg).expanduser()


def _short(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
