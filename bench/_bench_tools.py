"""Tools for bench/sandbox.py, in a module so the sandbox can import them by path."""

from __future__ import annotations

import os
import time

from tools import tool


@tool(name="Echo", capability="Echo", signature="Echo(text)")
def echo(text: str) -> str:
    return text


@tool(name="Sleep", capability="Sleeper", signature="Sleep()")
def sleep() -> str:
    time.sleep(1e9)
    return "woke"


@tool(name="Scribble", capability="Writer", signature="Scribble(files)")
def scribble(files: int = 10) -> str:
    """Write `files` small files into the call's scratch folder (its working directory)."""
    for n in range(files):
        with open(f"note-{n}.txt", "w", encoding="utf-8") as f:
            f.write("scratch")
    return "written"


@tool(name="Daemon", capability="Daemon", signature="Daemon()")
def daemon() -> str:
    """Leave a sleeping process behind, for the sandbox to kill after the call."""
    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
    return "left"
