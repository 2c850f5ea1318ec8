"""The ASGI app: OpenAI-compatible routes, the web page and its small JSON API.

`create_app(agent, store, config)` builds it; `moss-agent serve` runs it on uvicorn. Turns go
through one fair queue (`agent.serve.scheduler`) and run on worker threads
(`agent.serve.turns`); a client that disconnects, while waiting or while its turn runs, gives
up its place or cancels its turn. Nothing here prints: errors go to the client as OpenAI-shaped
JSON, and a bug is logged through `logging`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from agent.events import TokenEvent, TurnDone, TurnResult
from agent.serve.config import API_KEY_ENV, ServeConfig
from agent.serve.openai_format import (
    CONVERSATION_HEADER,
    ChatRequest,
    ChunkWriter,
    RequestError,
    completion,
    error_body,
    moss_event,
    parse_request,
    turn_error,
    turn_summary,
    usage,
)
from agent.serve.page_api import conversation_detail, conversation_list
from agent.serve.scheduler import FairQueue, QueueFull, Ticket
from agent.serve.turns import Failed, Opened, TurnRequest, TurnRun, Turns
from agent.store import Store, StoreError

if TYPE_CHECKING:
    from agent.agent import Agent

STATIC = Path(__file__).parent / "static"


def _stopped() -> RequestError:
    return RequestError(503, "the turn was stopped before it finished (the server is shutting down); "
                        "it is recorded as cancelled: ask again", kind="server_error", code="cancelled")


class _State:
    def __init__(self, agent: Agent, store: Store, config: ServeConfig) -> None:
        self.agent = agent
        self.store = store
        self.config = config
        self.model_id = agent.model_name
        self.queue = FairQueue(config.concurrency if agent.concurrent else 1, config.max_queue)
        self.turns = Turns()

    async def stop(self) -> None:
        """Shutting down: waiting turns give up their places and running ones are cancelled
        (recorded so), so their clients get an answer now rather than a cut connection."""
        self.queue.close()
        await self.turns.cancel_all()


class _Job:
    """One request's turn: its ticket while it waits, then its run; `abandon` when the
    client goes away (give up the place, or cancel the turn)."""

    def __init__(self, state: _State, ticket: Ticket, turn: TurnRequest) -> None:
        self.state = state
        self.ticket = ticket
        self.turn = turn
        self.run: TurnRun | None = None

    def start(self) -> TurnRun:
        state = self.state
        self.run = state.turns.start(state.agent, state.store, self.turn, lambda: state.queue.leave(self.ticket))
        return self.run

    def abandon(self) -> None:
        if self.run is not None:
            self.run.cancel()
        else:
            self.state.queue.leave(self.ticket)


async def _watch_disconnect(receive: Receive, on_disconnect: Callable[[], None]) -> None:
    """Call `on_disconnect` when the client closes the connection (the body is already read,
    so the next message the server delivers is the disconnect)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            on_disconnect()
            return


@contextlib.asynccontextmanager
async def _cancel_on_disconnect(request: Request, job: _Job) -> AsyncIterator[None]:
    watcher = asyncio.create_task(_watch_disconnect(request.receive, job.abandon))
    try:
        yield
    finally:
        watcher.cancel()


