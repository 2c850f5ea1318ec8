"""A scripted completions server for the HTTP backend's tests: it produces on demand what a
real server will not (a cut stream, a server that ignores `stop`, 5xx errors with a message, a
stall) and records every request. Also used by the constrained-Commands tests."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from agent.backends.base import GenerationEnd
from agent.backends.http import HttpBackend

Reply = Callable[[BaseHTTPRequestHandler], None]


def sse(*chunks: str, finish: str | None = "stop", done: bool = True, extra: dict[str, Any] | None = None, pause: float = 0.0) -> Reply:
    """Stream `chunks` as completion events, then a finish_reason and `[DONE]` (as told)."""

    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.end_headers()
        for chunk in chunks:
            event = {"choices": [{"text": chunk, "index": 0, "finish_reason": None}]}
            h.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            h.wfile.flush()
            if pause:
                time.sleep(pause)
        if finish is not None:
            choice: dict[str, Any] = {"text": "", "index": 0, "finish_reason": finish}
            choice.update(extra or {})
            h.wfile.write(f"data: {json.dumps({'choices': [choice]})}\n\n".encode())
        if done:
            h.wfile.write(b"data: [DONE]\n\n")

    return reply


def status(code: int, body: Any) -> Reply:
    def reply(h: BaseHTTPRequestHandler) -> None:
        data = json.dumps(body).encode()
        h.send_response(code)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return reply


def completion(text: str, finish: str = "length") -> Reply:
    """A non-streamed completion (what the stop-string probe asks for)."""
    return status(200, {"choices": [{"text": text, "index": 0, "finish_reason": finish}]})


def stall(seconds: float) -> Reply:
    def reply(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)

    return reply


def cut_chunked(first: str) -> Reply:
    """Start a chunked body, send one event, then drop the connection mid-body."""

    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        event = json.dumps({"choices": [{"text": first, "index": 0, "finish_reason": None}]})
        data = f"data: {event}\n\n".encode()
        h.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        h.wfile.flush()
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)

    return reply


class Scripted:
    """A local server that answers each request with the next scripted reply, and records it."""

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                reply = outer.replies.pop(0) if outer.replies else status(500, {"error": "no reply scripted"})
                try:
                    reply(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator[Callable[..., Scripted]]:
    servers: list[Scripted] = []

    def make(*replies: Reply) -> Scripted:
        servers.append(Scripted(list(replies)))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def run(backend: HttpBackend, stop: list[str], max_new_tokens: int = 64, deadline: float | None = None) -> tuple[list[str], GenerationEnd]:
    pieces: list[str] = []
    end = None
    for item in backend.generate(stop, max_new_tokens, deadline):
        if isinstance(item, GenerationEnd):
            end = item
        else:
            pieces.append(item)
    assert end is not None
    return pieces, end
