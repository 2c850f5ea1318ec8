"""The library's front door: `Agent` answers questions, `Session` holds a conversation.

An Agent owns one model backend, one sandbox pool and the prompt prefix built from its tools.
The backend holds one transcript (and one KV cache), so the agent moves it between
conversations by rewinding to the longest shared prefix and appending the rest: independent
questions reuse the cached meta instruction and examples; a session resumes its own history.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from agent.backends.base import Backend
from agent.errors import ConfigurationError
from agent.events import EventStream, TurnDone, TurnResult
from agent.examples import pool_turns
from agent.format import Call, Turn, render_meta_instruction
from agent.framing import CHATML_FRAMING, FRAMINGS, MOSS_FRAMING, Framing
from agent.loop import TurnLoop
from agent.nearest import NearestExamples
from agent.policy import TurnLimits, TurnPolicy
from agent.prompt import ToolInfo, build_prefix, capabilities
from tools import Limits, Registry, SandboxPool, ToolResult, ToolUnavailableWarning
from tools.mcp import McpConfig, McpConfigError

if TYPE_CHECKING:
    from tools.mcp import McpToolset


class Agent:
    """A MOSS-style agent: `Agent().run("What is 347*29?").reply`.

    `model` is a Backend instance, a path (a GGUF file or a model directory), or None for the
    embedded default model; `backend` picks how a path or name is served ("transformers",
    "llamacpp", "http"). `tools` names the tools to enable (default: every registered tool
    that is available). `limits` bounds a turn (`TurnLimits`), `policy` picks the answer
    techniques (`TurnPolicy`: more rounds, retry, voting, constrained Commands); either may be
    a dict of their fields. Model and sandbox start on first use, so constructing is cheap.
    `mcp_config` adds MCP servers' tools: a `mcp.json` path, a `{"mcpServers": ...}` dict or
    an `McpConfig`; None reads `MOSS_AGENT_MCP_CONFIG` or the user's `mcp.json`, False none.
    The servers start when a turn first needs the tool list and stop with the agent.
    """

    def __init__(
        self,
        model: Backend | str | None = None,
        tools: Sequence[str] | None = None,
        *,
        backend: str = "transformers",
        limits: TurnLimits | None = None,
        policy: TurnPolicy | None = None,
        tool_limits: Limits | None = None,
        few_shot: bool | None = None,
        framing: str | None = None,
        registry: Registry | None = None,
        workers: int = 2,
        progress: bool = False,
        backend_options: dict[str, Any] | None = None,
        mcp_config: str | os.PathLike[str] | Mapping[str, Any] | McpConfig | bool | None = None,
    ) -> None:
        # A dict of their fields is taken too (from configuration files and the bench).
        self.limits = TurnLimits.model_validate(limits or {}) if not isinstance(limits, TurnLimits) else limits
        self._policy = TurnPolicy.model_validate(policy or {}) if not isinstance(policy, TurnPolicy) else policy
        self.registry = registry or Registry.discover()
        self._mcp = _mcp_toolset(mcp_config, tool_limits)
        self._mcp_enabled = tools is None  # MCP tools join the enabled set unless tools= names it
        if tools is not None:
            if self._mcp is not None and any(name not in self.registry for name in tools):
                self._mcp.register(self.registry, enabled=False)  # tools= names an MCP tool
            _enable_only(self.registry, tools)
        self._model = model
        self._backend_kind = backend
        self._backend_options = backend_options or {}
        self._backend: Backend | None = model if isinstance(model, Backend) else None
        self._few_shot = few_shot
        if framing is not None and framing not in FRAMINGS:
            raise ConfigurationError(f"unknown framing {framing!r}: choose one of {', '.join(FRAMINGS)}")
        self._framing_name = framing
        self._tool_limits = tool_limits or Limits()
        self._workers = workers
        self._progress = progress
        self._pool: SandboxPool | None = None
        self._lock = threading.RLock()
        self._prefix: str | None = None
        self._pool_index: NearestExamples | None = None

    # -- resources ---------------------------------------------------------------------------
    @property
    def backend(self) -> Backend:
        with self._lock:
            if self._backend is None:
                from agent.backends import create_backend

                model = self._model
                assert not isinstance(model, Backend)  # a Backend given is kept from the start
                self._backend = create_backend(
                    self._backend_kind, model, progress=self._progress, **self._backend_options
                )
            return self._backend

    @property
    def concurrent(self) -> bool:
        """Whether turns of different sessions may run at the same time.

        A backend that keeps only text (HTTP: the server holds the model) can give each turn
        a copy of its own (`spawn()`), so the engine batches concurrent turns; one that keeps
        a model and a KV cache in this process (transformers, llama.cpp) runs one at a time.
        """
        return callable(getattr(self.backend, "spawn", None))

    @property
    def model_name(self) -> str:
        return getattr(self.backend, "model_name", None) or self.backend.name

    @property
    def tools(self) -> list[ToolInfo]:
        """The tools the model is told about: enabled and able to answer now (Search, for
        one, is off until it has an index or a server)."""
        if self._mcp is not None:  # starts the MCP servers, once
            self._mcp.register(self.registry, enabled=self._mcp_enabled)
        return [
            ToolInfo(name=e.tool.name, capability=e.tool.capability, signature=e.tool.signature,
                     examples=e.tool.examples)
            for e in self.registry.entries()
            if e.enabled and e.tool.is_available()
        ]

    @property
    def is_moss_model(self) -> bool:
        return "moss" in self.model_name.lower()

    @property
    def framing(self) -> Framing:
        """MOSS's own `<|Human|>` framing for a MOSS model, ChatML roles for any other."""
        if self._framing_name is not None:
            return FRAMINGS[self._framing_name]
        return MOSS_FRAMING if self.is_moss_model else CHATML_FRAMING

    @property
    def few_shot(self) -> bool:
        """True when the model is shown example turns (any model not trained on MOSS)."""
        return not self.is_moss_model if self._few_shot is None else self._few_shot

    @property
    def policy(self) -> TurnPolicy:
        """The techniques in force: a MOSS model (no examples) keeps MOSS's one round a turn,
        since it was never shown another round or a retry."""
        if self.few_shot:
            return self._policy
        return self._policy.model_copy(update={"more_rounds": False, "retry_failed": False})

    @property
    def prefix(self) -> str:
        """The meta instruction (and examples for a non-MOSS model) every conversation starts with."""
        if self._prefix is None:
            self._prefix = build_prefix(self.tools, few_shot=self.few_shot, framing=self.framing,
                                        plan_thoughts=self._policy.plan_thoughts)
        return self._prefix

    def examples_for(self, question: str) -> list[Turn]:
        """The worked examples shown right before this question: the `policy.nearest_examples`
        pool turns of the enabled tools that most resemble it (none for a MOSS model, which
        needs no examples)."""
        k = self.policy.nearest_examples
        if not self.few_shot or k == 0:
            return []
        with self._lock:
            if self._pool_index is None:
                tools = self.tools
                self._pool_index = NearestExamples(
                    pool_turns([e for t in tools for e in t.examples], [t.name for t in tools]))
            index = self._pool_index
        return index.nearest(question, k)

    @property
    def meta_instruction(self) -> str:
        """The meta instruction alone (no examples): what a recorded conversation carries."""
        return render_meta_instruction(capabilities(self.tools))

    def set_tools(self, names: Sequence[str]) -> None:
        """Enable exactly these tools from now on (the next turn's prompt says so)."""
        with self._lock:
            if self._mcp is not None:
                self._mcp.register(self.registry, enabled=self._mcp_enabled)
            _enable_only(self.registry, names)
            self._prefix = None
            self._pool_index = None

    def start(self) -> None:
        """Load the model and start the tools' sandbox now rather than on the first question,
        so a server or a REPL reports a model or sandbox that cannot start (a `MossAgentError`
        saying what to do) before anyone asks."""
        self.backend  # noqa: B018 -- loads it
        if self.tools:
            self._ensure_pool()

    def _ensure_pool(self) -> SandboxPool:
        with self._lock:
            if self._pool is not None and not self._pool.usable:
                self._pool.close()  # its zygote died: start over rather than fail every call
                self._pool = None
            if self._pool is None:
                self._pool = SandboxPool(self.registry, workers=self._workers, limits=self._tool_limits)
            return self._pool

    def _run_calls(self, calls: list[Call]) -> list[ToolResult]:
        pairs = [(c.tool, c.args) for c in calls]
        if self._mcp is not None:
            from tools.mcp import run_calls

            return run_calls(self.registry, self._ensure_pool, pairs)
        return self._ensure_pool().run_many(pairs)

    def close(self) -> None:
        """Stop the sandbox workers and let the model go; the agent can start them again."""
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
            if self._mcp is not None:
                self._mcp.close()
            close = getattr(self._backend, "close", None)
            if close is not None and not isinstance(self._model, Backend):
                close()
                self._backend = None

    def __enter__(self) -> Agent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- answering ---------------------------------------------------------------------------
    def session(self, history: Sequence[TurnResult] = ()) -> Session:
        """A conversation that keeps its history (and, while it is the active one, its cache);
        `history` resumes one, e.g. the turns a store recorded."""
        session = Session(self)
        session.turns.extend(history)
        return session

    def run(self, text: str) -> TurnResult:
        """Answer one independent question (no history)."""
        return Session(self).run(text)

    def stream(self, text: str) -> EventStream:
        """The events of answering one independent question, as they happen."""
        return Session(self).stream(text)

    def _activate(self, history: str) -> None:
        """Make the backend's transcript `prefix + history`, reusing whatever it shares."""
        backend = self.backend
        desired = self.prefix + history
        current = backend.transcript
        common = _common_prefix(current, desired)
        if common == 0 and current:
            backend.reset(desired)
            return
        if common < len(current):
            backend.rewind(len(current) - common)
        if common < len(desired):
            backend.append(desired[common:])


