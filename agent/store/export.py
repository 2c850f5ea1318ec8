"""Recorded conversations out as training data (MOSS SFT, ShareGPT, Alpaca) and back in.

- MOSS: the `conversation_with_plugins` shape of the shared samples (conversation_id,
  meta_instruction, num_turns, chat.turn_N with the five marked-up segments, category), written
  as the samples are (4-space indent, UTF-8 unescaped), so a conversation imported from a sample
  exports back byte for byte and a recorded one reads back through `Conversation.from_moss_json`.
- ShareGPT, the LLaMA-Factory flavour: `system` holds the meta instruction; a turn is `human`,
  then for each tool round `function_call` (the Commands text) and `observation` (the Results
  entries), then `gpt` (the reply). Inner thoughts have no ShareGPT role, so each round's ride
  on its first model message (its `function_call`, or the `gpt` reply for a round without
  calls) as an extra `thoughts` key, which loaders ignore and import reads.
- Alpaca: one record per turn (instruction, input, output, system, history of earlier pairs);
  export only, since it drops the tool calls.

Only finished turns are exported (a cancelled or killed turn never became history).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from agent.errors import ParseError
from agent.events import TurnResult
from agent.format import EOR, NONE, RESULTS, Call, Conversation, Round, Turn
from agent.parse import parse_commands
from agent.store.database import ConversationInfo, Store, StoredTurn
from tools.wire.results import parse_results
from agent.wire.turn import round_keys
from tools import ErrorKind, ToolResult

Format = Literal["moss", "sharegpt", "alpaca"]
FORMATS: tuple[str, ...] = ("moss", "sharegpt", "alpaca")
_MAX_IMPORT_BYTES = 512 * 1024 * 1024


class Imported(BaseModel):
    """One conversation read from a file, ready for `Store.add_conversation`."""

    meta_instruction: str
    turns: list[tuple[TurnResult, dict[str, str] | None]]
    source: str
    source_id: int | str | None = None
    category: str | None = None
    num_turns: int | None = None


# -- out ---------------------------------------------------------------------------------------
def wire_turn(stored: StoredTurn) -> Turn:
    """The wire-format turn: the exact recording when imported, else the result itself."""
    if stored.recorded is not None:
        return Turn.from_moss_json(stored.recorded)
    return stored.result


def to_conversation(info: ConversationInfo, turns: Sequence[StoredTurn]) -> Conversation:
    """A stored conversation as the wire format's `Conversation`."""
    from_moss = info.source == "moss"  # keep the sample's own category (text2img has none)
    return Conversation(
        conversation_id=info.source_id if info.source_id is not None else info.id,
        meta_instruction=info.meta_instruction,
        turns=tuple(wire_turn(t) for t in turns if t.finished),
        category=info.category if from_moss else "tool",
        num_turns=info.num_turns if from_moss else None,
    )


def to_moss(info: ConversationInfo, turns: Sequence[StoredTurn]) -> dict[str, Any]:
    return to_conversation(info, turns).to_moss_json()


def to_sharegpt(info: ConversationInfo, turns: Sequence[StoredTurn]) -> dict[str, Any]:
    messages: list[dict[str, str]] = []
    for stored in turns:
        if not stored.finished:
            continue
        turn = wire_turn(stored)
        messages.append({"from": "human", "value": turn.question})
        thoughts = ""  # a round without calls hands its thoughts to the reply
        first_snippet = 1
        for round_ in turn.rounds:
            results = round_.results_segment(first_snippet)
            first_snippet += round_.snippet_count
            if not round_.calls:
                thoughts = round_.thoughts
                continue
            call_message = {"from": "function_call", "value": round_.commands}
            if round_.thoughts:
                call_message["thoughts"] = round_.thoughts
            body = results.render()[len(RESULTS) :].removesuffix(EOR + "\n")
            observation = body[1:].removesuffix("\n") if body.startswith("\n") else body.strip()
            messages += [call_message, {"from": "observation", "value": observation}]
        reply = {"from": "gpt", "value": turn.reply}
        if thoughts:
            reply["thoughts"] = thoughts
        messages.append(reply)
    record: dict[str, Any] = {"id": str(info.source_id if info.source_id is not None else info.id)}
    record["system"] = info.meta_instruction
    record["conversations"] = messages
    return record


