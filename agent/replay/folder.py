"""Replay recorded MOSS conversations through the wire format, and count what happened.

`replay_dir` reads every conversation JSON under a folder, parses each turn, re-renders it and
reports per folder: turns, turns that round-trip byte-identical, calls per tool, warnings per
kind, and the files it could not read (by name; they never stop the run).

Re-running the calls and comparing their results with the recording is a `TurnCheck`: a
callable given each parsed turn that returns counters, which land in `FolderReport.checks`
under the check's name. The CLI's `--run` will pass one; this module needs no change for it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field

from agent.errors import ParseError
from agent.wire.conversation import Conversation
from agent.wire.turn import Turn

#: Files larger than this are reported as unreadable instead of loaded (a recording is ~10 KB).
MAX_FILE_BYTES = 4 * 1024 * 1024


class TurnCheck(Protocol):
    """Something to do with each replayed turn; returns counters to add up per folder."""

    name: str

    def __call__(self, conversation: Conversation, turn: Turn) -> Mapping[str, int]: ...


class Unreadable(BaseModel):
    """A file the replay skipped, and why, in words a person can act on."""

    path: str
    reason: str


class FolderReport(BaseModel):
    """What one folder's conversations gave. Counts only; no timings."""

    folder: str
    files: int = 0
    conversations: int = 0
    turns: int = 0
    round_trip_turns: int = 0
    #: Segments (by JSON key) whose canonical rendering differs from the recording.
    differing_segments: dict[str, int] = Field(default_factory=dict)
    calls: dict[str, int] = Field(default_factory=dict)
    warnings: dict[str, int] = Field(default_factory=dict)
    unreadable: list[Unreadable] = Field(default_factory=list)
    checks: dict[str, dict[str, int]] = Field(default_factory=dict)

    def add(self, conversation: Conversation, checks: Sequence[TurnCheck]) -> None:
        """Count one parsed conversation (and run the checks on its turns)."""
        self.conversations += 1
        warnings = Counter(self.warnings)
        calls, differing = Counter(self.calls), Counter(self.differing_segments)
        warnings.update(w.kind for w in conversation.warnings)
        for turn in conversation.turns:
            self.turns += 1
            canonical = turn.segments()
            recorded = turn.recorded or canonical
            bad = [key for key in canonical if canonical[key] != recorded.get(key)]
            self.round_trip_turns += not bad
            differing.update(bad)
            calls.update(call.tool for call in turn.calls)
            warnings.update(w.kind for w in turn.parse_warnings)
            for check in checks:
                counters = Counter(self.checks.get(check.name, {}))
                counters.update(dict(check(conversation, turn)))
                self.checks[check.name] = dict(counters)
        self.calls, self.warnings = dict(sorted(calls.items())), dict(sorted(warnings.items()))
        self.differing_segments = dict(sorted(differing.items()))


class ReplayReport(BaseModel):
    """The whole replay: one report per folder, in path order."""

    root: str
    folders: list[FolderReport] = Field(default_factory=list)

    @property
    def unreadable(self) -> list[Unreadable]:
        return [u for f in self.folders for u in f.unreadable]

    @property
    def ok(self) -> bool:
        """True when every file was read; the CLI's exit code follows it."""
        return not self.unreadable


def conversation_files(root: Path) -> Iterator[Path]:
    """Every `*.json` under `root`, sorted, without following directory links (no loops)."""
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".json"):
                yield Path(folder) / name


def read_conversation(path: Path) -> Conversation:
    """Load and parse one file; every failure is a `ParseError` naming the cause."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ParseError(f"{size} bytes is over the {MAX_FILE_BYTES}-byte limit for a conversation")
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not valid JSON: {exc}") from exc
    return Conversation.from_moss_json(data)


def replay_dir(root: Path | str, checks: Sequence[TurnCheck] = ()) -> ReplayReport:
    """Replay every conversation under `root`; unreadable files are listed, never fatal."""
    root = Path(root)
    report = ReplayReport(root=str(root))
    folders: dict[str, FolderReport] = {}
    for path in conversation_files(root):
        name = path.parent.relative_to(root).as_posix()
        folder = folders.get(name)
        if folder is None:
            folder = folders[name] = FolderReport(folder=name)
            report.folders.append(folder)
        folder.files += 1
        try:
            conversation = read_conversation(path)
        except ParseError as exc:
            folder.unreadable.append(Unreadable(path=path.relative_to(root).as_posix(), reason=str(exc)))
            continue
        folder.add(conversation, checks)
    return report