def create_app(agent: Agent, store: Store, config: ServeConfig | None = None) -> Starlette:
    """The served agent as an ASGI app (the agent's model should already be loaded)."""
    state = _State(agent, store, config or ServeConfig())

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def healthz(request: Request) -> Response:
        queue = state.queue
        return JSONResponse({"status": "ok", "model": state.model_id, "running": queue.running,
                             "waiting": queue.waiting, "slots": queue.capacity})

    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [
            {"id": state.model_id, "object": "model", "created": 0, "owned_by": "moss-agent"}]})

    async def conversations(request: Request) -> Response:
        limit = _int_param(request, "limit", 50, 1, 500)
        return JSONResponse(await run_in_threadpool(conversation_list, state.store, limit))

    async def conversation(request: Request) -> Response:
        cid = request.path_params["cid"]
        try:
            return JSONResponse(await run_in_threadpool(conversation_detail, state.store, cid))
        except StoreError as exc:
            raise RequestError(404, str(exc), param="conversation_id", code="conversation_not_found") from exc

    async def chat(request: Request) -> Response:
        body = await _read_body(request, state.config.max_body_bytes)
        chat_request, turn, notes = parse_request(body, request.headers.get(CONVERSATION_HEADER),
                                                  state.config.max_messages)
        if chat_request.model != state.model_id:
            raise RequestError(404, f"model {chat_request.model!r} is not served here; this server serves "
                               f"{state.model_id!r} (GET /v1/models)", param="model", code="model_not_found")
        if turn.conversation_id is not None:
            try:
                await run_in_threadpool(state.store.conversation, turn.conversation_id)
            except StoreError as exc:
                raise RequestError(404, f"no conversation {turn.conversation_id} on this server; leave "
                                   "conversation_id out to start one", param="conversation_id",
                                   code="conversation_not_found") from exc
        client = chat_request.user or (request.client.host if request.client else "unknown")
        key: object = turn.conversation_id if turn.conversation_id is not None else object()
        try:
            ticket = state.queue.join(key, client)
        except QueueFull as exc:
            raise RequestError(503, str(exc), kind="server_error", code="queue_full",
                               headers={"Retry-After": str(exc.retry_after)}) from exc
        job = _Job(state, ticket, turn)
        if chat_request.stream:
            headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
            if turn.conversation_id is not None:
                headers[CONVERSATION_HEADER] = str(turn.conversation_id)
            return StreamingResponse(_streamed(request, job, chat_request, notes), headers=headers,
                                     media_type="text/event-stream")
        return await _answered(request, job, notes)

    async def _answered(request: Request, job: _Job, notes: list[str]) -> Response:
        async with _cancel_on_disconnect(request, job):
            await asyncio.wait({job.ticket.granted})
            if job.ticket.granted.cancelled():
                raise _stopped()  # the client left while waiting (nobody reads this), or shutdown
            conversation_id, result, failure = None, None, None
            async for item in job.start().events():
                if isinstance(item, Opened):
                    conversation_id = item.conversation_id
                elif isinstance(item, Failed):
                    failure = item.message
                elif isinstance(item, TurnDone):
                    result = item.result
        if failure is not None:
            raise RequestError(500, failure, kind="server_error")
        if result is None or conversation_id is None:
            raise _stopped()
        error = turn_error(result, conversation_id)
        if error is not None:
            error.headers[CONVERSATION_HEADER] = str(conversation_id)
            raise error
        return JSONResponse(completion(result, state.model_id, conversation_id, notes),
                            headers={CONVERSATION_HEADER: str(conversation_id)})

    async def _streamed(request: Request, job: _Job, chat_request: ChatRequest,
                        notes: list[str]) -> AsyncIterator[str]:
        writer = ChunkWriter(state.model_id)
        finished = False
        try:
            async with _cancel_on_disconnect(request, job):
                async for position in state.queue.positions(job.ticket):
                    yield writer.moss({"type": "queued", "position": position})
                if job.ticket.granted.cancelled():
                    yield writer.error(_stopped())
                    return
                done = False
                async for item in job.start().events():
                    if isinstance(item, Opened):
                        writer.conversation_id = item.conversation_id
                        yield writer.role()
                    elif isinstance(item, Failed):
                        done = True  # said why already
                        yield writer.error(RequestError(500, item.message, kind="server_error"))
                    elif isinstance(item, TokenEvent) and item.segment == "reply":
                        piece = writer.content(item.text)
                        if piece:
                            yield piece
                    elif isinstance(item, TurnDone):
                        done = True
                        yield _final(writer, item.result, chat_request, notes)
                    else:
                        yield writer.moss(moss_event(item))  # type: ignore[arg-type]
                if not done:
                    yield writer.error(_stopped())
                finished = True
                yield writer.done()
        finally:
            if not finished:
                job.abandon()  # the response was closed early: the client has gone

    def _final(writer: ChunkWriter, result: TurnResult, chat_request: ChatRequest, notes: list[str]) -> str:
        cid = writer.conversation_id or 0
        summary = {"type": "turn_done", **turn_summary(result, cid, notes)}
        error = turn_error(result, cid)
        text = writer.moss(summary)
        if error is not None:
            return text + writer.error(error)
        text += writer.chunk({}, finish="stop")
        if chat_request.include_usage:
            text += writer.chunk(choices=False, usage=usage(result))
        return text

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await state.stop()  # normally done already, when the server began to shut down

    async def request_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestError)
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    routes = [
        Route("/", page),
        Route("/healthz", healthz),
        Route("/v1/models", models),
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/api/conversations", conversations),
        Route("/api/conversations/{cid:int}", conversation),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={RequestError: request_error})
    app.add_middleware(RequireKey, key=state.config.api_key)
    app.state.serve = state
    return app


class RequireKey:
    """With a key configured, `/v1/` and `/api/` need it as a bearer token (or `X-API-Key`);
    the page itself and `/healthz` hold no data and stay open."""

    def __init__(self, app: ASGIApp, key: str | None) -> None:
        self.app = app
        self.key = key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.key and scope["path"].startswith(("/v1/", "/api/")):
            headers = Headers(scope=scope)
            auth = headers.get("authorization", "")
            given = auth[7:].strip() if auth[:7].lower() == "bearer " else headers.get("x-api-key", "")
            if not hmac.compare_digest(given.encode(), self.key.encode()):
                problem = "wrong API key" if given else "missing API key"
                message = (f"{problem}: send the server's key (its --api-key or {API_KEY_ENV}) as "
                           "'Authorization: Bearer KEY'")
                response = JSONResponse(error_body(message, "invalid_request_error", code="invalid_api_key"),
                                        status_code=401, headers={"WWW-Authenticate": "Bearer"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes `limit` bytes."""
    problem = (f"the request body is over this server's limit of {limit:,} bytes (--max-body); "
               "send less, or continue a conversation by conversation_id instead of resending it")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise RequestError(413, problem, code="request_too_large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(413, problem, code="request_too_large")
        chunks.append(chunk)
    return b"".join(chunks)


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise RequestError(400, f"{name} must be a whole number from {low} to {high}, not {value!r}", param=name)
    return int(value)


__all__ = ["create_app", "RequireKey"]
