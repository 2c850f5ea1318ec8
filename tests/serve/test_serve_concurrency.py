"""With the HTTP backend, turns of different conversations run at once: the engine sees them
together. A small completions server streams slowly and counts the streams open at once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from agent.agent import Agent
from agent.backends.http import HttpBackend
from agent.serve import ServeConfig, create_app
from agent.store import Store
from tests.helpers.serve_helpers import serve_in_thread

SEGMENTS = {"<eot>": " No tool is needed.", "<eoc>": " None", "<eom>": " A reply in several slow pieces."}


class Engine(ThreadingHTTPServer):
    """An OpenAI-style completions server: the segment to write is read off the first stop
    string; it streams word by word and records the most streams it had open at once."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.open = 0
        self.most_open = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Engine

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        stop = body["stop"][0]
        engine = self.server
        with engine.lock:
            engine.open += 1
            engine.most_open = max(engine.most_open, engine.open)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for word in SEGMENTS[stop].split(" ")[1:]:
                event = {"choices": [{"index": 0, "text": " " + word, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
                time.sleep(0.1)
            end = {"choices": [{"index": 0, "text": "", "finish_reason": "stop", "stop_reason": stop}]}
            self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
        finally:
            with engine.lock:
                engine.open -= 1


@pytest.fixture
def engine() -> Iterator[Engine]:
    server = Engine()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _agent(engine: Engine) -> Agent:
    return Agent(HttpBackend(engine.url, "engine-model"), tools=[])


def test_sessions_of_one_agent_run_their_turns_at_once(engine: Engine) -> None:
    with _agent(engine) as agent:
        assert agent.concurrent
        sessions = [agent.session(), agent.session()]
        replies: list[str] = []
        threads = [threading.Thread(target=lambda s=s: replies.append(s.run("Hi").reply)) for s in sessions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert replies == ["A reply in several slow pieces."] * 2
    assert engine.most_open == 2
    assert all(len(s.turns) == 1 for s in sessions)


@pytest.mark.parametrize("concurrency", [1, 2])
def test_served_turns_run_as_many_at_once_as_the_concurrency_allows(engine: Engine, tmp_path: Path,
                                                                    concurrency: int) -> None:
    with _agent(engine) as agent, Store.open(tmp_path / "logs.db") as store:
        app = create_app(agent, store, ServeConfig(concurrency=concurrency))
        with serve_in_thread(app) as url, httpx.Client(base_url=url, timeout=60) as client:
            request = {"model": "engine-model", "messages": [{"role": "user", "content": "Hi"}]}
            answers: list[httpx.Response] = []
            threads = [threading.Thread(target=lambda: answers.append(client.post("/v1/chat/completions", json=request)))
                       for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        assert [a.json()["choices"][0]["message"]["content"] for a in answers] == ["A reply in several slow pieces."] * 2
        assert engine.most_open == concurrency
        assert [t.status for t in store.turns()] == ["done", "done"]