def to_alpaca(info: ConversationInfo, turns: Sequence[StoredTurn]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    history: list[list[str]] = []
    for stored in turns:
        if not stored.finished:
            continue
        result = stored.result
        records.append({"instruction": result.question, "input": "", "output": result.reply,
                        "system": info.meta_instruction, "history": [list(p) for p in history]})
        history.append([result.question, result.reply])
    return records


def export_records(store: Store, conversation_ids: Iterable[int], fmt: Format) -> list[Any]:
    """One record per conversation (Alpaca: one per turn), in the order given."""
    out: list[Any] = []
    for cid in conversation_ids:
        info, turns = store.conversation(cid), store.turns(cid)
        if fmt == "moss":
            out.append(to_moss(info, turns))
        elif fmt == "sharegpt":
            out.append(to_sharegpt(info, turns))
        elif fmt == "alpaca":
            out.extend(to_alpaca(info, turns))
        else:
            raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return out


def session_records(meta_instruction: str, turns: Sequence[TurnResult], fmt: Format,
                    conversation_id: int | None = None) -> list[Any]:
    """Export a live session's turns without a store (the REPL's /export with --no-log)."""
    info = ConversationInfo(id=conversation_id or 0, created_at=0.0, updated_at=0.0,
                            meta_instruction=meta_instruction)
    stored = [StoredTurn(id=i, conversation_id=info.id, seq=i, status="done", started_at=0.0, result=t)
              for i, t in enumerate(turns, 1)]
    exporters = {"moss": to_moss, "sharegpt": to_sharegpt, "alpaca": to_alpaca}
    if fmt not in exporters:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    record = exporters[fmt](info, stored)
    return record if isinstance(record, list) else [record]


def dumps(records: Sequence[Any], *, jsonl: bool = False, single: bool = False) -> str:
    """The file's text: JSON Lines, one record as the samples write it, or a JSON list."""
    if jsonl:
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if single and len(records) == 1:
        return json.dumps(records[0], ensure_ascii=False, indent=4)
    return json.dumps(list(records), ensure_ascii=False, indent=4)


def write_export(store: Store, conversation_ids: Sequence[int], fmt: Format, path: Path) -> int:
    """Write the export; a `.jsonl` file gets one record a line. Returns the record count."""
    records = export_records(store, conversation_ids, fmt)
    single = fmt != "alpaca" and len(conversation_ids) == 1
    path.write_text(dumps(records, jsonl=path.suffix == ".jsonl", single=single), encoding="utf-8")
    return len(records)


# -- in ----------------------------------------------------------------------------------------
def read_import(path: Path) -> list[Imported]:
    """Every conversation in a MOSS SFT or ShareGPT file (an object, a list, or JSON Lines),
    or in each `.json`/`.jsonl` file under a folder. `ParseError` names what is wrong."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl") and p.is_file())
        if not files:
            raise ParseError(f"{path} holds no .json or .jsonl files")
        return [c for f in files for c in read_import(f)]
    try:
        if path.stat().st_size > _MAX_IMPORT_BYTES:
            raise ParseError(f"{path} is larger than {_MAX_IMPORT_BYTES >> 20} MB; split it")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(f"cannot read {path}: {exc}") from exc
    try:
        records = list(_records(text))
    except json.JSONDecodeError as exc:
        raise ParseError(f"{path} is not JSON or JSON Lines: {exc}") from exc
    out = []
    for index, record in enumerate(records, 1):
        try:
            out.append(from_record(record))
        except ParseError as exc:
            where = f"{path}" + (f", record {index}" if len(records) > 1 else "")
            raise ParseError(f"{where}: {exc}") from exc
    return out


def _records(text: str) -> Iterator[Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            raise
        yield from (json.loads(line) for line in lines)
        return
    yield from (data if isinstance(data, list) else [data])


def from_record(record: Any) -> Imported:
    """One conversation from a MOSS SFT object or a ShareGPT object (detected by its keys)."""
    if isinstance(record, dict) and "chat" in record and "meta_instruction" in record:
        return from_moss(record)
    if isinstance(record, dict) and isinstance(record.get("conversations", record.get("messages")), list):
        return from_sharegpt(record)
    keys = sorted(record)[:8] if isinstance(record, dict) else type(record).__name__
    raise ParseError(f"neither MOSS SFT (meta_instruction, chat) nor ShareGPT (conversations); found {keys}")


def from_moss(record: dict[str, Any]) -> Imported:
    conversation = Conversation.from_moss_json(record)
    turns = [(_turn_result(t), dict(t.to_moss_json())) for t in conversation.turns]
    return Imported(
        meta_instruction=conversation.meta_instruction,
        turns=turns,
        source="moss",
        source_id=conversation.conversation_id,
        category=conversation.category,
        num_turns=conversation.num_turns,
    )


def _turn_result(turn: Turn) -> TurnResult:
    return TurnResult(question=turn.question, rounds=turn.rounds, reply=turn.reply)


_ROLES = {"human": "human", "user": "human", "gpt": "gpt", "assistant": "gpt", "model": "gpt",
          "function_call": "function_call", "observation": "observation", "tool": "observation",
          "system": "system"}


def from_sharegpt(record: dict[str, Any]) -> Imported:
    """ShareGPT (`from`/`value`) or OpenAI-style (`role`/`content`) messages."""
    messages = record.get("conversations", record.get("messages"))
    if not isinstance(messages, list):
        raise ParseError("a ShareGPT record needs a `conversations` (or `messages`) list")
    system = record.get("system", "")
    turns: list[tuple[TurnResult, dict[str, str]]] = []
    current: _TurnDraft | None = None
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise ParseError(f"message {i + 1} is not an object")
        role = _ROLES.get(str(message.get("from", message.get("role", ""))).lower())
        value = message.get("value", message.get("content", ""))
        if role is None or not isinstance(value, str):
            raise ParseError(f"message {i + 1} has no known role (human, gpt, function_call, observation, "
                             f"system) with text: {str(message)[:80]}")
        written = message.get("thoughts")
        thoughts = written if isinstance(written, str) else ""
        if role == "system":
            system = value
        elif role == "human":
            if current is not None:
                turns.append(current.finish())
            current = _TurnDraft(value)
        elif current is None:
            raise ParseError(f"message {i + 1} ({role}) comes before any human message")
        elif role == "function_call":
            current.rounds.append({"thoughts": thoughts, "calls": parse_commands(value).calls, "observation": None})
        elif role == "observation":
            if not current.rounds or current.rounds[-1]["observation"] is not None:
                raise ParseError(f"message {i + 1} (observation) does not follow a function_call")
            current.rounds[-1]["observation"] = value
        else:
            current.reply, current.reply_thoughts = value, thoughts
    if current is not None:
        turns.append(current.finish())
    if not isinstance(system, str):
        raise ParseError("'system' must be text")
    source_id = record.get("id")
    return Imported(
        meta_instruction=system,
        turns=turns,
        source="sharegpt",
        source_id=source_id if isinstance(source_id, (int, str)) and not isinstance(source_id, bool) else None,
    )


class _TurnDraft:
    """A ShareGPT turn being read: the question, its tool rounds, the reply."""

    def __init__(self, question: str) -> None:
        self.question = question
        self.rounds: list[dict[str, Any]] = []
        self.reply = ""
        self.reply_thoughts = ""

    def finish(self) -> tuple[TurnResult, dict[str, str]]:
        """The turn, and its segments with each observation exactly as written (so a ShareGPT
        export of it gives the same text back)."""
        rounds: list[Round] = []
        segments: dict[str, str] = {}
        for number, draft in enumerate(self.rounds, 1):
            round_, segment = _observed_round(draft["thoughts"], draft["calls"], draft["observation"] or "")
            rounds.append(round_)
            segments[round_keys(number)[2]] = segment
        if self.reply_thoughts or not rounds:
            rounds.append(Round(thoughts=self.reply_thoughts))
        result = TurnResult(question=self.question, rounds=tuple(rounds), reply=self.reply)
        return result, {key: segments.get(key, text) for key, text in result.segments().items()}


def _observed_round(thoughts: str, calls: list[Call], observation: str) -> tuple[Round, str]:
    """A round from a function_call and its observation, and the observation as a Results
    segment, exactly as written."""
    results: list[ToolResult] = []
    segment = f"{RESULTS}\n{NONE}\n{EOR}\n"
    if calls:
        segment = f"{RESULTS}\n{observation}\n{EOR}\n"
        parsed, _ = parse_results(segment, calls)
        if not parsed.entries and observation.strip() != NONE:  # Text2Image's one-line form
            segment = f"{RESULTS} {observation}{EOR}\n"
        for call in calls:
            entry = parsed.entry_for(call)
            results.append(entry.to_tool_result() if entry is not None
                           else ToolResult.failure(ErrorKind.NO_RESULT, "the observation has no result for this call"))
    return Round(thoughts=thoughts, calls=tuple(calls), results=tuple(results)), segment


def import_into(store: Store, conversations: Iterable[Imported]) -> list[int]:
    """Add each conversation to the store; returns their new ids."""
    return [
        store.add_conversation(c.turns, meta_instruction=c.meta_instruction, source=c.source,
                               source_id=c.source_id, category=c.category, num_turns=c.num_turns,
                               tools=_tools(c.meta_instruction))
        for c in conversations
    ]


def _tools(meta_instruction: str) -> list[str]:
    known = Conversation(meta_instruction=meta_instruction).known_tools
    return known or []
