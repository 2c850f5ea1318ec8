"""The session store's tables, and how an older file is brought up to date.

`SCHEMA_VERSION` is kept in SQLite's `user_version`; a file from a newer moss-agent is refused
(by `Store.open`) rather than written in a shape this version does not know.
"""

from __future__ import annotations

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    meta_instruction TEXT NOT NULL DEFAULT '',
    tools TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL DEFAULT 'recorded',
    source_id TEXT,
    category TEXT,
    num_turns INTEGER
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    question TEXT NOT NULL,
    thoughts TEXT NOT NULL DEFAULT '',
    commands TEXT NOT NULL DEFAULT 'None',
    reply TEXT NOT NULL DEFAULT '',
    partial_segment TEXT,
    partial TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    tools TEXT NOT NULL DEFAULT '[]',
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    generated_tokens INTEGER NOT NULL DEFAULT 0,
    timings TEXT,
    error_kind TEXT,
    error_message TEXT,
    recorded TEXT,
    rounds TEXT,
    started_at REAL NOT NULL,
    ended_at REAL,
    UNIQUE (conversation_id, seq)
);
CREATE TABLE IF NOT EXISTS calls (
    turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    round INTEGER NOT NULL DEFAULT 1,
    tool TEXT NOT NULL,
    text TEXT NOT NULL,
    args TEXT NOT NULL,
    result TEXT,
    elapsed_s REAL,
    error_kind TEXT,
    PRIMARY KEY (turn_id, idx)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    at REAL NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns (conversation_id, seq);
CREATE INDEX IF NOT EXISTS events_by_turn ON events (turn_id, id);
"""
# Schema 2: a turn holds several tool rounds; each round's thoughts in `turns.rounds` (JSON),
# each call's round in `calls.round`. A schema-1 file gains both columns; its turns read as
# one round, as they were.
UPGRADE_FROM_1 = """
ALTER TABLE turns ADD COLUMN rounds TEXT;
ALTER TABLE calls ADD COLUMN round INTEGER NOT NULL DEFAULT 1
"""
