"""Who runs next: a fair queue of turns in front of a fixed number of slots.

A local backend has one model and one KV cache, so it has one slot; an HTTP backend has as
many as `--concurrency` (the engine batches them). Waiting turns are taken round-robin across
clients (the OpenAI `user` field, else the client's address), first come first served within a
client, so one client sending many requests cannot starve the others. A conversation runs one
turn at a time: its next turn waits while another of its turns runs, and meanwhile other
conversations go ahead. Everything here runs on the event loop's thread (no locks).
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import AsyncIterator, Hashable

from agent.errors import MossAgentError

# Until a turn has finished, assume turns take this long (for Retry-After only).
_FIRST_GUESS_S = 10.0


class QueueFull(MossAgentError):
    """No room to wait: the caller answers 503 with `retry_after` seconds."""

    def __init__(self, waiting: int, retry_after: int, why: str | None = None) -> None:
        why = why or f"{waiting} turns are already waiting (the server's --max-queue)"
        super().__init__(f"{why}; retry in {retry_after} s")
        self.waiting = waiting
        self.retry_after = retry_after


class Ticket:
    """One turn's place: waiting (with a position), then running, then left."""

    def __init__(self, conversation: Hashable, client: str) -> None:
        self.conversation = conversation
        self.client = client
        self.granted = asyncio.get_running_loop().create_future()
        self.position = 0  # 1 = next to run; 0 once running
        self.moved = asyncio.Event()
        self.started_at: float | None = None
        self.left = False


class FairQueue:
    """`capacity` turns run at once; up to `max_queue` more wait their turn."""

    def __init__(self, capacity: int, max_queue: int) -> None:
        self.capacity = capacity
        self.max_queue = max_queue
        self._waiting: dict[str, deque[Ticket]] = {}
        self._rotation: deque[str] = deque()  # clients in the order they are served next
        self._running: set[Ticket] = set()
        self._mean_turn_s: float | None = None

    # -- state -------------------------------------------------------------------------------
    @property
    def running(self) -> int:
        return len(self._running)

    @property
    def waiting(self) -> int:
        return sum(len(q) for q in self._waiting.values())

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: the mean turn time times the queue's depth."""
        mean = self._mean_turn_s if self._mean_turn_s is not None else _FIRST_GUESS_S
        return max(1, min(600, math.ceil(mean * (self.waiting + 1) / max(1, self.capacity))))

    # -- joining and leaving -----------------------------------------------------------------
    def join(self, conversation: Hashable, client: str) -> Ticket:
        """A ticket for one turn, running at once if a slot is free; QueueFull if the queue is."""
        ticket = Ticket(conversation, client)
        if self.capacity == 0:
            raise QueueFull(self.waiting, 5, "the server is shutting down")
        if self.waiting >= self.max_queue and not self._can_start(ticket):
            raise QueueFull(self.waiting, self.retry_after())
        if client not in self._waiting:
            self._waiting[client] = deque()
            self._rotation.append(client)
        self._waiting[client].append(ticket)
        self._dispatch()
        return ticket

    async def positions(self, ticket: Ticket) -> AsyncIterator[int]:
        """Yield the ticket's position (1 = next) each time it changes, until it runs."""
        while not ticket.granted.done():
            yield ticket.position
            ticket.moved.clear()
            moved = asyncio.ensure_future(ticket.moved.wait())
            try:
                await asyncio.wait({moved, ticket.granted}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                moved.cancel()

    def leave(self, ticket: Ticket) -> None:
        """The turn ended (or its client gave up waiting): free its slot or its place."""
        if ticket.left:
            return
        ticket.left = True
        if ticket in self._running:
            self._running.discard(ticket)
            if ticket.started_at is not None:
                took = asyncio.get_running_loop().time() - ticket.started_at
                self._mean_turn_s = took if self._mean_turn_s is None else 0.8 * self._mean_turn_s + 0.2 * took
        else:
            queue = self._waiting.get(ticket.client)
            if queue is not None and ticket in queue:
                queue.remove(ticket)
                if not queue:
                    del self._waiting[ticket.client]
                    self._rotation.remove(ticket.client)
            if not ticket.granted.done():
                ticket.granted.cancel()
        self._dispatch()

    def close(self) -> None:
        """Shutting down: every waiting turn gives up its place, and none may join."""
        self.max_queue = 0
        self.capacity = 0
        for queue in list(self._waiting.values()):
            for ticket in list(queue):
                self.leave(ticket)

    # -- choosing ----------------------------------------------------------------------------
    def _busy(self) -> set[Hashable]:
        return {t.conversation for t in self._running}

    def _can_start(self, ticket: Ticket) -> bool:
        return len(self._running) < self.capacity and ticket.conversation not in self._busy()

    def _dispatch(self) -> None:
        """Start waiting turns while slots are free, round-robin over clients."""
        loop = asyncio.get_running_loop()
        progress = True
        while progress and len(self._running) < self.capacity and self._rotation:
            progress = False
            busy = self._busy()
            for client in list(self._rotation):
                queue = self._waiting[client]
                ticket = next((t for t in queue if t.conversation not in busy), None)
                if ticket is None:
                    continue
                queue.remove(ticket)
                self._rotation.remove(client)
                if queue:
                    self._rotation.append(client)  # served: to the back of the line
                else:
                    del self._waiting[client]
                ticket.position = 0
                ticket.started_at = loop.time()
                self._running.add(ticket)
                ticket.granted.set_result(None)
                progress = True
                break
        self._renumber()

    def _renumber(self) -> None:
        """Positions in the order turns would start if every slot freed now: round r takes
        the r-th waiting turn of each client, clients in rotation order."""
        queues = [self._waiting[c] for c in self._rotation]
        position = 0
        for rank in range(max((len(q) for q in queues), default=0)):
            for queue in queues:
                if rank < len(queue):
                    position += 1
                    ticket = queue[rank]
                    if ticket.position != position:
                        ticket.position = position
                        ticket.moved.set()
