"""Weekday("2024-02-29") => Thursday: the day of the week of a calendar date."""

from __future__ import annotations

import datetime
from typing import Annotated

from pydantic import Field

from tools import ErrorKind, ToolExample, ToolFailure, ToolResult, tool

# Shown to a model that was never trained on MOSS (the embedded one), so it learns when and how
# to call the tool; the plugin's own test checks the result against the tool.
EXAMPLE = ToolExample.one_call(
    "What day of the week was 1 March 2000?", "This is a question about a date, so I use the calendar.",
    'Weekday("2000-03-01")', ToolResult.value("Wednesday"), "1 March 2000 was a Wednesday.",
)
# Kept out of the fixed prompt: shown only right before a question it resembles (moss-agent's
# nearest examples), so a tool can carry one for each way people ask without a longer prompt.
POOL_EXAMPLE = ToolExample.one_call(
    "Christmas 2030 falls on which day of the week?", "This is a question about a date, so I use the calendar.",
    'Weekday("2030-12-25")', ToolResult.value("Wednesday"), "Christmas 2030, 25 December, is a Wednesday.",
    retrieved=True,
)


@tool(name="Weekday", capability="Calendar", signature="Weekday(date)", examples=[EXAMPLE, POOL_EXAMPLE])
def weekday(date: Annotated[str, Field(max_length=32)]) -> str:
    """The English weekday name of an ISO date (YYYY-MM-DD)."""
    try:
        day = datetime.date.fromisoformat(date.strip())
    except ValueError:
        raise ToolFailure(f"{date!r} is not a date like 2024-02-29", ErrorKind.INVALID_ARGS) from None
    return day.strftime("%A")
