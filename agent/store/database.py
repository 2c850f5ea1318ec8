"""The session store: every conversation, turn and event in one SQLite file.

Written as a turn happens (see `agent.store.record`), one short transaction per step, in WAL
mode: a process killed mid-turn loses nothing it had already recorded, the file stays
readable, and a second process can write beside the first (writers wait on each other, readers
never block). A turn that never finished stays `running` (killed) or `cancelled` (Ctrl-C), so
logs show it while resumed history and exports skip it, just as the live session did.

The file lives in the user data folder (`MOSS_AGENT_DATA` overrides it); a file that is not a
readable database raises `StoreError` naming the file and what to do, never a bare traceback.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from agent.errors import StoreError
from agent.events import TurnResult, WarningEvent
from agent.format import Call
from agent.store.rows import (
    FINISHED,
    ConversationInfo,
    Status,
    StoredTurn,
    clean,
    conversation_from_row,
    rounds_json,
    to_json,
    turn_from_row,
)
from tools import ToolResult
from agent.store.schema import SCHEMA, SCHEMA_VERSION, UPGRADE_FROM_1
from tools.folders import data_dir as default_data_dir

DB_NAME = "logs.db"


def default_db_path(environ: Mapping[str, str] | None = None) -> Path:
    return default_data_dir(environ) / DB_NAME


class Store:
    """The log database. `Store.open(path)`; every method is safe to call from any thread."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self._lock = threading.RLock()

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> Store:
        """Open (creating if needed) the database at `path`, default `default_db_path()`."""
        target = Path(path) if path is not None else default_db_path()
        target = target.expanduser()
        if target.is_dir():
            raise StoreError(f"{target} is a folder; --db needs a file path such as {target / DB_NAME}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for the log database {target}: {exc}; "
                             "pass --db PATH elsewhere or --no-log") from exc
        try:
            db = sqlite3.connect(target, timeout=30.0, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the log database {target}: {exc}; pass --db PATH or --no-log") from exc
        store = cls(target, db)
        try:
            store._prepare()
        except sqlite3.DatabaseError as exc:
            db.close()
            raise _corrupt(target, exc) from exc
        return store

    def _prepare(self) -> None:
        db = self._db
        version = db.execute("PRAGMA user_version").fetchone()[0]  # reads the header: fails on junk
        if version > SCHEMA_VERSION:
            raise StoreError(f"the log database {self.path} was written by a newer moss-agent "
                             f"(schema {version}, this one knows {SCHEMA_VERSION}); upgrade, or pass --db PATH")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process loses no commit
        db.execute("PRAGMA foreign_keys=ON")
        if version < SCHEMA_VERSION:
            with self._write():
                if version == 1:
                    for statement in filter(str.strip, UPGRADE_FROM_1.split(";")):
                        db.execute(statement)
                for statement in filter(str.strip, SCHEMA.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock up front (no upgrade deadlocks)."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"the log database {self.path} is busy or read-only ({exc}); "
                                 "try again, or pass --no-log") from exc
            except sqlite3.DatabaseError as exc:
                raise _corrupt(self.path, exc) from exc
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                raise _corrupt(self.path, exc) from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            try:
                cursor = self._db.execute(sql, params)
                names = [d[0] for d in cursor.description]
                return [dict(zip(names, row)) for row in cursor.fetchall()]
            except sqlite3.DatabaseError as exc:
                raise _corrupt(self.path, exc) from exc

    # -- writing a turn, step by step (called by the recorder) -------------------------------
    def new_conversation(
        self,
        *,
        model: str = "",
        meta_instruction: str = "",
        tools: Sequence[str] = (),
        source: str = "recorded",
        source_id: int | str | None = None,
        category: str | None = None,
        num_turns: int | None = None,
    ) -> int:
        with self._write() as db:
            return self._insert_conversation(db, model, meta_instruction, tools, source, source_id, category, num_turns)

    def _insert_conversation(self, db: sqlite3.Connection, model: str, meta: str, tools: Sequence[str],
                             source: str, source_id: int | str | None, category: str | None,
                             num_turns: int | None) -> int:
        now = time.time()
        cursor = db.execute(
            "INSERT INTO conversations (created_at, updated_at, model, meta_instruction, tools, source,"
            " source_id, category, num_turns) VALUES (?,?,?,?,?,?,?,?,?)",
            clean((now, now, model, meta, to_json(list(tools)), source,
                    None if source_id is None else to_json(source_id), category, num_turns)),
        )
        return int(cursor.lastrowid)  # type: ignore[arg-type]

    def start_turn(self, conversation_id: int, question: str, *, model: str = "", tools: Sequence[str] = (),
                   event: BaseModel | None = None) -> int:
        """Add a `running` turn at the end of the conversation; returns its id."""
        with self._write() as db:
            turn_id = self._insert_turn(db, conversation_id, question, "running", model, tools)
            if event is not None:
                self._event(db, turn_id, event)
            return turn_id

    def _insert_turn(self, db: sqlite3.Connection, conversation_id: int, question: str, status: str,
                     model: str, tools: Sequence[str]) -> int:
        now = time.time()
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM turns WHERE conversation_id = ?",
                         (conversation_id,)).fetchone()[0]
        cursor = db.execute(
            "INSERT INTO turns (conversation_id, seq, status, question, model, tools, started_at)"
            " VALUES (?,?,?,?,?,?,?)",
            clean((conversation_id, seq, status, question, model, to_json(list(tools)), now)),
        )
        db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
        return int(cursor.lastrowid)  # type: ignore[arg-type]

    def record_step(self, turn_id: int, event: BaseModel | None = None,
                    *, fields: Mapping[str, Any] | None = None,
                    calls: Sequence[Call] | None = None,
                    round_: int = 1,
                    first_index: int = 0,
                    result: tuple[int, ToolResult] | None = None) -> None:
        """One step in one transaction: the event row, the turn's columns, the calls, a result.

        `calls` are one round's (`round_`), numbered from `first_index` within the turn; they
        replace whatever the turn held from that index on."""
        with self._write() as db:
            if event is not None:
                self._event(db, turn_id, event)
            if fields:
                _check_columns(fields)
                assignments = ", ".join(f"{name} = ?" for name in fields)
                db.execute(f"UPDATE turns SET {assignments} WHERE id = ?", clean((*fields.values(), turn_id)))
            if calls is not None:
                db.execute("DELETE FROM calls WHERE turn_id = ? AND idx >= ?", (turn_id, first_index))
                db.executemany(
                    "INSERT INTO calls (turn_id, idx, round, tool, text, args) VALUES (?,?,?,?,?,?)",
                    [clean((turn_id, i, round_, c.tool, c.text, to_json(list(c.args))))
                     for i, c in enumerate(calls, first_index)],
                )
            if result is not None:
                index, outcome = result
                db.execute(
                    "UPDATE calls SET result = ?, elapsed_s = ?, error_kind = ? WHERE turn_id = ? AND idx = ?",
                    (to_json(outcome), outcome.elapsed_s,
                     outcome.error.kind.value if outcome.error else None, turn_id, index),
                )

    def _event(self, db: sqlite3.Connection, turn_id: int, event: BaseModel) -> None:
        db.execute("INSERT INTO events (turn_id, at, type, data) VALUES (?,?,?,?)",
                   (turn_id, time.time(), getattr(event, "type", type(event).__name__), to_json(event)))

    def finish_turn(self, turn_id: int, result: TurnResult, status: Status, event: BaseModel | None = None) -> None:
        """Write the finished turn's columns (texts, tokens, timings, error) in one step."""
        fields = {
            "status": status,
            "thoughts": result.thoughts,
            "commands": result.commands,
            "rounds": rounds_json(result),
            "reply": result.reply,
            "partial_segment": None,
            "partial": "",
            "prompt_tokens": result.tokens.prompt,
            "generated_tokens": result.tokens.generated,
            "timings": result.timings.model_dump_json(),
            "error_kind": result.error.kind if result.error else None,
            "error_message": result.error.message if result.error else None,
            "ended_at": time.time(),
        }
        self.record_step(turn_id, event, fields=fields)

    # -- importing ---------------------------------------------------------------------------
    def add_conversation(
        self,
        turns: Sequence[tuple[TurnResult, dict[str, str] | None]],
        *,
        meta_instruction: str,
        model: str = "",
        tools: Sequence[str] = (),
        source: str = "recorded",
        source_id: int | str | None = None,
        category: str | None = None,
        num_turns: int | None = None,
    ) -> int:
        """A whole conversation (imported), in one transaction; returns its id."""
        with self._write() as db:
            cid = self._insert_conversation(db, model, meta_instruction, tools, source, source_id, category, num_turns)
            for result, recorded in turns:
                turn_id = self._insert_turn(db, cid, result.question, "done", result.model or model, tools)
                db.execute(
                    "UPDATE turns SET thoughts = ?, commands = ?, rounds = ?, reply = ?, recorded = ?,"
                    " ended_at = started_at WHERE id = ?",
                    clean((result.thoughts, result.commands, rounds_json(result), result.reply,
                            None if recorded is None else to_json(recorded), turn_id)),
                )
                rows = [(number, c, r) for number, round_ in enumerate(result.rounds, 1)
                        for c, r in _pad(round_.calls, round_.results)]
                db.executemany(
                    "INSERT INTO calls (turn_id, idx, round, tool, text, args, result, error_kind)"
                    " VALUES (?,?,?,?,?,?,?,?)",
                    [clean((turn_id, i, number, c.tool, c.text, to_json(list(c.args)),
                             to_json(r) if r is not None else None,
                             r.error.kind.value if r is not None and r.error else None))
                     for i, (number, c, r) in enumerate(rows)],
                )
            return cid

    # -- reading -----------------------------------------------------------------------------
    def conversation(self, conversation_id: int) -> ConversationInfo:
        rows = self._read(_CONVERSATIONS + " WHERE c.id = ? GROUP BY c.id", (conversation_id,))
        if not rows:
            raise StoreError(f"no conversation {conversation_id} in {self.path}; `moss-agent logs` lists them")
        return conversation_from_row(rows[0])

    def conversations(self, limit: int | None = None, *, sources: Sequence[str] = ()) -> list[ConversationInfo]:
        """Conversations, most recently active first; only those of `sources`, when given."""
        where = f" WHERE c.source IN ({','.join('?' * len(sources))})" if sources else ""
        sql = _CONVERSATIONS + where + " GROUP BY c.id ORDER BY c.updated_at DESC, c.id DESC"
        rows = self._read(sql + (" LIMIT ?" if limit else ""), (*sources, *((limit,) if limit else ())))
        return [conversation_from_row(r) for r in rows]

    def first_questions(self, conversation_ids: Sequence[int]) -> dict[int, str]:
        """Each conversation's first question: what a list of conversations shows as a title."""
        ids = list(conversation_ids)[:500]  # SQLite's limit on bound parameters
        if not ids:
            return {}
        rows = self._read(f"SELECT conversation_id, question FROM turns WHERE seq = 1 AND conversation_id IN "
                          f"({','.join('?' * len(ids))})", ids)
        return {r["conversation_id"]: r["question"] for r in rows}

    def latest_conversation_id(self) -> int | None:
        rows = self._read("SELECT id FROM conversations ORDER BY updated_at DESC, id DESC LIMIT 1")
        return rows[0]["id"] if rows else None

    def turns(self, conversation_id: int | None = None, *, limit: int | None = None,
              finished_only: bool = False) -> list[StoredTurn]:
        """Turns in order; with `limit`, the most recent ones (still in order)."""
        where, params = [], []
        if conversation_id is not None:
            where.append("conversation_id = ?")
            params.append(conversation_id)
        if finished_only:
            where.append("status IN ('done', 'error')")
        sql = "SELECT * FROM turns" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY started_at DESC, id DESC" + (" LIMIT ?" if limit else "")
        rows = self._read(sql, params + ([limit] if limit else []))[::-1]
        calls: dict[int, list[dict[str, Any]]] = {}
        warnings: dict[int, list[WarningEvent]] = {}
        for chunk in range(0, len(rows), 500):  # SQLite's limit on bound parameters
            ids = [r["id"] for r in rows[chunk : chunk + 500]]
            marks = ",".join("?" * len(ids))
            for call in self._read(f"SELECT * FROM calls WHERE turn_id IN ({marks}) ORDER BY idx", ids):
                calls.setdefault(call["turn_id"], []).append(call)
            for event in self._read(f"SELECT turn_id, data FROM events WHERE type = 'warning' AND turn_id IN ({marks})"
                                    " ORDER BY id", ids):
                warnings.setdefault(event["turn_id"], []).append(WarningEvent.model_validate(json.loads(event["data"])))
        return [turn_from_row(r, calls.get(r["id"], []), warnings.get(r["id"], [])) for r in rows]

    def history(self, conversation_id: int) -> list[TurnResult]:
        """The finished turns of a conversation, to resume it as a session."""
        self.conversation(conversation_id)  # a clear error for an unknown id
        return [t.result for t in self.turns(conversation_id, finished_only=True)]

    def events(self, turn_id: int) -> list[dict[str, Any]]:
        """The recorded events of one turn, oldest first, as `{"at", "type", "data"}`."""
        rows = self._read("SELECT at, type, data FROM events WHERE turn_id = ? ORDER BY id", (turn_id,))
        return [{"at": r["at"], "type": r["type"], "data": json.loads(r["data"])} for r in rows]

    def counts(self) -> dict[str, int]:
        return {table: self._read(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"]
                for table in ("conversations", "turns", "calls", "events")}

    def integrity(self) -> str:
        """SQLite's own check: "ok" for a healthy file."""
        return "; ".join(r["integrity_check"] for r in self._read("PRAGMA integrity_check"))


_CONVERSATIONS = (
    "SELECT c.*, COUNT(t.id) AS turn_count FROM conversations c LEFT JOIN turns t ON t.conversation_id = c.id"
)
_TURN_COLUMNS = frozenset({
    "status", "thoughts", "commands", "rounds", "reply", "partial_segment", "partial", "prompt_tokens",
    "generated_tokens", "timings", "error_kind", "error_message", "ended_at",
})


def _check_columns(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - _TURN_COLUMNS
    if unknown:
        raise ValueError(f"not a writable turn column: {sorted(unknown)}")


def _pad(calls: Sequence[Call], results: Sequence[ToolResult]) -> list[tuple[Call, ToolResult | None]]:
    return [(c, results[i] if i < len(results) else None) for i, c in enumerate(calls)]


def _corrupt(path: Path, exc: Exception) -> StoreError:
    return StoreError(
        f"the log database {path} is not readable ({exc}). It may be damaged or not a moss-agent "
        f"database: move it aside (mv '{path}' '{path}.bad') to start a new one, pass --db PATH to "
        "use another file, or --no-log to run without logging."
    )
