"""An MCP `CallToolResult` as a MOSS Result: the text a model reads after `=>`.

Text content is joined with newlines: one line stays on the entry's line
(`get_forecast("Paris") => sunny`), several become the lines below it, as Solve's do. A tool
with structured output usually also sends that JSON pretty-printed as text; then the compact
JSON (`{"city":"Paris","days":1}`) is used instead, which says the same in fewer tokens.
Images, audio and embedded binaries cannot reach a text model, so they are named rather than
dropped silently. An `isError` result is `No result.` with the server's words as the reason,
on one line. A result larger than the sandbox's output limit is refused the way the sandbox
refuses one, rather than truncated into something that reads like a complete answer.
"""

from __future__ import annotations

import json
from typing import Any

from tools.result import ErrorKind, ToolResult

REASON_CHARS = 300


def one_line(text: str, limit: int = REASON_CHARS) -> str:
    """Whitespace runs (newlines included) as single spaces, cut to `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _block_text(block: Any) -> str:
    kind = getattr(block, "type", None)
    if kind == "text":
        return str(block.text)
    if kind == "resource_link":
        return f"[resource: {block.uri}]"
    if kind == "resource":
        resource = block.resource
        text = getattr(resource, "text", None)
        return text if isinstance(text, str) else f"[binary resource: {resource.uri}]"
    if kind in ("image", "audio"):
        return f"[{kind}: {getattr(block, 'mime_type', 'unknown type')}]"
    return f"[{kind or 'unknown'} content]"


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def body_text(content: list[Any], structured: Any) -> str:
    """The result's text: content joined, or compact structured JSON when that is all it says."""
    text = "\n".join(_block_text(block) for block in content).strip()
    if structured is None:
        return text
    if not text:
        return _compact(structured)
    try:
        same = json.loads(text) == structured
    except ValueError:
        same = False
    return _compact(structured) if same else text


def to_tool_result(tool: str, result: Any, output_bytes: int) -> ToolResult:
    """Convert one `CallToolResult` (content, structured_content, is_error)."""
    content = list(getattr(result, "content", None) or [])
    structured = getattr(result, "structured_content", None)
    if getattr(result, "is_error", False):
        reason = one_line("\n".join(_block_text(b) for b in content)) or "the server reported an error"
        return ToolResult.failure(ErrorKind.EXCEPTION, f"{tool}: {reason}")
    text = body_text(content, structured)
    size = len(text.encode("utf-8", "replace"))
    if size > output_bytes:
        return ToolResult.failure(
            ErrorKind.OUTPUT,
            f"{tool} returned {size} bytes, over the {output_bytes}-byte output limit",
        )
    if not text:
        return ToolResult.failure(ErrorKind.NO_RESULT, f"{tool} returned nothing")
    lines = text.splitlines()
    return ToolResult.value(text) if len(lines) == 1 else ToolResult.lines(lines)
