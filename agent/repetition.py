"""Noticing a model stuck in a loop, so a segment ends instead of burning its token budget."""

from __future__ import annotations

# A unit longer than this is a sentence or more: four verbatim copies already make a loop
# (seen: ", which is a tool for interacting with the MOSS Agent" until the token limit).
_SHORT_UNIT = 40
_SENTENCE_REPEATS = 4


def repeating_tail(text: str, times: int, longest_unit: int = 200) -> int:
    """Length of a tail made of one unit repeated at least `times` times (a unit longer than
    40 characters: 4 times, or `times` if fewer), else 0.

    A model stuck in a loop writes the same few characters over and over; cutting the repeats
    keeps one copy and ends the segment instead of burning the token budget.
    """
    for unit in range(1, longest_unit + 1):
        needed = times if unit <= _SHORT_UNIT else min(times, _SENTENCE_REPEATS)
        span = unit * needed
        if span > len(text):
            if unit <= _SHORT_UNIT:
                continue
            break
        piece = text[-unit:]
        if text[-2 * unit : -unit] != piece:  # cheap test before building the whole span
            continue
        tail = text[-span:]
        if piece.strip() and tail == piece * needed:
            start = len(text) - span
            while start >= unit and text[start - unit : start] == piece:
                start -= unit
            return len(text) - start - unit  # keep one copy
    return 0