class Session:
    """A multi-turn conversation with one agent; `run`/`stream` as on `Agent`."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.turns: list[TurnResult] = []

    @property
    def history_text(self) -> str:
        """The session's turns as the backend's transcript holds them."""
        framing = self.agent.framing
        return "".join(framing.render_turn(t) for t in self.turns)

    def stream(self, text: str) -> EventStream:
        """The events of one turn. With a backend that can `spawn` (HTTP), the turn runs on a
        backend of its own outside the agent's lock, so other sessions' turns run meanwhile;
        a local backend's single transcript is held for the whole turn."""
        agent = self.agent
        with agent._lock:
            if agent.tools:  # workers import their plugins (sympy: ~1 s) while the model works
                agent._ensure_pool()
            examples = agent.examples_for(text)
            own: Backend | None = agent.backend.spawn() if agent.concurrent else None  # type: ignore[attr-defined]
            if own is not None:
                own.reset(agent.prefix + self.history_text)
                loop = self._loop(own)
        if own is not None:
            yield from self._run(loop, text, examples)
            return
        with agent._lock:
            agent._activate(self.history_text)
            yield from self._run(self._loop(agent.backend), text, examples)

    def _loop(self, backend: Backend) -> TurnLoop:
        agent = self.agent
        return TurnLoop(
            backend,
            agent._run_calls,
            limits=agent.limits,
            policy=agent.policy,
            known_tools=[t.name for t in agent.tools],
            model_name=agent.model_name,
            framing=agent.framing,
        )

    def _run(self, loop: TurnLoop, text: str, examples: Sequence[Turn] = ()) -> EventStream:
        for event in loop.run(text, examples):
            if isinstance(event, TurnDone):
                self.turns.append(event.result)
            yield event

    def run(self, text: str) -> TurnResult:
        result: TurnResult | None = None
        for event in self.stream(text):
            if isinstance(event, TurnDone):
                result = event.result
        assert result is not None  # the loop always ends with TurnDone
        return result

    def reset(self) -> None:
        self.turns.clear()


