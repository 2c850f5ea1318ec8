"""Replaying recorded MOSS conversations: through the wire format, and through the tools.

- `folder`: `replay_dir` reads every conversation under a folder, re-renders each turn and
  counts what round-trips, the calls per tool, the warnings per kind and unreadable files;
- `run`: `run_replay` re-runs the recorded Calculate and Solve calls in the sandbox and
  compares the results with the recording;
- `reviewed`: the disagreements judged to be recording errors, with a reason each.

`moss-agent replay DIR [--run]` is the command line over them.
"""

from __future__ import annotations

from agent.replay.folder import (
    FolderReport,
    ReplayReport,
    TurnCheck,
    Unreadable,
    conversation_files,
    read_conversation,
    replay_dir,
)
from agent.replay.run import RunReport, agrees, run_replay

__all__ = [
    "FolderReport",
    "ReplayReport",
    "RunReport",
    "TurnCheck",
    "Unreadable",
    "agrees",
    "conversation_files",
    "read_conversation",
    "replay_dir",
    "run_replay",
]
