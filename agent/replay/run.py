"""`replay --run`: re-run every recorded Calculate and Solve call and compare with the recording.

Each call with a recorded result entry runs through the sandbox (the same path the agent
uses) and is compared with what MOSS recorded: Calculate values numerically (`'36'`, `36` and
`36.0` agree; floats within 1e-9 relative), failures agree with failures whatever their
spelling; Solve lines as sets of (variable, value), the `_0`/`_1` root suffixes ignored and
values compared as complex numbers (`x = 550` agrees with `x = 550.000000000000`,
`x = 160/3` with `x = 53.3333333333333`). A recorded value is read with a whitelisted `ast`
walk, never evaluated as code.

Some recordings are wrong (MOSS's tool answered `No calculation results.` for `2+2`, or
`No result.` for solvable systems). Those disagreements are listed, with a one-line reason
each, in `agent.replay.reviewed`; the report separates them from
disagreements nobody has reviewed, which are what the CLI's exit code and the tests watch.
"""

from __future__ import annotations

import ast
import cmath
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field

from agent.errors import ParseError
from agent.replay.folder import conversation_files, read_conversation
from agent.replay.reviewed import RECORDING_ERRORS
from tools.wire.results import ResultEntry
from tools import ToolResult

RUN_TOOLS = ("Calculate", "Solve")
REL_TOL = 1e-9


class Runner(Protocol):
    """What runs the calls: `SandboxPool.run_many` fits."""

    def run_many(self, calls: Sequence[tuple[str, Sequence[str]]]) -> list[ToolResult]: ...


class Disagreement(BaseModel):
    """One call whose fresh result differs from the recording."""

    file: str  # folder/name.json, the key of the reviewed list
    command: str
    recorded: str
    ours: str
    reason: str | None = None  # the reviewed reason, None when nobody has reviewed it


class RunFolder(BaseModel):
    folder: str
    calls: dict[str, int] = Field(default_factory=dict)  # per tool, calls with a recorded result
    agreeing: int = 0
    disagreeing: int = 0
    reviewed: int = 0  # disagreements on the reviewed list (recording errors)
    unrecorded: int = 0  # issued calls without a result entry: nothing to compare
    disagreements: list[Disagreement] = Field(default_factory=list)

    @property
    def unexplained(self) -> list[Disagreement]:
        return [d for d in self.disagreements if d.reason is None]


class RunReport(BaseModel):
    root: str
    folders: list[RunFolder] = Field(default_factory=list)
    unreadable: list[str] = Field(default_factory=list)
    stale_reviews: list[str] = Field(default_factory=list)  # reviewed entries that now agree

    @property
    def unexplained(self) -> list[Disagreement]:
        return [d for f in self.folders for d in f.unexplained]

    @property
    def agreement(self) -> float:
        """Agreeing calls / calls, leaving out the reviewed recording errors."""
        calls = sum(sum(f.calls.values()) - f.reviewed for f in self.folders)
        agreeing = sum(f.agreeing for f in self.folders)
        return agreeing / calls if calls else 1.0


def load_reviewed() -> dict[tuple[str, str], str]:
    """(file, command) -> reason, from the reviewed list of recording errors."""
    return {(file, command): reason for file, command, reason in RECORDING_ERRORS}


# --- reading recorded values --------------------------------------------------------------

_NAMES = {"I": 1j, "pi": math.pi, "E": math.e, "oo": math.inf}
_FUNCS = {"sqrt": cmath.sqrt, "exp": cmath.exp, "log": cmath.log, "sin": cmath.sin,
          "cos": cmath.cos, "tan": cmath.tan, "acos": cmath.acos, "asin": cmath.asin,
          "atan": cmath.atan}
_BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
           ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}


def number(text: str) -> complex | None:
    """The value of a recorded number or sympy-printed constant (`-sqrt(15)`, `5/36`,
    `-2.1 - 3.6*I`, `2*5**(1/4)`), or None when it is not one (names, words, too long)."""
    text = text.strip().strip("'\"").replace("^", "**")
    if not text or len(text) > 500:
        return None
    try:
        tree = ast.parse(text, mode="eval")
        return complex(_value(tree.body, depth=0))
    except (SyntaxError, ValueError, TypeError, ZeroDivisionError, OverflowError, RecursionError):
        return None


