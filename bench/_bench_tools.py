"""Tools for bench/sandbox.py, in a module so the sandbox can import them by path."""

from __future__ import annotations

import time

from tools import tool


@tool(name="Echo", capability="Echo", signature="Echo(text)")
def echo(text: str) -> str:
    return text


@tool(name="Sleep", capability="Sleeper", signature="Sleep()")
def sleep() -> str:
    time.sleep(1e9)
    return "woke"
