"""Turns wait their turn: the fair queue on its own, then a served local backend (one slot)
with queue positions, 503 beyond --max-queue, and clients that go away."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agent.agent import Agent
from agent.backends.scripted import ScriptedBackend
from agent.serve import ServeConfig, create_app
from agent.serve.scheduler import FairQueue, QueueFull
from agent.store import Store
from tests.helpers.serve_helpers import PLAIN_TURN, serve_in_thread

# -- the queue alone ------------------------------------------------------------------------


def test_waiting_turns_are_taken_round_robin_across_clients() -> None:
    async def scenario() -> None:
        queue = FairQueue(capacity=1, max_queue=10)
        a1, a2, a3 = (queue.join(f"a{i}", "alice") for i in (1, 2, 3))
        b1 = queue.join("b1", "bob")
        assert a1.granted.done() and not a2.granted.done()
        # Alice sent three, Bob one: Bob's goes second, not fourth.
        assert (a2.position, b1.position, a3.position) == (1, 2, 3)
        queue.leave(a1)
        assert a2.granted.done() and (b1.position, a3.position) == (1, 2)
        queue.leave(a2)
        assert b1.granted.done() and not a3.granted.done()
        queue.leave(b1)
        assert a3.granted.done() and queue.waiting == 0

    asyncio.run(scenario())


def test_a_conversation_runs_one_turn_at_a_time_while_others_go_ahead() -> None:
    async def scenario() -> None:
        queue = FairQueue(capacity=2, max_queue=10)
        first, second = queue.join(7, "alice"), queue.join(7, "alice")
        other = queue.join(8, "alice")
        assert first.granted.done() and other.granted.done() and not second.granted.done()
        queue.leave(first)
        assert second.granted.done()

    asyncio.run(scenario())


def test_beyond_max_queue_a_turn_is_refused_with_a_retry_time_and_leaving_frees_places() -> None:
    async def scenario() -> None:
        queue = FairQueue(capacity=1, max_queue=1)
        running, waiting = queue.join(1, "a"), queue.join(2, "b")
        with pytest.raises(QueueFull) as refused:
            queue.join(3, "c")
        assert refused.value.retry_after >= 1 and "--max-queue" in str(refused.value)
        queue.leave(waiting)  # the waiting client went away
        assert waiting.granted.cancelled() and queue.waiting == 0
        late = queue.join(3, "c")
        assert late.position == 1
        queue.leave(running)
        assert late.granted.done()

    asyncio.run(scenario())


def test_positions_are_reported_as_they_change() -> None:
    async def scenario() -> list[int]:
        queue = FairQueue(capacity=1, max_queue=10)
        tickets = [queue.join(i, "same client") for i in range(3)]
        seen: list[int] = []

        async def watch() -> None:
            async for position in queue.positions(tickets[2]):
                seen.append(position)

        async def seen_count(n: int) -> None:
            while len(seen) < n:
                await asyncio.sleep(0.01)

        watcher = asyncio.create_task(watch())
        await asyncio.wait_for(seen_count(1), 5)
        queue.leave(tickets[0])
        await asyncio.wait_for(seen_count(2), 5)
        queue.leave(tickets[1])
        await asyncio.wait_for(watcher, 5)
        return seen

    assert asyncio.run(scenario()) == [2, 1]


# -- a served local backend ------------------------------------------------------------------

SLOW_REPLY = " " + " ".join(f"word{i}" for i in range(200)) + ".<eom>"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Store]]:
    script = [" Thinking.<eot>", " None<eoc>", SLOW_REPLY] + PLAIN_TURN * 3
    agent = Agent(ScriptedBackend(script, seconds_per_piece=0.02), tools=[])
    with Store.open(tmp_path / "logs.db") as store, agent:
        app = create_app(agent, store, ServeConfig(max_queue=1))
        with serve_in_thread(app) as url:
            yield url, store


def _request(question: str, stream: bool = True) -> dict:
    return {"model": "scripted", "stream": stream, "messages": [{"role": "user", "content": question}]}


def _chunks(response: httpx.Response) -> Iterator[dict]:
    for line in response.iter_lines():
        if line.startswith("data: ") and line != "data: [DONE]":
            yield json.loads(line[6:])


@contextlib.contextmanager
def _replying(client: httpx.Client, question: str) -> Iterator[None]:
    """A streamed turn that has started its reply; leaving the block disconnects its client."""
    with client.stream("POST", "/v1/chat/completions", json=_request(question)) as response:
        chunks = _chunks(response)  # kept open: a dropped iterator closes the response
        for chunk in chunks:
            if chunk.get("choices") and chunk["choices"][0]["delta"].get("content"):
                break
        else:
            raise AssertionError("the stream ended before any reply text")
        yield


def _wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    give_up = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < give_up, "condition not reached"
        time.sleep(0.05)


def test_a_waiting_client_sees_its_position_and_one_too_many_gets_503(served: tuple[str, Store]) -> None:
    url, store = served
    with httpx.Client(base_url=url, timeout=60) as client:
        with _replying(client, "long one"):
            with client.stream("POST", "/v1/chat/completions", json=_request("second")) as second:
                events = _chunks(second)
                assert next(events)["moss"] == {"type": "queued", "position": 1}
                refused = client.post("/v1/chat/completions", json=_request("third", stream=False))
                assert refused.status_code == 503
                assert int(refused.headers["Retry-After"]) >= 1
                assert "--max-queue" in refused.json()["error"]["message"]
                rest = list(events)
            assert "".join(c["choices"][0]["delta"].get("content") or "" for c in rest if c["choices"]) == \
                "Hello! How can I help you today?"
    assert [t.status for t in store.turns()] == ["done", "done"]


def test_a_client_that_disconnects_cancels_its_turn_and_the_next_one_runs(served: tuple[str, Store]) -> None:
    url, store = served
    with httpx.Client(base_url=url, timeout=60) as client:
        second_chunks: list[dict] = []
        with _replying(client, "long one"):
            second_stream = client.stream("POST", "/v1/chat/completions", json=_request("second"))
            second = second_stream.__enter__()
            events = _chunks(second)
            second_chunks.append(next(events))
        # The first client has gone: its turn stops, and the waiting one gets the model.
        second_chunks.extend(events)
        second_stream.__exit__(None, None, None)
    assert second_chunks[0]["moss"]["type"] == "queued"
    assert second_chunks[-1]["choices"][0]["finish_reason"] == "stop"
    _wait_for(lambda: [t.status for t in store.turns()] == ["cancelled", "done"])
    cancelled = store.turns()[0]
    assert cancelled.partial_segment == "reply" or cancelled.result.reply
    assert "word199" not in (cancelled.partial + cancelled.result.reply)


def test_a_client_that_gives_up_waiting_leaves_the_queue(served: tuple[str, Store]) -> None:
    url, store = served
    with httpx.Client(base_url=url, timeout=60) as client:
        with _replying(client, "long one"):
            with pytest.raises(httpx.ReadTimeout):
                client.post("/v1/chat/completions", json=_request("impatient", stream=False), timeout=0.5)
            _wait_for(lambda: client.get("/healthz").json()["waiting"] == 0)
            assert client.get("/healthz").json()["running"] == 1
    _wait_for(lambda: _idle(url))
    assert [t.result.question for t in store.turns()] == ["long one"]


def _idle(url: str) -> bool:
    return httpx.get(url + "/healthz").json()["running"] == 0


def test_a_client_that_stops_waiting_for_a_running_answer_cancels_it(served: tuple[str, Store]) -> None:
    url, store = served
    with httpx.Client(base_url=url, timeout=60) as client:
        with pytest.raises(httpx.ReadTimeout):  # not streamed: the client gives up mid-reply
            client.post("/v1/chat/completions", json=_request("long one", stream=False), timeout=1.5)
        _wait_for(lambda: [t.status for t in store.turns()] == ["cancelled"])
        _wait_for(lambda: _idle(url))
        answer = client.post("/v1/chat/completions", json=_request("next", stream=False))
    assert answer.json()["choices"][0]["message"]["content"] == "Hello! How can I help you today?"