def _value(node: ast.AST, depth: int) -> complex:
    if depth > 50:
        raise ValueError("too deep")
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Name) and node.id in _NAMES:
        return _NAMES[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _value(node.operand, depth + 1)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        left, right = _value(node.left, depth + 1), _value(node.right, depth + 1)
        if isinstance(node.op, ast.Pow):
            if abs(right) > 1000:
                raise ValueError("exponent too large")
            return complex(left) ** right
        op = _BINOPS.get(type(node.op))
        if op is not None:
            return op(left, right)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCS and len(node.args) == 1 and not node.keywords):
        return _FUNCS[node.func.id](_value(node.args[0], depth + 1))
    raise ValueError(f"not a number: {ast.dump(node)[:80]}")


def _close(a: complex, b: complex) -> bool:
    return abs(a - b) <= REL_TOL * max(1.0, abs(a), abs(b))


def _same_value(recorded: str, ours: str) -> bool:
    if recorded.strip() == ours.strip():
        return True
    a, b = number(recorded), number(ours)
    return a is not None and b is not None and _close(a, b)


_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z_0-9]*?)(?:_\d+)?\s*=\s*(.+?)\s*$")


def _solution_pairs(lines: Sequence[str]) -> list[tuple[str, str]] | None:
    pairs = []
    for line in lines:
        match = _LINE.match(line)
        if match is None:
            return None
        pairs.append((match[1], match[2]))
    return pairs


def _same_lines(recorded: Sequence[str], ours: Sequence[str]) -> bool:
    """Same (variable, value) multiset, root order and `_i` suffixes ignored."""
    rec, own = _solution_pairs(recorded), _solution_pairs(ours)
    if rec is None or own is None or len(rec) != len(own):
        return list(recorded) == list(ours)
    unmatched = list(own)
    for name, value in rec:
        match = next((p for p in unmatched if p[0] == name and _same_value(value, p[1])), None)
        if match is None:
            return False
        unmatched.remove(match)
    return True


def agrees(recorded: ResultEntry, ours: ToolResult) -> bool:
    """Whether a fresh result matches a recorded entry (see the module docstring)."""
    if recorded.failed or not ours.ok:
        return recorded.failed and not ours.ok
    if recorded.shape == "value" and ours.shape == "value":
        return _same_value(recorded.value or "", ours.items[0])
    if recorded.shape == "lines" and ours.shape == "lines":
        return _same_lines(recorded.lines, ours.items)
    return False


def describe(result: ToolResult) -> str:
    """Ours, as a line of the report: the body, or `No result. (why)`."""
    if result.ok:
        return " | ".join(result.items)
    reason = result.error.message if result.error else ""
    return f"No result. ({reason})" if reason else "No result."


def run_replay(root: Path | str, runner: Runner,
               reviewed: dict[tuple[str, str], str] | None = None) -> RunReport:
    """Re-run every recorded Calculate/Solve call under `root` with `runner` and compare."""
    root = Path(root)
    reviewed = load_reviewed() if reviewed is None else reviewed
    report = RunReport(root=str(root))
    folders: dict[str, RunFolder] = {}
    used: set[tuple[str, str]] = set()
    for path in conversation_files(root):
        rel = f"{path.parent.name}/{path.name}"  # the reviewed list's key, whatever the root
        name = path.parent.relative_to(root).as_posix()
        try:
            conversation = read_conversation(path)
        except ParseError as exc:
            report.unreadable.append(f"{rel}: {exc}")
            continue
        pending = []
        for turn in conversation.turns:
            for call, entry in turn.pairs():
                if call.tool not in RUN_TOOLS:
                    continue
                pending.append((call, entry))
        if not pending:
            continue
        folder = folders.get(name)
        if folder is None:
            folder = folders[name] = RunFolder(folder=name)
            report.folders.append(folder)
        recorded = [(call, entry) for call, entry in pending if entry is not None]
        folder.unrecorded += len(pending) - len(recorded)
        results = runner.run_many([(call.tool, call.args) for call, _ in recorded])
        counts = Counter(folder.calls)
        for (call, entry), ours in zip(recorded, results):
            assert entry is not None
            counts[call.tool] += 1
            if agrees(entry, ours):
                folder.agreeing += 1
                continue
            key = (rel, call.text)
            reason = reviewed.get(key)
            if reason is not None:
                used.add(key)
                folder.reviewed += 1
            folder.disagreeing += 1
            folder.disagreements.append(Disagreement(
                file=rel, command=call.text, recorded=entry.text.replace("\n", " | ") or "(empty)",
                ours=describe(ours), reason=reason))
        folder.calls = dict(sorted(counts.items()))
    replayed = {Path(f.folder).name or root.name for f in report.folders}
    report.stale_reviews = sorted(
        f"{file}: {command}" for file, command in reviewed
        if (file, command) not in used and file.split("/")[0] in replayed
    )
    return report
