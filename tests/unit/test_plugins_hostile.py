"""Hostile input for Calculate and Solve (tests/data/hostile_math.json): every case must end
in a clear error result, quickly, with nothing executed.

"Nothing executes" is checked twice: payloads that would run code write a canary file that
must never appear, and an audit hook watches for process, network and file-write events and
for any code compiled from text that contains a payload's marker.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins._calcunits import load_registry
from plugins.errors import MathError
from plugins._mathparse import MESSAGE_LIMIT
from plugins._solvecore import solve_lines
from plugins.calculate import calculate_text
from tools import ErrorKind, Registry, SandboxPool

DATA = Path(__file__).parents[1] / "data" / "hostile_math.json"
CASES: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["cases"]
BOUND_S = 2.0  # the bound; the sandbox's limits are the second wall

_FORBIDDEN_EVENTS = ("os.system", "subprocess.Popen", "os.posix_spawn", "os.exec", "os.fork",
                     "socket.connect", "os.remove", "shutil.rmtree", "ctypes.dlopen")
_MARKERS = ("__import__", "system(", "lambda", "canary", "eval(", "exec(", "getpid")


def _build(arg: str | list[Any], canary: Path) -> str:
    if isinstance(arg, str):
        return arg.replace("{canary}", str(canary))
    return "".join(piece if isinstance(piece, str) else piece[0] * piece[1] for piece in arg)


class _Watch:
    """An audit hook (process-wide, so it only records while `active`)."""

    def __init__(self) -> None:
        self.active = False
        self.seen: list[str] = []
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active:
            return
        if event.startswith(_FORBIDDEN_EVENTS):
            self.seen.append(f"{event} {args!r:.200}")
        elif event == "compile" and args:
            source = args[0]
            text = source.decode("utf-8", "replace") if isinstance(source, bytes) else str(source)
            if any(marker in text for marker in _MARKERS):
                self.seen.append(f"compile {text[:200]!r}")
        elif event == "open" and len(args) > 1 and isinstance(args[1], str) and "w" in args[1]:
            self.seen.append(f"open {args[0]!r} for writing")


_WATCH = _Watch()


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("hostile") / "canary"
    yield path
    assert not path.exists(), "a hostile input created the canary file"


def test_there_are_at_least_100_cases() -> None:
    assert len(CASES) >= 100
    assert {case["tool"] for case in CASES} == {"Calculate", "Solve"}


def _ids() -> list[str]:
    return [f"{i}-{case['tool']}-{case['why'][:40]}" for i, case in enumerate(CASES)]


@pytest.mark.parametrize("case", CASES, ids=_ids())
def test_in_process_refusal_is_clear_fast_and_inert(case: dict[str, Any], canary: Path) -> None:
    args = [_build(arg, canary) for arg in case["args"]]
    solve_lines("x+1=2")  # sympy and pint warm, as in a sandbox worker after setup()
    load_registry()
    func = calculate_text if case["tool"] == "Calculate" else solve_lines
    _WATCH.seen.clear()
    _WATCH.active = True
    start = time.monotonic()
    try:
        with pytest.raises(MathError) as info:
            func(*args)
    finally:
        elapsed = time.monotonic() - start
        _WATCH.active = False
    message = str(info.value)  # the model reads it after `No result.`: one short line
    assert message and "Traceback" not in message and "\n" not in message
    assert len(message) <= MESSAGE_LIMIT
    assert elapsed < BOUND_S, f"{elapsed:.2f} s"
    assert not _WATCH.seen, _WATCH.seen
    assert not canary.exists()


def test_sandbox_gives_clear_failures_for_every_case(canary: Path) -> None:
    """The same cases through the real sandbox: clean failures from the tool itself (refused
    or no result), never a kill by the sandbox's limits."""
    registry = Registry.discover()
    calls = [(case["tool"], [_build(arg, canary) for arg in case["args"]]) for case in CASES]
    with SandboxPool(registry, workers=2) as pool:
        pool.warm()
        start = time.monotonic()
        results = pool.run_many(calls)
        total = time.monotonic() - start
    bad = [
        (case["why"], result.error)
        for case, result in zip(CASES, results)
        if result.ok
        or result.error is None
        or result.error.kind not in (ErrorKind.REFUSED, ErrorKind.NO_RESULT, ErrorKind.INVALID_ARGS)
    ]
    assert not bad, bad
    slow = [(case["why"], r.elapsed_s) for case, r in zip(CASES, results) if (r.elapsed_s or 0) > BOUND_S]
    assert not slow, slow
    assert total < BOUND_S * len(CASES)
    assert not canary.exists()


def test_the_watch_would_see_an_execution(tmp_path: Path) -> None:
    """The audit hook is not vacuous: compiling a payload or writing a file is recorded."""
    _WATCH.seen.clear()
    _WATCH.active = True
    try:
        compile("__import__('os')", "<payload>", "eval")
        (tmp_path / "written").write_text("x")
    finally:
        _WATCH.active = False
    assert any(s.startswith("compile") for s in _WATCH.seen)
    assert any("for writing" in s for s in _WATCH.seen)


_ALPHABET = list("0123456789.+-*/^%!(),;=xye ") + [
    "**", "//", "pi", "sqrt(", "ln(", "2x", "万", "％", "²", "700", "1e300", "0.5", "sin(", "x^",
    "gcd(", "lcm(", "root(", "round(", " mod ", " of ", "f(x)=", "f(", " to ", " in ", "km", "h",
    "degC", "°F",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), max_size=40).map("".join))
def test_random_calculator_text_gives_a_value_or_a_clear_error(text: str) -> None:
    """No input crashes the calculator: the answer is a number's text or a MathError."""
    try:
        result = calculate_text(text)
    except MathError as exc:
        assert str(exc) and "\n" not in str(exc) and len(str(exc)) <= 150
    else:
        assert result and "\n" not in result and result.count(" ") <= 1  # a conversion: "5 m"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), max_size=25).map("".join))
def test_random_equation_text_gives_lines_or_a_clear_error(text: str) -> None:
    try:
        lines = solve_lines(text)
    except MathError as exc:
        assert str(exc)
    else:
        assert lines and all(" = " in line for line in lines)
