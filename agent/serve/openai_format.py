"""The OpenAI chat-completions format both ways: a request read into a turn, and a turn
written back as a completion or as streamed chunks.

What the agent adds travels in a `moss` field that OpenAI clients keep as an extra attribute:
on a completion, the turn's thoughts, commands, calls with their results and warnings; while
streaming, one chunk per agent event (thought tokens, commands issued, each tool result, the
queue position), each a valid chunk with an empty delta, so an OpenAI client that reads only
`delta.content` sees exactly the reply. Tool calls are never sent as OpenAI `tool_calls`: the
tools already ran on the server, and a client must not run them again.
"""

from __future__ import annotations

import json
import time
import uuid
from itertools import zip_longest
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.errors import MossAgentError
from agent.events import ToolResultEvent, TurnResult
from agent.serve.turns import TurnRequest

CONVERSATION_HEADER = "X-Conversation-Id"


class RequestError(MossAgentError):
    """A request the server refuses; `status` and the OpenAI-shaped error body say why."""

    def __init__(self, status: int, message: str, *, param: str | None = None,
                 kind: str = "invalid_request_error", code: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.kind = kind
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.message, self.kind, self.param, self.code)


def error_body(message: str, kind: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    """The fields read from a chat-completions request; the others are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    user: str | None = None
    conversation_id: int | str | None = None
    n: int | None = None
    tools: list[Any] | None = None
    functions: list[Any] | None = None

    @property
    def include_usage(self) -> bool:
        return bool(self.stream_options and self.stream_options.get("include_usage"))


def parse_request(body: bytes, header_conversation: str | None, max_messages: int) -> tuple[ChatRequest, TurnRequest, list[str]]:
    """The request, the turn it asks for, and notes on what was ignored (system messages)."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise RequestError(400, f"the request body is not JSON ({exc}); send a chat-completions JSON object") from exc
    if isinstance(data, dict) and isinstance(data.get("messages"), list) and len(data["messages"]) > max_messages:
        raise RequestError(400, f"{len(data['messages'])} messages is over this server's limit of {max_messages} "
                           "(--max-messages); continue a conversation by conversation_id instead of resending it",
                           param="messages", code="too_many_messages")
    try:
        request = ChatRequest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise RequestError(400, f"{where}: {first['msg']}", param=where) from exc
    if request.n not in (None, 1):
        raise RequestError(400, "n must be 1: the agent writes one reply per turn", param="n")
    if request.tools or request.functions:
        raise RequestError(400, "this server runs its own tools (Calculate, Solve, Search) server-side; "
                           "send the question without `tools`/`functions`", param="tools")
    conversation_id = _conversation_id(request.conversation_id, header_conversation)
    question, history, notes = _dialogue(request.messages)
    return request, TurnRequest(question=question, conversation_id=conversation_id, history=history), notes


def _conversation_id(field: int | str | None, header: str | None) -> int | None:
    values = {str(v).strip() for v in (field, header) if v is not None and str(v).strip()}
    if not values:
        return None
    if len(values) > 1:
        raise RequestError(400, f"conversation_id {field!r} and the {CONVERSATION_HEADER} header {header!r} differ; "
                           "send one", param="conversation_id")
    value = values.pop()
    if not value.isdigit() or int(value) < 1:
        raise RequestError(400, f"conversation_id must be a positive integer (as a previous response gave it), "
                           f"not {value!r}", param="conversation_id")
    return int(value)


def _text(message: ChatMessage, index: int) -> str:
    content = message.content
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        if part.get("type") != "text" or not isinstance(part.get("text"), str):
            raise RequestError(400, f"messages[{index}].content: only text parts are supported, "
                               f"not {part.get('type')!r}", param=f"messages[{index}].content")
        parts.append(part["text"])
    return "\n".join(parts)


def _dialogue(messages: list[ChatMessage]) -> tuple[str, list[TurnResult], list[str]]:
    """The last user message as the question; earlier user/assistant pairs as finished turns."""
    notes: list[str] = []
    turns: list[TurnResult] = []
    pending: str | None = None
    for index, message in enumerate(messages):
        role = message.role
        if role in ("system", "developer"):
            if not notes:
                notes.append(f"{role} messages are ignored: the agent's instructions are its MOSS meta instruction")
            continue
        if role not in ("user", "assistant"):
            raise RequestError(400, f"messages[{index}].role {role!r} is not accepted: the agent runs its tools "
                               "itself; send system, user and assistant messages", param=f"messages[{index}].role")
        if getattr(message, "tool_calls", None):
            raise RequestError(400, f"messages[{index}] carries tool_calls; the agent runs its tools itself, "
                               "send the assistant's text only", param=f"messages[{index}].tool_calls")
        text = _text(message, index).strip()
        if role == "user":
            if pending is not None:
                raise RequestError(400, f"messages[{index}]: two user messages in a row; user and assistant "
                                   "messages must alternate", param=f"messages[{index}]")
            pending = text
        else:
            if pending is None:
                raise RequestError(400, f"messages[{index}]: an assistant message must follow a user message",
                                   param=f"messages[{index}]")
            turns.append(TurnResult(question=pending, reply=text))
            pending = None
    if pending is None:
        raise RequestError(400, "the last message must be the user's question", param="messages")
    if not pending:
        raise RequestError(400, "the question (the last user message) is empty", param="messages")
    return pending, turns, notes


# -- answers ---------------------------------------------------------------------------------

def moss_event(event: BaseModel) -> dict[str, Any]:
    """An agent event as JSON, by its `type`; a tool result also carries its rendered body."""
    data = event.model_dump(mode="json")
    if isinstance(event, ToolResultEvent):
        data["body"] = event.result.render_body().strip()
    return data


def turn_summary(result: TurnResult, conversation_id: int, notes: list[str]) -> dict[str, Any]:
    """The `moss` field of a completion: what the agent did to answer."""
    calls = [
        {
            "tool": call.tool,
            "args": list(call.args),
            "text": call.text,
            "result": outcome.render_body().strip() if outcome is not None else None,
            "error": outcome.error.kind.value if outcome is not None and outcome.error else None,
        }
        for call, outcome in zip_longest(result.calls, result.results)
        if call is not None
    ]
    summary: dict[str, Any] = {
        "conversation_id": conversation_id,
        "thoughts": result.thoughts,
        "commands": result.commands,
        "calls": calls,
        "warnings": [w.model_dump(mode="json") for w in result.warnings]
        + [{"type": "warning", "kind": "request", "message": note} for note in notes],
        "error": result.error.model_dump(mode="json") if result.error else None,
        "tokens": result.tokens.model_dump(mode="json"),
        "timings": result.timings.model_dump(mode="json"),
    }
    rounds = getattr(result, "rounds", None)  # several tool rounds in one turn, where the loop has them
    if rounds is not None:
        summary["rounds"] = [r.model_dump(mode="json") if isinstance(r, BaseModel) else r for r in rounds]
    return summary


def usage(result: TurnResult) -> dict[str, int]:
    prompt, generated = result.tokens.prompt, result.tokens.generated
    return {"prompt_tokens": prompt, "completion_tokens": generated, "total_tokens": prompt + generated}


def turn_error(result: TurnResult, conversation_id: int) -> RequestError | None:
    """A turn that ended in an error, as the HTTP error a client gets (502 backend, 504 time)."""
    if result.error is None:
        return None
    status = {"backend": 502, "deadline": 504}.get(result.error.kind, 500)
    return RequestError(status, f"the turn failed ({result.error.kind}): {result.error.message}; "
                        f"conversation {conversation_id} keeps it", kind="server_error", code=result.error.kind)


def new_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex[:24]


def completion(result: TurnResult, model: str, conversation_id: int, notes: list[str]) -> dict[str, Any]:
    return {
        "id": new_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "conversation_id": conversation_id,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": result.reply},
                     "finish_reason": "stop", "logprobs": None}],
        "usage": usage(result),
        "moss": turn_summary(result, conversation_id, notes),
    }


