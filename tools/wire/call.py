"""`Call`: one command the model issued, kept with its exact text."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Call(BaseModel):
    """One command the model issued: `Calculate("2^10")` -> tool, args, and the text as issued.

    `text` is kept verbatim because each Results entry starts with the command exactly as the
    model wrote it.
    """

    model_config = ConfigDict(frozen=True)

    tool: str
    args: tuple[str, ...]
    text: str
