"""`moss-agent serve`: the agent behind an OpenAI-compatible API and a web chat page.

A thin command: it checks the exposure (another host needs a key), opens the session store,
loads the model, builds the app (`agent.serve`) and runs it on uvicorn until Ctrl-C.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape

from agent.cli.options import agent_from_options, model_options, scripted_backend
from agent.errors import MossAgentError

if TYPE_CHECKING:
    import uvicorn
from agent.serve.config import API_KEY_ENV


@click.command()
@model_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs --api-key.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port; the ready line names it).")
@click.option("--api-key", envvar=API_KEY_ENV, default=None, metavar="KEY",
              help=f"Require this bearer token on /v1 and /api (default: ${API_KEY_ENV}).")
@click.option("--max-queue", type=click.IntRange(0), default=32, show_default=True,
              help="Turns that may wait for the model; more get 503 with Retry-After.")
@click.option("--concurrency", type=click.IntRange(1), default=8, show_default=True,
              help="Turns at once with --backend http (match the server's parallel slots); "
              "local backends run one at a time.")
@click.option("--max-body", type=click.IntRange(1000), default=1_000_000, show_default=True, metavar="BYTES",
              help="Largest request body accepted (413 beyond).")
@click.option("--max-messages", type=click.IntRange(1), default=100, show_default=True,
              help="Most messages in one request (400 beyond).")
@click.option("--db", "db", default=None, metavar="PATH", type=click.Path(dir_okay=False),
              help="The log database conversations are kept in (default: logs.db in the user data folder).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              default="warning", show_default=True, help="uvicorn's log level (info also logs each request).")
@click.option("--script", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              hidden=True, help="TESTING ONLY: replay model outputs from a JSON file instead of a model.")
def serve(host: str, port: int, api_key: str | None, max_queue: int, concurrency: int, max_body: int,
          max_messages: int, db: str | None, log_level: str, script: Path | None, **options: object) -> None:
    """Serve the agent: POST /v1/chat/completions (OpenAI format, streamed or not), GET /v1/models,
    the chat page at /, and /healthz.

    Tools run on this machine, so the server listens on 127.0.0.1 unless told otherwise, and
    any other --host needs --api-key. Conversations are kept in the log database: send the
    conversation_id a response gave to continue one. Example:
    moss-agent serve --backend llamacpp --port 8000
    """
    import uvicorn

    from agent.serve import ServeConfig, check_exposure, create_app
    from agent.store import Store

    err = Console(stderr=True, highlight=False)
    try:
        check_exposure(host, api_key)
        config = ServeConfig(api_key=api_key or None, max_queue=max_queue, concurrency=concurrency,
                             max_body_bytes=max_body, max_messages=max_messages)
        if script is not None:
            options["model"] = scripted_backend(script)
        with Store.open(db) as store:
            agent = agent_from_options(progress=True, **options)  # type: ignore[arg-type]
            with agent:
                err.print("[dim]loading the model ...[/dim]")
                agent.start()  # the model and the sandbox now, not on the first request
                name = agent.model_name
                if not agent.concurrent:
                    err.print(f"[dim]{escape(name)} runs in this process: one turn at a time, "
                              "the others queue (--concurrency applies to --backend http)[/dim]")
                app = create_app(agent, store, config)
                ready = (lambda url: err.print(
                    f"[bold]serving[/bold] {escape(name)} on {url} · page {url}/ · API {url}/v1"
                    + (" · key required" if config.api_key else "") + " · Ctrl-C stops"))
                _run(uvicorn.Config(app, host=host, port=port, log_level=log_level,
                                    access_log=log_level in ("info", "debug"), timeout_graceful_shutdown=5),
                     ready)
    except KeyboardInterrupt:  # uvicorn hands Ctrl-C on once it has shut down: the normal way to stop
        err.print("[dim]stopped[/dim]")
    except MossAgentError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        sys.exit(1)


def _run(config: uvicorn.Config, on_ready: Callable[[str], None]) -> None:
    """Run uvicorn until Ctrl-C, calling `on_ready` with the URL it listens on (the real port
    when --port is 0) once it accepts connections."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started and self.servers:
                host, port = self.servers[0].sockets[0].getsockname()[:2]
                on_ready(f"http://{f'[{host}]' if ':' in host else host}:{port}")

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            # Stop the turns first, so streaming clients get their end before connections close.
            await self.config.app.state.serve.stop()  # type: ignore[union-attr]  # our Starlette app
            await super().shutdown(sockets)

    Server(config).run()