class ChunkWriter:
    """The SSE text of one streamed completion, chunk by chunk."""

    def __init__(self, model: str) -> None:
        self.id = new_id()
        self.created = int(time.time())
        self.model = model
        self.conversation_id: int | None = None
        self._started = False
        self._held = ""  # trailing whitespace of the reply so far: sent only if text follows

    def _sse(self, data: dict[str, Any]) -> str:
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    def chunk(self, delta: dict[str, Any] | None = None, *, finish: str | None = None,
              moss: dict[str, Any] | None = None, usage: dict[str, int] | None = None,
              choices: bool = True) -> str:
        data: dict[str, Any] = {"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                                "model": self.model}
        if self.conversation_id is not None:
            data["conversation_id"] = self.conversation_id
        data["choices"] = ([{"index": 0, "delta": delta or {}, "finish_reason": finish, "logprobs": None}]
                           if choices else [])
        if moss is not None:
            data["moss"] = moss
        if usage is not None:
            data["usage"] = usage
        return self._sse(data)

    def moss(self, payload: dict[str, Any]) -> str:
        return self.chunk(moss=payload)

    def role(self) -> str:
        return self.chunk({"role": "assistant", "content": ""}, moss={"type": "started"})

    def content(self, text: str) -> str:
        """A reply token; whitespace at the very start and end of the reply is not sent, so the
        pieces add up to the recorded reply."""
        text = self._held + text
        if not self._started:
            text = text.lstrip()
        stripped = text.rstrip()
        self._held = text[len(stripped):]
        if not stripped:
            return ""
        self._started = True
        return self.chunk({"content": stripped})

    def error(self, error: RequestError) -> str:
        return self._sse(error.body())

    @staticmethod
    def done() -> str:
        return "data: [DONE]\n\n"
