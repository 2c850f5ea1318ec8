"""Snippets spelled the way MOSS-003 saw them in its Results.

The recorded conversations show each snippet as Python's `repr` of the text: single quotes
unless the text holds one, `\\n` for line breaks, the page's date (when it has one) on the last
line (`...\\nJul 25, 2022`), and long snippets cut at a fixed width with no closing quote.
Reproducing that spelling keeps the runtime's prompts in the distribution MOSS was tuned on.
"""

from __future__ import annotations

import re
from datetime import date, datetime

DEFAULT_MAX_CHARS = 300  # the width at which the recorded web_search snippets are cut

_PARTIAL_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{0,1}|u[0-9a-fA-F]{0,3}|U[0-9a-fA-F]{0,7})?$")


def quote(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """`repr(text)`, cut to `max_chars` characters as MOSS cuts long snippets.

    The cut never splits an escape sequence (`\\n`, `\\u3000`), which the recorded data
    occasionally does: half an escape only confuses the model.
    """
    quoted = repr(text)
    if len(quoted) <= max_chars:
        return quoted
    cut = quoted[:max_chars]
    partial = _PARTIAL_ESCAPE.search(cut)
    if partial and _is_escape_start(cut, partial.start()):
        cut = cut[: partial.start()]
    return cut


def _is_escape_start(text: str, index: int) -> bool:
    """True when the backslash at `index` starts an escape (is not itself escaped)."""
    backslashes = len(text[:index]) - len(text[:index].rstrip("\\"))
    return backslashes % 2 == 0


def with_date(text: str, when: date | datetime | str | None) -> str:
    """Append the page's date on its own line, spelled as in the recordings (`Jul 25, 2022`)."""
    if when is None or when == "":
        return text
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            return text
    return f"{text}\n{when:%b} {when.day}, {when.year}"


def clean(text: str) -> str:
    """Collapse runs of spaces and blank lines that HTML extraction leaves in a snippet."""
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" *\n[ \n]*", "\n", text)
    return text.strip()
