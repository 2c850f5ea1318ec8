"""Weekday("2024-02-29") => Thursday: the day of the week of a calendar date."""

from __future__ import annotations

import datetime
from typing import Annotated

from pydantic import Field

from tools import ErrorKind, ToolFailure, tool


@tool(name="Weekday", capability="Calendar", signature="Weekday(date)")
def weekday(date: Annotated[str, Field(max_length=32)]) -> str:
    """The English weekday name of an ISO date (YYYY-MM-DD)."""
    try:
        day = datetime.date.fromisoformat(date.strip())
    except ValueError:
        raise ToolFailure(f"{date!r} is not a date like 2024-02-29", ErrorKind.INVALID_ARGS) from None
    return day.strftime("%A")