def _mcp_toolset(
    config: str | os.PathLike[str] | Mapping[str, Any] | McpConfig | bool | None, limits: Limits | None
) -> McpToolset | None:
    """The MCP toolset for `Agent(mcp_config=...)`, or None; nothing starts yet."""
    from tools.mcp import resolve

    try:
        resolved = resolve(config)
    except McpConfigError as exc:
        raise ConfigurationError(str(exc)) from None
    if resolved is None or not resolved.enabled:
        return None
    from tools.mcp import McpToolset

    return McpToolset(resolved, limits)


def _enable_only(registry: Registry, names: Sequence[str]) -> None:
    unknown = [n for n in names if n not in registry]
    if unknown:
        known = ", ".join(registry.names()) or "none"
        raise ConfigurationError(f"no tool named {', '.join(unknown)} is registered (known: {known})")
    for name in registry.names():
        (registry.enable if name in names else registry.disable)(name)
    for name in names:
        reason = registry.get(name).unavailable_reason()
        if reason is not None:
            warnings.warn(
                f"{name} is not offered to the model: {reason}", ToolUnavailableWarning, stacklevel=3
            )


def _common_prefix(a: str, b: str) -> int:
    size = min(len(a), len(b))
    if a[:size] == b[:size]:
        return size
    low, high = 0, size  # binary search on the longest equal prefix
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low
