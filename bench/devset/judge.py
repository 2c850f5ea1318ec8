"""Is a reply right? The same rules for the agent and for the plain model.

A tool question is right when the reply states every expected number (see `numbers.states`:
thousands separators, a trailing `.0`, fractions and scientific notation read; approximate
answers within a small tolerance; a rounded answer exactly) and shows no protocol tags or raw
tool syntax. Whether a tool was called is reported beside it, not required: an answer the
model knew is still right. A chat question is right when no tool was called and the reply is
acceptable: not empty, clean, in the question's language (Chinese questions get Chinese
replies, English ones not Chinese ones), and containing one of the expected texts if any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from devset.numbers import states
from devset.questions import Question

LEAKS = ("<|", "<eo", "Calculate(", "Solve(", "Search(")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Verdict:
    right: bool
    why: str = ""  # what was wrong, for the progress line and the JSON rows


def reply_language(text: str) -> str | None:
    """`zh` when Han characters carry the reply (a few English words inside are fine), `en`
    when Latin letters do, None for a reply with neither."""
    han, latin = len(_HAN.findall(text)), len(_LATIN.findall(text))
    if han == 0 and latin == 0:
        return None
    return "zh" if han * 3 >= latin else "en"


def leaks(reply: str) -> list[str]:
    """The protocol tags or tool syntax a reply shows its reader."""
    return [leak for leak in LEAKS if leak in reply]


def judge(question: Question, reply: str, called: bool) -> Verdict:
    """The verdict on one reply; `called` says whether any tool was called for it."""
    shown = leaks(reply)
    if shown:
        return Verdict(False, f"reply shows {', '.join(shown)}")
    if not question.is_chat:
        missing = [e for e in question.expect if not states(reply, e, approx=question.approx)]
        return Verdict(not missing, f"missing {', '.join(missing)}" if missing else "")
    if called:
        return Verdict(False, "called a tool")
    if not reply.strip():
        return Verdict(False, "empty reply")
    wanted = question.reply_lang or question.lang
    language = reply_language(reply)
    if wanted != "any" and language is not None and language != wanted:
        return Verdict(False, f"replied in {language}")
    if question.expect_text and not any(t.lower() in reply.lower() for t in question.expect_text):
        return Verdict(False, f"none of {', '.join(question.expect_text)}")
    return Verdict(True)
